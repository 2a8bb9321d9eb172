import { configDefaults, defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  plugins: [solid()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Browser tests have their own run (vitest.browser.config.ts, `npm run test:browser`).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    environment: 'node',
    // The engine is CPU-bound; two workers match the 2-core machines this runs on.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
