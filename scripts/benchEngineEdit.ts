/**
 * `npx tsx scripts/benchEngineEdit.ts [--rows N] [--runs N]`: where one mapping edit's time goes in
 * the core, in Node, at 1,000,000 usage rows (the bundle `npm run bench` generates, built in memory).
 * Reconciles once, then times two edits, each applied and undone in turn so every run is a real
 * change: a client mapping moved to another PSA client, and a rule reorder (the first exclude rule
 * moved to the end, so trials become counted). Prints medians of N runs (default 5), before (full
 * reconcile, a new WorkspaceView) and after (IncrementalReconciler.withMappings, the view carried
 * over with withReconciliation), of: the reconcile, the view's construction, overview() and clientRows({}).
 */
import { parseArgs } from 'node:util';
import { readBundle } from '../worker/bundle/readBundle';
import { generateDemoBundle } from '../worker/demo/generateDemo';
import { IncrementalReconciler } from '../worker/engine/incremental';
import type { Bundle, ClientMapEntry, ServiceRule } from '../worker/engine/model';
import { reconcile, type Reconciliation } from '../worker/engine/reconcile';
import { toReport } from '../worker/engine/report';
import { WorkspaceView } from '../worker/views/workspaceView';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function time<T>(f: () => T): [T, number] {
  const started = performance.now();
  const out = f();
  return [out, performance.now() - started];
}

let started = performance.now();
const files = generateDemoBundle({ clients: Math.max(36, Math.round(rows / 500)), usageRows: rows });
const read = readBundle(files);
if (!read.ok) throw new Error('the generated bundle breaks the contract');
const base: Bundle = read.bundle;
console.log(`built a ${base.usage.length.toLocaleString('en-US')}-row bundle in memory in ${((performance.now() - started) / 1000).toFixed(1)} s (${base.clients.length} clients, ${base.lines.length} lines, ${base.clientMap.length} client mappings, ${base.serviceMap.length} rules)`);

/** A mapped client of the client map moved to another PSA client. */
function remapped(clientMap: readonly ClientMapEntry[]): ClientMapEntry[] {
  const at = clientMap.findIndex((e) => e.status === 'mapped');
  const other = base.clients.find((c) => c.clientId !== clientMap[at]!.psaClientId)!.clientId;
  return clientMap.map((e, i) => (i === at ? { ...e, psaClientId: other } : e));
}

/** The first exclude rule moved to the end of the list. */
function reordered(rules: readonly ServiceRule[]): ServiceRule[] {
  const at = rules.findIndex((r) => r.action === 'exclude');
  return [...rules.slice(0, at), ...rules.slice(at + 1), rules[at]!];
}

const edits: { name: string; after: Pick<Bundle, 'clientMap' | 'serviceMap'> }[] = [
  { name: 'client mapping edit', after: { clientMap: remapped(base.clientMap), serviceMap: base.serviceMap } },
  { name: 'rule reorder', after: { clientMap: base.clientMap, serviceMap: reordered(base.serviceMap) } },
];

started = performance.now();
const incremental = new IncrementalReconciler(base);
const first = incremental.withMappings(base.clientMap, base.serviceMap);
console.log(`incremental reconciler: first reconcile (aggregates usage once) ${ms(performance.now() - started)}`);
const same = (a: Reconciliation, b: Reconciliation, bundle: Bundle) => JSON.stringify(toReport(bundle, a)) === JSON.stringify(toReport(bundle, b));
if (!same(first, reconcile(base), base)) throw new Error('incremental and full reconcile disagree on the base bundle');

const phases = ['reconcile', 'view', 'overview', 'clientRows'] as const;
type Times = Record<(typeof phases)[number], number[]>;
const empty = (): Times => ({ reconcile: [], view: [], overview: [], clientRows: [] });
const line = (t: Times) => `${phases.map((p) => `${p} ${ms(median(t[p]))}`).join(', ')}; total ${ms(phases.reduce((n, p) => n + median(t[p]), 0))}`;

for (const edit of edits) {
  const states = [{ clientMap: base.clientMap, serviceMap: base.serviceMap }, edit.after];
  const before = empty();
  const after = empty();
  let previous = new WorkspaceView(base, first);
  for (let run = 0; run < runs * 2; run++) {
    // Alternate between the edit and its undo, so each run changes something.
    const state = states[(run + 1) % 2]!;
    const bundle: Bundle = { ...base, ...state };
    // Before: what refresh did for every edit (full reconcile, a new view).
    const [full, fullMs] = time(() => reconcile(bundle));
    const [fullView, fullViewMs] = time(() => new WorkspaceView(bundle, full));
    const [, fullOverviewMs] = time(() => fullView.overview());
    const [, fullRowsMs] = time(() => fullView.clientRows({}));
    // After: the incremental reconcile, and the view carried over from the previous one.
    const [inc, incMs] = time(() => incremental.withMappings(state.clientMap, state.serviceMap));
    const [view, viewMs] = time(() => previous.withReconciliation(bundle, inc));
    const [, overviewMs] = time(() => view.overview());
    const [, rowsMs] = time(() => view.clientRows({}));
    previous = view;
    if (run < 2 && !same(full, inc, bundle)) throw new Error(`${edit.name}: incremental and full reconcile disagree`);
    if (run % 2 === 0) continue; // time the edit itself, not its undo
    before.reconcile.push(fullMs);
    before.view.push(fullViewMs);
    before.overview.push(fullOverviewMs);
    before.clientRows.push(fullRowsMs);
    after.reconcile.push(incMs);
    after.view.push(viewMs);
    after.overview.push(overviewMs);
    after.clientRows.push(rowsMs);
  }
  console.log(`${edit.name}, median of ${runs}:`);
  console.log(`  before (full reconcile, new WorkspaceView):        ${line(before)}`);
  console.log(`  after  (IncrementalReconciler, withReconciliation): ${line(after)}`);
}
