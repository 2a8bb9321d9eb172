/** The pictures in Chromium: Home's charts on the demo, a bar that opens the table filtered to it, History and a client. */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeMonth, waitForAllGridRows, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

async function chartReady(page: Page, testId: string): Promise<void> {
  await page.waitForSelector(`[data-testid=${testId}] .chart-canvas[data-ready=true] canvas`, { timeout: 30_000 });
  // A chart draws on the next frames after it is created: wait until its series area is laid out.
  await page.waitForSelector(`[data-testid=${testId}] .ag-charts-series-area`, { timeout: 30_000 });
}

/** The centre of band `band` of `bands` along a chart's category axis, in the series area. */
async function bandCentre(page: Page, testId: string, band: number, direction: 'horizontal' | 'vertical'): Promise<{ x: number; y: number; area: { x: number; y: number; width: number; height: number } }> {
  const area = (await page.locator(`[data-testid=${testId}] .ag-charts-series-area`).boundingBox())!;
  const bands = Number((await page.getAttribute(`[data-testid=${testId}]`, 'data-bars')) ?? 1);
  const at = (2 * band + 1) / (2 * bands);
  return direction === 'horizontal' ? { x: area.x + area.width / 2, y: area.y + area.height * at, area } : { x: area.x + area.width * at, y: area.y + area.height / 2, area };
}

/**
 * Clicks a bar of band `band` (0: the first) of a horizontal bar chart until `took` says the click
 * did something: the bars are on canvas, so the test walks across the band, from its far end back
 * to the axis, until a click lands on a bar.
 */
async function clickBar(page: Page, testId: string, band = 0, took: () => Promise<boolean> = hashChanged(page)): Promise<void> {
  const { y, area } = await bandCentre(page, testId, band, 'horizontal');
  // Grouped bars sit either side of the band's middle.
  for (const dy of [0, -6, 6]) {
    for (let x = area.x + area.width - 4; x > area.x; x -= 8) {
      await page.mouse.click(x, y + dy);
      if (await took()) return;
    }
  }
  throw new Error(`no bar of ${testId} took a click`);
}

/** "Has the page navigated since this was called?" */
function hashChanged(page: Page): () => Promise<boolean> {
  const before = page.evaluate(() => location.hash);
  return async () => (await page.evaluate(() => location.hash)) !== (await before);
}

const clickFirstBar = (page: Page, testId: string) => clickBar(page, testId, 0);

/**
 * The rows a grid shows, in its order (call waitForAllGridRows first): row id and one column's text.
 * A row can be drawn in more than one container (pinned columns): it is read once.
 */
async function gridRows(page: Page, testId: string, colId: string): Promise<{ id: string; text: string }[]> {
  return page.$$eval(
    `[data-testid=${testId}] .ag-row[row-id]`,
    (rows, col) => {
      const byId = new Map<string, { index: number; text: string }>();
      for (const r of rows) {
        const id = r.getAttribute('row-id')!;
        const cell = r.querySelector(`.ag-cell[col-id=${col}]`);
        const seen = byId.get(id);
        if (!seen || (cell && !seen.text)) byId.set(id, { index: Number(r.getAttribute('row-index')), text: cell?.textContent?.trim() ?? seen?.text ?? '' });
      }
      return [...byId].sort((a, b) => a[1].index - b[1].index).map(([id, { text }]) => ({ id, text }));
    },
    colId,
  );
}

browserTest('charts', (env) => {
  it('Home shows the discrepancy amount by integration and by service on the demo', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await chartReady(page, 'chart-by-integration');
    await chartReady(page, 'chart-by-service');
    expect(await page.textContent('[data-testid=chart-by-integration] figcaption')).toContain('by integration');
    await screenshot(page, 'charts-home');
    expectNoPageErrors(page);
  });

  it('a click on an integration bar opens Billing filtered by that integration', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await chartReady(page, 'chart-by-integration');
    await clickFirstBar(page, 'chart-by-integration');
    const integration = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]).get('integration');
    expect(integration).toBeTruthy();
    await page.waitForSelector('[data-testid=clients-grid] .ag-row');
    expect(await page.inputValue('[data-testid=filter-integration]')).toBe(integration);
    // The same rows as choosing that integration in the filter by hand, and fewer than all of them.
    const rowCount = () => page.getAttribute('[data-testid=clients-grid] [aria-rowcount]', 'aria-rowcount');
    const fromChart = await rowCount();
    await page.selectOption('[data-testid=filter-integration]', '');
    await page.waitForFunction((n) => document.querySelector('[data-testid=clients-grid] [aria-rowcount]')?.getAttribute('aria-rowcount') !== n, fromChart);
    expect(Number(await rowCount())).toBeGreaterThan(Number(fromChart));
    await page.selectOption('[data-testid=filter-integration]', integration!);
    await page.waitForFunction((n) => document.querySelector('[data-testid=clients-grid] [aria-rowcount]')?.getAttribute('aria-rowcount') === n, fromChart);
    expectNoPageErrors(page);
  });

  it('a click on a service bar opens Billing grouped by service and searched for that service', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await chartReady(page, 'chart-by-service');
    await clickFirstBar(page, 'chart-by-service');
    const service = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]).get('search');
    expect(service).toBeTruthy();
    await page.waitForSelector('[data-testid=grouped-grid] .ag-row');
    expect(await page.inputValue('[data-testid=group-by]')).toBe('service');
    expect(await page.inputValue('[data-testid=quick-search]')).toBe(service);
    await page.waitForSelector('[data-testid=grouped-grid] .ag-cell[col-id=serviceName]');
    const services = await page.$$eval('[data-testid=grouped-grid] .ag-cell[col-id=serviceName]', (cells) => cells.map((c) => c.textContent?.trim()));
    expect(services.length).toBeGreaterThan(0);
    expect(services.every((s) => s === service)).toBe(true);
    expectNoPageErrors(page);
  });

  it('History draws the closed months; the tooltip of a month shows its net as the table does, and a click compares it with the month before', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/history`);
    await page.click('[data-testid=history-months]');
    await closeMonth(page, 'October 2026', 1);
    await closeMonth(page, 'November 2026', 2);
    await chartReady(page, 'chart-months');
    await page.waitForFunction(() => document.querySelector('[data-testid=chart-months]')?.getAttribute('data-bars') === '2');
    await screenshot(page, 'charts-history');

    // The months as the table lists them (newest first), with the net it shows.
    const months = await gridRows(page, 'snapshots-grid', 'name');
    expect(months.map((m) => m.text)).toEqual(['November 2026', 'October 2026']);
    const netCell = await page.textContent(`[data-testid=snapshots-grid] .ag-row[row-id="${months[0]!.id}"] .money`);
    expect(netCell).toMatch(/^[+-]?\$\d{1,3}(,\d{3})*\.\d{2}$/);

    // The later month's bars (the chart's second band, oldest first): the tooltip writes its net as the table does.
    const { x, area } = await bandCentre(page, 'chart-months', 1, 'vertical');
    const tooltip = page.locator('.ag-charts-tooltip:visible');
    let hovered = false;
    for (let y = area.y + 4; y < area.y + area.height && !hovered; y += 6) {
      await page.mouse.move(x, y);
      hovered = (await tooltip.count()) > 0 && ((await tooltip.first().textContent()) ?? '').includes('November 2026');
    }
    expect(hovered).toBe(true);
    const netRow = tooltip.first().locator('.ag-charts-tooltip-row', { hasText: 'Net' }).first();
    expect(await netRow.locator('.ag-charts-tooltip-value').textContent()).toBe(netCell);
    await screenshot(page, 'charts-history-tooltip');

    // A click on that month's bars compares it with the month closed before it.
    for (let y = area.y + 4; y < area.y + area.height; y += 6) {
      await page.mouse.click(x, y);
      if ((await page.inputValue('[data-testid=compare-newer]')) !== '') break;
    }
    expect(await page.inputValue('[data-testid=compare-newer]')).toBe(months[0]!.id);
    expect(await page.inputValue('[data-testid=compare-older]')).toBe(months[1]!.id);
    // The same workspace closed twice: nothing changed between the two months.
    await page.waitForSelector('[data-testid=comparison-summary]');
    expect(await page.textContent('[data-testid=comparison-summary]')).toMatch(/^0 appeared · 0 disappeared · 0 changed · \d+ unchanged · net change \$0\.00$/);
    expectNoPageErrors(page);
  });

  it('a client draws invoiced quantity against system count, and a bar opens its PSA services filtered to that service', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/billing`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row');
    // The client with the largest discrepancy (the table's first row; its row id is the client id).
    const clientId = await page.locator('[data-testid=clients-grid] .ag-row[row-id]').first().getAttribute('row-id');
    await page.goto(`${env.url}/#/billing/client/${encodeURIComponent(clientId!)}/lines`);
    await waitForAllGridRows(page, 'lines-grid');
    const allLines = await gridRows(page, 'lines-grid', 'serviceName');
    await page.goto(`${env.url}/#/billing/client/${encodeURIComponent(clientId!)}/services`);
    await chartReady(page, 'chart-client-services');
    await waitForAllGridRows(page, 'pairs-grid');
    await screenshot(page, 'charts-client');

    // The chart's bands are the compared services in the table's order: take one the invoice bills.
    const pairs = await gridRows(page, 'pairs-grid', 'serviceName');
    const band = pairs.findIndex((p) => allLines.some((l) => l.text === p.text));
    expect(band).toBeGreaterThanOrEqual(0);
    const service = pairs[band]!;
    await clickBar(page, 'chart-client-services', band);
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/\/lines\?service=/);
    expect(new URLSearchParams(hash.split('?')[1]).get('service')).toBe(service.id);

    await page.waitForSelector('[data-testid=lines-filter]');
    await waitForAllGridRows(page, 'lines-grid');
    const shown = await gridRows(page, 'lines-grid', 'serviceName');
    // Exactly that service's invoice lines: all of them, and no other service's.
    expect(shown.map((l) => l.id).sort()).toEqual(allLines.filter((l) => l.text === service.text).map((l) => l.id).sort());
    expect(shown.length).toBeLessThan(allLines.length);
    await screenshot(page, 'charts-client-lines-filtered');

    // "Show all" takes the filter off.
    await page.click('[data-testid=lines-filter] a');
    await page.waitForFunction(() => !location.hash.includes('?'));
    await page.waitForFunction((n) => new Set([...document.querySelectorAll('[data-testid=lines-grid] .ag-row[row-id]')].map((r) => r.getAttribute('row-id'))).size === n, allLines.length);
    expectNoPageErrors(page);
  });
});
