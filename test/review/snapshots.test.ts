import { describe, expect, it } from 'vitest';
import type { DiscrepancyOut, DiscrepancyType, Report } from '../../worker/engine/report.types';
import { compareSnapshots, takeSnapshot } from '../../worker/review/snapshots';
import type { MonthSnapshot } from '../../worker/review/snapshots';

const NAMES: Record<string, string> = { C1: 'Acme Dental', C2: 'Blue Sky Logistics', C3: 'Cobalt Legal', C4: 'Delta Farms' };

function disc(client: string, service: string, qtyDelta: string, amount: string | null, type: DiscrepancyType = 'calculated'): DiscrepancyOut {
  return {
    client_id: client,
    service_id: service,
    type,
    integration_ids: ['m365'],
    invoiced_qty: '10',
    system_count: '10',
    qty_delta: qtyDelta,
    unit_rate: amount === null ? null : '1.00',
    rate_source: amount === null ? 'none' : 'invoice',
    amount,
  };
}

function report(discrepancies: DiscrepancyOut[], extraClients: string[] = []): Report {
  const ids = [...new Set([...discrepancies.map((d) => d.client_id), ...extraClients])];
  return {
    clients: ids.map((id) => ({
      client_id: id,
      client_name: NAMES[id] ?? '',
      seat_count: 1,
      service_count: 1,
      discrepancy_count: 0,
      discrepancy_amount: '0.00',
      discrepancy_amount_abs: '0.00',
      billing_cycle: 'monthly',
    })),
    discrepancies,
    unaccounted: [],
    unmapped_clients: [],
    flags: [],
    inactive_seats: [],
    integrations: [],
    adjustments: [],
  };
}

let n = 0;
function snap(discrepancies: DiscrepancyOut[], currency = 'USD'): MonthSnapshot {
  n++;
  return takeSnapshot(report(discrepancies), { id: `s${n}`, name: `Close ${n}`, createdAt: '2026-11-30T18:00:00Z', asOf: '2026-11-30', currency });
}

describe('takeSnapshot', () => {
  it('freezes each client with discrepancies, compact, sorted by absolute amount, as plain JSON', () => {
    const s = takeSnapshot(
      report([disc('C1', 'SVC-A', '2', '30.00'), disc('C1', 'SVC-B', '-1', '-42.50'), disc('C2', 'SVC-A', '3.0000', '10.5', 'estimated'), disc('C2', 'SVC-C', '1', null, 'unmapped')], ['C3']),
      { id: 'nov', name: 'November close', createdAt: '2026-11-30T18:00:00Z', asOf: '2026-11-30', currency: 'EUR' },
    );
    // C1: 30.00 + (−42.50) = −12.50; |30.00| + |−42.50| = 72.50
    // C2: 10.50 + null(0) = 10.50; abs 10.50. C3 has no discrepancy: left out.
    // totals: 4 discrepancies; −12.50 + 10.50 = −2.00; 72.50 + 10.50 = 83.00
    expect(s).toEqual({
      id: 'nov',
      name: 'November close',
      createdAt: '2026-11-30T18:00:00Z',
      asOf: '2026-11-30',
      currency: 'EUR',
      totals: { discrepancies: 4, amount: '-2.00', amountAbs: '83.00' },
      clients: [
        {
          clientId: 'C1', clientName: 'Acme Dental', amount: '-12.50', amountAbs: '72.50',
          discrepancies: [
            { serviceId: 'SVC-B', type: 'calculated', qtyDelta: '-1', amount: '-42.50' },
            { serviceId: 'SVC-A', type: 'calculated', qtyDelta: '2', amount: '30.00' },
          ],
        },
        {
          clientId: 'C2', clientName: 'Blue Sky Logistics', amount: '10.50', amountAbs: '10.50',
          discrepancies: [
            { serviceId: 'SVC-A', type: 'estimated', qtyDelta: '3', amount: '10.50' },
            { serviceId: 'SVC-C', type: 'unmapped', qtyDelta: '1', amount: null },
          ],
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('refuses an amount that is not a plain decimal rather than guess', () => {
    expect(() => snap([disc('C1', 'SVC-A', '1', '1e3')])).toThrow(/C1\/SVC-A amount: "1e3"/);
  });
});

describe('compareSnapshots', () => {
  it('a client with discrepancies only in the newer snapshot appeared', () => {
    const older = snap([disc('C1', 'SVC-A', '1', '10.00')]);
    const newer = snap([disc('C1', 'SVC-A', '1', '10.00'), disc('C2', 'SVC-A', '2', '20.00'), disc('C2', 'SVC-B', '1', '5.25')]);
    const c = compareSnapshots(older, newer);
    // C2: before none (0), after 20.00 + 5.25 = 25.25 → change 25.25
    expect(c.appeared).toEqual([
      {
        clientId: 'C2', clientName: 'Blue Sky Logistics', before: null, after: '25.25', change: '25.25',
        discrepancies: [
          { serviceId: 'SVC-A', status: 'appeared', before: null, after: '20.00', change: '20.00' },
          { serviceId: 'SVC-B', status: 'appeared', before: null, after: '5.25', change: '5.25' },
        ],
      },
    ]);
    expect(c.disappeared).toEqual([]);
    expect(c.changed).toEqual([]);
    expect(c.unchanged).toBe(1);
  });

  it('a client with discrepancies only in the older snapshot disappeared', () => {
    const older = snap([disc('C1', 'SVC-A', '1', '10.00'), disc('C3', 'SVC-A', '4', '40.00')]);
    const newer = snap([disc('C1', 'SVC-A', '1', '10.00')]);
    const c = compareSnapshots(older, newer);
    // C3: before 40.00, after none (0) → change 0 − 40.00 = −40.00
    expect(c.disappeared).toEqual([
      {
        clientId: 'C3', clientName: 'Cobalt Legal', before: '40.00', after: null, change: '-40.00',
        discrepancies: [{ serviceId: 'SVC-A', status: 'disappeared', before: '40.00', after: null, change: '-40.00' }],
      },
    ]);
    expect(c.appeared).toEqual([]);
    expect(c.unchanged).toBe(1);
  });

  it('a changed amount makes the client changed, listing only the discrepancy that differs', () => {
    const older = snap([disc('C1', 'SVC-A', '2', '30.00'), disc('C1', 'SVC-B', '1', '5.00')]);
    const newer = snap([disc('C1', 'SVC-A', '2', '31.10'), disc('C1', 'SVC-B', '1', '5.00')]);
    const c = compareSnapshots(older, newer);
    // C1: before 30.00 + 5.00 = 35.00, after 31.10 + 5.00 = 36.10 → change 1.10; SVC-A 31.10 − 30.00 = 1.10
    expect(c.changed).toEqual([
      {
        clientId: 'C1', clientName: 'Acme Dental', before: '35.00', after: '36.10', change: '1.10',
        discrepancies: [{ serviceId: 'SVC-A', status: 'changed', before: '30.00', after: '31.10', change: '1.10' }],
      },
    ]);
    expect(c.unchanged).toBe(0);
  });

  it('a changed quantity with the same amount is still a change, worth 0.00', () => {
    const older = snap([disc('C1', 'SVC-A', '2', '30.00')]);
    const newer = snap([disc('C1', 'SVC-A', '3', '30.00')]);
    const c = compareSnapshots(older, newer);
    // qtyDelta 2 → 3, amount 30.00 → 30.00: change 30.00 − 30.00 = 0.00
    expect(c.changed).toHaveLength(1);
    expect(c.changed[0]).toMatchObject({ clientId: 'C1', before: '30.00', after: '30.00', change: '0.00' });
    expect(c.changed[0]!.discrepancies).toEqual([{ serviceId: 'SVC-A', status: 'changed', before: '30.00', after: '30.00', change: '0.00' }]);
    expect(c.unchanged).toBe(0);
  });

  it('counts identical clients as unchanged and lists nothing for them', () => {
    const older = snap([disc('C1', 'SVC-A', '2', '30.00'), disc('C2', 'SVC-A', '-1', '-8.00', 'estimated')]);
    const newer = snap([disc('C2', 'SVC-A', '-1', '-8.00', 'estimated'), disc('C1', 'SVC-A', '2', '30.00')]);
    // same two clients, same discrepancies (listed in another order): 2 unchanged, total 22.00 − 22.00 = 0.00
    expect(compareSnapshots(older, newer)).toEqual({ appeared: [], disappeared: [], changed: [], unchanged: 2, totalChange: '0.00' });
  });

  it('subtracts negative amounts exactly', () => {
    const older = snap([disc('C1', 'SVC-A', '-1', '-42.50')]);
    const newer = snap([disc('C1', 'SVC-A', '-3', '-127.50')]);
    const c = compareSnapshots(older, newer);
    // −127.50 − (−42.50) = −85.00
    expect(c.changed[0]).toMatchObject({ before: '-42.50', after: '-127.50', change: '-85.00' });
    expect(c.changed[0]!.discrepancies[0]).toMatchObject({ status: 'changed', before: '-42.50', after: '-127.50', change: '-85.00' });
    expect(c.totalChange).toBe('-85.00');
  });

  it('a null amount counts 0, but a rate becoming known is a change', () => {
    const older = snap([disc('C1', 'SVC-A', '2', null, 'unmapped'), disc('C1', 'SVC-B', '1', '12.00')]);
    const newer = snap([disc('C1', 'SVC-A', '2', '18.40', 'estimated'), disc('C1', 'SVC-B', '1', '12.00')]);
    const c = compareSnapshots(older, newer);
    // C1 before: null(0) + 12.00 = 12.00; after: 18.40 + 12.00 = 30.40 → change 18.40
    // SVC-A: 18.40 − null(0) = 18.40
    expect(c.changed).toEqual([
      {
        clientId: 'C1', clientName: 'Acme Dental', before: '12.00', after: '30.40', change: '18.40',
        discrepancies: [{ serviceId: 'SVC-A', status: 'changed', before: null, after: '18.40', change: '18.40' }],
      },
    ]);
  });

  it('orders each list by absolute change, largest first, then by client id', () => {
    const older = snap([disc('C1', 'SVC-A', '1', '10.00'), disc('C2', 'SVC-A', '1', '10.00'), disc('C3', 'SVC-A', '1', '10.00'), disc('C4', 'SVC-A', '1', '10.00')]);
    const newer = snap([disc('C1', 'SVC-A', '1', '15.00'), disc('C2', 'SVC-A', '1', '-40.00'), disc('C3', 'SVC-A', '1', '5.00'), disc('C4', 'SVC-A', '1', '30.00')]);
    const c = compareSnapshots(older, newer);
    // changes: C1 +5.00, C2 −50.00, C3 −5.00, C4 +20.00 → by |change|: C2 50, C4 20, then C1 and C3 tie at 5 (by id)
    expect(c.changed.map((x) => [x.clientId, x.change])).toEqual([['C2', '-50.00'], ['C4', '20.00'], ['C1', '5.00'], ['C3', '-5.00']]);
  });

  it('totalChange is the newer total minus the older total', () => {
    const older = snap([disc('C1', 'SVC-A', '1', '10.00'), disc('C2', 'SVC-A', '-2', '-25.00')]);
    const newer = snap([disc('C2', 'SVC-A', '-1', '-12.50'), disc('C3', 'SVC-B', '4', '100.01'), disc('C4', 'SVC-A', '1', null, 'unmapped')]);
    // older total: 10.00 − 25.00 = −15.00; newer: −12.50 + 100.01 + null(0) = 87.51
    expect(older.totals.amount).toBe('-15.00');
    expect(newer.totals.amount).toBe('87.51');
    const c = compareSnapshots(older, newer);
    // 87.51 − (−15.00) = 102.51 = sum of client changes: C1 −10.00, C2 +12.50, C3 +100.01, C4 0.00
    expect(c.totalChange).toBe('102.51');
    expect([...c.appeared, ...c.disappeared, ...c.changed].map((x) => [x.clientId, x.change])).toEqual([
      ['C3', '100.01'], ['C4', '0.00'], ['C1', '-10.00'], ['C2', '12.50'],
    ]);
  });

  it('compares money as decimals: "10.5" equals "10.50" and "2.0" equals "2"', () => {
    const base = snap([disc('C1', 'SVC-A', '2', '10.50')]);
    const stored: MonthSnapshot = {
      ...base,
      id: 'stored',
      totals: { discrepancies: 1, amount: '10.5', amountAbs: '10.5' },
      clients: [{ ...base.clients[0]!, amount: '10.5', amountAbs: '10.5', discrepancies: [{ serviceId: 'SVC-A', type: 'calculated', qtyDelta: '2.0', amount: '10.5' }] }],
    };
    // 10.5 = 10.50 and 2.0 = 2: nothing changed; total 10.50 − 10.5 = 0.00
    expect(compareSnapshots(base, stored)).toEqual({ appeared: [], disappeared: [], changed: [], unchanged: 1, totalChange: '0.00' });
  });

  it('refuses to subtract amounts in different currencies', () => {
    expect(() => compareSnapshots(snap([], 'USD'), snap([], 'EUR'))).toThrow(/USD and EUR/);
  });
});
