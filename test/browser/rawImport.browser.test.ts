/**
 * Real exports in Chromium: a folder of raw vendor files reconciles; a file no profile knows opens
 * the mapping wizard (live preview, save as a workspace profile); next month's file with the same
 * header imports without it. Also counts the clicks from the drop to a fully mapped workspace.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ROOT, browserTest, expectNoPageErrors, screenshot } from './harness';
import { dropFiles, readClientRows, statValue, waitForGridText, waitForWorkspace } from './appDriver';

const RAW = path.join(ROOT, 'test/fixtures/raw');
const folder = (dir: string): Record<string, Uint8Array> => Object.fromEntries(readdirSync(path.join(RAW, dir)).sort().map((name) => [`${dir}/${name}`, new Uint8Array(readFileSync(path.join(RAW, dir, name)))]));
const ACRONIS = new Uint8Array(readFileSync(path.join(RAW, 'acronis-unknown.csv')));

/** Settings › Clear workspace, then back home to the empty state. */
async function clearWorkspace(page: Page, url: string): Promise<void> {
  page.once('dialog', (d) => void d.accept());
  await page.goto(`${url}/#/settings`);
  await page.click('[data-testid=clear-workspace]');
  await page.goto(`${url}/#/`);
  await page.waitForSelector('.empty-state', { timeout: 30_000 });
}

/** Drops files and waits for the wizard (not the import result: nothing is imported yet). */
async function dropForWizard(page: Page, files: Record<string, Uint8Array>): Promise<void> {
  const entries = Object.entries(files).map(([name, bytes]) => [name, Array.from(bytes)] as const);
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const [name, content] of list) dt.items.add(new File([new Uint8Array(content)], name, { type: 'text/csv' }));
    return dt;
  }, entries);
  await page.dispatchEvent('.app', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
  await page.waitForSelector('[data-testid=import-wizard]', { timeout: 60_000 });
}

async function shots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(250);
    await screenshot(page, `${name}-${width}`);
  }
}

browserTest('raw exports', (env) => {
  it('imports a folder of raw exports into the reconciled table, listing every file', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    await dropFiles(page, { ...folder('2026-11'), '2026-11/.DS_Store': new Uint8Array([0, 1]), '2026-11/notes.json': new TextEncoder().encode('{"hello":1}') });
    const result = (await page.textContent('[data-testid=import-result]')) ?? '';
    expect(result).toContain('Imported 7 files');
    expect(result).toContain('2 files skipped');
    const rows = await page.$$eval('[data-testid=import-report] tr[data-file]', (trs) => trs.map((tr) => ({ file: tr.getAttribute('data-file'), status: tr.getAttribute('data-status'), text: tr.textContent })));
    expect(rows.map((r) => [r.file, r.status])).toEqual(
      expect.arrayContaining([
        ['2026-11/m365-acmedental.csv', 'imported'],
        ['2026-11/m365-brightside-de.csv', 'imported'],
        ['2026-11/.DS_Store', 'skipped'],
        ['2026-11/notes.json', 'skipped'],
      ]),
    );
    expect(rows.find((r) => r.file === '2026-11/m365-acmedental.csv')?.text).toContain('Licenses is "Unlicensed" (3)');
    expect(await page.textContent('[data-testid=import-report]')).toMatch(/m365-brightside-de\.csv: not valid UTF-8, read as Windows-1252/);
    await shots(page, 'raw-import-report');

    const table = await readClientRows(page, env.url);
    expect(table.map((r) => r.clientId).length).toBeGreaterThanOrEqual(3);
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'raw-billing-invoices');

    await page.goto(`${env.url}/#/integrations`);
    const names = ['Microsoft 365', 'NinjaOne', 'Pax8', 'SentinelOne'];
    const integrations = await waitForGridText(page, 'integrations-grid', names);
    for (const name of names) expect(integrations).toContain(name);
    await shots(page, 'raw-integrations');

    // A tenant named after its domain can be renamed from the report: its rows move to the new name.
    const acme = page.locator('[data-testid=import-report] tr[data-file="2026-11/m365-acmedental.csv"]');
    await acme.locator('[data-testid=rename-tenant]').click();
    await acme.locator('.rename-tenant input').fill('Acme Dental (M365)');
    await screenshot(page, 'raw-rename-tenant');
    await acme.locator('.rename-tenant button[type=submit]').click();
    await page.waitForSelector('[data-testid=import-report] tr[data-file="2026-11/m365-acmedental.csv"]:has-text("client Acme Dental (M365)")');
    await page.goto(`${env.url}/#/client-mapping`);
    // The rename reaches the grid once the core has re-read the import: wait for it, not for the first rows.
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid=client-mapping-grid]')?.textContent ?? '';
        return text.includes('Acme Dental (M365)') && !text.includes('acmedental.com');
      },
      undefined,
      { timeout: 30_000 },
    );
    expectNoPageErrors(page);
  });

  it('maps an unknown file in the wizard with a live preview, saves the profile, and applies it next month by itself', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    await dropForWizard(page, { 'acronis-unknown.csv': ACRONIS });
    // Nothing is imported while the wizard is open.
    expect(await page.textContent('[data-testid=import-result]')).toContain('no profile knows');
    await page.waitForSelector('[data-testid=raw-grid] .ag-row');
    await page.waitForSelector('[data-testid=preview-summary]');
    await shots(page, 'wizard-guessed');

    // Map it: numbers with a decimal comma read wrong under a dot → errors by row; fix the locale back.
    await page.selectOption('[data-testid=locale-decimal]', '.');
    await page.selectOption('[data-testid=locale-thousands]', ',');
    await page.waitForSelector('[data-testid=preview-errors] li');
    expect(await page.textContent('[data-testid=preview-errors]')).toMatch(/row 3, column Storage used \(GB\)/);
    expect(await page.isDisabled('[data-testid=save-profile]')).toBe(true);
    await shots(page, 'wizard-errors');
    await page.selectOption('[data-testid=locale-decimal]', ',');
    await page.selectOption('[data-testid=locale-thousands]', '.');
    await page.waitForFunction(() => !document.querySelector('[data-testid=preview-errors]'));

    // Say which column is which, leave out a plan, name the integration and the profile.
    await page.selectOption('[data-testid=field-category]', 'col:Plan');
    await page.click('[data-testid=add-skip]');
    await page.selectOption('[data-testid=skip-column-0]', 'Plan');
    await page.fill('[data-testid=skip-values-0]', 'Trial');
    await page.fill('[data-testid=integration-name]', 'Acronis');
    await page.fill('[data-testid=profile-name]', 'Acronis · Backup report');
    await page.waitForSelector('[data-testid=preview-grid] .ag-row');
    const summary = (await page.textContent('[data-testid=preview-summary]')) ?? '';
    expect(summary).toMatch(/^1 row read → 1 usage row\b/);
    const preview = await page.$$eval('[data-testid=preview-grid] .ag-row[row-index="0"] [col-id]', (cells) => Object.fromEntries(cells.map((c) => [c.getAttribute('col-id'), c.textContent])));
    expect(preview).toMatchObject({ integration_id: 'acronis', external_client_id: 'acme', record_id: 'ACME-DC01', quantity: '1024.5', last_active: '2026-11-28' });
    await shots(page, 'wizard-mapped');

    await page.click('[data-testid=save-profile]');
    await page.waitForSelector('[data-testid=import-result].ok, [data-testid=import-result] :text("Imported")', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=import-report]')).toContain('Acronis · Backup report (saved profile)');
    expect(await page.isVisible('[data-testid=import-wizard]')).toBe(false);

    // Next month: the same header under another name imports without the wizard.
    await dropFiles(page, { 'acronis-2026-12.csv': ACRONIS });
    expect(await page.textContent('[data-testid=import-result]')).toContain('Imported 1 file');
    expect(await page.textContent('[data-testid=import-report]')).toContain('Acronis · Backup report (saved profile)');
    expect(await page.isVisible('[data-testid=import-wizard]')).toBe(false);

    // The profile is listed in Settings, with Edit / Copy / Delete; built-in ones can be copied.
    await page.goto(`${env.url}/#/settings`);
    await page.waitForSelector('[data-testid=import-profiles] tr:has-text("Acronis · Backup report")');
    await page.locator('[data-testid=import-profiles]').scrollIntoViewIfNeeded();
    await shots(page, 'settings-import-profiles');
    await page.click('[data-testid=copy-m365-active-users]');
    await page.waitForSelector('[data-testid=import-wizard]');
    expect(await page.inputValue('[data-testid=profile-name]')).toBe('Microsoft 365 · Active users (copy)');
    await shots(page, 'profile-editor-copy');
    await page.click('[data-testid=save-profile]');
    await page.waitForSelector('[data-testid=import-profiles] tr:has-text("Microsoft 365 · Active users (copy)")');
    expectNoPageErrors(page);
  });

  it('previews a profile edited in Settings live on a sample export chosen there, nothing imported', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    await page.goto(`${env.url}/#/settings`);
    await page.click('[data-testid=copy-m365-active-users]');
    await page.waitForSelector('[data-testid=import-wizard]');
    // Without a file the editor says what to do instead of showing an empty preview.
    expect(await page.textContent('[data-testid=profile-sample-status]')).toContain('Without a file there is nothing to preview');
    expect(await page.isVisible('[data-testid=wizard-preview]')).toBe(false);
    await page.setInputFiles('[data-testid=profile-sample-file]', { name: 'm365-acmedental.csv', mimeType: 'text/csv', buffer: readFileSync(path.join(RAW, '2026-11', 'm365-acmedental.csv')) });
    await page.waitForSelector('[data-testid=preview-summary]');
    expect(await page.textContent('[data-testid=profile-sample-status]')).toContain('Previewing with m365-acmedental.csv: 6 rows');
    expect(await page.textContent('[data-testid=preview-summary]')).toMatch(/^6 rows read → 4 usage rows, 3 rows left out \(Licenses is "Unlicensed": 3\) · client of this file: acmedental\.com/);
    // An edit shows at once: one product per cell instead of splitting on "+".
    await page.fill('[data-testid=explode]', '');
    await page.waitForFunction(() => /→ 3 usage rows/.test(document.querySelector('[data-testid=preview-summary]')?.textContent ?? ''));
    await shots(page, 'profile-editor-sample-preview');
    await page.click('[data-testid=profile-editor-back]');
    await page.goto(`${env.url}/#/`);
    await page.waitForSelector('.empty-state');
    expectNoPageErrors(page);
  });

  it('reads an .xlsx export in the browser: the sheet with the header, typed numbers and dates', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    await dropFiles(page, { 'nable-efile-2026-11.xlsx': new Uint8Array(readFileSync(path.join(RAW, 'xlsx', 'nable-efile-2026-11.xlsx'))) });
    const row = page.locator('[data-testid=import-report] tr[data-file="nable-efile-2026-11.xlsx"]');
    expect(await row.getAttribute('data-status')).toBe('imported');
    expect(await row.textContent()).toContain('N-able · Billing efile');
    expect(await page.textContent('[data-testid=import-report]')).toContain('sheet "Usage"');
    await page.goto(`${env.url}/#/integrations`);
    expect(await waitForGridText(page, 'integrations-grid', ['N-able'])).toContain('N-able');
    expectNoPageErrors(page);
  });

  it('opens a recognised file whose dates do not read in the wizard, from its profile, to read them day-first', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    // A NinjaOne export made by a UK user: day/month/year, so 27/11/2026 is no US date.
    const uk = 'ID,Display Name,Client Name,Location,Role,OS Name,Last Online\n1001,ACME-DC01,Acme Dental Group,Main,WINDOWS_SERVER,Windows Server 2022,27/11/2026 15:42\n';
    await dropFiles(page, { 'ninjaone-uk.csv': uk });
    expect(await page.textContent('[data-testid=import-result]')).toContain('nothing was imported');
    expect(await page.textContent('[data-testid=import-result]')).toMatch(/ninjaone-uk\.csv, row 2, column Last Online/);
    await page.click('[data-testid=adjust-file]');
    await page.waitForSelector('[data-testid=import-wizard]');
    await page.waitForSelector('[data-testid=preview-errors] li');
    expect(await page.textContent('[data-testid=wizard-hints]')).toContain('Read as NinjaOne · Devices');
    await page.selectOption('[data-testid=locale-date]', 'DMY');
    await page.waitForFunction(() => !document.querySelector('[data-testid=preview-errors]'));
    await page.fill('[data-testid=profile-name]', 'NinjaOne · Devices (UK)');
    await shots(page, 'wizard-adjust');
    await page.click('[data-testid=save-profile]');
    await page.waitForSelector('[data-testid=import-result] :text("Imported 1 file")', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=import-report]')).toContain('NinjaOne · Devices (UK) (saved profile)');
    expectNoPageErrors(page);
  });

  it('counts every click from the drop to a fully mapped workspace: 16, none of them an exclusion or a hand edit', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await clearWorkspace(page, env.url);
    // Every click the user makes, by what it does: the list is compared whole, so an Exclude, a
    // hand-picked client or service, or a second try cannot slip in under another step's name.
    const clicks: string[] = [];
    const click = async (what: string, selector: string) => {
      clicks.push(what);
      await page.click(selector);
    };
    const open = (label: string) => click(`open ${label}`, `nav[aria-label=Main] a:has-text("${label}")`);
    await dropFiles(page, folder('2026-11'));

    // Client mapping: the confident suggestions (≥ 0.90, the default threshold) in one click…
    await open('Client mapping');
    await page.waitForSelector('[data-testid=client-mapping-grid] .ag-row');
    expect(await page.textContent('[data-testid=accept-all]')).toBe('Accept 7 suggestions');
    await click('accept 7 suggestions', '[data-testid=accept-all]');
    await page.waitForFunction(() => document.querySelector('[data-testid=accept-all]')?.hasAttribute('disabled'));
    // …then each weaker one: Accept, and Confirm in the dialog that shows what money it moves.
    for (let guard = 0; guard < 30; guard++) {
      const left = Number((await page.textContent('[data-testid=count-unmapped]')) ?? '0');
      if (left === 0) break;
      const accept = '[data-testid=client-mapping-grid] .ag-row:has(.badge-unmapped) [data-testid=accept-suggestion]';
      // A row with no suggestion would need a hand pick or an Exclude: not part of the count, so it fails below.
      if ((await page.locator(accept).count()) === 0) break;
      await click('accept a suggestion', `${accept} >> nth=0`);
      await page.waitForFunction(
        (n) => (document.querySelector('[data-testid=confirm-suggestion]') as HTMLDialogElement | null)?.open || Number(document.querySelector('[data-testid=count-unmapped]')?.textContent) < n,
        left,
      );
      if (await page.locator('[data-testid=confirm-suggestion]').isVisible()) await click('confirm a weak match', '[data-testid=confirm-suggestion-confirm]');
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=count-unmapped]')?.textContent) < n, left);
    }
    expect(await page.textContent('[data-testid=count-unmapped]')).toBe('0');
    expect(await page.textContent('[data-testid=count-excluded]')).toBe('0');
    expect(await page.textContent('[data-testid=count-mapped]')).toBe('11');
    await screenshot(page, 'raw-client-mapping-done');

    // Service mapping: each integration's own preset is preselected, one click each.
    await open('Service mapping');
    await page.waitForSelector('.preset-offer');
    for (let guard = 0; guard < 10; guard++) {
      const offer = await page.$$eval('.preset-offer', (els) => els[0]?.getAttribute('data-testid') ?? null);
      if (offer === null) break;
      await click('add a preset', `[data-testid=${offer}] button:has-text("Add these rules")`);
      // The offer goes once its integration has rules.
      await page.waitForSelector(`[data-testid=${offer}]`, { state: 'detached', timeout: 10_000 });
    }
    await screenshot(page, 'raw-service-mapping-done');

    // Checked on Home (the check's navigation is not the user's work).
    await page.goto(`${env.url}/#/`);
    await page.waitForSelector('[data-testid=stat-unmapped]');
    const unmapped = await statValue(page, 'stat-unmapped');
    const unaccounted = await statValue(page, 'stat-unaccounted');
    console.log(`clicks from the drop to a mapped workspace: ${clicks.length}\n  ${clicks.join('\n  ')}`);
    await screenshot(page, 'raw-home-mapped');
    expect(unmapped).toBe('0');
    expect(unaccounted).toBe('0');
    // Done when: nothing by hand beyond confirming client matches and choosing presets. The README states this count.
    const repeat = (n: number, what: string[]) => Array.from({ length: n }, () => what).flat();
    expect(clicks).toEqual([
      'open Client mapping',
      'accept 7 suggestions',
      ...repeat(4, ['accept a suggestion', 'confirm a weak match']),
      'open Service mapping',
      ...repeat(5, ['add a preset']),
    ]);
    expect(clicks.length).toBe(16);
    expectNoPageErrors(page);
  });
});
