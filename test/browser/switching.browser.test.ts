/**
 * Opening a screen in steps, each its own frame, so no step holds the page long at 1M usage rows
 * (scratch/switchBench.mts measures the gaps; these tests check the order of the steps, not times).
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors } from './harness';

/**
 * Goes to `hash` and returns the animation frame in which each selector first matched: a frame
 * counter that a requestAnimationFrame loop advances, read by a MutationObserver.
 */
async function framesOf(page: Page, hash: string, selectors: readonly string[]): Promise<number[]> {
  // A string, not a function: tsx's transform would add helpers (__name) the page does not have.
  await page.evaluate(`(() => {
    const seen = (window.__seen = ${JSON.stringify(selectors)}.map(() => -1));
    let frame = 0;
    const tick = () => { frame++; if (seen.includes(-1)) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const check = () => ${JSON.stringify(selectors)}.forEach((s, i) => { if (seen[i] < 0 && document.querySelector(s)) seen[i] = frame; });
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true });
    location.hash = ${JSON.stringify(hash)};
  })()`);
  await page.waitForFunction(() => !(window as unknown as { __seen: number[] }).__seen.includes(-1), undefined, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __seen: number[] }).__seen);
}

browserTest('switching', (env) => {
  it('draws a screen, then its grid, then the grid rows, each in a later frame', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    const grid = '[data-testid=client-mapping-grid]';
    const [screen, created, rows] = await framesOf(page, '#/client-mapping', [grid, `${grid} .ag-root-wrapper`, `${grid} .ag-row`]);
    expect(created).toBeGreaterThan(screen!);
    expect(rows).toBeGreaterThan(created!);
    expectNoPageErrors(page);
  });

  it('builds the PSA client picker options only once a picker opens', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.goto(`${env.url}/#/client-mapping`);
    const row = page.locator('[data-testid=client-mapping-grid] .ag-row').first();
    await row.waitFor();
    expect(await page.locator('#psa-clients-list option').count()).toBe(0);
    await row.locator('[col-id=psaClientId]').dblclick();
    await page.locator('.cell-picker').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#psa-clients-list option').length > 0);
    expectNoPageErrors(page);
  });
});
