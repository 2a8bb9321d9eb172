/**
 * Properties of the report over generated bundles (fast-check, fixed seeds):
 * row order of usage, column order, BOM and CRLF never change it; client amounts are sums of their discrepancies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleTables, canonical, render, run, type BundleSpec, type Row, type TableKey, type Tables } from '../helpers/bundle';

const SEED = 20261128;
const RUNS = 50;

// ---------------------------------------------------------------- a small world with every kind of row

const clients = [
  { client_id: 'C1', client_name: 'Acme' },
  { client_id: 'C2', client_name: 'Beta, Inc.' },
  { client_id: 'C3', client_name: 'Gamma "G" Ltd' },
];
const clientMap = [
  { integration_id: 'm365', external_client_id: 'T1', psa_client_id: 'C1', status: 'mapped' },
  { integration_id: 'm365', external_client_id: 'T2', psa_client_id: 'C2', status: 'mapped' },
  { integration_id: 'm365', external_client_id: 'T3', psa_client_id: '', status: 'excluded' },
  { integration_id: 'sentinelone', external_client_id: 'S-1', psa_client_id: 'C1', status: 'mapped' },
  { integration_id: 'sentinelone', external_client_id: 'S-2', psa_client_id: 'C3', status: 'mapped' },
];
const serviceMap = [
  { rule_id: 'R1', integration_id: 'm365', product: '*Trial*', action: 'exclude' },
  { rule_id: 'R2', integration_id: 'm365', product: 'M365 Premium', psa_service_id: 'SVC-M365', count: 'records' },
  { rule_id: 'R3', integration_id: 'm365', product: 'Storage*', psa_service_id: 'SVC-STORE', count: 'quantity' },
  { rule_id: 'R4', integration_id: 'sentinelone', product: '*', category: 'security', psa_service_id: 'SVC-EDR', count: 'records' },
  { rule_id: 'R5', integration_id: 'sentinelone', product: 'Agent*', psa_service_id: 'SVC-EDR', count: 'records' },
];
const catalog = [{ service_id: 'SVC-STORE', list_price: '0.0450' }, { service_id: 'SVC-EDR', list_price: '' }];

/** (integration, external client, its name when given) */
const tenants = [
  ['m365', 'T1', 'Acme Tenant'], ['m365', 'T2', 'Beta Tenant'], ['m365', 'T3', 'Internal'], ['m365', 'T9', 'Stranger'],
  ['sentinelone', 'S-1', 'acme-s1'], ['sentinelone', 'S-2', 'gamma-s1'], ['sentinelone', 'S-9', 'unknown-s1'],
] as const;
const products: Record<string, [string, string][]> = {
  m365: [['M365 Premium', ''], ['M365 Trial', ''], ['Storage Add-on', 'storage'], ['Visio Plan 2', '']],
  sentinelone: [['Agent Control', ''], ['Ranger', 'Security'], ['Ranger', ''], ['Vigilance', 'other']],
};

const usageRow = fc.record({
  tenant: fc.nat(tenants.length - 1),
  record: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
  product: fc.nat(3),
  quantity: fc.constantFrom('', '1', '2.5', '0.0001', '3'),
  lastActive: fc.constantFrom('', '2026-10-01', '2026-11-06', '2026-11-20'),
  named: fc.boolean(),
}).map((u): Row => {
  const [integration_id, external_client_id, name] = tenants[u.tenant];
  const [product, category] = products[integration_id][u.product];
  return {
    integration_id, external_client_id, external_client_name: u.named ? name : '', record_id: u.record, product, category,
    quantity: u.quantity, last_active: u.lastActive,
  };
});

const lineRow = fc.record({
  client: fc.constantFrom('C1', 'C2', 'C3'),
  service: fc.constantFrom('SVC-M365', 'SVC-EDR', 'SVC-STORE', 'SVC-OTHER'),
  invoice: fc.constantFrom('INV-A', 'INV-B'),
  quantity: fc.constantFrom('1', '2', '3.5', '0', '-1', '10'),
  price: fc.constantFrom('', '10.00', '12.50', '0.05', '9.99', '10'),
  cycle: fc.constantFrom('monthly', 'annual', ''),
  current: fc.boolean(),
});

const decisionRow = fc.record({
  client: fc.constantFrom('C1', 'C2', 'C3'),
  service: fc.constantFrom('SVC-M365', 'SVC-EDR', 'SVC-STORE'),
  decision: fc.constantFrom('approve', 'dismiss'),
  effective: fc.constantFrom('', '2027-02-15', '2026-12-10', '2027-03-01'),
});

const identity = (r: Row) => `${String(r.integration_id)}|${String(r.record_id)}|${String(r.product).toLowerCase()}`;

/** A valid bundle whose usage rows have distinct identities. */
const bundleSpec: fc.Arbitrary<BundleSpec> = fc.record({
  usage: fc.uniqueArray(usageRow, { maxLength: 25, selector: identity }),
  lines: fc.array(lineRow, { maxLength: 12 }),
  decisions: fc.uniqueArray(decisionRow, { maxLength: 5, selector: (d) => `${d.client}|${d.service}` }),
}).map(({ usage, lines, decisions }) => ({
  clients, clientMap, serviceMap, catalog, usage,
  lines: lines.map((l, i) => ({
    line_id: `L${i + 1}`, client_id: l.client, invoice_id: l.invoice, service_id: l.service, quantity: l.quantity,
    unit_price: l.price, billing_cycle: l.cycle,
    period_start: l.current ? '2026-11-01' : '2026-10-01', period_end: l.current ? '2026-11-30' : '2026-10-31',
  })),
  decisions: decisions.map((d) => ({ client_id: d.client, service_id: d.service, decision: d.decision, effective_date: d.effective })),
}));

/** A permutation of 0..n-1. */
const permutation = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });

const params = { seed: SEED, numRuns: RUNS };

// ---------------------------------------------------------------- properties

describe('report properties', () => {
  it('does not depend on the order of usage rows with distinct identities', () => {
    fc.assert(
      fc.property(
        bundleSpec.chain((spec) => fc.tuple(fc.constant(spec), permutation(spec.usage!.length))),
        ([spec, order]) => {
          const shuffled = { ...spec, usage: order.map((i) => spec.usage![i]) };
          expect(canonical(run(render(bundleTables(shuffled))))).toEqual(canonical(run(render(bundleTables(spec)))));
        },
      ),
      params,
    );
  });

  it('does not depend on the column order of any CSV', () => {
    const withOrders = bundleSpec.chain((spec) => {
      const tables = bundleTables(spec);
      const keys = Object.keys(tables.tables) as TableKey[];
      return fc.tuple(
        fc.constant(tables),
        fc.tuple(...keys.map((k) => permutation(tables.tables[k]!.header.length))).map((perms) =>
          Object.fromEntries(keys.map((k, i) => [k, perms[i]])) as Partial<Record<TableKey, number[]>>),
      );
    });
    fc.assert(
      fc.property(withOrders, ([tables, columnOrder]: [Tables, Partial<Record<TableKey, number[]>>]) => {
        expect(canonical(run(render(tables, { columnOrder })))).toEqual(canonical(run(render(tables))));
      }),
      params,
    );
  });

  it('does not change with a byte order mark or CRLF line ends', () => {
    fc.assert(
      fc.property(bundleSpec, fc.boolean(), fc.boolean(), (spec, bom, crlf) => {
        const tables = bundleTables(spec);
        expect(canonical(run(render(tables, { bom, crlf })))).toEqual(canonical(run(render(tables))));
      }),
      params,
    );
  });

  it('gives each client the sum of its discrepancy amounts (null counting 0), signed and absolute', () => {
    const cents = (s: string | null) => (s === null ? 0n : BigInt(toCents(s)));
    fc.assert(
      fc.property(bundleSpec, (spec) => {
        const r = run(render(bundleTables(spec)));
        for (const c of r.clients) {
          const mine = r.discrepancies.filter((d) => d.client_id === c.client_id);
          const signed = mine.reduce((s, d) => s + cents(d.amount), 0n);
          const abs = mine.reduce((s, d) => s + (cents(d.amount) < 0n ? -cents(d.amount) : cents(d.amount)), 0n);
          expect(toCents(c.discrepancy_amount)).toBe(String(signed));
          expect(toCents(c.discrepancy_amount_abs)).toBe(String(abs));
        }
      }),
      params,
    );
  });
});

/** "12.5" → "1250", "-0.07" → "-7": an amount in whole cents, exactly, without floats. */
function toCents(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not money: ${s}`);
  const v = BigInt(m[2] + (m[3] ?? '').padEnd(2, '0'));
  return String(m[1] ? -v : v);
}
