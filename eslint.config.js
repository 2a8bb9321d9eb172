// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Folder boundaries (design card). ESLint's flat config replaces a rule's options when a later
 * block sets the same rule for the same file, so each folder gets ONE no-restricted-imports entry
 * composed from the groups below, never two that would silently override each other.
 */
const SRC = { group: ['**/src/**', '../src/*', '../../src/*', '../../../src/*'], message: 'src/ is the app (UI): nothing below it may be imported from here.' };
const SERVER = { group: ['**/server/**', '../server/*', '../../server/*', '../../../server/*'], message: 'server/ is the relay: reach it over the network, not by import.' };
const UI = { group: ['solid-js', 'solid-js/*', 'ag-grid-community'], message: 'worker/ holds no UI code.' };
const UI_AND_STORAGE = { group: [...UI.group, 'dexie', 'y-indexeddb', 'y-websocket'], message: 'Only the core (worker/core, worker/threads) holds storage and sync; the rest of worker/ holds no UI or storage code.' };
/** The state libraries: only the core holds the document, the datasets and the relay connection. */
const STATE_LIBS = { group: ['yjs', 'y-protocols', 'y-protocols/*', 'y-indexeddb', 'y-websocket', 'dexie', 'lib0', 'lib0/*'], message: 'src/ is UI only: the document, storage and sync live in the core (worker/core), reached by commands and events.' };
/** The core's modules and thread entries: src/ may name their types, never load their code (that would run a second core on the main thread). */
const CORE = { group: ['**/worker/core/*', '**/worker/threads/*'], allowTypeImports: true, message: 'src/ reaches the core by messages (src/state/workspace.ts): type-only imports of worker/core and worker/threads.' };
const NODE = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'ws'], message: 'The core runs in the browser worker, the CLI and tests alike: no Node APIs here.' };
/** From a file in src/screens/: a sibling ('./X', './sub/X') or any path through a screens/ folder, but a stylesheet. */
const SCREENS = { regex: '^\\./(?!.*\\.css$)|(^|/)screens/(?!.*\\.css$)', message: 'A screen never imports another screen: shared parts go to src/components/ (its own stylesheet, ./Name.css, is the exception).' };
const SYNC_AND_THREADS = { group: ['yjs', 'y-protocols', 'y-protocols/*', 'comlink'], message: 'The engine is pure functions over plain data: the document, sync and threads belong to the app around it.' };

/** The core: the one owner of a workspace's state, on its own thread (see ARCHITECTURE.md). */
const CORE_FILES = ['worker/core/**/*.ts', 'worker/threads/**/*.ts'];

/** Folders of pure code: no Node, no UI, no storage, no document or threads. */
const PURE = [...['engine', 'bundle', 'export', 'views', 'mapping', 'review', 'demo', 'sources', 'protocol'].map((f) => `worker/${f}/**/*.ts`), 'worker/reconcileFiles.ts'];

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
    ignores: [...PURE, ...CORE_FILES],
    rules: { 'no-restricted-imports': ['error', { patterns: [SRC, SERVER, UI_AND_STORAGE] }] },
  },
  {
    // The core runs in a browser worker: storage, sync and threads, but no Node and no UI.
    files: CORE_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [SRC, SERVER, UI, NODE] }] },
  },
  {
    files: PURE,
    rules: {
      'no-restricted-imports': ['error', { patterns: [SRC, SERVER, UI_AND_STORAGE, NODE, SYNC_AND_THREADS] }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'indexedDB'],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/screens/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SERVER, STATE_LIBS, CORE] }] },
  },
  {
    files: ['src/screens/**/*.ts', 'src/screens/**/*.tsx'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SERVER, STATE_LIBS, CORE, SCREENS] }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SRC, { group: ['solid-js', 'solid-js/*', 'ag-grid-community', 'dexie', 'y-indexeddb'], message: 'The relay holds no UI or browser storage.' }] }] },
  },
);
