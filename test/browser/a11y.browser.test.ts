/**
 * axe-core (WCAG 2.1 A and AA) on every screen of the demo: no serious or critical violation.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { waitForWorkspace } from './appDriver';
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
});
