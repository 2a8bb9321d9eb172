/**
 * Sharing without a terminal, in Chromium, against a real relay on loopback: Ann pastes the
 * relay's admin key in Settings, creates the shared workspace and a read-only link for Bea; Bea
 * joins on her own device and is connected as herself; Ann revokes the link and Bea's app says
 * "refused" and never retries; Ann's browser goes offline and her badge says so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureAdminKey } from '../../server/admin';
import { startRelay, type Relay } from '../../server/relay';
import { SYNC_MESSAGE } from '../../worker/protocol/syncProtocol';
import { waitForWorkspace } from './appDriver';
import { SCREENSHOT_DIR, browserTest, expectNoPageErrors, screenshot } from './harness';

let relay: Relay;
let adminKey: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-relay-'));
  adminKey = ensureAdminKey(dataDir);
  relay = await startRelay({ dataDir });
});

afterAll(async () => {
  await relay?.close();
});

const badgeText = '[data-testid=sync-text]';

browserTest('sharing from Settings', (env) => {
  it('creates a shared workspace with the admin key, mints a link for Bea, revokes it (Bea stops), and shows offline when the network goes', async () => {
    // Ann, the relay's operator, shares her (demo) workspace from Settings.
    const ann = await env.open('/');
    await waitForWorkspace(ann);
    await ann.goto(`${env.url}/#/settings`);
    await ann.fill('[data-testid=display-name]', 'Ann');
    await ann.press('[data-testid=display-name]', 'Tab');
    // The app is on the dev server here; under `npm start` the relay serves it and this field is already right.
    await ann.fill('[data-testid=admin-relay]', relay.url);
    await ann.fill('[data-testid=admin-key]', adminKey);
    await ann.click('[data-testid=admin-save]');
    await ann.click('[data-testid=share-create]');
    await ann.waitForSelector('[data-testid=sync-status][data-status=online]', { timeout: 15_000 });
    await ann.waitForSelector('[data-testid=share-links] tr[data-person=Ann][data-status=live]');
    await ann.waitForSelector('[data-testid=sync-identity]:has-text("Connected as Ann")');

    // A read-only link for Bea.
    await ann.fill('[data-testid=new-link-person]', 'Bea');
    await ann.selectOption('[data-testid=new-link-role]', 'ro');
    await ann.click('[data-testid=new-link-create]');
    const link = (await (await ann.waitForSelector('[data-testid=minted-link]')).textContent())!.trim();
    expect(link).toContain('#/join?');
    await ann.waitForSelector('[data-testid=share-links] tr[data-person=Bea][data-status=live]');
    expect(await ann.textContent('[data-testid=share-error]').catch(() => null)).toBeNull();

    // Bea opens it on her own device and joins: connected as herself, read-only.
    const bea = await env.open(link.slice(link.indexOf('#')).replace(/^/, '/'));
    await bea.click('[data-testid=join]');
    await bea.waitForSelector('[data-testid=sync-status][data-status=online]', { timeout: 30_000 });
    await bea.goto(`${env.url}/#/settings`);
    await bea.waitForSelector('[data-testid=sync-identity]:has-text("Connected as Bea")');
    expect(await bea.textContent('[data-testid=sync-identity]')).toContain('read-only');

    // Ann's list counts Bea's session (it is read again while Settings is open).
    await ann.waitForSelector('[data-testid=share-links] tr[data-person=Bea] [data-testid=link-live]:text-is("1")', { timeout: 15_000 });
    await ann.locator('[data-testid=share-section]').screenshot({ path: join(SCREENSHOT_DIR, 'sharing-section.png') });

    // Ann revokes Bea's link: Bea's app says "refused" and makes no further attempt.
    ann.on('dialog', (dialog) => void dialog.accept());
    await ann.click('[data-testid=share-links] tr[data-person=Bea] [data-testid=link-revoke]');
    await bea.waitForSelector('[data-testid=sync-status][data-status=refused]', { timeout: 10_000 });
    expect(await bea.textContent(badgeText)).toBe(SYNC_MESSAGE.refused);
    expect(await bea.textContent('[data-testid=sync-message]')).toBe(SYNC_MESSAGE.refused);
    await ann.waitForSelector('[data-testid=share-links] tr[data-person=Bea][data-status=revoked]');
    const attempts = relay.stats().upgradeRequests;
    await bea.waitForTimeout(3_000);
    // Neither Bea (stopped) nor Ann (still connected, her heartbeat alive) opened another connection.
    expect(relay.stats().upgradeRequests).toBe(attempts);
    expect(await bea.getAttribute('[data-testid=sync-status]', 'data-status')).toBe('refused');
    expect(await ann.getAttribute('[data-testid=sync-status]', 'data-status')).toBe('online');
    await ann.locator('[data-testid=share-section]').screenshot({ path: join(SCREENSHOT_DIR, 'sharing-section-revoked.png') });
    await screenshot(bea, 'sharing-bea-settings');

    // Ann's network goes: her badge says offline (waited for generously; the time is logged, not asserted).
    const offlineAt = Date.now();
    await ann.context().setOffline(true);
    await ann.waitForSelector('[data-testid=sync-status][data-status=offline]', { timeout: 5_000 });
    console.info(`browser offline → badge offline after ${Date.now() - offlineAt} ms`);
    expect(await ann.textContent(badgeText)).toBe(SYNC_MESSAGE.offline);
    await screenshot(ann, 'sharing-ann-offline');
    await ann.context().setOffline(false);
    await ann.waitForSelector('[data-testid=sync-status][data-status=online]', { timeout: 10_000 });

    expectNoPageErrors(ann, { ignore: [/WebSocket/] });
    expectNoPageErrors(bea, { ignore: [/WebSocket/] });
  }, 180_000);
});
