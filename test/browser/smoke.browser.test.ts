/** The app opens in a real Chromium: it has its title, renders some text, and logs no errors. */
import { expect, it } from 'vitest';
import { browserTest, expectNoPageErrors, screenshot } from './harness';

browserTest('smoke', (env) => {
  it('opens the app: titled, shows text, no page errors', async () => {
    const page = await env.open('/');
    expect(await page.title()).toContain('Ledgerline');
    await page.waitForFunction(() => document.body.innerText.trim().length > 0, undefined, { timeout: 15_000 });
    await screenshot(page, 'smoke');
    expectNoPageErrors(page);
  });
});
