/**
 * Every count shown for one concept agrees, in Chromium, on the demo and on a small edge bundle:
 * Home's cards, Billing's tab badges, the review's chips, headings and grids, Service mapping's
 * and Client mapping's lists, and what a month-close snapshot keeps. Where two counts count
 * different things on purpose (unaccounted products vs client groups, all discrepancies vs those on
 * services), each is labelled, and the labels' numbers are read and checked too.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { countsBundle } from '../review/countsBundle';
import { dropFiles, readClientRows, statValue, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

const POLL = { timeout: 15_000, interval: 150 };
const TALL = { width: 1600, height: 4000 };
const WIDE = { width: 1280, height: 900 };

/** Rows a grid holds (after its quick filter), from AG Grid's aria-rowcount less its header rows. */
async function gridRows(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const host = document.querySelector(`[data-testid=${id}]`);
    const root = host?.querySelector('[aria-rowcount]');
    if (!host || !root) return -1;
    const headerRows = host.querySelectorAll('.ag-header-row').length;
    return Number(root.getAttribute('aria-rowcount')) - headerRows;
  }, testId);
}

async function number(page: Page, selector: string): Promise<number> {
  const text = (await page.textContent(selector, { timeout: 15_000 }))?.trim() ?? '';
  return Number(text.replace(/,/g, ''));
}

async function tabBadge(page: Page, label: string): Promise<number> {
  return Number(await page.locator('.tab', { hasText: label }).locator('.tab-count').textContent());
}

/** The numbers of a stat card's hint, in order ("91 on services + 11 unaccounted groups" → [91, 11]). */
async function hintNumbers(page: Page, testId: string): Promise<number[]> {
  const hint = (await page.textContent(`[data-testid=${testId}] .stat-hint`)) ?? '';
  return [...hint.matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replace(/,/g, '')));
}

interface HomeCounts {
  discrepancies: number;
  onServices: number;
  unaccountedGroups: number;
  toReview: number;
  toReviewDiscrepancies: number;
  toReviewNewRevenue: number;
  unaccountedProducts: number;
  unmapped: number;
  flags: number;
  inactive: number;
}

async function readHome(page: Page, url: string): Promise<HomeCounts> {
  await page.goto(`${url}/#/`);
  await page.waitForSelector('[data-testid=stat-to-review]');
  const [onServices, unaccountedGroups] = await hintNumbers(page, 'stat-discrepancies');
  const [toReviewDiscrepancies, toReviewNewRevenue] = await hintNumbers(page, 'stat-to-review');
  const [, groupsAgain] = await hintNumbers(page, 'stat-unaccounted');
  expect(groupsAgain).toBe(unaccountedGroups);
  return {
    discrepancies: Number(await statValue(page, 'stat-discrepancies')),
    onServices: onServices!,
    unaccountedGroups: unaccountedGroups!,
    toReview: Number(await statValue(page, 'stat-to-review')),
    toReviewDiscrepancies: toReviewDiscrepancies!,
    toReviewNewRevenue: toReviewNewRevenue!,
    unaccountedProducts: Number(await statValue(page, 'stat-unaccounted')),
    unmapped: Number(await statValue(page, 'stat-unmapped')),
    flags: Number(await statValue(page, 'stat-flags')),
    inactive: Number(await statValue(page, 'stat-inactive')),
  };
}

/** Reads every screen and requires each count of a concept to equal Home's. Returns Home's counts. */
async function expectCountsAgree(page: Page, url: string, name: string): Promise<HomeCounts> {
  await page.setViewportSize(TALL);
  const home = await readHome(page, url);
  expect(home.discrepancies).toBe(home.onServices + home.unaccountedGroups);
  expect(home.toReview).toBe(home.toReviewDiscrepancies + home.toReviewNewRevenue);

  // Billing: the invoices table's column adds up to Home's discrepancies; one row per client of the badge.
  const clients = await readClientRows(page, url);
  expect(clients.reduce((n, c) => n + Number(c.discrepancies), 0)).toBe(home.discrepancies);
  expect(await tabBadge(page, 'Reconciled invoices')).toBe(clients.length);
  expect(await tabBadge(page, 'Review & approve')).toBe(home.toReview);
  expect(await tabBadge(page, 'Flagged services')).toBe(home.flags);
  expect(await tabBadge(page, 'Inactive seats')).toBe(home.inactive);

  // Billing › Unaccounted chip, grouped by account: one row per (client, integration, product).
  await page.click('.chip:has-text("Unaccounted")');
  await page.selectOption('[data-testid=group-by]', 'account');
  await expect.poll(async () => (await page.$$('[data-testid=grouped-grid] .group-row')).length > 0 || home.unaccountedGroups === 0, POLL).toBe(true);
  await expect.poll(async () => (await gridRows(page, 'grouped-grid')) - (await page.$$('[data-testid=grouped-grid] .group-row')).length, POLL).toBe(home.unaccountedGroups);

  // Review: per chip, chip = its two headings = its two grids; "To review" = the badge = Home.
  await page.goto(`${url}/#/billing/review`);
  await page.waitForSelector('[data-testid=review-show-open] .tab-count');
  await expect.poll(() => number(page, '[data-testid=review-show-open] .tab-count'), POLL).toBe(home.toReview);
  for (const show of ['approved', 'dismissed', 'all', 'open'] as const) {
    await page.click(`[data-testid=review-show-${show}]`);
    const chip = await number(page, `[data-testid=review-show-${show}] .tab-count`);
    await expect.poll(async () => (await number(page, '[data-testid=review-count]')) + (await number(page, '[data-testid=new-revenue-count]')), POLL).toBe(chip);
    await expect.poll(() => gridRows(page, 'review-grid'), POLL).toBe(await number(page, '[data-testid=review-count]'));
    await expect.poll(() => gridRows(page, 'new-revenue-grid'), POLL).toBe(await number(page, '[data-testid=new-revenue-count]'));
  }
  expect(await number(page, '[data-testid=review-count]')).toBe(home.toReviewDiscrepancies);
  expect(await number(page, '[data-testid=new-revenue-count]')).toBe(home.toReviewNewRevenue);
  await page.setViewportSize(WIDE);
  await screenshot(page, `counts-${name}-review`);
  await page.setViewportSize(TALL);

  await page.goto(`${url}/#/billing/flags`);
  await expect.poll(() => gridRows(page, 'flags-grid').then((n) => Math.max(n, 0)), POLL).toBe(home.flags);
  await page.goto(`${url}/#/billing/inactive`);
  await expect.poll(() => gridRows(page, 'inactive-grid').then((n) => Math.max(n, 0)), POLL).toBe(home.inactive);

  // Service mapping lists Home's unaccounted products; their Clients column adds up to the groups.
  await page.goto(`${url}/#/service-mapping`);
  await page.waitForSelector('[data-testid=unaccounted-title]');
  await expect.poll(() => number(page, '[data-testid=unaccounted-count]'), POLL).toBe(home.unaccountedProducts);
  if (home.unaccountedProducts > 0) {
    await expect.poll(() => gridRows(page, 'unaccounted-grid'), POLL).toBe(home.unaccountedProducts);
    const perProduct = await page.$$eval('[data-testid=unaccounted-grid] .ag-row [col-id=clients]', (cells) => cells.map((c) => Number(c.textContent)));
    expect(perProduct.reduce((a, b) => a + b, 0)).toBe(home.unaccountedGroups);
    expect(await page.textContent('[data-testid=unaccounted-title]')).toContain(`${home.unaccountedGroups} client group`);
  }
  await page.setViewportSize(WIDE);
  await screenshot(page, `counts-${name}-service-mapping`);
  await page.setViewportSize(TALL);

  // Client mapping's "Unmapped" chip and rows are Home's unmapped clients.
  await page.goto(`${url}/#/client-mapping`);
  await expect.poll(() => number(page, '[data-testid=count-unmapped]'), POLL).toBe(home.unmapped);
  await page.click('[data-testid=show-unmapped]');
  await expect.poll(() => gridRows(page, 'client-mapping-grid'), POLL).toBe(home.unmapped);

  // History › Month close: a snapshot keeps the discrepancies on services, and says so.
  await page.goto(`${url}/#/history`);
  await page.click('[data-testid=history-months]');
  await expect.poll(() => number(page, '[data-testid=snapshot-keeps-count]'), POLL).toBe(home.onServices);
  await page.fill('[data-testid=month-name]', `Counts ${name}`);
  await page.click('[data-testid=close-month]');
  const kept = page.locator('[data-testid=snapshots-grid] .ag-row', { hasText: `Counts ${name}` }).locator('[col-id=serviceDiscrepancies]');
  await expect.poll(async () => Number(await kept.textContent({ timeout: 15_000 })), POLL).toBe(home.onServices);
  await page.setViewportSize(WIDE);
  await screenshot(page, `counts-${name}-history`);

  await page.goto(`${url}/#/`);
  await page.waitForSelector('[data-testid=stat-to-review]');
  await screenshot(page, `counts-${name}-home`);
  return home;
}

browserTest('counts agree across screens', (env) => {
  it('on the demo', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    const home = await expectCountsAgree(page, env.url, 'demo');
    // The demo shows both differences on purpose: products listed once vs per client, and unaccounted groups.
    expect(home.unaccountedProducts).toBeLessThan(home.unaccountedGroups);
    expect(home.toReviewNewRevenue).toBeGreaterThan(0);
    expectNoPageErrors(page);
  });

  it('on a small edge bundle, and again after a dismissed discrepancy changes', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${env.url}/#/settings`);
    await page.click('[data-testid=clear-workspace]');
    await page.goto(`${env.url}/#/`);
    await page.waitForSelector('.empty-state', { timeout: 30_000 });
    await dropFiles(page, countsBundle());

    const home = await expectCountsAgree(page, env.url, 'edge');
    // New revenue with no rate (Teams Phone) is to review like the rest; Visio is one product for two clients.
    expect(home).toEqual({
      discrepancies: 7, onServices: 5, unaccountedGroups: 2, toReview: 3, toReviewDiscrepancies: 1, toReviewNewRevenue: 2,
      unaccountedProducts: 1, unmapped: 1, flags: 1, inactive: 1,
    });

    // Excluding Beta's second tenant moves the dismissed Backup discrepancy: it is back for review everywhere.
    await page.setViewportSize(TALL);
    await page.goto(`${env.url}/#/client-mapping`);
    await page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'Tenant ext-b2' }).locator('button:has-text("Exclude")').click();
    await page.goto(`${env.url}/#/`);
    await expect.poll(async () => Number(await statValue(page, 'stat-to-review')), POLL).toBe(4);
    const after = await expectCountsAgree(page, env.url, 'edge-returned');
    expect(after.toReviewDiscrepancies).toBe(2);
    await page.goto(`${env.url}/#/billing/review`);
    await page.locator('[data-testid=review-grid] .ag-row', { hasText: 'Beta Logistics' }).locator('.badge-review-returned').waitFor();
    expectNoPageErrors(page);
  });
});
