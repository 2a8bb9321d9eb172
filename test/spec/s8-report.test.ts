/**
 * §8 The report: its shape, and money / quantities as plain decimal strings
 * (decided: money with exactly 2 decimals, quantities in minimal form).
 */
import { describe, expect, it } from 'vitest';
import { baseBundle, client, disc, adjustment, run, type BundleSpec } from '../helpers/bundle';

const bundle: BundleSpec = {
  clients: [{ client_id: 'C1', client_name: 'Acme' }],
  clientMap: [{ external_client_id: 'T1', psa_client_id: 'C1' }],
  serviceMap: [
    { rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' },
    { rule_id: 'R2', product: 'Storage GB', psa_service_id: 'S2', count: 'quantity' },
  ],
  lines: [
    { client_id: 'C1', service_id: 'S1', quantity: '3.0000', unit_price: '10' },
    { client_id: 'C1', service_id: 'S2', quantity: '10', unit_price: '0.5' },
  ],
  usage: [
    { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium' },
    { external_client_id: 'T1', record_id: 's1', product: 'Storage GB', quantity: '22.5' },
  ],
  decisions: [{ client_id: 'C1', service_id: 'S2', decision: 'approve' }],
};

describe('§8 report', () => {
  it('has exactly the eight lists of §8', () => {
    expect(Object.keys(run(baseBundle())).sort()).toEqual(
      ['adjustments', 'clients', 'discrepancies', 'flags', 'inactive_seats', 'integrations', 'unaccounted', 'unmapped_clients'],
    );
  });

  it('is empty but for the integrations when the bundle holds no rows', () => {
    const r = run(baseBundle());
    expect({ ...r, integrations: [] }).toEqual({
      clients: [], discrepancies: [], unaccounted: [], unmapped_clients: [], flags: [], inactive_seats: [], integrations: [], adjustments: [],
    });
    expect(r.integrations).toHaveLength(2); // m365 and sentinelone of the default workspace.json
  });

  it('accepts a workspace.json with only asOf', () => {
    const r = run(baseBundle({ workspace: JSON.stringify({ asOf: '2026-11-28T12:00:00Z' }) }));
    expect(r.integrations).toEqual([]);
  });

  it('writes quantities in minimal form', () => {
    const r = run(baseBundle(bundle));
    const s1 = disc(r, 'C1', 'S1');
    expect([s1.invoiced_qty, s1.system_count, s1.qty_delta]).toEqual(['3', '1', '-2']); // 1 − 3.0000
    const s2 = disc(r, 'C1', 'S2');
    expect([s2.invoiced_qty, s2.system_count, s2.qty_delta]).toEqual(['10', '22.5', '12.5']); // 22.5 − 10
  });

  it('writes money with exactly 2 decimals', () => {
    const r = run(baseBundle(bundle));
    const s1 = disc(r, 'C1', 'S1');
    expect([s1.unit_rate, s1.amount]).toEqual(['10.00', '-20.00']); // −2 × 10
    const s2 = disc(r, 'C1', 'S2');
    expect([s2.unit_rate, s2.amount]).toEqual(['0.50', '6.25']); // 12.5 × 0.50
    const c = client(r, 'C1');
    expect([c.discrepancy_amount, c.discrepancy_amount_abs]).toEqual(['-13.75', '26.25']); // −20.00 + 6.25; 20.00 + 6.25
    const a = adjustment(r, 'C1', 'S2');
    expect([a.qty_delta, a.unit_rate, a.monthly_amount, a.prorated_amount]).toEqual(['12.5', '0.50', '6.25', '0.00']);
  });

  it('writes tiny quantities without an exponent', () => {
    const r = run(baseBundle({
      ...bundle,
      lines: [],
      usage: [{ external_client_id: 'T1', record_id: 's1', product: 'Storage GB', quantity: '0.0001' }],
      decisions: undefined,
    }));
    expect(disc(r, 'C1', 'S2').system_count).toBe('0.0001');
  });

  it('survives a JSON round trip unchanged', () => {
    const r = run(baseBundle(bundle));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
