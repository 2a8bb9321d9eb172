/**
 * Two people on one relay, in two isolated browser contexts (two devices): an edit in one shows in
 * the other within a second; one goes offline, both edit, it comes back, and both converge; an
 * import on one device reaches the other through the relay's blob store. A refused link and a
 * document too large for the relay stop syncing with their message, and no retry reaches the relay.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { signToken } from '../../server/tokens';
import { createWorkspace } from '../../server/workspaces';
import { SYNC_MESSAGE } from '../../worker/protocol/syncProtocol';
import { connectToRelay, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

let relay: Relay;
let share: { relayUrl: string; workspaceId: string; token: string };
/** A relay whose document limit the demo workspace is over. */
let smallRelay: Relay;
let smallShare: typeof share;
/** A relay for the refused link, so its upgrade count is this test's alone. */
let refusingRelay: Relay;
let refusedShare: typeof share;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-relay-'));
  const created = createWorkspace(dataDir);
  relay = await startRelay({ dataDir });
  share = { relayUrl: relay.url, workspaceId: created.workspaceId, token: created.rwToken };
  const smallDir = mkdtempSync(join(tmpdir(), 'ledgerline-relay-'));
  const small = createWorkspace(smallDir);
  smallRelay = await startRelay({ dataDir: smallDir, maxDocBytes: 2_000 });
  smallShare = { relayUrl: smallRelay.url, workspaceId: small.workspaceId, token: small.rwToken };
  const refusingDir = mkdtempSync(join(tmpdir(), 'ledgerline-relay-'));
  const refusing = createWorkspace(refusingDir);
  refusingRelay = await startRelay({ dataDir: refusingDir });
  refusedShare = { relayUrl: refusingRelay.url, workspaceId: refusing.workspaceId, token: signToken('not-the-secret', refusing.workspaceId, 'rw') };
});

afterAll(async () => {
  await relay?.close();
  await smallRelay?.close();
  await refusingRelay?.close();
});

async function connectInSettings(page: Page, link: typeof share): Promise<void> {
  await page.goto(`${page.url().replace(/#.*$/, '')}#/settings`);
  await page.fill('[data-testid=sync-relay]', link.relayUrl);
  await page.fill('[data-testid=sync-workspace]', link.workspaceId);
  await page.fill('[data-testid=sync-token]', link.token);
  await page.click('[data-testid=sync-connect]');
}

async function ruleIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=rules-grid] .ag-row[row-id]', (rows) => [...new Set(rows.map((r) => r.getAttribute('row-id') ?? ''))].sort());
}

async function addRule(page: Page, pattern: string): Promise<void> {
  await page.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', pattern);
  await page.selectOption('[data-testid=add-rule] select[aria-label="Action"]', 'exclude');
  await page.click('[data-testid=add-rule] button[type=submit]');
}

browserTest('teammate sync', (env) => {
  it('shows one person’s edit to the other, and converges after working offline', async () => {
    // Alice shares her (demo) workspace through the relay.
    const alice = await env.open('/');
    await waitForWorkspace(alice);
    const link = await connectToRelay(alice, env.url, share);
    expect(link).toContain('#/join?');

    // Bob opens the link on his own device and joins.
    const bob = await env.open(link.slice(link.indexOf('#')).replace(/^/, '/'));
    await bob.click('[data-testid=join]');
    await bob.waitForSelector('[data-testid=sync-status][data-status=online]', { timeout: 30_000 });
    await bob.goto(`${env.url}/#/service-mapping`);
    await alice.goto(`${env.url}/#/service-mapping`);
    await alice.waitForSelector('[data-testid=rules-grid] .ag-row');
    await bob.waitForFunction(() => document.querySelectorAll('[data-testid=rules-grid] .ag-row[row-id]').length >= 12);
    expect(await ruleIds(bob)).toEqual(await ruleIds(alice));

    // An edit shows on the other screen (how fast is for `npm run bench`, not a test on a shared machine).
    await addRule(alice, 'Visio*');
    await bob.waitForSelector('[data-testid=rules-grid] .ag-row:has-text("Visio*")', { timeout: 15_000 });
    await bob.waitForSelector('[data-testid=peers] li');
    // "Saved" only once the relay's answer covers Alice's edit (it stores before it relays).
    await alice.waitForFunction(() => document.querySelector('[data-testid=sync-text]')?.textContent === 'All changes saved to the relay', undefined, { timeout: 5_000 });

    // Alice goes offline; both edit; she comes back; both hold both edits.
    await alice.click('[data-testid=sync-toggle]');
    await addRule(alice, 'Project Plan*');
    await addRule(bob, 'Copilot*');
    await alice.waitForSelector('[data-testid=rules-grid] .ag-row:has-text("Project Plan*")');
    await bob.waitForSelector('[data-testid=rules-grid] .ag-row:has-text("Copilot*")');
    expect(await bob.$('[data-testid=rules-grid] .ag-row:has-text("Project Plan*")')).toBeNull();
    await alice.click('[data-testid=sync-toggle]');
    await alice.waitForSelector('[data-testid=rules-grid] .ag-row:has-text("Copilot*")', { timeout: 5_000 });
    await bob.waitForSelector('[data-testid=rules-grid] .ag-row:has-text("Project Plan*")', { timeout: 5_000 });
    expect(await ruleIds(alice)).toEqual(await ruleIds(bob));
    expect((await ruleIds(alice)).length).toBe(15);

    // Data reaches the teammate too: Alice imports a usage file; Bob's workspace gets the same rows.
    await alice.setInputFiles('[data-testid=file-input]', {
      name: 'veeam-usage.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('integration_id,external_client_id,external_client_name,record_id,product,category,quantity\nveeam,v1,Acme,vm-1,Backup for VMs,,3\nveeam,v1,Acme,vm-2,Backup for VMs,,1\n'),
    });
    await alice.waitForSelector('[data-testid=import-result]');
    await bob.goto(`${env.url}/#/integrations`);
    await bob.waitForSelector('[data-testid=integrations-grid] .ag-row:has-text("veeam")', { timeout: 15_000 });
    expect(await bob.textContent('[data-testid=integrations-grid] .ag-row:has-text("veeam")')).toContain('2');

    await screenshot(alice, 'sync-alice');
    await screenshot(bob, 'sync-bob');
    expectNoPageErrors(alice, { ignore: [/WebSocket/] });
    expectNoPageErrors(bob, { ignore: [/WebSocket/] });
  });
  it('a refused link and a document too large for the relay each stop with their message within 2 s, and never retry', async () => {
    // A wrong token: refused, said plainly, one attempt only.
    const page = await env.open('/');
    await waitForWorkspace(page);
    await connectInSettings(page, refusedShare);
    await page.waitForSelector('[data-testid=sync-status][data-status=refused]', { timeout: 2_000 });
    expect(await page.textContent('[data-testid=sync-text]')).toBe(SYNC_MESSAGE.refused);
    expect(await page.textContent('[data-testid=sync-message]')).toBe(SYNC_MESSAGE.refused);
    expect(await page.$('[data-testid=sync-toggle]')).toBeNull(); // no Pause/Resume: retrying cannot help
    await page.waitForTimeout(3_000);
    expect(refusingRelay.stats().upgradeRequests).toBe(1);
    expect(await page.getAttribute('[data-testid=sync-status]', 'data-status')).toBe('refused');
    await screenshot(page, 'sync-refused');

    // The demo workspace's document is over this relay's limit: too large, one attempt only.
    const big = await env.open('/');
    await waitForWorkspace(big);
    await connectInSettings(big, smallShare);
    await big.waitForSelector('[data-testid=sync-status][data-status=too-large]', { timeout: 2_000 });
    expect(await big.textContent('[data-testid=sync-text]')).toBe(SYNC_MESSAGE.tooLarge);
    await big.waitForTimeout(3_000);
    expect(smallRelay.stats().upgradeRequests).toBe(1);
    expect(smallRelay.stats().updatesStored).toBe(0);
    expect(await big.getAttribute('[data-testid=sync-status]', 'data-status')).toBe('too-large');
    await screenshot(big, 'sync-too-large');

    expectNoPageErrors(page, { ignore: [/WebSocket/] });
    expectNoPageErrors(big, { ignore: [/WebSocket/] });
  });
});
