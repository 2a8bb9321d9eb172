/**
 * The production build served by the relay (as `npm start` does), under the relay's
 * Content-Security-Policy: the app must open and work with no inline script, no eval and no
 * framing. Chromium reports every CSP violation as a console error, which fails the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { waitForWorkspace } from './appDriver';
import { ROOT, browserTest, expectNoPageErrors } from './harness';

/** Where the harness's `built: true` puts the build (startBuiltApp's default). */
const BUILT = path.join(ROOT, 'node_modules', '.ledgerline-built-app');

let relay: Relay | undefined;
let work: string | undefined;

browserTest(
  'the built app under the relay’s Content-Security-Policy',
  (env) => {
    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-csp-'));
      // A copy: another test file building at the same moment empties the shared folder.
      const app = path.join(work, 'app');
      fs.cpSync(BUILT, app, { recursive: true });
      relay = await startRelay({ dataDir: path.join(work, 'data'), staticDir: app });
    });

    afterAll(async () => {
      await relay?.close();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('opens on the demo and shows the Billing table with no CSP violation or other console error', async () => {
      const context = await env.newContext();
      const page = await context.newPage();
      const origin = `http://127.0.0.1:${relay!.port}`;
      const response = await page.goto(`${origin}/`, { waitUntil: 'load' });
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await waitForWorkspace(page);
      await page.goto(`${origin}/#/billing/invoices`);
      await page.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 30_000 });
      expect(await page.locator('[data-testid=clients-grid] .ag-row').count()).toBeGreaterThan(0);
      // AG Grid's injected theme is allowed (style-src 'unsafe-inline'): the grid has its layout.
      const headerHeight = await page.locator('[data-testid=clients-grid] .ag-header').evaluate((el) => el.getBoundingClientRect().height);
      expect(headerHeight).toBeGreaterThan(0);
      expectNoPageErrors(page);
    });
  },
  { built: true },
);
