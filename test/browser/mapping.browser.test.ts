/**
 * The mapping workbench in Chromium: a suggested client match moves usage into the client's row,
 * reordering rules changes the counts exactly as spec §2 says, undo restores the numbers, and
 * every edit survives a reload (y-indexeddb). Expected numbers come from the engine on the same
 * bundle with the same edit written into its CSV files.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import type { Report } from '../../worker/engine/report.types';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { dragRule, readClientRows, statValue, waitForWorkspace, type ShownClientRow } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

const DEMO = generateDemoBundle();
const usageLines = DEMO['usage.csv']!.split('\n');
const mullerTenant = usageLines.find((l) => l.startsWith('edr,') && l.includes('MULLER BACKEREI'))!.split(',')[1]!;
const mullerClient = DEMO['psa_clients.csv']!.split('\n').find((l) => l.includes('Müller Bäckerei'))!.split(',')[0]!;

/** The demo with the suggestion accepted, written where an import would put it. */
const withMullerMapped = (files: Record<string, string>) => ({ ...files, 'client_map.csv': `${files['client_map.csv']!.trimEnd()}\nedr,${mullerTenant},${mullerClient},mapped\n` });
/** The demo with rule 3 (Business Premium) moved above rule 1 (*Trial*). */
const withBusinessPremiumFirst = (files: Record<string, string>) => {
  const [header, ...rules] = files['service_map.csv']!.trimEnd().split('\n');
  return { ...files, 'service_map.csv': [header, rules[2], rules[0], rules[1], ...rules.slice(3)].join('\n') + '\n' };
};

function expected(files: Record<string, string>): ShownClientRow[] {
  const result = reconcileFiles(files);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return rowsOf(result.report);
}

function rowsOf(report: Report): ShownClientRow[] {
  return report.clients
    .map((c) => ({ clientId: c.client_id, seats: String(c.seat_count), services: String(c.service_count), discrepancies: String(c.discrepancy_count), amount: c.discrepancy_amount, absolute: c.discrepancy_amount_abs, cycle: c.billing_cycle }))
    .sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
}

const sorted = (rows: ShownClientRow[]) => [...rows].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));

async function acceptMullerSuggestion(page: Page, url: string): Promise<void> {
  await page.setViewportSize({ width: 1600, height: 1200 });
  await page.goto(`${url}/#/client-mapping`);
  const row = page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'MULLER BACKEREI' }).first();
  await row.waitFor();
  expect(await row.textContent()).toContain('Müller Bäckerei GmbH');
  await screenshot(page, 'client-mapping');
  await row.locator('[data-testid=accept-suggestion]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=count-unmapped]')?.textContent === '4');
}

/** The client mapping grid's rendered rows in display order: id, status and suggestion text. */
async function gridRows(page: Page): Promise<{ id: string; status: string; text: string }[]> {
  return page.$$eval('[data-testid=client-mapping-grid] .ag-center-cols-container .ag-row[row-id]', (rows) =>
    rows
      .map((r) => ({ i: Number(r.getAttribute('row-index')), id: r.getAttribute('row-id') ?? '', status: r.querySelector('[col-id=status]')?.textContent?.trim() ?? '', text: r.textContent ?? '' }))
      .sort((a, b) => a.i - b.i)
      .map(({ id, status, text }) => ({ id, status, text })),
  );
}

async function ruleOrder(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=rules-grid] .ag-row[row-id]', (rows) =>
    rows.map((r) => ({ i: Number(r.getAttribute('row-index')), id: r.getAttribute('row-id') ?? '' })).sort((a, b) => a.i - b.i).map((r) => r.id),
  );
}

async function previewRows(page: Page, ruleId: string): Promise<string> {
  return (await page.textContent(`[data-testid=rules-grid] .ag-row[row-id="${ruleId}"] [col-id="previewRows"]`))?.trim() ?? '';
}

browserTest('mapping workbench', (env) => {
  it('maps an unmapped client through a suggestion: its usage moves into its row and the unmapped count drops', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    expect(await statValue(page, 'stat-unmapped')).toBe('5');
    expect(sorted(await readClientRows(page, env.url))).toEqual(expected(DEMO));

    await acceptMullerSuggestion(page, env.url);
    const after = sorted(await readClientRows(page, env.url));
    expect(after).toEqual(expected(withMullerMapped(DEMO)));
    const seats = (rows: ShownClientRow[]) => Number(rows.find((r) => r.clientId === mullerClient)!.seats);
    expect(seats(after)).toBeGreaterThan(seats(expected(DEMO)));
    await page.goto(`${env.url}/#/`);
    await page.waitForSelector('[data-testid=stat-unmapped]');
    expect(await statValue(page, 'stat-unmapped')).toBe('4');
    expectNoPageErrors(page);
  });

  it('reorders two rules and the counts change as the spec says; undo restores the numbers', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.setViewportSize({ width: 1600, height: 1400 });
    await page.goto(`${env.url}/#/service-mapping`);
    await page.waitForSelector('[data-testid=rules-grid] .ag-row[row-id="R-M365-03"] [col-id="previewRows"]');
    expect(await previewRows(page, 'R-M365-03')).toBe('676');
    expect(await previewRows(page, 'R-M365-01')).toBe('21');

    await dragRule(page, 2, 0);
    await page.waitForFunction(() => document.querySelector('[data-testid=rules-grid] .ag-row[row-index="0"]')?.getAttribute('row-id') === 'R-M365-03');
    expect((await ruleOrder(page)).slice(0, 3)).toEqual(['R-M365-03', 'R-M365-01', 'R-M365-02']);
    // First rule wins (spec §2): "Microsoft 365 Business Premium*" now comes first and takes the 21
    // "… Business Premium Trial" rows of mapped clients that *Trial* used to exclude: 676 + 21 = 697.
    await page.waitForFunction(() => document.querySelector('[data-testid=rules-grid] .ag-row[row-id="R-M365-03"] [col-id="previewRows"]')?.textContent?.trim() === '697');
    expect(await previewRows(page, 'R-M365-01')).toBe('0');
    expect(await page.textContent('[data-testid=rules-grid] .ag-row[row-id="R-M365-01"] [col-id="shadowed"]')).toContain('taken by R-M365-03');
    await screenshot(page, 'service-mapping-reordered');
    expect(sorted(await readClientRows(page, env.url))).toEqual(expected(withBusinessPremiumFirst(DEMO)));

    await page.goto(`${env.url}/#/service-mapping`);
    await page.click('[data-testid=undo]');
    await page.waitForFunction(() => document.querySelector('[data-testid=rules-grid] .ag-row[row-index="0"]')?.getAttribute('row-id') === 'R-M365-01');
    expect(sorted(await readClientRows(page, env.url))).toEqual(expected(DEMO));
    expectNoPageErrors(page);
  });

  it('refuses a bad rule with a clear message and changes nothing', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/service-mapping`);
    await page.waitForSelector('[data-testid=add-rule]');
    await page.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', 'Visio*');
    await page.click('[data-testid=add-rule] button[type=submit]');
    // The core answers the command with the reason it refused it.
    await page.locator('[data-testid=edit-message]', { hasText: 'needs the PSA service' }).waitFor({ timeout: 5000 });
    await page.fill('[data-testid=add-rule] input[aria-label="Product pattern"]', '   ');
    await page.selectOption('[data-testid=add-rule] select[aria-label="Action"]', 'exclude');
    await page.click('[data-testid=add-rule] button[type=submit]');
    await page.locator('[data-testid=edit-message]', { hasText: 'pattern is empty' }).waitFor({ timeout: 5000 });
    expect(await ruleOrder(page)).toHaveLength(12);
  });

  it('takes the demo from its unmapped and unaccounted counts to zero without a CSV file', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await acceptMullerSuggestion(page, env.url);
    // The other four are new prospects or unassigned devices: excluded, one click each.
    for (let left = 4; left > 0; left--) {
      await page.click('[data-testid=client-mapping-grid] .ag-row:has(.badge-unmapped) .row-actions button:has-text("Exclude")');
      await page.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === String(n), left - 1);
    }
    await page.goto(`${env.url}/#/service-mapping`);
    const powerBi = page.locator('[data-testid=unaccounted-grid] .ag-row', { hasText: 'Power BI Pro' });
    await powerBi.locator('button:has-text("Exclude")').click();
    await page.waitForSelector('text=Every product of every mapped client is mapped or excluded by a rule.');
    await page.goto(`${env.url}/#/`);
    await page.waitForSelector('[data-testid=stat-unmapped]');
    expect(await statValue(page, 'stat-unmapped')).toBe('0');
    expect(await statValue(page, 'stat-unaccounted')).toBe('0');
    await screenshot(page, 'home-setup-cleared');
    expectNoPageErrors(page);
  });

  it('shows the grid after edits as a fresh load lists it, whatever chip is on (the core sends only what changed)', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await acceptMullerSuggestion(page, env.url);
    // Muller's row moved among the mapped ones, as a fresh load sorts it.
    await page.click('[data-testid=client-mapping-grid] .ag-row:has(.badge-unmapped) .row-actions button:has-text("Exclude")');
    await page.waitForFunction(() => document.querySelector('[data-testid=count-unmapped]')?.textContent === '3');
    const edited = await gridRows(page);
    const fresh = await env.open('/#/client-mapping', { context: page.context() });
    await fresh.setViewportSize({ width: 1600, height: 1200 });
    await fresh.waitForSelector('[data-testid=client-mapping-grid] .ag-row');
    await fresh.waitForFunction(() => document.querySelector('[data-testid=count-unmapped]')?.textContent === '3');
    // Polled: AG Grid draws a grid's rows over a few frames.
    await expect.poll(() => gridRows(fresh)).toEqual(edited);

    // With the Unmapped chip on, a client excluded leaves the grid and the others stay.
    await page.click('[data-testid=show-unmapped]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=client-mapping-grid] .ag-row').length === 3);
    await page.click('[data-testid=client-mapping-grid] .ag-row:has(.badge-unmapped) .row-actions button:has-text("Exclude")');
    await page.waitForFunction(() => document.querySelector('[data-testid=count-unmapped]')?.textContent === '2');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=client-mapping-grid] .ag-row').length === 2);
    expect((await gridRows(page)).every((r) => r.status === 'Unmapped')).toBe(true);
    await page.click('[data-testid=undo]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=client-mapping-grid] .ag-row').length === 3);
    expectNoPageErrors(page);
    expectNoPageErrors(fresh);
  });

  it('keeps every mapping edit across a reload', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await acceptMullerSuggestion(page, env.url);
    await page.goto(`${env.url}/#/service-mapping`);
    await page.waitForSelector('[data-testid=rules-grid] .ag-row[row-index="2"] .ag-drag-handle');
    await dragRule(page, 2, 0);
    // The preview changes only once the edit is in the document (the grid alone moves rows while dragging).
    await page.waitForFunction(() => document.querySelector('[data-testid=rules-grid] .ag-row[row-id="R-M365-03"] [col-id="previewRows"]')?.textContent?.trim() === '697');
    await page.reload();
    await page.goto(`${env.url}/#/`);
    await waitForWorkspace(page);
    expect(sorted(await readClientRows(page, env.url))).toEqual(expected(withBusinessPremiumFirst(withMullerMapped(DEMO))));
  });
});
