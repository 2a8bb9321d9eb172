/**
 * Details a paying user notices: long lists drawn only where they are seen (virtualised grids), money
 * written one way everywhere, an empty state that says what is true, `PORT` honoured by `npm start`,
 * and the harness failing on the grid library's warnings.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { dropFiles, waitForWorkspace } from './appDriver';
import { ROOT, browserTest, expectNoPageErrors, pageProblems, screenshot } from './harness';

/** Rows a grid holds (its aria-rowcount, less the header rows) and rows it has in the DOM. */
function rowsOf(page: Page, testId: string): Promise<{ data: number; inDom: number }> {
  return page.$eval(`[data-testid=${testId}]`, (grid) => {
    const total = Number(grid.querySelector('[aria-rowcount]')?.getAttribute('aria-rowcount') ?? NaN);
    const headerRows = new Set([...grid.querySelectorAll('.ag-header [role=row][aria-rowindex]')].map((r) => r.getAttribute('aria-rowindex'))).size;
    const inDom = new Set([...grid.querySelectorAll('.ag-row[row-id]')].map((r) => r.getAttribute('row-id'))).size;
    return { data: total - headerRows, inDom };
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

browserTest('details', (env) => {
  it('keeps only the rows in view in the DOM for hundreds of clients, review items and new revenue', async () => {
    // A book of 300 clients: 300 reconciled invoices, a review page of 500 discrepancies, ~90 new-revenue items.
    const bundle = generateDemoBundle({ clients: 300, usageRows: 30_000 });
    const page = await env.open('/');
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForWorkspace(page);
    await dropFiles(page, bundle);
    await waitForWorkspace(page);

    await page.goto(`${env.url}/#/billing/invoices`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clients-grid] [aria-rowcount]')?.getAttribute('aria-rowcount')) > 300);
    const clients = await rowsOf(page, 'clients-grid');
    expect(clients.data).toBe(300);
    expect(clients.inDom).toBeGreaterThan(5);
    expect(clients.inDom).toBeLessThan(60);

    await page.goto(`${env.url}/#/billing/review`);
    await page.waitForSelector('[data-testid=new-revenue-grid] .ag-row');
    const review = await rowsOf(page, 'review-grid');
    expect(review.data).toBeGreaterThanOrEqual(300);
    expect(review.inDom).toBeLessThan(60);
    // New revenue was the one drawn whole (603 rows, 27,573 elements at 1M usage rows).
    const newRevenue = await rowsOf(page, 'new-revenue-grid');
    expect(newRevenue.data).toBeGreaterThan(60);
    expect(newRevenue.inDom).toBeGreaterThan(3);
    expect(newRevenue.inDom).toBeLessThan(newRevenue.data / 2);
    // Scrolled to its end, the grid draws the last rows (and lets go of the first).
    await page.$eval('[data-testid=new-revenue-grid] .ag-body-vertical-scroll-viewport', (v) => v.scrollTo(0, v.scrollHeight));
    await page.waitForFunction((n) => !!document.querySelector(`[data-testid=new-revenue-grid] .ag-row[row-index="${n - 1}"]`), newRevenue.data);
    expect((await rowsOf(page, 'new-revenue-grid')).inDom).toBeLessThan(newRevenue.data / 2);
    await screenshot(page, 'details-long-review');
    expectNoPageErrors(page);
  }, 180_000);

  it('shows the monthly total of approved adjustments on Home as money ($80.50), as everywhere else', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/adjustments`);
    const total = (await page.waitForSelector('[data-testid=adjustments-total]').then((e) => e.textContent()))!.trim();
    expect(total).toMatch(/^[+−-]?\$[\d,]+\.\d\d$/);
    await page.goto(`${env.url}/#/`);
    const card = page.locator('.stat-card', { hasText: 'Approved adjustments' });
    const hint = (await card.locator('.stat-hint').textContent())!.trim();
    expect(hint).toBe(`monthly total ${total}`);
    expect(hint).not.toMatch(/USD/);
    expectNoPageErrors(page);
  });

  it('does not ask to clear a filter on an empty Billing when no filter is set', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${env.url}/#/settings`);
    await page.click('[data-testid=clear-workspace]');
    await page.goto(`${env.url}/#/billing/invoices`);
    const empty = (await page.waitForSelector('.content .empty-state').then((e) => e.textContent()))!;
    expect(empty).not.toMatch(/clear a filter/i);
    expect(empty).toMatch(/import/i);
    expectNoPageErrors(page);
  });

  it('fails a page on an AG Grid warning, not only on errors', async () => {
    const page = await env.open('/');
    await page.evaluate(() => {
      console.warn('AG Grid: warning #48 Cell data type is "object" but no Value Formatter has been provided. colId=types');
      console.warn('an ordinary warning the app chose to log');
    });
    await expect.poll(() => pageProblems(page).map((p) => p.kind)).toEqual(['warning']);
    expect(() => expectNoPageErrors(page)).toThrow(/warning #48/);
  });
});

it('serves `npm start` on the port PORT names', async () => {
  // npm start builds the demo and the app first; what picks the port is its last command, run here as npm runs it.
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const serve = start.split('&&').at(-1)!.trim();
  expect(serve).toMatch(/PORT=\$\{PORT:-\d+\}/);
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ledgerline-port-'));
  const child = spawn('sh', ['-c', serve], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: sh and the server it starts are stopped together.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await expect.poll(() => out, { timeout: 30_000, interval: 200 }).toMatch(/relay listening on/);
    expect(out).toContain(`127.0.0.1:${port}`);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBeLessThan(500);
  } finally {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
