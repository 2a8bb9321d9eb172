/**
 * The incremental reconciler on the demo workspace (every kind of row the generator makes): its
 * result equals the full reconcile's after a client mapping edit, a rule reorder and a settings
 * change; sameData tells when the data (not the mappings) changed.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { IncrementalReconciler } from '../../worker/engine/incremental';
import type { Bundle } from '../../worker/engine/model';
import { reconcile } from '../../worker/engine/reconcile';
import { toReport } from '../../worker/engine/report';
import { sameData } from '../../worker/engine/sameData';

function demo(): Bundle {
  const read = readBundle(generateDemoBundle({ usageRows: 4000 }));
  if (!read.ok) throw new Error('demo bundle is invalid');
  return read.bundle;
}

describe('IncrementalReconciler', () => {
  const base = demo();

  it('equals reconcile across edits of the demo workspace', () => {
    const reconciler = new IncrementalReconciler(base);
    const at = base.clientMap.findIndex((e) => e.status === 'mapped');
    const remapped = base.clientMap.map((e, i) => (i === at ? { ...e, psaClientId: base.clients[3]!.clientId } : e));
    const excludeFirst = base.serviceMap.findIndex((r) => r.action === 'exclude');
    const reordered = [...base.serviceMap.slice(0, excludeFirst), ...base.serviceMap.slice(excludeFirst + 1), base.serviceMap[excludeFirst]!];
    const later = { ...base.settings, asOf: base.settings.asOf + 40 * 86_400_000, inactiveAfterDays: 5 };
    const states: Bundle[] = [
      base,
      { ...base, clientMap: remapped },
      { ...base, clientMap: remapped, serviceMap: reordered },
      { ...base, serviceMap: reordered, settings: later },
      { ...base, clientMap: base.clientMap.slice(5), decisions: [] },
      base,
    ];
    for (const bundle of states) {
      const incremental = reconciler.withMappings(bundle.clientMap, bundle.serviceMap, bundle.settings, bundle.decisions);
      expect(toReport(bundle, incremental)).toEqual(toReport(bundle, reconcile(bundle)));
    }
  });

  it('reuses the pairs an edit does not touch', () => {
    const reconciler = new IncrementalReconciler(base);
    const first = reconciler.withMappings(base.clientMap, base.serviceMap);
    const at = base.clientMap.findIndex((e) => e.status === 'mapped');
    const moved = base.clientMap[at]!;
    const second = reconciler.withMappings(base.clientMap.map((e, i) => (i === at ? { ...e, psaClientId: base.clients[3]!.clientId } : e)), base.serviceMap);
    const untouched = second.pairs.filter((p) => p.clientId !== moved.psaClientId && p.clientId !== base.clients[3]!.clientId);
    expect(untouched.length).toBeGreaterThan(0);
    const before = new Set(first.pairs);
    expect(untouched.every((p) => before.has(p))).toBe(true);
  });

  it('tells the same data from changed data', () => {
    const copy: Bundle = { ...base, clients: base.clients.map((c) => ({ ...c })), lines: base.lines.map((l) => ({ ...l })), catalog: [...base.catalog], clientMap: [] };
    expect(sameData(base, copy)).toBe(true);
    expect(sameData(base, { ...copy, lines: copy.lines.map((l, i) => (i === 0 ? { ...l, quantity: l.quantity + 1n } : l)) })).toBe(false);
    expect(sameData(base, { ...copy, clients: copy.clients.slice(1) })).toBe(false);
    expect(sameData(base, { ...copy, usage: { ...base.usage } })).toBe(false);
  });
});
