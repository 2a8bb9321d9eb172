/**
 * History's month comparison as the core serves it (worker/views/monthComparison.ts): the closed
 * months picked by id, compared in exact cents, listed appeared / disappeared / changed.
 */
import { describe, expect, it } from 'vitest';
import type { MonthSnapshot, SnapshotClient } from '../../worker/review/snapshots';
import { monthComparison } from '../../worker/views/monthComparison';

const client = (clientId: string, amount: string): SnapshotClient => ({ clientId, clientName: `Client ${clientId}`, amount, amountAbs: amount.replace('-', ''), discrepancies: [{ serviceId: 'S1', type: 'calculated', qtyDelta: '1', amount }] });

/** A closed month; `net` is the sum of its clients' amounts, as the snapshot keeps it. */
function month(id: string, net: string, clients: SnapshotClient[], currency = 'USD'): MonthSnapshot {
  return { id, name: id, createdAt: '2026-11-30T00:00:00Z', asOf: '2026-11-30T00:00:00Z', currency, totals: { discrepancies: clients.length, amount: net, amountAbs: net }, clients };
}

describe('the month comparison view', () => {
  const october = month('oct', '22.10', [client('C1', '10.10'), client('C2', '5.00'), client('C3', '7.00')]);
  const november = month('nov', '10.40', [client('C1', '10.10'), client('C2', '0.20'), client('C4', '0.10')]);

  it('lists the clients that appeared, disappeared and changed, with exact differences and the net change', () => {
    const c = monthComparison([october, november], 'oct', 'nov')!;
    expect(c.rows.map((r) => [r.status, r.clientId, r.before, r.after, r.change])).toEqual([
      ['appeared', 'C4', null, '0.10', '0.10'],
      ['disappeared', 'C3', '7.00', null, '-7.00'],
      ['changed', 'C2', '5.00', '0.20', '-4.80'],
    ]);
    expect([c.appeared, c.disappeared, c.changed, c.unchanged]).toEqual([1, 1, 1, 1]);
    // 10.40 − 22.10, in cents: no float rounding on the way.
    expect(c.totalChange).toBe('-11.70');
    expect(c.currency).toBe('USD');
  });

  it('answers nothing for a month that is not closed, or two months in different currencies', () => {
    expect(monthComparison([october, november], 'oct', 'dec')).toBeNull();
    expect(monthComparison([october, month('eur', '1.00', [client('C1', '1.00')], 'EUR')], 'oct', 'eur')).toBeNull();
  });
});
