/**
 * The incremental reconciler (worker/engine/incremental.ts) against the full reconcile: after every
 * edit of a random sequence (clients mapped, unmapped, excluded; rules added, deleted, moved,
 * edited, with `*` patterns and category patterns; as-of, inactivity limit and decisions changed)
 * on a random small bundle, the incremental result equals `reconcile` of the same bundle, in the
 * §8 report and in every view the screens read, the view carried over with withReconciliation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { IncrementalReconciler } from '../../worker/engine/incremental';
import type { Bundle, ClientMapEntry, ServiceRule, Settings } from '../../worker/engine/model';
import { reconcile } from '../../worker/engine/reconcile';
import { toReport } from '../../worker/engine/report';
import type { ReviewEntry } from '../../worker/review/reviewState';
import { clientMapKey } from '../../worker/doc/keys';
import { RowFeed, applyRowChange } from '../../worker/views/rowFeed';
import type { ExternalClientView, ReviewInput } from '../../worker/views/types';
import { reviewDecisions, WorkspaceView } from '../../worker/views/workspaceView';
import { bundleTables, render, type Row } from '../helpers/bundle';

const SEED = 20261130;
const RUNS = 400;

// ---------------------------------------------------------------- a small world

const clients = [
  { client_id: 'C1', client_name: 'Acme' },
  { client_id: 'C2', client_name: 'Beta' },
  { client_id: 'C3', client_name: 'Gamma' },
];
/** C4 is in no psa_clients row: a mapping may name a client the PSA does not list. */
const CLIENT_IDS = ['C1', 'C2', 'C3', 'C4'];
const SERVICES = ['SVC-A', 'SVC-B', 'SVC-C', 'SVC-NEW'];
const tenants = [
  ['m365', 'T1', 'Acme Tenant'], ['m365', 'T2', 'Beta Tenant'], ['m365', 'T3', 'Internal'], ['m365', 'T9', ''],
  ['sentinelone', 'S-1', 'acme-s1'], ['sentinelone', 'S-2', 'gamma-s1'], ['sentinelone', 'S-9', 'unknown-s1'],
] as const;
/** Case variants on purpose: products and categories compare case-insensitively. */
const products: Record<string, [string, string][]> = {
  m365: [['M365 Premium', 'license'], ['m365 premium', 'License'], ['M365 Trial', ''], ['Storage Add-on', 'storage'], ['Visio (Plan 2)', '']],
  sentinelone: [['Agent Control', ''], ['Ranger', 'Security'], ['ranger', ''], ['Vigilance', 'other'], ['Agent Lite', 'security']],
};
const PATTERNS = ['*', 'M365*', '*premium', 'm365 premium', '*Trial*', 'Storage*', 'Agent*', '*a*', 'Ranger', 'Visio (Plan 2)', 'Vigil*nce', 'nothing'];
const CATEGORIES = ['', 'license', 'security', 'Security', 'storage', 'other'];

const usageRow = fc.record({
  tenant: fc.nat(tenants.length - 1),
  // A small pool, so one seat has rows of several products (one pair can count it from two groups).
  record: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'),
  product: fc.nat(4),
  quantity: fc.constantFrom('', '1', '2.5', '0.0001', '3', '-1'),
  lastActive: fc.constantFrom('', '2026-09-01', '2026-10-01', '2026-11-06', '2026-11-20'),
  named: fc.boolean(),
}).map((u): Row => {
  const [integration_id, external_client_id, name] = tenants[u.tenant];
  const [product, category] = products[integration_id][u.product];
  return { integration_id, external_client_id, external_client_name: u.named ? name : '', record_id: u.record, product, category, quantity: u.quantity, last_active: u.lastActive };
});

const lineRow = fc.record({
  client: fc.constantFrom('C1', 'C2', 'C3', 'C5'),
  service: fc.constantFrom('SVC-A', 'SVC-B', 'SVC-C', 'SVC-OTHER'),
  invoice: fc.constantFrom('INV-A', 'INV-B'),
  quantity: fc.constantFrom('1', '2', '3.5', '0', '10'),
  price: fc.constantFrom('', '10.00', '12.50', '0.05', '9.99'),
  cycle: fc.constantFrom('monthly', 'annual', ''),
  period: fc.constantFrom('november', 'october', 'autumn'),
  agreement: fc.constantFrom('', 'AG-1', 'AG-2'),
});
const PERIODS = { november: ['2026-11-01', '2026-11-30'], october: ['2026-10-01', '2026-10-31'], autumn: ['2026-09-01', '2026-11-30'] } as const;

const ruleArb = fc.record({
  integration: fc.constantFrom('m365', 'sentinelone'),
  product: fc.constantFrom(...PATTERNS),
  category: fc.constantFrom(...CATEGORIES),
  action: fc.constantFrom('map', 'map', 'exclude'),
  service: fc.constantFrom(...SERVICES),
  count: fc.constantFrom('records', 'quantity'),
}).map((r): Omit<ServiceRule, 'ruleId'> => ({ integrationId: r.integration, product: r.product, category: r.category, action: r.action as ServiceRule['action'], psaServiceId: r.action === 'map' ? r.service : '', count: r.count as ServiceRule['count'] }));

const worldArb = fc.record({
  usage: fc.array(usageRow, { maxLength: 40 }),
  lines: fc.array(lineRow, { maxLength: 12 }),
}).map(({ usage, lines }): Bundle => {
  const files = render(bundleTables({
    clients,
    usage,
    lines: lines.map((l, i) => ({
      line_id: `L${i + 1}`, client_id: l.client, invoice_id: l.invoice, service_id: l.service, quantity: l.quantity, unit_price: l.price,
      billing_cycle: l.cycle, period_start: PERIODS[l.period][0], period_end: PERIODS[l.period][1], agreement_id: l.agreement,
    })),
    catalog: [{ service_id: 'SVC-B', list_price: '4.5' }, { service_id: 'SVC-NEW', list_price: '' }, { service_id: 'SVC-C', list_price: '1.2345' }],
  }));
  const read = readBundle(files);
  if (!read.ok) throw new Error(`generated bundle is invalid: ${JSON.stringify(read.errors)}`);
  return read.bundle;
});

// ---------------------------------------------------------------- edits

type Edit =
  | { kind: 'map'; tenant: number; client: string }
  | { kind: 'exclude'; tenant: number }
  | { kind: 'unmap'; tenant: number }
  | { kind: 'addRule'; at: number; rule: Omit<ServiceRule, 'ruleId'> }
  | { kind: 'deleteRule'; at: number }
  | { kind: 'moveRule'; from: number; to: number }
  | { kind: 'editRule'; at: number; rule: Omit<ServiceRule, 'ruleId'> }
  | { kind: 'category'; at: number; category: string }
  | { kind: 'asOf'; asOf: string }
  | { kind: 'inactiveAfter'; days: number }
  | { kind: 'review'; entries: ReviewEntry[] };

const reviewEntry = fc.record({
  client: fc.constantFrom(...CLIENT_IDS),
  service: fc.constantFrom(...SERVICES),
  decision: fc.constantFrom('approve', 'dismiss', null),
  effective: fc.constantFrom(null, '2026-12-15', '2027-01-01'),
}).map((e): ReviewEntry => ({ clientId: e.client, serviceId: e.service, decision: e.decision as ReviewEntry['decision'], effectiveDate: e.effective, ...(e.decision === 'dismiss' ? { dismissedQtyDelta: '1', dismissedAmount: null } : {}) }));

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('map' as const), tenant: fc.nat(tenants.length - 1), client: fc.constantFrom(...CLIENT_IDS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('exclude' as const), tenant: fc.nat(tenants.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmap' as const), tenant: fc.nat(tenants.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('addRule' as const), at: fc.nat(10), rule: ruleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRule' as const), at: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('moveRule' as const), from: fc.nat(10), to: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('editRule' as const), at: fc.nat(10), rule: ruleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('category' as const), at: fc.nat(10), category: fc.constantFrom(...CATEGORIES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('asOf' as const), asOf: fc.constantFrom('2026-11-28T12:00:00Z', '2026-10-15T00:00:00Z', '2026-11-29T23:59:59Z') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inactiveAfter' as const), days: fc.constantFrom(0, 7, 21, 60) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('review' as const), entries: fc.uniqueArray(reviewEntry, { maxLength: 4, selector: (e) => `${e.clientId}|${e.serviceId}` }) }) },
);

interface Doc {
  clientMap: ClientMapEntry[];
  serviceMap: ServiceRule[];
  settings: Settings;
  review: ReviewInput;
}

let nextRule = 0;
function apply(doc: Doc, edit: Edit): Doc {
  const rules = doc.serviceMap;
  const at = (i: number) => (rules.length === 0 ? -1 : i % rules.length);
  switch (edit.kind) {
    case 'map':
    case 'exclude':
    case 'unmap': {
      const [integrationId, externalClientId] = tenants[edit.tenant];
      const rest = doc.clientMap.filter((e) => e.integrationId !== integrationId || e.externalClientId !== externalClientId);
      if (edit.kind === 'unmap') return { ...doc, clientMap: rest };
      const entry: ClientMapEntry = edit.kind === 'map' ? { integrationId, externalClientId, psaClientId: edit.client, status: 'mapped' } : { integrationId, externalClientId, psaClientId: '', status: 'excluded' };
      return { ...doc, clientMap: [...rest, entry] };
    }
    case 'addRule': {
      const i = Math.min(edit.at, rules.length);
      return { ...doc, serviceMap: [...rules.slice(0, i), { ruleId: `R-${++nextRule}`, ...edit.rule }, ...rules.slice(i)] };
    }
    case 'deleteRule':
      return at(edit.at) < 0 ? doc : { ...doc, serviceMap: rules.filter((_, i) => i !== at(edit.at)) };
    case 'moveRule': {
      if (rules.length === 0) return doc;
      const list = [...rules];
      const [moved] = list.splice(at(edit.from), 1);
      list.splice(edit.to % rules.length, 0, moved!);
      return { ...doc, serviceMap: list };
    }
    case 'editRule':
      return at(edit.at) < 0 ? doc : { ...doc, serviceMap: rules.map((r, i) => (i === at(edit.at) ? { ruleId: r.ruleId, ...edit.rule } : r)) };
    case 'category':
      return at(edit.at) < 0 ? doc : { ...doc, serviceMap: rules.map((r, i) => (i === at(edit.at) ? { ...r, category: edit.category } : r)) };
    case 'asOf':
      return { ...doc, settings: { ...doc.settings, asOf: Date.parse(edit.asOf) } };
    case 'inactiveAfter':
      return { ...doc, settings: { ...doc.settings, inactiveAfterDays: edit.days } };
    case 'review':
      return { ...doc, review: { ...doc.review, entries: edit.entries } };
  }
}

/** Everything the screens read from a view, for one comparison. */
function screens(view: WorkspaceView, bundle: Bundle) {
  const clientIds = [...CLIENT_IDS, 'C5'];
  return {
    overview: view.overview(),
    clientRows: view.clientRows({}),
    clientRowsFiltered: [view.clientRows({ integrationId: 'm365' }), view.clientRows({ types: ['unmapped', 'unaccounted'] })],
    discrepancies: view.discrepancies({}),
    discrepanciesFiltered: [view.discrepancies({ integrationId: 'sentinelone' }), view.discrepancies({ review: 'open' }), view.discrepancies({ types: ['calculated'], review: 'all' })],
    groups: [view.groups('account'), view.groups('service'), view.groups('queue')],
    unaccounted: view.unaccounted(),
    unaccountedProducts: view.unaccountedProducts(),
    unmappedClients: view.unmappedClients(),
    inactiveSeats: view.inactiveSeats(),
    adjustments: view.adjustments(),
    flags: view.flags(),
    externalClients: view.externalClients(),
    seats: clientIds.map((id) => view.seats(id, 0, 1000)),
    seatPages: clientIds.map((id) => view.seats(id, 1, 2)),
    details: clientIds.map((id) => view.clientDetail(id)),
    usageRows: bundle.usage.length,
  };
}

const initialDoc = (bundle: Bundle): Doc => ({
  clientMap: [
    { integrationId: 'm365', externalClientId: 'T1', psaClientId: 'C1', status: 'mapped' },
    { integrationId: 'sentinelone', externalClientId: 'S-1', psaClientId: 'C1', status: 'mapped' },
  ],
  serviceMap: [
    { ruleId: 'R-0a', integrationId: 'm365', product: '*Trial*', category: '', action: 'exclude', psaServiceId: '', count: 'records' },
    { ruleId: 'R-0b', integrationId: 'sentinelone', product: '*', category: '', action: 'map', psaServiceId: 'SVC-A', count: 'records' },
  ],
  settings: bundle.settings,
  review: { entries: [], notes: { 'C1\u0000SVC-A': 'checked' }, outlierAmount: '20.00' },
});

describe('incremental reconcile', () => {
  it('equals a full reconcile after every edit of a random sequence, in the report and every view', () => {
    fc.assert(
      fc.property(worldArb, fc.array(editArb, { minLength: 1, maxLength: 16 }), (base, edits) => {
        const reconciler = new IncrementalReconciler(base);
        let doc = initialDoc(base);
        let view: WorkspaceView | null = null;
        // The client mapping screen's list as a tab holds it: the whole list, then only what changed.
        const feed = new RowFeed<ExternalClientView>((c) => clientMapKey(c.integrationId, c.externalClientId));
        let tab: { version: string | null; rows: ExternalClientView[] } = { version: null, rows: [] };
        for (const edit of [null, ...edits]) {
          if (edit) doc = apply(doc, edit);
          const bundle: Bundle = { ...base, clientMap: doc.clientMap, serviceMap: doc.serviceMap, settings: doc.settings, decisions: reviewDecisions(doc.review) };
          const full = reconcile(bundle);
          const incremental = reconciler.withMappings(bundle.clientMap, bundle.serviceMap, bundle.settings, bundle.decisions);
          // Lists in the same order too, not only the same members.
          expect(toReport(bundle, incremental)).toEqual(toReport(bundle, full));
          expect(incremental.resolution).toEqual(full.resolution);
          view = view ? view.withReconciliation(bundle, incremental, doc.review) : new WorkspaceView(bundle, incremental, doc.review);
          expect(screens(view, bundle)).toEqual(screens(new WorkspaceView(bundle, full, doc.review), bundle));
          feed.set(view.externalClients());
          const answer = feed.since(tab.version);
          tab = { version: answer.version, rows: applyRowChange(tab.rows, answer, (c) => clientMapKey(c.integrationId, c.externalClientId)) };
          expect(tab.rows).toEqual(view.externalClients());
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('leaves an earlier reconciliation as it was', () => {
    fc.assert(
      fc.property(worldArb, fc.array(editArb, { minLength: 1, maxLength: 6 }), (base, edits) => {
        const reconciler = new IncrementalReconciler(base);
        const doc = initialDoc(base);
        const bundle: Bundle = { ...base, clientMap: doc.clientMap, serviceMap: doc.serviceMap };
        const first = reconciler.withMappings(doc.clientMap, doc.serviceMap);
        const before = structuredClone({ report: toReport(bundle, first), resolution: first.resolution });
        let next = doc;
        for (const edit of edits) {
          next = apply(next, edit);
          reconciler.withMappings(next.clientMap, next.serviceMap, next.settings, reviewDecisions(next.review));
        }
        expect({ report: toReport(bundle, first), resolution: first.resolution }).toEqual(before);
      }),
      { seed: SEED + 1, numRuns: 40 },
    );
  });
});
