/**
 * The month-end review in Chromium: bulk approval behind a spot-check warning, effective dates and
 * proration, the adjustments file, the CLI agreeing with the app on the same decisions, and a
 * dismissal coming back once a mapping change moves its numbers.
 */
import type { Page } from 'playwright-core';
import Papa from 'papaparse';
import { expect, it } from 'vitest';
import { unzipBundle } from '../../worker/bundle/zip';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { dragRule, engineStats, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

const DEMO = generateDemoBundle();

async function openReview(page: Page, url: string): Promise<void> {
  await page.setViewportSize({ width: 1600, height: 1400 });
  await page.goto(`${url}/#/billing/review`);
  await page.waitForSelector('[data-testid=review-grid] .ag-row');
}

async function chipCount(page: Page, id: string): Promise<number> {
  return Number(await page.textContent(`[data-testid=review-show-${id}] .tab-count`));
}

async function selectRows(page: Page, indexes: number[]): Promise<void> {
  for (const i of indexes) await page.click(`[data-testid=review-grid] .ag-row[row-index="${i}"] .ag-selection-checkbox input`);
}

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const chunks: Buffer[] = [];
  for await (const chunk of await file.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

browserTest('review workflow', (env) => {
  it('asks for a spot check on a bulk approval until it is turned off on this device, then approves without asking', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await openReview(page, env.url);
    const approvedBefore = await chipCount(page, 'approved');
    const statsBefore = await engineStats(page);
    await selectRows(page, [0, 1, 2]);
    await page.click('[data-testid=approve-selected]');
    await page.waitForSelector('[data-testid=bulk-warning]');
    expect(await page.$$eval('[data-testid=spot-check] li', (li) => li.length)).toBeGreaterThan(0);
    await screenshot(page, 'review-bulk-warning');
    await page.check('[data-testid=skip-warning]');
    await page.click('[data-testid=confirm-bulk]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=review-show-approved] .tab-count')?.textContent) === n, approvedBefore + 3);

    await selectRows(page, [0, 1]);
    await page.click('[data-testid=approve-selected]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=review-show-approved] .tab-count')?.textContent) === n, approvedBefore + 5);
    expect(await page.isVisible('[data-testid=bulk-warning]')).toBe(false);
    // Two approvals: review states and adjustments again, from the cached reconciliation; no reconcile.
    const statsAfter = await engineStats(page);
    expect(statsAfter.reconciles).toBe(statsBefore.reconciles);
    expect(statsAfter.reviews).toBeGreaterThanOrEqual(statsBefore.reviews + 2);
    expectNoPageErrors(page);
  });

  it('sets an effective date, prorates it, exports adjustments the CLI agrees with', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await openReview(page, env.url);
    // Approve the largest discrepancy effective mid-December (17 of 31 days left).
    await selectRows(page, [0]);
    await page.fill('[data-testid=effective-date]', '2026-12-15');
    await page.click('[data-testid=set-effective-date]');
    await page.waitForFunction(() => document.querySelector('[data-testid=review-grid] .ag-row[row-index="0"] [col-id="effectiveDate"]')?.textContent === '2026-12-15');
    await selectRows(page, [0]);
    await page.click('[data-testid=approve-selected]');
    await page.waitForFunction(() => document.querySelector('[data-testid=review-show-approved] .tab-count')?.textContent === '5');

    await page.goto(`${env.url}/#/adjustments`);
    await page.waitForSelector('[data-testid=adjustments-grid] .ag-row');
    await screenshot(page, 'adjustments');
    const csv = await download(page, () => page.click('[data-testid=export-adjustments]'));
    const rows = Papa.parse<Record<string, string>>(csv.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(5);

    // The app's decisions, exported with the workspace, give the CLI exactly these adjustments.
    await page.goto(`${env.url}/#/settings`);
    const zip = await page.waitForSelector('[data-testid=export-bundle]').then(async () => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-bundle]')]);
      const chunks: Buffer[] = [];
      for await (const chunk of await file.createReadStream()) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    });
    const exported = unzipBundle(zip);
    const cli = reconcileFiles(DEMO, { decisions: { name: 'decisions.csv', text: exported['decisions.csv']! } });
    if (!cli.ok) throw new Error('the demo must reconcile');
    const fromCli = cli.report.adjustments.map((a) => [a.client_id, a.service_id, a.effective_date, a.qty_delta, a.unit_rate, a.monthly_amount, a.prorated_amount]).sort();
    const fromApp = rows.map((r) => [r['Client ID'], r['Service ID'], r['Effective date'], r['Quantity change'], r['Unit rate (USD)'], r['Monthly amount (USD)'], r['Prorated amount (USD)']]).sort();
    expect(fromApp).toEqual(fromCli);
    const mid = cli.report.adjustments.find((a) => a.effective_date === '2026-12-15')!;
    // Spec §7: prorated = qty_delta × unit_rate × 17 / 31, rounded half away from zero (in cents, exactly).
    expect(mid.qty_delta).toMatch(/^-?\d+$/);
    const centsTimesDays = BigInt(mid.qty_delta) * BigInt(mid.unit_rate.replace('.', '')) * 17n;
    const quotient = centsTimesDays / 31n;
    const remainder = centsTimesDays % 31n;
    const rounded = (remainder < 0n ? -remainder : remainder) * 2n >= 31n ? quotient + (centsTimesDays < 0n ? -1n : 1n) : quotient;
    expect(BigInt(mid.prorated_amount.replace('.', ''))).toBe(rounded);
    expectNoPageErrors(page);
  });

  it('brings a dismissal back for review when a mapping change moves its numbers', async () => {
    // A Business Premium discrepancy whose count changes when the Business Premium rule moves above *Trial*.
    const [header, ...rules] = DEMO['service_map.csv']!.trimEnd().split('\n');
    const reordered = reconcileFiles({ ...DEMO, 'service_map.csv': [header, rules[2], rules[0], rules[1], ...rules.slice(3)].join('\n') });
    const original = reconcileFiles(DEMO);
    if (!reordered.ok || !original.ok) throw new Error('valid');
    const decided = new Set(DEMO['decisions.csv']!.split('\n').map((l) => l.split(',').slice(0, 2).join(',')));
    const moving = original.report.discrepancies.find((d) => {
      const after = reordered.report.discrepancies.find((x) => x.client_id === d.client_id && x.service_id === d.service_id);
      return d.service_id === 'SVC-M365-BP' && d.type !== 'unmapped' && !decided.has(`${d.client_id},${d.service_id}`) && after && after.qty_delta !== d.qty_delta;
    })!;
    const clientName = original.report.clients.find((c) => c.client_id === moving.client_id)!.client_name;

    const page = await env.open('/');
    await waitForWorkspace(page);
    await openReview(page, env.url);
    await page.fill('input[aria-label="Search discrepancies"]', clientName);
    const row = page.locator('[data-testid=review-grid] .ag-row', { hasText: clientName }).filter({ hasText: 'Business Premium' }).first();
    await row.locator('.ag-selection-checkbox input').click();
    await page.click('[data-testid=dismiss-selected]');
    await page.click('[data-testid=review-show-dismissed]');
    await page.locator('[data-testid=review-grid] .ag-row', { hasText: clientName }).filter({ hasText: 'Business Premium' }).first().waitFor();

    await page.goto(`${env.url}/#/service-mapping`);
    await page.waitForSelector('[data-testid=rules-grid] .ag-row[row-index="2"] .ag-drag-handle');
    await dragRule(page, 2, 0);
    await page.waitForFunction(() => document.querySelector('[data-testid=rules-grid] .ag-row[row-id="R-M365-03"] [col-id="previewRows"]')?.textContent?.trim() === '697');

    await openReview(page, env.url);
    await page.fill('input[aria-label="Search discrepancies"]', clientName);
    const back = page.locator('[data-testid=review-grid] .ag-row', { hasText: clientName }).filter({ hasText: 'Business Premium' }).first();
    await back.waitFor();
    expect(await back.textContent()).toContain('Back for review');
    await screenshot(page, 'review-returned');
    expectNoPageErrors(page);
  });
});
