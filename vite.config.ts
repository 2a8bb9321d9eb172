import { configDefaults, defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  plugins: [solid()],
  worker: { format: 'es' },
  // AG Grid alone is ~1 MB minified; one chunk loads faster than many for a local app.
  build: { chunkSizeWarningLimit: 2500 },
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
