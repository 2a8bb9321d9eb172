/**
 * The folder boundaries hold: probe files that break each rule are refused by lint, and a probe
 * that keeps to the rules passes (so a refusal is the boundary's, not a broken probe's).
 * Probes are linted as text under a path in the folder; nothing is written to the tree.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('folder boundaries', () => {
  it.each([
    ['yjs in the engine', 'worker/engine/probe.ts', "import * as Y from 'yjs';\nexport const doc = new Y.Doc();\n"],
    ['comlink in the views', 'worker/views/probe.ts', "import { wrap } from 'comlink';\nexport const w = wrap;\n"],
    ['y-websocket in the bundle reader', 'worker/bundle/probe.ts', "import { WebsocketProvider } from 'y-websocket';\nexport const p = WebsocketProvider;\n"],
    ['a Node API in the raw-export reader', 'worker/sources/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['the app in the engine', 'worker/engine/probe.ts', "import { start } from '../../src/state/workspace';\nexport const s = start;\n"],
    ['the app in the CLI', 'worker/cli/probe.ts', "import { start } from '../../src/state/workspace';\nexport const s = start;\n"],
    ['the app in the core', 'worker/core/probe.ts', "import { start } from '../../src/state/workspace';\nexport const s = start;\n"],
    ['Dexie in worker/ outside the core', 'worker/cli/probe.ts', "import Dexie from 'dexie';\nexport const d = Dexie;\n"],
    ['a Node API in the core', 'worker/core/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['UI in the core', 'worker/threads/probe.ts', "import { createSignal } from 'solid-js';\nexport const c = createSignal;\n"],
    ['a value import of the core in a screen', 'src/screens/probe.ts', "import { openSession } from '../../worker/core/core';\nexport const c = openSession;\n"],
    ['a value import of the core in a component', 'src/components/probe.ts', "import { openDb } from '../../worker/core/db';\nexport const o = openDb;\n"],
    ['a value import of the core in the app state', 'src/state/probe.ts', "import { openSession } from '../../worker/core/core';\nexport const o = openSession;\n"],
    ['a value import of the core thread in the app state', 'src/state/probe.ts', "import '../../worker/threads/core.worker';\n"],
    ['yjs in the app', 'src/components/probe.ts', "import * as Y from 'yjs';\nexport const d = new Y.Doc();\n"],
    ['Dexie in the app', 'src/state/probe.ts', "import Dexie from 'dexie';\nexport const d = Dexie;\n"],
    ['the relay in the app', 'src/screens/probe.ts', "import { startRelay } from '../../server/relay';\nexport const s = startRelay;\n"],
    ['the relay in an app component', 'src/components/probe.ts', "import { startRelay } from '../../server/relay';\nexport const s = startRelay;\n"],
    ['a screen in a screen', 'src/screens/probe.ts', "import { Billing } from './Billing';\nexport const b = Billing;\n"],
    ['a screen through the screens folder', 'src/screens/probe.ts', "import { Home } from '../screens/Home';\nexport const h = Home;\n"],
    ['the app in the relay', 'server/probe.ts', "import { start } from '../src/state/workspace';\nexport const s = start;\n"],
    ['the browser window in the engine', 'worker/engine/probe.ts', 'export const w = window.location;\n'],
  ])('refuses %s', async (_what, path, code) => {
    expect(await restrictedImports(path, code)).not.toEqual([]);
  });

  it('lets each folder import what it may', async () => {
    expect(await restrictedImports('worker/engine/probe.ts', "import { parseUnits } from './decimal';\nexport const p = parseUnits;\n")).toEqual([]);
    expect(await restrictedImports('worker/cli/probe.ts', "import { readFileSync } from 'node:fs';\nimport { reconcileFiles } from '../reconcileFiles';\nexport const x = [readFileSync, reconcileFiles];\n")).toEqual([]);
    expect(await restrictedImports('src/screens/probe.ts', "import { formatUnits } from '../../worker/engine/decimal';\nexport const f = formatUnits;\n")).toEqual([]);
    expect(await restrictedImports('src/screens/probe.ts', "import { ReviewPanel } from '../components/ReviewPanel';\nimport { core } from '../state/workspace';\nexport const r = [ReviewPanel, core];\n")).toEqual([]);
    expect(await restrictedImports('src/screens/probe.ts', "import type { CoreSession } from '../../worker/core/core';\nexport const c: CoreSession | null = null;\n")).toEqual([]);
    expect(await restrictedImports('worker/core/probe.ts', "import Dexie from 'dexie';\nimport * as Y from 'yjs';\nimport * as Comlink from 'comlink';\nexport const x = [Dexie, Y, Comlink];\n")).toEqual([]);
    expect(await restrictedImports('src/screens/probe.ts', "import './Billing.css';\n")).toEqual([]);
    expect(await restrictedImports('src/App.tsx', "import { Billing } from './screens/Billing';\nexport const b = Billing;\n")).toEqual([]);
    expect(await restrictedImports('server/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toEqual([]);
  });
});
