/** The audit trail and month close in Chromium: who changed what, and how two closed months differ. */
import { expect, it } from 'vitest';
import { closeMonth, compareFirstTwoMonths, waitForGridText, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

browserTest('history and month close', (env) => {
  it('records who changed a mapping, and compares two closed months client by client', async () => {
    const page = await env.open('/');
    await waitForWorkspace(page);
    await page.setViewportSize({ width: 1600, height: 1200 });
    await page.goto(`${env.url}/#/settings`);
    await page.fill('[data-testid=display-name]', 'Dana from Finance');
    await page.press('[data-testid=display-name]', 'Tab');

    await page.goto(`${env.url}/#/history`);
    await page.click('[data-testid=history-months]');
    await page.fill('[data-testid=month-name]', 'Before mapping');
    await page.click('[data-testid=close-month]');
    await page.waitForSelector('[data-testid=snapshots-grid] .ag-row');

    await page.goto(`${env.url}/#/client-mapping`);
    const row = page.locator('[data-testid=client-mapping-grid] .ag-row', { hasText: 'MULLER BACKEREI' }).first();
    await row.locator('[data-testid=accept-suggestion]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=count-unmapped]')?.textContent === '4');

    await page.goto(`${env.url}/#/history`);
    const changes = await waitForGridText(page, 'audit-grid', ['Dana from Finance']);
    expect(changes).toContain('Dana from Finance');
    expect(changes).toMatch(/edr client org_\w+ mapped to C\d+/);

    await page.click('[data-testid=history-months]');
    await closeMonth(page, 'After mapping', 2);
    await compareFirstTwoMonths(page);
    // Mapping Müller's EDR tenant cancels its -12 EDR discrepancy (12 × 6.50 = 78.00): one client changed by +78.00.
    expect(await page.textContent('[data-testid=comparison-summary]')).toContain('1 changed');
    expect(await page.textContent('[data-testid=comparison-summary]')).toContain('+$78.00');
    await screenshot(page, 'history-month-compare');
    expectNoPageErrors(page);
  });
});
