/**
 * Two tabs of one workspace in one browser (one context: the same IndexedDB), see ARCHITECTURE.md
 * "Tabs": an edit in one shows in the other without a reload, and stays out of the
 * other's undo stack; an import in one shows in the other without a reload; two tabs opened at once
 * on a fresh profile both show the demo, imported once.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { dropFiles, engineStats, statValue, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors } from './harness';

const DEMO = generateDemoBundle();
const demoReport = (() => {
  const result = reconcileFiles(DEMO);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.report;
})();
const DEMO_DISCREPANCIES = String(demoReport.discrepancies.length + demoReport.unaccounted.length);
const DEMO_UNMAPPED = String(demoReport.unmapped_clients.length);

/** Within a second of the other tab's change, without a reload. */
// Generous: how fast is measured by `npm run bench` (benchTabs in scripts/benchBrowser.ts, in the
// README's Performance table); a test on a shared machine only says that it happens.
const WITHIN = { timeout: 15_000 };

const statOf = (page: Page, testId: string) => page.waitForSelector(`[data-testid=${testId}] .stat-value`).then(() => statValue(page, testId));

/** Waits (at most `timeout`) until the Home stat shows `expected`. */
function waitForStat(page: Page, testId: string, expected: string, options = WITHIN) {
  return page.waitForFunction(
    ([id, value]) => document.querySelector(`[data-testid=${id}] .stat-value`)?.textContent?.trim() === value,
    [testId, expected] as const,
    options,
  );
}

/** The demo's psa_lines.csv with the first line invoicing 7 more: the numbers move, nothing else does. */
function moreInvoiced(): string {
  const [header, first, ...rest] = DEMO['psa_lines.csv']!.trimEnd().split('\n');
  const columns = header!.split(',');
  const at = columns.indexOf('quantity');
  const cells = first!.split(',');
  cells[at] = String(Number(cells[at]) + 7);
  return [header, cells.join(','), ...rest].join('\n') + '\n';
}

/** The import batches stored in this context's IndexedDB (the app's Dexie database). */
function importBatches(page: Page): Promise<{ batches: number; files: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ batches: number; files: string[] }>((resolve, reject) => {
        const open = indexedDB.open('ledgerline');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('imports').objectStore('imports').getAll();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            const records = request.result as { batchId: string; fileName: string }[];
            open.result.close();
            resolve({ batches: new Set(records.map((r) => r.batchId)).size, files: records.map((r) => r.fileName).sort() });
          };
        };
      }),
  );
}

browserTest('tabs of one workspace', (env) => {
  it('shows an edit in one tab in the other without a reload, and keeps it out of the other tab’s undo', async () => {
    const a = await env.open('/');
    await waitForWorkspace(a);
    const b = await env.open('/#/client-mapping', { context: a.context() });
    await b.waitForSelector('[data-testid=count-unmapped]');
    expect(await b.textContent('[data-testid=count-unmapped]')).toBe(DEMO_UNMAPPED);
    // One owner: both tabs talk to the same core (one document, one engine).
    expect((await engineStats(b)).core).toBe((await engineStats(a)).core);

    // Tab A accepts a suggested client match.
    await a.setViewportSize({ width: 1600, height: 1200 });
    await a.goto(`${env.url}/#/client-mapping`);
    const row = a.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'MULLER BACKEREI' }).first();
    await row.locator('[data-testid=accept-suggestion]').click();
    await a.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === n, String(Number(DEMO_UNMAPPED) - 1));

    // Tab B shows it at once, and has nothing to undo (the edit is A's).
    await b.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === n, String(Number(DEMO_UNMAPPED) - 1), WITHIN);
    expect(await b.isDisabled('[data-testid=undo]')).toBe(true);
    expect(await a.isDisabled('[data-testid=undo]')).toBe(false);

    // A undoes its edit: B follows again.
    await a.click('[data-testid=undo]');
    await b.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === n, DEMO_UNMAPPED, WITHIN);

    // And the other way: an edit in B shows on A's Home.
    await a.goto(`${env.url}/#/`);
    await waitForStat(a, 'stat-unmapped', DEMO_UNMAPPED, { timeout: 10_000 });
    const rowB = b.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'MULLER BACKEREI' }).first();
    await rowB.locator('[data-testid=accept-suggestion]').click();
    await waitForStat(a, 'stat-unmapped', String(Number(DEMO_UNMAPPED) - 1));
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  it('without SharedWorker (a core per tab), shows an edit in one tab in the other without a reload', async () => {
    const context = await env.newContext();
    await context.addInitScript(() => {
      delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
    });
    const a = await env.open('/#/client-mapping', { context });
    await a.waitForSelector('[data-testid=count-unmapped]');
    const b = await env.open('/', { context });
    await waitForWorkspace(b);
    // Two cores, each with its own document, kept in step over a BroadcastChannel.
    expect((await engineStats(b)).core).not.toBe((await engineStats(a)).core);
    await waitForStat(b, 'stat-unmapped', DEMO_UNMAPPED, { timeout: 10_000 });

    const row = a.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'MULLER BACKEREI' }).first();
    await row.locator('[data-testid=accept-suggestion]').click();
    await waitForStat(b, 'stat-unmapped', String(Number(DEMO_UNMAPPED) - 1));
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  it('shows an import in one tab in the other without a reload', async () => {
    const a = await env.open('/');
    await waitForWorkspace(a);
    const b = await env.open('/', { context: a.context() });
    await waitForWorkspace(b);
    const amountBefore = await statOf(a, 'stat-amount');
    expect(await statOf(b, 'stat-amount')).toBe(amountBefore);

    await dropFiles(b, { 'psa_lines.csv': moreInvoiced() });
    expect(await b.textContent('[data-testid=import-result]')).toContain('Imported 1 file');
    await b.waitForFunction((before) => {
      const shown = document.querySelector('[data-testid=stat-amount] .stat-value')?.textContent?.trim();
      return shown !== undefined && shown !== before;
    }, amountBefore);
    const amountAfter = await statOf(b, 'stat-amount');

    // Tab A, untouched, shows B's numbers.
    await waitForStat(a, 'stat-amount', amountAfter);
    expect(await statOf(a, 'stat-discrepancies')).toBe(await statOf(b, 'stat-discrepancies'));
    // And its History lists the import.
    await a.goto(`${env.url}/#/history`);
    await a.getByText('Imports', { exact: true }).click();
    await a.getByText('psa_lines.csv', { exact: true }).first().waitFor({ timeout: 10_000 });
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  it('keeps the suggestion threshold for the workspace: set in one tab, the other tab’s “Accept N” and its Settings follow', async () => {
    const a = await env.open('/#/client-mapping');
    await a.waitForSelector('[data-testid=count-unmapped]');
    // An empty client_map.csv: every integration client unmapped, with suggestions of every strength.
    await dropFiles(a, { 'client_map.csv': `${DEMO['client_map.csv']!.split('\n')[0]}\n` });
    expect(await a.textContent('[data-testid=import-result]')).toContain('Imported 1 file');
    const b = await env.open('/#/client-mapping', { context: a.context() });
    const acceptAll = '[data-testid=accept-all]';
    await b.waitForFunction((s) => /Accept [1-9]/.test(document.querySelector(s)?.textContent ?? ''), acceptAll);
    const strong = await b.textContent(acceptAll);
    expect(await b.inputValue('[data-testid=threshold]')).toBe('0.9');

    await a.fill('[data-testid=threshold]', '0.6');
    await a.press('[data-testid=threshold]', 'Tab');
    await b.waitForFunction(([s, before]) => document.querySelector(s)?.textContent !== before, [acceptAll, strong] as const, WITHIN);
    const accepts = (text: string | null) => Number(/Accept (\d+)/.exec(text ?? '')?.[1]);
    expect(accepts(await b.textContent(acceptAll))).toBeGreaterThan(accepts(strong));
    expect(await b.inputValue('[data-testid=threshold]')).toBe('0.6');
    await b.goto(`${env.url}/#/settings`);
    expect(await b.inputValue('[data-testid=settings-threshold]')).toBe('0.6');
    expectNoPageErrors(a);
    expectNoPageErrors(b);
  });

  it('opens two tabs at once on ten fresh profiles: both show the demo, imported once', async () => {
    /** One fresh profile (context) opening two tabs together: the second is not waited for the first. */
    const profile = async (n: number) => {
      const context = await env.newContext();
      const [first, second] = await Promise.all([env.open('/', { context }), env.open('/', { context })]);
      for (const page of [first, second]) {
        await waitForWorkspace(page);
        await waitForStat(page, 'stat-discrepancies', DEMO_DISCREPANCIES, { timeout: 10_000 });
        expect(await statOf(page, 'stat-unmapped'), `profile ${n}`).toBe(DEMO_UNMAPPED);
        expect(await page.isVisible('[data-testid=demo-notice]'), `profile ${n}`).toBe(true);
      }
      expect(await statOf(second, 'stat-amount'), `profile ${n}`).toBe(await statOf(first, 'stat-amount'));
      const stored = await importBatches(first);
      expect(stored.batches, `profile ${n}: ${stored.files.join(', ')}`).toBe(1);
      expect(stored.files.every((f) => f.startsWith('demo/')), `profile ${n}`).toBe(true);
      expectNoPageErrors(first);
      expectNoPageErrors(second);
      await context.close();
    };
    // Two profiles at a time (four tabs), five rounds: ten profiles.
    for (let round = 0; round < 5; round++) await Promise.all([profile(2 * round + 1), profile(2 * round + 2)]);
    // Twenty tabs loading the dev server's modules: about 50 s on an idle 2-core machine.
  }, 150_000);
});
