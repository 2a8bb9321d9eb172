/**
 * Everything from the keyboard, in Chromium: no mouse and no element.focus() from the test, only
 * key presses. After every press focus is somewhere visible, never on <body>.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

/** Where focus is, for the assertions and their messages. */
function focus(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const cell = el?.closest('.ag-cell');
    return {
      onBody: !el || el === document.body,
      // A date input's focus is on its day/month/year part (in its shadow root), highlighted there.
      visible: !!el && (el.matches(':focus-visible') || (el as HTMLInputElement).type === 'date' || el.classList.contains('ag-cell-focus') || !!el.closest('.ag-cell-focus')),
      grid: el?.closest('[data-testid]')?.getAttribute('data-testid') ?? null,
      col: cell?.getAttribute('col-id') ?? null,
      row: Number(el?.closest('.ag-row')?.getAttribute('row-index') ?? NaN),
      text: (el?.textContent ?? '').trim().slice(0, 60),
      testId: el?.getAttribute('data-testid') ?? null,
      what: el ? `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}` : '',
    };
  });
}

/** Presses a key, then requires focus to be visible and not on <body>. */
async function press(page: Page, key: string): Promise<Awaited<ReturnType<typeof focus>>> {
  await page.keyboard.press(key);
  const now = await focus(page);
  expect(now.onBody, `focus fell to <body> after ${key}`).toBe(false);
  expect(now.visible, `focus not visible after ${key} (on ${now.what} "${now.text}")`).toBe(true);
  return now;
}

/** Tab (or Shift+Tab) until `reached` holds, at most `max` presses. */
async function tabUntil(page: Page, reached: (f: Awaited<ReturnType<typeof focus>>) => boolean, options: { back?: boolean; max?: number } = {}): Promise<number> {
  for (let n = 1; n <= (options.max ?? 60); n++) {
    if (reached(await press(page, options.back ? 'Shift+Tab' : 'Tab'))) return n;
  }
  throw new Error(`not reached in ${options.max ?? 60} presses; focus on "${(await focus(page)).text}"`);
}

/** Arrow keys until the focused cell is in column `col` (→) and row `row` (↓). */
async function arrowTo(page: Page, row: number, col: string): Promise<void> {
  for (let n = 0; n < 40 && (await focus(page)).row < row; n++) await press(page, 'ArrowDown');
  for (let n = 0; n < 20 && (await focus(page)).col !== col; n++) await press(page, 'ArrowRight');
  const at = await focus(page);
  expect([at.row, at.col]).toEqual([row, col]);
}

async function open(page: Page, url: string, route: string): Promise<void> {
  await page.goto(`${url}/#/${route}`);
  await page.waitForSelector('.content h1');
  await page.waitForSelector('.content .ag-row');
  // The app places focus on the heading after a navigation: start from there.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
}

const count = (page: Page, testId: string) => page.textContent(`[data-testid=${testId}]`).then(Number);

/** The column of the first cell in `grid` holding `selector` (action columns have no field to name them by). */
const columnOf = (page: Page, grid: string, selector: string) =>
  page.$eval(`[data-testid=${grid}] .ag-row ${selector}`, (el) => el.closest('.ag-cell')!.getAttribute('col-id')!);

/** The lowest row index in `grid` whose row matches `selector` (its cells may be split over the pinned containers). */
const firstRowWith = (page: Page, grid: string, selector: string) =>
  page.$$eval(`[data-testid=${grid}] .ag-row`, (rows, selector) => Math.min(...rows.filter((r) => r.querySelector(selector)).map((r) => Number(r.getAttribute('row-index')))), selector);

/** Enter on a cell with several controls focuses the first; Tab walks to the one named `name`. */
async function toControl(page: Page, name: string): Promise<void> {
  await press(page, 'Enter');
  for (let n = 0; n < 5 && (await focus(page)).text !== name; n++) await press(page, 'Tab');
  const at = await focus(page);
  expect(at.text, `focus on ${at.what}`).toBe(name);
  expect(at.what.startsWith('button'), `focus on ${at.what}`).toBe(true);
}

/**
 * After an action that may take its row's grid away (the demo's only unaccounted product mapped):
 * focus comes back from <body> within a few frames, to the row's grid or the screen's heading.
 */
async function focusSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => !!document.activeElement && document.activeElement !== document.body, undefined, { timeout: 2_000 }).catch(() => undefined);
  const at = await focus(page);
  expect(at.onBody, 'focus left on <body>').toBe(false);
  expect(at.grid === 'unaccounted-grid' || at.what.startsWith('h1'), `focus on ${at.what} "${at.text}"`).toBe(true);
}

/**
 * Service mapping opened, keyboard focus walked onto the actions cell of the first product no rule
 * covers; with the unaccounted and rule counts before anything is done.
 */
async function onFirstUnaccountedActions(page: Page, url: string): Promise<{ before: number; rules: number }> {
  await waitForWorkspace(page);
  await open(page, url, 'service-mapping');
  const before = await count(page, 'unaccounted-count');
  const rules = await rulesCount(page);
  expect(before).toBeGreaterThan(0);
  await tabUntil(page, (f) => f.grid === 'unaccounted-grid' && f.col !== null);
  await arrowTo(page, 0, await columnOf(page, 'unaccounted-grid', '.row-actions'));
  return { before, rules };
}

/** After an action, focus is still in the grid acted on (on its next row or control), never on `<body>`. */
async function expectFocusIn(page: Page, grid: string): Promise<void> {
  const at = await focus(page);
  expect(at.onBody, 'focus left on <body>').toBe(false);
  expect(at.grid).toBe(grid);
}

const rulesCount = (page: Page) => page.$eval('[data-testid=rules-grid] [aria-rowcount]', (g) => Number(g.getAttribute('aria-rowcount')) - 1);

browserTest('keyboard only', (env) => {
  it('approves a new-revenue item from the keyboard', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'billing/review');
    const before = await count(page, 'new-revenue-count');
    await tabUntil(page, (f) => f.grid === 'new-revenue-grid' && f.col !== null);
    const actions = await page.$eval('[data-testid=new-revenue-grid] .ag-row[row-index="0"] .row-actions', (el) => el.closest('.ag-cell')!.getAttribute('col-id')!);
    await arrowTo(page, 0, actions);
    // Enter on a cell with several buttons goes to its first: Approve.
    await press(page, 'Enter');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Approve');
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=new-revenue-count]')?.textContent) === n - 1, before);
    await expectFocusIn(page, 'new-revenue-grid');
    await screenshot(page, 'keyboard-new-revenue-approved');
    expectNoPageErrors(page);
  });

  it('accepts a suggestion from the keyboard', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'client-mapping');
    const before = await page.$$eval('[data-testid=accept-suggestion]', (b) => b.length);
    expect(before).toBeGreaterThan(0);
    // A confident suggestion (a weak one asks for a confirmation first, tested with the mapping screen).
    const row = await page.$$eval('.ag-row', (rows) => Number(rows.find((r) => r.querySelector('.confidence.high'))?.getAttribute('row-index') ?? -1));
    expect(row).toBeGreaterThanOrEqual(0);
    await tabUntil(page, (f) => f.col !== null);
    await arrowTo(page, row, 'suggestion');
    await press(page, 'Enter');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=accept-suggestion]').length === n - 1, before);
    expect((await focus(page)).onBody).toBe(false);
    await screenshot(page, 'keyboard-suggestion-accepted');
    expectNoPageErrors(page);
  });

  it('moves a rule up with Alt+ArrowUp', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'service-mapping');
    const ids = () =>
      page.$$eval('[data-testid=rules-grid] .ag-row[row-id]', (rows) => [...new Set(rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index'))).map((r) => r.getAttribute('row-id')))]);
    const before = await ids();
    expect(before.length).toBeGreaterThan(1);
    await tabUntil(page, (f) => f.grid === 'rules-grid' && f.col !== null);
    await arrowTo(page, 1, (await focus(page)).col!);
    await press(page, 'Alt+ArrowUp');
    await page.waitForFunction((id) => document.querySelector('[data-testid=rules-grid] .ag-row[row-index="0"]')?.getAttribute('row-id') === id, before[1]);
    expect((await ids()).slice(0, 2)).toEqual([before[1], before[0]]);
    // Focus follows the rule to its new place.
    await page.waitForFunction(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-index') === '0');
    expect((await focus(page)).grid).toBe('rules-grid');
    await screenshot(page, 'keyboard-rule-moved');
    expectNoPageErrors(page);
  });

  it('bulk-approves through the dialog, which takes focus, traps it and closes on Esc', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'billing/review');
    const before = await count(page, 'review-count');
    await tabUntil(page, (f) => f.grid === 'review-grid' && f.col !== null);
    await press(page, 'Space');
    await press(page, 'ArrowDown');
    await press(page, 'Space');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=review-grid] .ag-row-selected').length >= 2);
    // Back out of the grid to the toolbar: the grid is a single Tab stop.
    await tabUntil(page, (f) => f.testId === 'approve-selected', { back: true, max: 12 });
    await press(page, 'Enter');
    await page.waitForSelector('[data-testid=bulk-warning]');
    expect((await focus(page)).testId).toBe('confirm-bulk');
    // Tab stays inside the dialog.
    for (let n = 0; n < 6; n++) {
      await press(page, n % 2 ? 'Shift+Tab' : 'Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=bulk-warning]'))).toBe(true);
    }
    for (let n = 0; n < 4; n++) await press(page, 'Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=bulk-warning]'))).toBe(true);
    await screenshot(page, 'keyboard-bulk-dialog');
    await press(page, 'Escape');
    expect(await page.isVisible('[data-testid=bulk-warning]')).toBe(false);
    expect((await focus(page)).testId).toBe('approve-selected');
    await press(page, 'Enter');
    await page.waitForSelector('[data-testid=bulk-warning]');
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=review-count]')?.textContent) === n - 2, before);
    expect((await focus(page)).onBody).toBe(false);
    expectNoPageErrors(page);
  });

  it('dismisses a new-revenue item from the keyboard', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'billing/review');
    const before = await count(page, 'new-revenue-count');
    const dismissedBefore = Number(await page.textContent('[data-testid=review-show-dismissed] .tab-count'));
    await tabUntil(page, (f) => f.grid === 'new-revenue-grid' && f.col !== null);
    await arrowTo(page, 0, await columnOf(page, 'new-revenue-grid', '.row-actions'));
    await toControl(page, 'Dismiss');
    await press(page, 'Space');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=new-revenue-count]')?.textContent) === n - 1, before);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=review-show-dismissed] .tab-count')?.textContent) === n + 1, dismissedBefore);
    await expectFocusIn(page, 'new-revenue-grid');
    expectNoPageErrors(page);
  });

  it('excludes an unmapped integration client and unmaps a mapped one from the keyboard', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 1100 });
    await waitForWorkspace(page);
    await open(page, env.url, 'client-mapping');
    const counts = async () => ({ unmapped: await count(page, 'count-unmapped'), excluded: await count(page, 'count-excluded'), mapped: await count(page, 'count-mapped') });
    const before = await counts();
    expect(before.unmapped).toBeGreaterThan(0);
    expect(before.mapped).toBeGreaterThan(0);

    // An unmapped client's only action is Exclude: Enter on the cell presses it.
    const unmapped = await firstRowWith(page, 'client-mapping-grid', '.badge-unmapped');
    await tabUntil(page, (f) => f.grid === 'client-mapping-grid' && f.col !== null);
    await arrowTo(page, unmapped, 'actions');
    expect(await page.$eval(`[data-testid=client-mapping-grid] .ag-row[row-index="${unmapped}"] [col-id=actions]`, (c) => c.textContent)).toBe('Exclude');
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=count-excluded]')?.textContent) === n + 1, before.excluded);
    expect((await counts()).unmapped).toBe(before.unmapped - 1);
    expect((await focus(page)).grid).toBe('client-mapping-grid');

    // A mapped one has Exclude and Unmap: Enter goes to the first, Tab to Unmap, Enter presses it.
    const mapped = await firstRowWith(page, 'client-mapping-grid', '.badge-mapped');
    await press(page, 'Escape');
    for (let n = 0; n < 60 && (await focus(page)).row > mapped; n++) await press(page, 'ArrowUp');
    await arrowTo(page, mapped, 'actions');
    await toControl(page, 'Unmap');
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=count-mapped]')?.textContent) === n - 1, before.mapped);
    expect(await counts()).toEqual({ unmapped: before.unmapped, excluded: before.excluded + 1, mapped: before.mapped - 1 });
    await expectFocusIn(page, 'client-mapping-grid');
    await screenshot(page, 'keyboard-client-unmapped');
    expectNoPageErrors(page);
  });

  it('deletes a rule from the keyboard', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'service-mapping');
    const before = await rulesCount(page);
    const first = await page.$eval('[data-testid=rules-grid] .ag-row[row-index="0"]', (r) => r.getAttribute('row-id'));
    // The rules' previews arrive after the rules and draw their rows again: start once they are in.
    await page.waitForFunction(() => !!document.querySelector('[data-testid=rules-grid] .ag-row[row-index="0"] [col-id=previewRows]')?.textContent?.trim());
    await tabUntil(page, (f) => f.grid === 'rules-grid' && f.col !== null);
    await arrowTo(page, 0, 'actions');
    await toControl(page, 'Delete');
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=rules-grid] [aria-rowcount]')?.getAttribute('aria-rowcount')) - 1 === n - 1, before);
    expect(await page.$$eval(`[data-testid=rules-grid] .ag-row[row-id="${first}"]`, (r) => r.length)).toBe(0);
    await expectFocusIn(page, 'rules-grid');
    expectNoPageErrors(page);
  });

  it('excludes an unaccounted product from the keyboard', async () => {
    const page = await env.open('/');
    const { before, rules } = await onFirstUnaccountedActions(page, env.url);
    await toControl(page, 'Exclude');
    await press(page, 'Space');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=unaccounted-count]')?.textContent) === n - 1, before);
    expect(await rulesCount(page)).toBe(rules + 1);
    await focusSettled(page);
    expectNoPageErrors(page);
  });

  it('maps a product to a service only on Enter: arrow keys through the services map nothing', async () => {
    const page = await env.open('/');
    const { before, rules } = await onFirstUnaccountedActions(page, env.url);
    const product = await page.$eval('[data-testid=unaccounted-grid] .ag-row[row-index="0"] [col-id=product]', (c) => c.textContent!.trim());
    await press(page, 'Enter');
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.testid === 'map-to-service');
    // Chromium on Linux changes a closed select's value on ArrowDown and fires `change` at once:
    // walking through the services must not map the product to each one it passes.
    for (let n = 0; n < 3; n++) await press(page, 'ArrowDown');
    await press(page, 'ArrowUp');
    const chosen = await page.$eval('[data-testid=unaccounted-grid] .ag-row[row-index="0"] select', (s) => (s as HTMLSelectElement).value);
    expect(chosen).not.toBe('');
    // Give a mistaken edit time to come back from the core before saying there was none.
    await page.waitForTimeout(800);
    expect(await count(page, 'unaccounted-count')).toBe(before);
    expect(await rulesCount(page)).toBe(rules);
    expect(await page.$eval('[data-testid=unaccounted-grid] .ag-row[row-index="0"] [col-id=product]', (c) => c.textContent!.trim())).toBe(product);
    await press(page, 'Enter');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=unaccounted-count]')?.textContent) === n - 1, before);
    expect(await rulesCount(page)).toBe(rules + 1);
    const added = await page.$$eval('[data-testid=rules-grid] .ag-row', (rows, id) => rows.some((r) => r.querySelector('[col-id=psaServiceId]')?.textContent?.includes(`(${id})`)), chosen);
    expect(added).toBe(true);
    await focusSettled(page);
    await screenshot(page, 'keyboard-product-mapped');
    expectNoPageErrors(page);
  });

  it('puts focus on the client opened with Enter, back on its row after Esc, and on the tab chosen with the arrow keys', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'billing/invoices');
    await tabUntil(page, (f) => f.grid === 'clients-grid' && f.col !== null);
    for (let n = 0; n < 3; n++) await press(page, 'ArrowDown');
    const from = await page.evaluate(() => ({ id: document.activeElement!.closest('.ag-row')!.getAttribute('row-id')!, name: document.activeElement!.closest('.ag-row')!.querySelector('[col-id=clientName]')?.textContent?.trim() ?? '' }));
    // A navigation: focus is checked where it settles, not in the moment the old screen goes.
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=client-detail]');
    // Focus on the client's name, where the eyes go (not on <body>, not left on the list's row).
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect((await focus(page)).text).toBe(from.name);

    // The client's tabs: Tab reaches the active one, arrows switch and focus stays on the chosen tab.
    const tab = await tabUntil(page, (f) => f.what.startsWith('button.tab'));
    expect(tab).toBeGreaterThan(0);
    await press(page, 'ArrowRight');
    await page.waitForFunction(() => location.hash.endsWith('/integrations'));
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-selected') === 'true');
    expect((await focus(page)).text).toMatch(/^Integrations/);
    await press(page, 'End');
    await page.waitForFunction(() => location.hash.endsWith('/history'));
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-tab') === 'history');
    expect((await focus(page)).onBody).toBe(false);

    // Esc: back to the list, on the row the client was opened from.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash === '#/billing/invoices');
    await page.waitForFunction((id) => document.activeElement?.closest('.ag-row')?.getAttribute('row-id') === id, from.id);
    const back = await focus(page);
    expect(back.grid).toBe('clients-grid');
    expect(back.visible).toBe(true);
    // And Enter opens it again from there.
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => location.hash.includes(`/client/${encodeURIComponent(id)}/`), from.id);
    expectNoPageErrors(page);
  });

  it('switches Billing tabs with the arrow keys and skips to content', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await open(page, env.url, 'billing/invoices');
    await tabUntil(page, (f) => f.text.startsWith('Reconciled invoices'));
    await press(page, 'ArrowRight');
    await page.waitForFunction(() => location.hash === '#/billing/review');
    expect((await focus(page)).text).toMatch(/^Review & approve/);
    // A fresh load: nothing focused yet, so the first Tab reaches the first thing on the page.
    await page.reload();
    await page.waitForSelector('.content h1');
    await page.keyboard.press('Tab');
    expect((await focus(page)).text).toBe('Skip to content');
    await press(page, 'Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expectNoPageErrors(page);
  });
});
