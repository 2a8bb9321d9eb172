/** The pictures in Chromium: Home's charts on the demo, a bar that opens the table filtered to it, History and a client. */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

async function chartReady(page: Page, testId: string): Promise<void> {
  await page.waitForSelector(`[data-testid=${testId}] .chart-canvas[data-ready=true] canvas`, { timeout: 30_000 });
  // A chart draws on the next frames after it is created: wait until its series area is laid out.
  await page.waitForSelector(`[data-testid=${testId}] .ag-charts-series-area`, { timeout: 30_000 });
}

/**
 * Clicks the first (largest) bar of a horizontal bar chart: the bars are on canvas, so the test
 * walks across the first band of the series area until a click lands on a bar and navigates.
 */
async function clickFirstBar(page: Page, testId: string): Promise<void> {
  const area = (await page.locator(`[data-testid=${testId}] .ag-charts-series-area`).boundingBox())!;
  const bands = await page.evaluate((id) => {
    const figure = document.querySelector(`[data-testid=${id}]`)!;
    return figure.getAttribute('data-bars');
  }, testId);
  const y = area.y + area.height / (2 * Number(bands ?? 1));
  const before = await page.evaluate(() => location.hash);
  // Grouped bars sit either side of the band's middle.
  for (const dy of [0, -6, 6]) {
    for (let x = area.x + area.width - 4; x > area.x; x -= 8) {
      await page.mouse.click(x, y + dy);
      if ((await page.evaluate(() => location.hash)) !== before) return;
    }
  }
  throw new Error(`no bar of ${testId} took a click`);
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

  it('History draws the closed months', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/history`);
    await page.click('[data-testid=history-months]');
    await page.fill('[data-testid=month-name]', 'October 2026');
    await page.click('[data-testid=close-month]');
    await page.waitForSelector('[data-testid=snapshots-grid] .ag-row');
    await page.fill('[data-testid=month-name]', 'November 2026');
    await page.click('[data-testid=close-month]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=snapshots-grid] .ag-row').length === 2);
    await chartReady(page, 'chart-months');
    await screenshot(page, 'charts-history');
    expectNoPageErrors(page);
  });

  it('a client draws invoiced quantity against system count, and a bar opens its PSA services', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/billing`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row');
    // The client with the largest discrepancy (the table's first row; its row id is the client id).
    const clientId = await page.locator('[data-testid=clients-grid] .ag-row[row-id]').first().getAttribute('row-id');
    await page.goto(`${env.url}/#/billing/client/${encodeURIComponent(clientId!)}/services`);
    await chartReady(page, 'chart-client-services');
    await screenshot(page, 'charts-client');
    await clickFirstBar(page, 'chart-client-services');
    expect(await page.evaluate(() => location.hash)).toMatch(/\/lines$/);
    await page.waitForSelector('[data-testid=lines-grid] .ag-row');
    expectNoPageErrors(page);
  });
});
