/**
 * The installed app on a plane: after one visit online, the production build opens with no network
 * (the service worker serves every file, the workspace is in IndexedDB), keeps an edit made offline,
 * and hands that edit to the relay once the network is back.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { createWorkspace } from '../../server/workspaces';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { connectToRelay, readClientRows, statValue, waitForWorkspace } from './appDriver';
import { ROOT, browserTest, expectNoPageErrors, screenshot, type BrowserEnv } from './harness';

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

/** A returning visitor: the installed version controls the page (a first visit is controlled by none). */
async function openInstalled(env: BrowserEnv): Promise<Page> {
  const page = await env.open('/');
  await waitForWorkspace(page);
  await waitForOfflineReady(page);
  await page.reload();
  await waitForWorkspace(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  return page;
}

/** A new deployment: the service worker's script changed, so the browser installs it and it waits for Reload. */
async function deployNewVersion(page: Page): Promise<void> {
  appendFileSync(BUILT_SW, `\n// a newer build ${Date.now()}\n`);
  await page.evaluate(async () => {
    await (await navigator.serviceWorker.ready).update();
  });
  await page.getByText('A new version of Ledgerline is ready.').waitFor();
}

/** Marks the page's document, so a test can tell it was not reloaded (a reload makes a new one). */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
}
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

/** Drops files on the page as from the desktop, without waiting for the import's result. */
async function startDrop(page: Page, files: Record<string, string>, repeatBody = 1): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ list, repeat }) => {
      const dt = new DataTransfer();
      for (const [name, text] of list) {
        // A large file made in the page (copies of the rows, read as replacing each other): an import that takes a while.
        const header = text.slice(0, text.indexOf('\n') + 1);
        const body = text.slice(header.length).replace(/\n?$/, '\n');
        dt.items.add(new File([header, ...Array.from({ length: repeat }, () => body)], name, { type: 'text/csv' }));
      }
      return dt;
    },
    { list: Object.entries(files), repeat: repeatBody },
  );
  await page.dispatchEvent('.app', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
}

/** A file no profile knows (tests/fixtures/raw): its drop waits in the mapping wizard, in the core's memory only. */
const UNKNOWN_EXPORT = readFileSync(join(ROOT, 'test/fixtures/raw/acronis-unknown.csv'), 'utf8');

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

    it('Reload waits for the import in progress, then reloads into the new version with the import kept', async () => {
      const page = await openInstalled(env);
      await deployNewVersion(page);
      await markDocument(page);

      // About 300,000 usage rows: the import is still running when Reload is clicked.
      await startDrop(page, { 'usage-big.csv': generateDemoBundle()['usage.csv']! }, 100);
      await page.waitForSelector('[data-testid=import-progress]');
      const reloaded = page.waitForEvent('load', { timeout: 120_000 });
      await page.click('[data-testid=update-reload]');
      await page.waitForSelector('[data-testid=update-waiting][data-waiting-for=import]');
      await screenshot(page, 'update-waits-for-import');
      expect(await page.textContent('[data-testid=update-waiting]')).toBe('Reloading once the import in progress has finished…');
      // The import is still the page's: it was not cut off by a reload.
      expect(await sameDocument(page)).toBe(true);

      await reloaded;
      await waitForWorkspace(page);
      expect(await sameDocument(page)).toBe(false);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
      // The import ran to its end before the reload: History lists it as imported.
      await page.goto(`${env.url}/#/history`);
      await page.click('[data-testid=history-imports]');
      const row = page.locator('[data-testid=history-grid] .ag-row', { hasText: 'usage-big.csv' }).first();
      await row.waitFor();
      expect(await row.locator('.ag-cell[col-id=status]').textContent()).toBe('Current');
      expectNoPageErrors(page);
    });

    it('Reload waits while a drop is held in the import wizard, and reloads once the drop is settled', async () => {
      const page = await openInstalled(env);
      await deployNewVersion(page);
      await startDrop(page, { 'acronis-unknown.csv': UNKNOWN_EXPORT });
      await page.waitForSelector('[data-testid=import-wizard]', { timeout: 60_000 });
      await markDocument(page);

      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await page.click('[data-testid=update-reload]');
      await page.waitForSelector('[data-testid=update-waiting][data-waiting-for=wizard]');
      await screenshot(page, 'update-waits-for-wizard');
      // The drop is still in the wizard, in this document: nothing of it was lost to a reload.
      await page.waitForSelector('[data-testid=wizard-skip-file]');
      expect(await sameDocument(page)).toBe(true);
      expect(await page.isVisible('[data-testid=import-wizard]')).toBe(true);

      // Once the user has settled the drop (here: cancelled it), the reload the user asked for comes.
      await page.click('[data-testid=wizard-cancel]');
      await reloaded;
      await waitForWorkspace(page);
      expect(await sameDocument(page)).toBe(false);
      expect(await page.$('[data-testid=update-prompt]')).toBeNull();
      expectNoPageErrors(page);
    });

    it('Reload in one tab leaves another tab as it is, with its typed input, and offers it the reload', async () => {
      const clicking = await openInstalled(env);
      const other = await env.open('/', { context: clicking.context() });
      await waitForWorkspace(other);
      expect(await other.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      for (const page of [clicking, other]) {
        await page.goto(`${env.url}/#/service-mapping`);
        await page.waitForSelector('[data-testid=add-rule]');
      }
      await deployNewVersion(clicking);
      await other.getByText('A new version of Ledgerline is ready.').waitFor();

      // A rule typed in each tab and not added yet.
      await other.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', 'Draft in the other tab*');
      await markDocument(other);
      await clicking.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', 'Draft in this tab*');

      // The tab that clicks says what it would lose instead of reloading.
      await markDocument(clicking);
      await clicking.click('[data-testid=update-reload]');
      await clicking.waitForSelector('[data-testid=update-unsaved]');
      expect(await clicking.textContent('[data-testid=update-unsaved]')).toContain('Product pattern');
      await screenshot(clicking, 'update-unsaved-input');
      expect(await sameDocument(clicking)).toBe(true);
      expect(await clicking.inputValue('[data-testid=add-rule] input[aria-label="Product pattern"]')).toBe('Draft in this tab*');

      // The draft cleared, Reload reloads this tab into the new version.
      await clicking.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', '');
      await Promise.all([clicking.waitForEvent('load'), clicking.click('[data-testid=update-reload]')]);
      await clicking.waitForSelector('[data-testid=add-rule]');
      expect(await sameDocument(clicking)).toBe(false);

      // The other tab is now served by the new version but was not reloaded: its draft is still there.
      await other.waitForSelector('[data-testid=update-prompt][data-offer=elsewhere]');
      expect(await sameDocument(other)).toBe(true);
      expect(await other.inputValue('[data-testid=add-rule] input[aria-label="Product pattern"]')).toBe('Draft in the other tab*');
      expect(await other.textContent('[data-testid=update-prompt]')).toContain('opened in another tab');
      await screenshot(other, 'update-other-tab');
      // Its Reload, too, names the draft first; "Reload anyway" is the user's word that it may go.
      await other.click('[data-testid=update-reload]');
      await other.waitForSelector('[data-testid=update-unsaved]');
      expect(await sameDocument(other)).toBe(true);
      await Promise.all([other.waitForEvent('load'), other.click('[data-testid=update-reload-anyway]')]);
      await other.waitForSelector('[data-testid=add-rule]');
      expect(await sameDocument(other)).toBe(false);
      expect(await other.$('[data-testid=update-prompt]')).toBeNull();
      expectNoPageErrors(clicking);
      expectNoPageErrors(other);
    });
  },
  { built: true },
);
