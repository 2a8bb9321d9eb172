// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folder boundaries (design card): the engine is pure and shared, so it may import nothing from the app or the relay. */
const outsideWorker = ['**/src/**', '../src/*', '../../src/*', '**/server/**', '../server/*', '../../server/*'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'demo/', 'bench-out/', 'test-results/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: outsideWorker, message: 'worker/ is the pure engine: it must not import from src/ (the app) or server/ (the relay).' },
          { group: ['dexie', 'solid-js', 'solid-js/*', 'ag-grid-community', 'y-indexeddb', 'y-websocket'], message: 'worker/ holds no UI or storage code.' },
        ],
      }],
    },
  },
  {
    files: ['worker/engine/**/*.ts', 'worker/bundle/**/*.ts', 'worker/export/**/*.ts', 'worker/views/**/*.ts', 'worker/mapping/**/*.ts', 'worker/review/**/*.ts', 'worker/demo/**/*.ts', 'worker/sources/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: outsideWorker, message: 'worker/ is the pure engine: it must not import from src/ or server/.' },
          { group: ['node:*', 'fs', 'path', 'dexie', 'solid-js', 'ag-grid-community'], message: 'The engine runs in the browser worker, the CLI and tests alike: no Node or UI APIs here.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'indexedDB'],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', '../server/*', '../../server/*'], message: 'The app talks to the relay over the network, not by import.' }] }],
    },
  },
);
