/**
 * The app's import benchmark in headless Chromium: a bundle with a 1,000,000-row usage.csv
 * (~100 MB) picked in the file input, timed until it is stored and reconciled (the table shows
 * the new clients), with the main thread's longest frame gap and the progress updates counted
 * meanwhile; then the page is reopened and timed until the table shows again. Edits, screen
 * switches and two tabs of one workspace are timed on the demo and on that workspace; last, how
 * fast the sync badge says offline or refused (benchSyncStatus.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { generateDemoBundle } from '../worker/demo/generateDemo';
import { launchBrowser, newIsolatedContext, ROOT, startBuiltApp } from '../test/browser/harness';
import { benchSyncStatus } from './benchSyncStatus';

/**
 * An edit, timed two ways: from the click that accepts a suggested client match to the grid
 * showing one unmapped client fewer (document edit → worker reconciliation → screen), and the
 * main thread's own busy time meanwhile (Chromium's TaskDuration over CDP), which is what an edit
 * costs the page's responsiveness whatever the workers do. Each edit is undone before the next.
 */
async function benchEdits(page: Page, label: string, runs = 5): Promise<void> {
  await page.goto(`${page.url().split('#')[0]}#/client-mapping`);
  await page.waitForSelector('[data-testid=accept-suggestion]', { timeout: 120_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
  const latency: number[] = [];
  const mainThread: number[] = [];
  for (let run = 0; run < runs; run++) {
    const before = Number(await page.textContent('[data-testid=count-unmapped]'));
    if (!(await page.$('[data-testid=accept-suggestion]'))) break;
    const busyBefore = await busy();
    // A weak suggestion asks for a confirmation first (issue 14): when only weak ones are on screen
    // the edit is the click on Confirm, and the time runs from there. A minute at most, then it says so.
    const ms = (await page.evaluate(`new Promise((resolve, reject) => {
      let t0 = performance.now();
      let confirmed = false;
      const deadline = t0 + 60000;
      // A strong match (at or above the default threshold) is one click, as before confirmations.
      const buttons = [...document.querySelectorAll('[data-testid=accept-suggestion]')];
      (buttons.find((b) => b.previousElementSibling?.classList.contains('high')) ?? buttons[0]).click();
      const check = () => {
        const now = performance.now();
        if (Number(document.querySelector('[data-testid=count-unmapped]').textContent) < ${before}) return resolve(now - t0);
        const confirm = document.querySelector('[data-testid=confirm-suggestion-confirm]');
        if (confirm && !confirmed) { confirmed = true; t0 = performance.now(); confirm.click(); }
        if (now > deadline) return reject(new Error('the edit did not reach the table within a minute'));
        requestAnimationFrame(check);
      };
      check();
    })`)) as number;
    mainThread.push((await busy()) - busyBefore);
    latency.push(ms);
    await page.click('[data-testid=undo]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=count-unmapped]')?.textContent) === n, before, { timeout: 120_000 });
  }
  console.log(`${label}: an edit shows in the table in ${Math.round(median(latency))} ms, main thread busy ${Math.round(median(mainThread))} ms of it (medians of ${latency.length})`);
  await cdp.detach();
}

/**
 * Watches `selector`'s text in a page from now on: `window.__changed` resolves with the time, on the
 * epoch clock two tabs share (timeOrigin + now), at which the text first differs from what it is
 * now. A MutationObserver, not animation frames: a tab that is not in front gets few of those.
 */
async function watchChange(page: Page, selector: string): Promise<void> {
  await page.evaluate(`(() => {
    const read = () => document.querySelector(${JSON.stringify(selector)})?.textContent?.trim();
    const initial = read();
    window.__changed = new Promise((resolve) => {
      const check = () => {
        const now = read();
        if (now !== undefined && now !== initial) {
          observer.disconnect();
          resolve(performance.timeOrigin + performance.now());
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  })()`);
}

/** When the watched text changed (see watchChange), at most `ms` from now. */
async function changedAt(page: Page, what: string, ms = 120_000): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not show within ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([page.evaluate('window.__changed') as Promise<number>, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** psa_lines.csv with its first line invoicing 7 more: an import that moves the money and nothing else. */
function moreInvoiced(psaLines: string): string {
  const [header, first, ...rest] = psaLines.trimEnd().split('\n');
  const at = header!.split(',').indexOf('quantity');
  const cells = first!.split(',');
  cells[at] = String(Number(cells[at]) + 7);
  return [header, cells.join(','), ...rest].join('\n') + '\n';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Two tabs of one workspace (issue 11: "an edit or an import in either shows in both within 1 s
 * without a reload"): a second tab opens beside `page` in the same profile, so both talk to the
 * same core. An edit: tab A accepts a suggested client match and the time runs from that click
 * until tab B's unmapped count changes (each edit undone before the next). An import: tab A picks
 * a psa_lines.csv invoicing a little more (then the original, alternately) and the time runs from
 * the pick until each tab's Home shows the new net amount; what is the other tab's share is B − A.
 * Times are read in the pages on the epoch clock they share.
 */
export async function benchTabs(page: Page, label: string, psaLines: string, runs = { edits: 5, imports: 3 }): Promise<void> {
  const base = page.url().split('#')[0];
  const other = await page.context().newPage();
  try {
    await page.goto(`${base}#/client-mapping`);
    await page.waitForSelector('[data-testid=accept-suggestion]', { timeout: 120_000 });
    await other.goto(`${base}#/client-mapping`);
    await other.waitForSelector('[data-testid=count-unmapped]', { timeout: 120_000 });
    const count = '[data-testid=count-unmapped]';
    const inB: number[] = [];
    const inA: number[] = [];
    for (let run = 0; run < runs.edits; run++) {
      const before = await page.textContent(count);
      if (!(await page.$('[data-testid=accept-suggestion]'))) break;
      await other.waitForFunction(([s, n]) => document.querySelector(s)?.textContent === n, [count, before] as const, { timeout: 120_000 });
      await watchChange(other, count);
      await watchChange(page, count);
      // A strong match is one click; a weak one asks first (issue 14), and the edit then starts at Confirm.
      const clicked = (await page.evaluate(`(() => {
        const buttons = [...document.querySelectorAll('[data-testid=accept-suggestion]')];
        (buttons.find((b) => b.previousElementSibling?.classList.contains('high')) ?? buttons[0]).click();
        let at = performance.timeOrigin + performance.now();
        const confirm = document.querySelector('[data-testid=confirm-suggestion-confirm]');
        if (confirm) { at = performance.timeOrigin + performance.now(); confirm.click(); }
        return at;
      })()`)) as number;
      inB.push((await changedAt(other, 'the edit in tab B')) - clicked);
      inA.push((await changedAt(page, 'the edit in tab A')) - clicked);
      await page.click('[data-testid=undo]');
      for (const tab of [page, other]) await tab.waitForFunction(([s, n]) => document.querySelector(s)?.textContent === n, [count, before] as const, { timeout: 120_000 });
    }

    const amount = '[data-testid=stat-amount] .stat-value';
    await page.goto(`${base}#/`);
    await other.goto(`${base}#/`);
    for (const tab of [page, other]) await tab.waitForSelector(amount, { timeout: 120_000 });
    const importB: number[] = [];
    const importA: number[] = [];
    const files = [moreInvoiced(psaLines), psaLines];
    for (let run = 0; run < runs.imports; run++) {
      await watchChange(other, amount);
      await watchChange(page, amount);
      const picked = Date.now();
      await page.setInputFiles('[data-testid=file-input]', { name: 'psa_lines.csv', mimeType: 'text/csv', buffer: Buffer.from(files[run % 2]!) });
      importB.push((await changedAt(other, 'the import in tab B')) - picked);
      importA.push((await changedAt(page, 'the import in tab A')) - picked);
      const result = await page.textContent('[data-testid=import-result]');
      if (!result?.includes('Imported')) throw new Error(`import failed: ${result}`);
    }
    const lag = importB.map((b, i) => b - importA[i]!);
    console.log(
      `${label}, two tabs: tab A's edit shows in tab B in ${Math.round(median(inB))} ms (in tab A ${Math.round(median(inA))} ms; medians of ${inB.length}, target ≤ 1 s); ` +
        `an import picked in tab A shows in tab B ${Math.round(median(importB))} ms after the pick, ${Math.round(median(lag))} ms after tab A (in tab A ${Math.round(median(importA))} ms; medians of ${importB.length})`,
    );
  } finally {
    await other.close();
  }
}

/** Every screen and Billing tab, in the order a user might walk them. */
const SCREENS = ['home', 'integrations', 'client-mapping', 'service-mapping', 'billing/invoices', 'billing/review', 'billing/flags', 'billing/inactive', 'adjustments', 'history', 'settings', 'billing/invoices'];

/**
 * Switching screens at scale: each switch is a hash change inside the open page (as a click in the
 * navigation does), watched for the longest gap between animation frames until the screen has
 * settled (its heading in place, then a second of quiet). The target: no gap over 200 ms.
 */
export async function benchScreenSwitches(page: Page, label: string): Promise<void> {
  const gaps: string[] = [];
  let worst = 0;
  for (const screen of SCREENS) {
    await page.evaluate(`(() => {
      const watch = (window.__gap = { max: 0, stop: false });
      let last = performance.now();
      const tick = (now) => { watch.max = Math.max(watch.max, now - last); last = now; if (!watch.stop) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      location.hash = '#/${screen}';
    })()`);
    await page.waitForSelector('main h1', { timeout: 60_000 });
    await page.waitForTimeout(1000);
    const gap = Math.round((await page.evaluate('(() => { window.__gap.stop = true; return window.__gap.max; })()')) as number);
    worst = Math.max(worst, gap);
    gaps.push(`${screen} ${gap}`);
  }
  console.log(`${label}: switching screens, longest main-thread gap ${worst} ms (target ≤ 200 ms); per screen (ms): ${gaps.join(', ')}`);
}

export async function benchBrowser(bundleDir: string, expectedClients: number, baseline: { cliSeconds: number; bareSeconds: () => number }): Promise<void> {
  const app = await startBuiltApp(join(ROOT, 'node_modules', '.ledgerline-bench-dist'));
  const browser = await launchBrowser();
  try {
    const context = await newIsolatedContext(browser);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/billing`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 60_000 });
    await benchEdits(page, 'demo workspace');
    await benchTabs(page, 'demo workspace', generateDemoBundle()['psa_lines.csv']!);
    await page.goto(`${app.url}/#/billing`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 60_000 }); // the demo, on first start

    // Watch the main thread: the longest gap between animation frames, and how often progress moved.
    // A string, not a function: tsx's transform would add helpers (__name) the page does not have.
    await page.evaluate(`(() => {
      const bench = (window.__bench = { maxGap: 0, progress: 0, stop: false });
      let last = performance.now();
      const tick = (now) => {
        bench.maxGap = Math.max(bench.maxGap, now - last);
        last = now;
        if (!bench.stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      new MutationObserver(() => bench.progress++).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    })()`);

    const files = readdirSync(bundleDir).map((name) => resolve(join(bundleDir, name)));
    const bareBefore = baseline.bareSeconds();
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', files);
    await page.waitForSelector('[data-testid=import-result]', { timeout: 300_000 });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=clients-grid] .ag-row').length > 0 && document.querySelector('.tab-count')?.textContent === String(n), expectedClients, { timeout: 300_000 });
    const importSeconds = (Date.now() - started) / 1000;
    const watch = (await page.evaluate('(() => { window.__bench.stop = true; return window.__bench; })()')) as { maxGap: number; progress: number };
    const result = await page.textContent('[data-testid=import-result]');
    if (!result?.includes('Imported')) throw new Error(`import failed: ${result}`);

    await page.goto(`${app.url}/#/settings`);
    const importTimings = (await page.locator('.settings p', { hasText: 'Last import' }).textContent())?.match(/Last reconciliation: .*$/)?.[0] ?? '';

    // Reopening: the tab closed and a new one opened (a reload could find the shared core still running).
    await page.close();
    const page2 = await context.newPage();
    // The page's own clock: from the navigation's start to the first row of the table on screen.
    await page2.addInitScript(`(() => {
      const tick = () => (document.querySelector('[data-testid=clients-grid] .ag-row') ? (window.__tableAt = performance.now()) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    })()`);
    await page2.goto(`${app.url}/#/billing`);
    await page2.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 120_000 });
    await page2.waitForFunction('window.__tableAt !== undefined');
    const reopenSeconds = ((await page2.evaluate('window.__tableAt')) as number) / 1000;
    await page2.goto(`${app.url}/#/settings`);
    const timings = (await page2.locator('.settings p', { hasText: 'Last reconciliation' }).textContent())?.match(/Last reconciliation: .*$/)?.[0] ?? '';

    const bare = (bareBefore + baseline.bareSeconds()) / 2;
    console.log(
      `browser import of the bundle (${(expectedClients * 500).toLocaleString('en-US')} usage rows): ${importSeconds.toFixed(1)} s to stored and reconciled; ` +
        `${(importSeconds / baseline.cliSeconds).toFixed(1)}x the CLI's ${baseline.cliSeconds.toFixed(2)} s (target ≤ 3x); bare read ${bare.toFixed(2)} s, ratio ${(importSeconds / bare).toFixed(1)}x`,
    );
    console.log(`  where it went: ${importTimings}`);
    console.log(`  main thread during import: longest frame gap ${Math.round(watch.maxGap)} ms, ${watch.progress} progress updates`);
    console.log(`browser reopen with that workspace (a new tab): ${reopenSeconds.toFixed(2)} s from navigation until the table shows (target ≤ 1 s); bare read ${baseline.bareSeconds().toFixed(2)} s; ${timings}`);
    await benchEdits(page2, 'workspace of 1,000,000 usage rows');
    await benchScreenSwitches(page2, 'workspace of 1,000,000 usage rows');
    await benchTabs(page2, 'workspace of 1,000,000 usage rows', readFileSync(join(bundleDir, 'psa_lines.csv'), 'utf8'));
    // Last: its relay upload must not share the machine with the timings above.
    await benchSyncStatus(browser, app.url);
  } finally {
    await browser.close();
    await app.close();
  }
}
