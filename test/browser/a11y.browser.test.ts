/**
 * axe-core (WCAG 2.1 A and AA) on every screen of the demo, with each dialog open, and with the red
 * warning band of a failed sync: no serious or critical violation.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { dropFiles, waitForWorkspace } from './appDriver';
import { ROOT, browserTest, expectNoPageErrors } from './harness';

const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

const SCREENS = ['', 'integrations', 'client-mapping', 'service-mapping', 'billing/invoices', 'billing/review', 'billing/flags', 'billing/inactive', 'adjustments', 'history', 'settings'];
const CLIENT_TABS = ['services', 'integrations', 'seats', 'lines', 'unaccounted', 'history'];

interface Found {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

async function serious(page: Page): Promise<Found[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`) }));
  });
}

/** The violations, one line each with where, as the test reports them. */
const lines = (where: string, found: Found[]) => found.map((v) => `${where}: ${v.impact} ${v.id} (${v.help})\n    ${v.nodes.join('\n    ')}`);

async function openScreen(page: Page, url: string, route: string): Promise<void> {
  await page.goto(`${url}/#/${route}`);
  await page.waitForSelector('.content h1', { timeout: 30_000 });
  await page.waitForSelector('.content .ag-row, .content .empty-state', { timeout: 5_000 }).catch(() => undefined);
}

browserTest('accessibility', (env) => {
  it('finds no serious or critical axe violation on any screen of the demo', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await openScreen(page, env.url, 'billing/invoices');
    const client = await page.$eval('[data-testid=clients-grid] .ag-row[row-id]', (r) => r.getAttribute('row-id')!);
    const routes = [...SCREENS, ...CLIENT_TABS.map((tab) => `billing/client/${encodeURIComponent(client)}/${tab}`)];
    const found: string[] = [];
    for (const route of routes) {
      await openScreen(page, env.url, route);
      for (const v of await serious(page)) found.push(`/${route}: ${v.impact} ${v.id} (${v.help})\n    ${v.nodes.join('\n    ')}`);
    }
    expect(found, found.join('\n')).toEqual([]);
    expectNoPageErrors(page);
  }, 300_000);

  it('finds no serious or critical axe violation with the bulk-approve dialog or the weak-suggestion confirmation open', async () => {
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    const found: string[] = [];

    await openScreen(page, env.url, 'billing/review');
    for (const i of [0, 1]) await page.click(`[data-testid=review-grid] .ag-row[row-index="${i}"] .ag-selection-checkbox input`);
    await page.click('[data-testid=approve-selected]');
    await page.waitForSelector('[data-testid=bulk-warning]');
    found.push(...lines('bulk-approve dialog', await serious(page)));
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=bulk-warning]', { state: 'hidden' });

    // "Unassigned Devices" → Oakridge Pediatrics at 0.32: below the threshold, so Accept asks first.
    await openScreen(page, env.url, 'client-mapping');
    await page.click('[data-testid=show-unmapped]');
    const row = page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'Unassigned Devices' }).first();
    await row.locator('[data-testid=accept-suggestion]').click();
    await page.waitForSelector('[data-testid=confirm-suggestion]');
    // Once the money it moves is worked out: the dialog as the user reads it.
    await page.waitForSelector('[data-testid=confirm-suggestion-moved]');
    found.push(...lines('weak-suggestion confirmation', await serious(page)));
    await page.keyboard.press('Escape');

    expect(found, found.join('\n')).toEqual([]);
    expectNoPageErrors(page);
  }, 120_000);

  it('finds no serious or critical axe violation with the red band of a failed sync shown', async () => {
    // The demo with its backup integration's last sync failed: the red warning band on every screen.
    const bundle = generateDemoBundle();
    const workspace = JSON.parse(bundle['workspace.json']!) as { integrations: { id: string; lastSyncStatus: string }[] };
    workspace.integrations[0]!.lastSyncStatus = 'failed';
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await dropFiles(page, { ...bundle, 'workspace.json': JSON.stringify(workspace, null, 2) });
    await waitForWorkspace(page);
    const found: string[] = [];
    for (const route of ['', 'billing/invoices']) {
      await openScreen(page, env.url, route);
      await page.waitForSelector('[data-testid=health-warning].red');
      found.push(...lines(`/${route} with the red band`, await serious(page)));
    }
    expect(found, found.join('\n')).toEqual([]);
    expectNoPageErrors(page);
  }, 120_000);
});
