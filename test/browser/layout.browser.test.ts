/**
 * Nothing a paying user squints at: at 1280 and 1440 px wide, on every grid of the demo, money and dates are
 * shown whole (cells.ts marks them `fit`) and every badge is inside its cell, not on a hidden line.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

const BILLING = ['billing/invoices', 'billing/review', 'billing/flags', 'billing/inactive'];
const CLIENT_TABS = ['services', 'integrations', 'seats', 'lines', 'unaccounted', 'history'];
const OTHERS = [
  'client-mapping',
  'service-mapping',
  'adjustments',
  'integrations',
  'history',
];

/** Every money or date text wider than its cell, and every badge outside its cell, on the page. */
function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const where = (el: Element) => `${el.closest('[data-testid]')?.getAttribute('data-testid') ?? '?'} col ${el.closest('.ag-cell')?.getAttribute('col-id')}`;
    for (const text of document.querySelectorAll<HTMLElement>('.ag-cell .fit')) {
      const cell = text.closest<HTMLElement>('.ag-cell')!;
      const box = cell.getBoundingClientRect();
      const own = text.getBoundingClientRect();
      if (cell.scrollWidth > cell.clientWidth || own.left < box.left - 0.5 || own.right > box.right + 0.5) found.push(`"${text.textContent}" clipped in ${where(text)}`);
    }
    // Buttons in cells (Approve, Exclude, Unmap, Delete, Accept) whole as well, and not under the
    // pinned actions: a cut button is a missed action.
    for (const button of document.querySelectorAll<HTMLElement>('.ag-cell .row-actions button, .ag-cell .suggestion button')) {
      const cell = button.closest<HTMLElement>('.ag-cell')!;
      const box = cell.getBoundingClientRect();
      const own = button.getBoundingClientRect();
      if (own.left < box.left - 0.5 || own.right > box.right + 0.5) found.push(`button "${button.textContent}" cut in ${where(button)}`);
      // Wholly in the window: nothing over its right end (a pinned column or the grid's edge would be).
      if (own.top >= 0 && own.bottom <= window.innerHeight) {
        const top = document.elementFromPoint(own.right - 2, (own.top + own.bottom) / 2);
        if (!top || !button.contains(top)) found.push(`button "${button.textContent}" hidden under another column in ${where(button)}`);
      }
    }
    for (const badge of document.querySelectorAll<HTMLElement>('.ag-cell .badge')) {
      const cell = badge.closest<HTMLElement>('.ag-cell')!;
      const box = cell.getBoundingClientRect();
      const own = badge.getBoundingClientRect();
      if (own.left < box.left - 0.5 || own.right > box.right + 0.5 || own.top < box.top - 0.5 || own.bottom > box.bottom + 0.5) found.push(`badge "${badge.textContent}" hidden in ${where(badge)}`);
    }
    return found;
  });
}

async function openScreen(page: Page, url: string, route: string): Promise<void> {
  await page.goto(`${url}/#/${route}`);
  await page.waitForSelector('.content h1', { timeout: 30_000 });
  // Some tabs have cards, not a grid.
  await page.waitForSelector('.content .ag-row, .content .empty-state', { timeout: 5_000 }).catch(() => undefined);
}

browserTest('layout', (env) => {
  it.each([1280, 1440])('shows every money and date cell and every badge whole on every grid of the demo at %i px', async (width) => {
    const page = await env.open('/');
    await page.setViewportSize({ width, height: 900 });
    await waitForWorkspace(page);
    const problems: string[] = [];
    let cells = 0;
    await openScreen(page, env.url, 'billing/invoices');
    // The client with the most kinds of discrepancy: the most badges in one cell.
    const client = await page.$$eval('[data-testid=clients-grid] .ag-row[row-id]', (rows) =>
      rows.map((r) => ({ id: r.getAttribute('row-id')!, kinds: r.querySelector<HTMLElement>('.badges')?.title.split(', ').length ?? r.querySelectorAll('.badge').length })).sort((a, b) => b.kinds - a.kinds)[0]!.id,
    );
    const routes = [...BILLING, ...CLIENT_TABS.map((tab) => `billing/client/${encodeURIComponent(client)}/${tab}`), ...OTHERS];
    for (const route of routes) {
      await openScreen(page, env.url, route);
      // Columns refit a moment after the rows arrive (debounced): look again a few times before calling it clipped.
      let found = await clipped(page);
      for (let tries = 0; found.length > 0 && tries < 10; tries++) {
        await page.waitForTimeout(200);
        found = await clipped(page);
      }
      cells += await page.$$eval('.ag-cell .fit, .ag-cell .badge', (els) => els.length);
      problems.push(...found.map((p) => `${route}: ${p}`));
      if (found.length > 0) console.log(route, found.slice(0, 8));
      await screenshot(page, `layout-${width}-${route.replace(/\//g, '-')}`);
    }
    expect(cells).toBeGreaterThan(100);
    expect(problems).toEqual([]);
    expectNoPageErrors(page);
  }, 300_000);

  it('shows Home amounts in the tens of millions whole on a card at 1280 px', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await openScreen(page, env.url, 'home');
    // The demo's amounts are small: every card is given one ten times a million-row workspace's ($4.3M).
    const cut = await page.$$eval('.stat-card .stat-value', (values) =>
      values.map((value) => {
        value.textContent = '+$44,864,200.52';
        const card = value.closest<HTMLElement>('.stat-card')!.getBoundingClientRect();
        const own = value.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(value);
        const text = range.getBoundingClientRect();
        // Inside the card, inside its own box, and on one line (a money amount is not broken up).
        const lines = range.getClientRects().length;
        return own.right > card.right || text.right > own.right + 0.5 || lines > 1 ? `${value.textContent}: ${lines} lines, ends at ${text.right} of ${own.right}` : false;
      }),
    );
    expect(cut.length).toBeGreaterThanOrEqual(4);
    expect(cut.filter(Boolean)).toEqual([]);
  });
});
