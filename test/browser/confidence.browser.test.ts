/**
 * Confidence you can see, in Chromium: a suggestion below the threshold is not applied with one
 * click (a confirmation shows the names, the score and the money the mapping moves, worked out by
 * the engine), and the PSA-client picker's Enter on a partial name picks the best match or says
 * there is none. The expected money comes from the engine on the demo with the mapping written in.
 */
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { formatCents } from '../../worker/engine/decimal';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { formatMoney } from '../../src/components/format';
import { dropFiles, waitForAllGridRows, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

const DEMO = generateDemoBundle();
const [integration, tenant] = DEMO['usage.csv']!.split('\n').find((l) => l.includes(',Unassigned Devices,'))!.split(',');
const oakridge = DEMO['psa_clients.csv']!.split('\n').find((l) => l.includes('Oakridge Pediatrics'))!.split(',')[0]!;

function oakridgeAmount(files: Record<string, string>): bigint {
  const result = reconcileFiles(files);
  if (!result.ok) throw new Error('the demo must reconcile');
  const amount = result.report.clients.find((c) => c.client_id === oakridge)?.discrepancy_amount ?? '0.00';
  return BigInt(amount.replace('.', ''));
}
/** What mapping "Unassigned Devices" to Oakridge Pediatrics moves onto Oakridge, as the engine counts it. */
const MOVED = formatMoney(
  formatCents(oakridgeAmount({ ...DEMO, 'client_map.csv': `${DEMO['client_map.csv']!.trimEnd()}\n${integration},${tenant},${oakridge},mapped\n` }) - oakridgeAmount(DEMO)),
  'USD',
);

async function openUnmapped(page: Page, url: string): Promise<Locator> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await waitForWorkspace(page);
  await page.goto(`${url}/#/client-mapping`);
  await page.click('[data-testid=show-unmapped]');
  const row = page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'Unassigned Devices' }).first();
  await row.waitFor();
  return row;
}

const unmappedCount = (page: Page) => page.textContent('[data-testid=count-unmapped]');
const statusOf = (row: Locator) => row.locator('[col-id=status]').textContent();

browserTest('confidence you can see', (env) => {
  it('applies a weak suggestion only after a confirmation that shows the names, the score and the money it moves', async () => {
    const page = await env.open('/');
    const row = await openUnmapped(page, env.url);
    expect(await row.textContent()).toContain('Oakridge Pediatrics');
    expect(await row.textContent()).toContain('0.32');
    const before = await unmappedCount(page);

    await row.locator('[data-testid=accept-suggestion]').click();
    const dialog = page.locator('[data-testid=confirm-suggestion]');
    await dialog.waitFor();
    await page.waitForFunction((moved) => document.querySelector('[data-testid=confirm-suggestion-moved]')?.textContent === moved, MOVED);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('Unassigned Devices');
    expect(text).toContain('Oakridge Pediatrics');
    expect(text).toContain('0.32');
    expect(MOVED).toMatch(/^[+-]\$/);
    // Cancel is the safe default for Enter.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-suggestion-cancel');
    await screenshot(page, 'confidence-confirm');

    await page.click('[data-testid=confirm-suggestion-cancel]');
    await dialog.waitFor({ state: 'hidden' });
    expect(await unmappedCount(page)).toBe(before);
    expect(await statusOf(row)).toBe('Unmapped');

    await row.locator('[data-testid=accept-suggestion]').click();
    await page.click('[data-testid=confirm-suggestion-confirm]');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === String(n), Number(before) - 1);
    expectNoPageErrors(page);
  });

  it('closes the confirmation on Esc and changes nothing', async () => {
    const page = await env.open('/');
    const row = await openUnmapped(page, env.url);
    const before = await unmappedCount(page);
    await row.locator('[data-testid=accept-suggestion]').click();
    const dialog = page.locator('[data-testid=confirm-suggestion]');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await unmappedCount(page)).toBe(before);
    expect(await statusOf(row)).toBe('Unmapped');
    expectNoPageErrors(page);
  });

  it('picks the best match when Enter is pressed on a partial name in the PSA-client picker', async () => {
    const page = await env.open('/');
    const row = await openUnmapped(page, env.url);
    const before = await unmappedCount(page);
    await row.locator('[col-id=psaClientId]').dblclick();
    const picker = page.locator('.cell-picker');
    await picker.fill('oakri');
    await picker.press('Enter');
    await page.waitForFunction((n) => document.querySelector('[data-testid=count-unmapped]')?.textContent === String(n), Number(before) - 1);
    const mapped = page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'Unassigned Devices' });
    await page.click('[data-testid=show-mapped]');
    await page.fill('[aria-label="Search integration clients"]', 'Unassigned Devices');
    await mapped.first().waitFor();
    expect(await mapped.first().locator('[col-id=psaClientId]').textContent()).toBe(`Oakridge Pediatrics (${oakridge})`);
    expectNoPageErrors(page);
  });

  it('says there is no match when Enter is pressed on a name no PSA client has, and keeps the picker open', async () => {
    const page = await env.open('/');
    const row = await openUnmapped(page, env.url);
    await row.locator('[col-id=psaClientId]').dblclick();
    const picker = page.locator('.cell-picker');
    await picker.fill('zzzq');
    await picker.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=picker-message]')?.textContent?.startsWith('No PSA client matches "zzzq"'));
    expect(await picker.isVisible()).toBe(true);
    await screenshot(page, 'confidence-picker-no-match');
    expect(await statusOf(row)).toBe('Unmapped');
    expectNoPageErrors(page);
  });

  it('marks only the source a refused file carried as "last import failed", in yellow, and keeps it so after a reload', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await dropFiles(page, { 'rmm.csv': 'integration_id,external_client_id,record_id,product,quantity\nrmm,t1,u1,E3,abc\n' });
    const panel = (await page.textContent('[data-testid=import-result]')) ?? '';
    expect(panel).toContain('Import failed: nothing was imported.');
    expect(await page.textContent('[data-testid=import-failed-sources]')).toContain('Marked "last import failed" on Integrations: RMM (devices).');
    await page.goto(`${env.url}/#/integrations`);
    await page.reload();
    await waitForAllGridRows(page, 'integrations-grid');
    await page.waitForSelector('[data-testid=failed-imports]');
    const statuses = await page.$$eval('[data-testid=integrations-grid] .ag-row[row-id]', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('row-id'), /badge-(red|yellow|green)/.exec(r.querySelector('[col-id=status] .badge')?.className ?? '')?.[1]])));
    expect(Object.values(statuses)).not.toContain('red');
    expect(statuses['rmm']).toBe('yellow');
    expect(await page.textContent('[data-testid=failed-imports]')).toMatch(/RMM \(devices\): the last import failed.*The data in use is from the previous import/);
    expect(await page.getAttribute('[data-testid=health-warning]', 'class')).toContain('yellow');
    await screenshot(page, 'confidence-failed-import-integrations');
    expectNoPageErrors(page);
  });

  it('says on Integrations that the PSA files\' last import failed and that the previous PSA import is in use, leaving every integration as it was', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    // A duplicate client_id (spec §7): the whole file is refused.
    await dropFiles(page, { 'psa_clients.csv': 'client_id,client_name\nC1,Alpha\nC1,Alpha again\n' });
    expect((await page.textContent('[data-testid=import-result]')) ?? '').toContain('Import failed: nothing was imported.');
    await page.goto(`${env.url}/#/integrations`);
    await page.reload();
    await waitForAllGridRows(page, 'integrations-grid');
    const band = (await page.textContent('[data-testid=psa-import-failed]')) ?? '';
    expect(band).toMatch(/PSA: the last import failed \(\d{4}-\d\d-\d\d \d\d:\d\d UTC, psa_clients\.csv\)/);
    expect(band).toContain('in use are from the previous PSA import');
    const statuses = await page.$$eval('[data-testid=integrations-grid] .ag-row[row-id]', (rows) => rows.map((r) => /badge-(red|yellow|green)/.exec(r.querySelector('[col-id=status] .badge')?.className ?? '')?.[1]));
    expect(statuses).not.toContain('red');
    await screenshot(page, 'confidence-failed-psa-import-integrations');
    expectNoPageErrors(page);
  });

  it('returns from any tab of a client to the list it was opened from with one Esc', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/billing/review`);
    await page.waitForSelector('[data-testid=review-grid]');
    const client = DEMO['psa_clients.csv']!.split('\n')[1]!.split(',')[0]!;
    for (const tab of ['services', 'seats', 'lines']) {
      await page.goto(`${env.url}/#/billing/client/${encodeURIComponent(client)}/${tab}`);
      await page.waitForSelector('[data-testid=client-detail]');
    }
    await page.locator('h1').click();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash === '#/billing/review');
    expectNoPageErrors(page);
  });
});
