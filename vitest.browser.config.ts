/**
 * Browser tests (test/browser/**\/*.browser.test.ts): a second vitest run after the unit tests,
 * in Node; each file starts the app's dev server and Debian's Chromium (see DEVELOPERS.md).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    globalSetup: ['test/browser/globalSetup.ts'],
    environment: 'node',
    // One Chromium at a time: the machines that run this have 2 cores.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
