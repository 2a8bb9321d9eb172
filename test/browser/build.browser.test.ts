/**
 * The production build, as `npm start` serves it: the core's worker is bundled (a worker URL the
 * bundler does not see ships as source and never starts), the screens' chunk loads after the
 * entry, and two tabs share the workspace.
 */
import { expect, it } from 'vitest';
import { statValue, waitForWorkspace } from './appDriver';
import { browserTest, expectNoPageErrors } from './harness';

browserTest(
  'the production build',
  (env) => {
    it('opens on the demo with its numbers, and an edit in one tab shows in the other', async () => {
      const a = await env.open('/');
      await waitForWorkspace(a);
      expect(await statValue(a, 'stat-unmapped')).not.toBe('');
      const b = await env.open('/#/client-mapping', { context: a.context() });
      await b.waitForSelector('[data-testid=accept-suggestion]');
      const unmapped = Number(await b.textContent('[data-testid=count-unmapped]'));
      await b.locator('[data-testid=accept-suggestion]').first().click();
      // A suggestion below the threshold asks first.
      if (await b.locator('[data-testid=confirm-suggestion]').isVisible()) await b.click('[data-testid=confirm-suggestion-confirm]');
      await a.waitForFunction(
        (n) => document.querySelector('[data-testid=stat-unmapped] .stat-value')?.textContent?.trim() === String(n),
        unmapped - 1,
        { timeout: 10_000 },
      );
      expectNoPageErrors(a);
      expectNoPageErrors(b);
    });
  },
  { built: true },
);
