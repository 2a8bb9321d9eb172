/**
 * Builds the app once for the whole browser run: every test file then serves that build (vite
 * preview) instead of starting a dev server of its own, which transformed ~200 modules afresh per
 * file and made each page load fetch them one by one (the tabs file took 90 s on the dev server,
 * 55 s on the build). The build is the production one plus the test hooks (VITE_LEDGERLINE_TEST_HOOKS).
 * Each run builds into a folder of its own, so two runs at once do not serve each other's files.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outDir = path.join(ROOT, 'node_modules', `.ledgerline-test-app-${process.pid}`);
  await build({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    // Errors only: the bundler's notes on its own plugin timings are not the tests' business.
    logLevel: 'error',
    define: { 'import.meta.env.VITE_LEDGERLINE_TEST_HOOKS': JSON.stringify('1') },
    build: { outDir, emptyOutDir: true },
  });
  project.provide('testAppDir', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    testAppDir: string;
  }
}
