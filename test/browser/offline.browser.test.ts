/**
 * The installed app on a plane: after one visit online, the production build opens with no network
 * (the service worker serves every file, the workspace is in IndexedDB), keeps an edit made offline,
 * and hands that edit to the relay once the network is back.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { createWorkspace } from '../../server/workspaces';
import { connectToRelay, readClientRows, statValue, waitForWorkspace } from './appDriver';
import { ROOT, browserTest, expectNoPageErrors, screenshot } from './harness';

let relay: Relay;
let share: { relayUrl: string; workspaceId: string; token: string };

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-relay-'));
  const created = createWorkspace(dataDir);
  relay = await startRelay({ dataDir });
  share = { relayUrl: relay.url, workspaceId: created.workspaceId, token: created.rwToken };
});

afterAll(async () => {
  await relay?.close();
});

/** Resolves once the service worker has precached the app and is active (install done). */
async function waitForOfflineReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
}

/**
 * Opens the app's Home in a new tab of `context` and waits for the workspace; says whether the
 * service worker (not the network) answered. Home first: a screen opened straight from a link on a
 * core that is still starting can show an empty list until the next navigation.
 */
async function openOffline(context: BrowserContext, url: string): Promise<{ page: Page; fromServiceWorker: boolean }> {
  const page = await context.newPage();
  const response = await page.goto(`${url}/`, { waitUntil: 'load' });
  await waitForWorkspace(page);
  return { page, fromServiceWorker: response?.fromServiceWorker() ?? false };
}

/**
 * Says "offline" to the page's current document as a browser really offline does (navigator.onLine
 * false, an `offline` event), which the app follows. After a reload, Debian's Chromium
 * 150.0.7871.100 under Playwright keeps the context's requests blocked but reports navigator.onLine
 * true and fires nothing until the emulation is set again (seen 2026-12-01; the Chromium installed
 * before re-applied it to the new document by itself).
 */
async function sayOffline(page: Page): Promise<void> {
  await page.context().setOffline(false);
  await page.context().setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
}

async function addRule(page: Page, pattern: string): Promise<void> {
  await page.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', pattern);
  await page.selectOption('[data-testid=add-rule] select[aria-label="Action"]', 'exclude');
  await page.click('[data-testid=add-rule] button[type=submit]');
}

/** How many rules the Service mapping screen says there are ("Rules (13)"). */
async function ruleCount(page: Page): Promise<number> {
  const heading = page.getByRole('heading', { name: /^Rules \(\d+\)$/ });
  return Number((await heading.textContent())!.replace(/\D/g, ''));
}

/** Waits until the Service mapping screen counts `count` rules (the count, unlike the grid's rows, is always on screen). */
async function waitForRuleCount(page: Page, count: number, timeout = 30_000): Promise<void> {
  await page.getByRole('heading', { name: `Rules (${count})`, exact: true }).waitFor({ timeout });
}

/** Where `browserTest(…, { built: true })` builds the app (harness.ts startBuiltApp's default), served as is. */
const BUILT_SW = join(ROOT, 'node_modules', '.ledgerline-built-app', 'sw.js');

/** Offline, a WebSocket to the relay fails by design; that is the page's console, not an app error. */
const OFFLINE_NOISE = [/WebSocket/, /ERR_INTERNET_DISCONNECTED/];

browserTest(
  'opens offline',
  (env) => {
    it('opens the workspace with its numbers after a reload with no network', async () => {
      const page = await env.open('/');
      await waitForWorkspace(page);
      const total = await statValue(page, 'stat-discrepancies');
      const rows = await readClientRows(page, env.url);
      expect(rows.length).toBeGreaterThan(0);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${env.url}/#/`);
      await waitForOfflineReady(page);

      await page.context().setOffline(true);
      const response = await page.reload({ waitUntil: 'load' });
      expect(response?.fromServiceWorker()).toBe(true);
      await waitForWorkspace(page);
      expect(await statValue(page, 'stat-discrepancies')).toBe(total);
      await screenshot(page, 'offline-home');
      expect(await readClientRows(page, env.url)).toEqual(rows);
      await page.setViewportSize({ width: 1280, height: 800 });
      await screenshot(page, 'offline-billing');
      expectNoPageErrors(page, { ignore: OFFLINE_NOISE });
    });

    it('keeps an edit made offline when the app is opened again with no network', async () => {
      const first = await env.open('/');
      const context = first.context();
      await waitForWorkspace(first);
      await waitForOfflineReady(first);

      await context.setOffline(true);
      await first.close(); // the last tab: the core's SharedWorker ends, so it too must come from the cache
      const { page, fromServiceWorker } = await openOffline(context, env.url);
      expect(fromServiceWorker).toBe(true);
      await page.goto(`${env.url}/#/service-mapping`);
      await page.waitForSelector('[data-testid=rules-grid] .ag-row', { state: 'attached' });
      const before = await ruleCount(page);
      await addRule(page, 'Offline Visio*');
      await waitForRuleCount(page, before + 1);
      await page.close();

      const again = await openOffline(context, env.url);
      await again.page.goto(`${env.url}/#/service-mapping`);
      await waitForRuleCount(again.page, before + 1);
      await screenshot(again.page, 'offline-edit-kept');
      expectNoPageErrors(again.page, { ignore: OFFLINE_NOISE });
    });

    it('sends an edit made offline to the relay once the network is back', async () => {
      const alice = await env.open('/');
      await waitForWorkspace(alice);
      await waitForOfflineReady(alice);
      const link = await connectToRelay(alice, env.url, share);
      await alice.waitForFunction(() => document.querySelector('[data-testid=sync-text]')?.textContent === 'All changes saved to the relay', undefined, { timeout: 15_000 });

      // Bob, on another device, follows the workspace through the relay.
      const bob = await env.open(`/${link.slice(link.indexOf('#'))}`);
      await bob.click('[data-testid=join]');
      await bob.waitForSelector('[data-testid=sync-status][data-status=online]', { timeout: 30_000 });
      await bob.goto(`${env.url}/#/`);
      await waitForWorkspace(bob);
      await bob.goto(`${env.url}/#/service-mapping`);

      // Alice's network goes; she reopens the app (from the service worker) and edits.
      await alice.goto(`${env.url}/#/`);
      await alice.context().setOffline(true);
      const response = await alice.reload({ waitUntil: 'load' });
      expect(response?.fromServiceWorker()).toBe(true);
      await waitForWorkspace(alice);
      await sayOffline(alice);
      await alice.waitForSelector('[data-testid=sync-status][data-status=offline]');
      await alice.goto(`${env.url}/#/service-mapping`);
      await alice.waitForSelector('[data-testid=rules-grid] .ag-row', { state: 'attached' });
      const before = await ruleCount(alice);
      await waitForRuleCount(bob, before);
      await addRule(alice, 'Offline Project*');
      await waitForRuleCount(alice, before + 1);
      expect(await ruleCount(bob)).toBe(before);

      await alice.context().setOffline(false);
      await waitForRuleCount(bob, before + 1, 15_000);
      await alice.waitForFunction(() => document.querySelector('[data-testid=sync-text]')?.textContent === 'All changes saved to the relay', undefined, { timeout: 15_000 });
      await screenshot(bob, 'offline-edit-synced');
      expectNoPageErrors(alice, { ignore: OFFLINE_NOISE });
      expectNoPageErrors(bob, { ignore: OFFLINE_NOISE });
    });

    it('offers a new version without interrupting, and reloads into it on Reload', async () => {
      const page = await env.open('/');
      await waitForWorkspace(page);
      await waitForOfflineReady(page);
      await page.reload(); // a returning visitor: the installed version controls the page
      await waitForWorkspace(page);
      expect(await page.$('[data-testid=update-prompt]')).toBeNull();

      // A new deployment: the service worker's script changed, so the browser installs it and it waits.
      appendFileSync(BUILT_SW, '\n// a newer build\n');
      await page.evaluate(async () => {
        await (await navigator.serviceWorker.ready).update();
      });
      await page.getByText('A new version of Ledgerline is ready.').waitFor();
      await screenshot(page, 'update-prompt');

      await Promise.all([page.waitForEvent('framenavigated'), page.click('[data-testid=update-reload]')]);
      await waitForWorkspace(page);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null);
      expect(waiting).toBeNull();
      expect(await page.$('[data-testid=update-prompt]')).toBeNull();
      expectNoPageErrors(page);
    });
  },
  { built: true },
);
