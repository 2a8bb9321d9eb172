/**
 * §7 Adjustments: an approved discrepancy with an amount becomes an adjustment; default effective date;
 * proration over the days left in the effective month.
 */
import { describe, expect, it } from 'vitest';
import {
  adjustment, baseBundle, csv, disc, findAdjustment, run, type BundleSpec, type Row, type Workspace,
} from '../helpers/bundle';

const december = { period_start: '2026-12-01', period_end: '2026-12-31' };

interface Setup {
  /** C1's current S1 lines as [quantity, unit_price]. */
  lines: [string | number, string][];
  /** Quantity of C1's one Storage GB row (count=quantity → system_count). */
  used: string;
  decisions?: Row[];
  workspace?: Workspace;
  more?: Partial<BundleSpec>;
  period?: Row;
}
function bundle(s: Setup) {
  return baseBundle({
    clients: [{ client_id: 'C1', client_name: 'Acme' }, { client_id: 'C2', client_name: 'Beta' }],
    clientMap: [{ external_client_id: 'T1', psa_client_id: 'C1' }, { external_client_id: 'T2', psa_client_id: 'C2' }],
    serviceMap: [{ rule_id: 'R1', product: 'Storage GB', psa_service_id: 'S1', count: 'quantity' }],
    lines: s.lines.map(([quantity, unit_price]) => ({ client_id: 'C1', service_id: 'S1', quantity, unit_price, ...s.period })),
    usage: [{ external_client_id: 'T1', record_id: 'st', product: 'Storage GB', quantity: s.used }],
    decisions: s.decisions,
    workspace: s.workspace,
    ...s.more,
  });
}
const approve = (effective_date = '', client_id = 'C1', service_id = 'S1'): Row => ({ client_id, service_id, decision: 'approve', effective_date });

/** C1: 2 invoiced at 10.00, 5 used → qty_delta 3, unit_rate 10.00, amount 30.00. */
const thirty = (decisions: Row[], more: Partial<Setup> = {}) => run(bundle({ lines: [[2, '10.00']], used: '5', decisions, ...more }));

describe('§7 effective date', () => {
  it('defaults to the first day of the month after asOf, with no proration', () => {
    const r = thirty([approve()]);
    expect(r.adjustments).toHaveLength(1);
    const a = adjustment(r, 'C1', 'S1');
    expect(a.effective_date).toBe('2026-12-01'); // asOf 2026-11-28
    expect(a.qty_delta).toBeDecimal('3'); // 5 − 2
    expect(a.unit_rate).toBeDecimal('10.00');
    expect(a.monthly_amount).toBeDecimal('30.00'); // = the discrepancy amount, 3 × 10.00
    expect(a.prorated_amount).toBeDecimal('0.00');
  });

  it('defaults to January 1st of the next year when asOf is in December', () => {
    const r = thirty([approve()], { workspace: { asOf: '2026-12-15T12:00:00Z' }, period: december });
    expect(adjustment(r, 'C1', 'S1').effective_date).toBe('2027-01-01');
  });

  it('takes the month of the UTC date of asOf: 2026-11-30T22:00:00-05:00 is in December', () => {
    const r = thirty([approve()], { workspace: { asOf: '2026-11-30T22:00:00-05:00' }, period: december });
    expect(adjustment(r, 'C1', 'S1').effective_date).toBe('2027-01-01');
  });

  it('keeps a given effective date', () => {
    expect(adjustment(thirty([approve('2027-02-15')]), 'C1', 'S1').effective_date).toBe('2027-02-15');
  });
});

describe('§7 proration: qty_delta × unit_rate × days left (both ends included) / days in the month', () => {
  it('prorates in a 28-day month: February 15th, 2027 leaves 14 of 28 days', () => {
    const a = adjustment(thirty([approve('2027-02-15')]), 'C1', 'S1');
    expect(a.monthly_amount).toBeDecimal('30.00');
    expect(a.prorated_amount).toBeDecimal('15.00'); // 3 × 10.00 × 14 / 28
  });

  it('prorates one day on the last day of February 2027', () => {
    expect(adjustment(thirty([approve('2027-02-28')]), 'C1', 'S1').prorated_amount).toBeDecimal('1.07'); // 30 × 1 / 28 = 1.0714…
  });

  it('prorates in a 29-day February: the 15th of 2028 leaves 15 of 29 days', () => {
    expect(adjustment(thirty([approve('2028-02-15')]), 'C1', 'S1').prorated_amount).toBeDecimal('15.52'); // 30 × 15 / 29 = 15.5172…
  });

  it('prorates in a 30-day month: April 20th, 2027 leaves 11 of 30 days', () => {
    // 1 invoiced at 10.00, 3 used → qty_delta 2, monthly 20.00
    const a = adjustment(run(bundle({ lines: [[1, '10.00']], used: '3', decisions: [approve('2027-04-20')] })), 'C1', 'S1');
    expect(a.monthly_amount).toBeDecimal('20.00');
    expect(a.prorated_amount).toBeDecimal('7.33'); // 20 × 11 / 30 = 7.333…
  });

  it('prorates in a 31-day month: December 10th, 2026 leaves 22 of 31 days', () => {
    expect(adjustment(thirty([approve('2026-12-10')]), 'C1', 'S1').prorated_amount).toBeDecimal('21.29'); // 30 × 22 / 31 = 21.2903…
  });

  it('prorates one day on December 31st', () => {
    expect(adjustment(thirty([approve('2026-12-31')]), 'C1', 'S1').prorated_amount).toBeDecimal('0.97'); // 30 × 1 / 31 = 0.9677…
  });

  it('gives 0 when a given effective date is the first of its month', () => {
    const a = adjustment(thirty([approve('2027-03-01')]), 'C1', 'S1');
    expect(a.effective_date).toBe('2027-03-01');
    expect(a.prorated_amount).toBeDecimal('0.00');
  });

  it('prorates negative amounts', () => {
    // 5 invoiced at 12.50, 3 used → qty_delta −2, monthly −25.00
    const a = adjustment(run(bundle({ lines: [[5, '12.50']], used: '3', decisions: [approve('2027-02-15')] })), 'C1', 'S1');
    expect(a.qty_delta).toBeDecimal('-2');
    expect(a.monthly_amount).toBeDecimal('-25.00');
    expect(a.prorated_amount).toBeDecimal('-12.50'); // −25.00 × 14 / 28
  });

  it('rounds a negative prorated half cent away from zero', () => {
    // 2 invoiced at 0.05, 1 used → qty_delta −1, monthly −0.05
    const a = adjustment(run(bundle({ lines: [[2, '0.05']], used: '1', decisions: [approve('2027-02-15')] })), 'C1', 'S1');
    expect(a.monthly_amount).toBeDecimal('-0.05');
    expect(a.prorated_amount).toBeDecimal('-0.03'); // −1 × 0.05 × 14 / 28 = −0.025 → −0.03
  });

  it('prorates qty_delta × unit_rate, not the rounded monthly amount', () => {
    // 1 invoiced at 0.05, 1.5 used → qty_delta 0.5; monthly 0.5 × 0.05 = 0.025 → 0.03
    const a = adjustment(run(bundle({ lines: [[1, '0.05']], used: '1.5', decisions: [approve('2027-02-15')] })), 'C1', 'S1');
    expect(a.monthly_amount).toBeDecimal('0.03');
    expect(a.prorated_amount).toBeDecimal('0.01'); // 0.5 × 0.05 × 14 / 28 = 0.0125 → 0.01 (0.03 × 14 / 28 = 0.015 would give 0.02)
  });

  it('prorates with the unit rate rounded to cents', () => {
    // 1 at 10.00 + 1 at 10.01 → 20.01 / 2 = 10.005 → 10.01; 5 used → qty_delta 3; monthly 30.03
    const a = adjustment(run(bundle({ lines: [[1, '10.00'], [1, '10.01']], used: '5', decisions: [approve('2027-02-15')] })), 'C1', 'S1');
    expect(a.unit_rate).toBeDecimal('10.01');
    expect(a.monthly_amount).toBeDecimal('30.03');
    expect(a.prorated_amount).toBeDecimal('15.02'); // 3 × 10.01 × 14 / 28 = 15.015 → 15.02 (10.005 would give 15.0075 → 15.01)
  });
});

describe('§7 which decisions become adjustments', () => {
  it('makes nothing of a dismissed discrepancy', () => {
    expect(thirty([{ client_id: 'C1', service_id: 'S1', decision: 'dismiss' }]).adjustments).toEqual([]);
  });

  it('makes nothing of an approved discrepancy without an amount (rate none)', () => {
    const r = run(bundle({ lines: [[2, '']], used: '5', decisions: [approve()] }));
    expect(disc(r, 'C1', 'S1').amount).toBeNull(); // no price anywhere, no catalog
    expect(r.adjustments).toEqual([]);
  });

  it('makes nothing of an approval for a pair with qty_delta 0', () => {
    expect(run(bundle({ lines: [[5, '10.00']], used: '5', decisions: [approve()] })).adjustments).toEqual([]);
  });

  it('makes nothing of an approval for a pair that does not exist', () => {
    expect(thirty([approve('', 'C9', 'S1'), approve('', 'C1', 'S7')]).adjustments).toEqual([]);
  });

  it('makes nothing without decisions', () => {
    expect(thirty([]).adjustments).toEqual([]);
    expect(run(bundle({ lines: [[2, '10.00']], used: '5' })).adjustments).toEqual([]);
  });

  it('lets the later row of the same pair win: approve then dismiss is dismissed', () => {
    expect(thirty([approve(), { client_id: 'C1', service_id: 'S1', decision: 'dismiss' }]).adjustments).toEqual([]);
  });

  it('lets the later row of the same pair win: dismiss then approve is approved, with the later date', () => {
    const r = thirty([{ client_id: 'C1', service_id: 'S1', decision: 'dismiss' }, approve('2027-01-01'), approve('2027-02-15')]);
    expect(r.adjustments).toHaveLength(1);
    expect(adjustment(r, 'C1', 'S1').effective_date).toBe('2027-02-15');
  });

  it('reads decisions case-insensitively', () => {
    expect(findAdjustment(thirty([{ client_id: 'C1', service_id: 'S1', decision: ' APPROVE ' }]), 'C1', 'S1')).toBeDefined();
  });

  it('turns an approved unmapped discrepancy rated by the median into an adjustment', () => {
    // C2 uses 3 with no line; the median of S1's priced current lines (C1: 10.00) rates it: 3 × 10.00
    const r = run(bundle({
      lines: [[2, '10.00']], used: '2', // C1: 2 − 2 = 0, no discrepancy
      decisions: [approve('', 'C2', 'S1')],
      more: {
        usage: [
          { external_client_id: 'T1', record_id: 'st', product: 'Storage GB', quantity: '2' },
          { external_client_id: 'T2', record_id: 'c2', product: 'Storage GB', quantity: '3' },
        ],
      },
    }));
    expect(disc(r, 'C2', 'S1').type).toBe('unmapped');
    const a = adjustment(r, 'C2', 'S1');
    expect(a.qty_delta).toBeDecimal('3');
    expect(a.unit_rate).toBeDecimal('10.00');
    expect(a.monthly_amount).toBeDecimal('30.00');
  });

  it('turns an approved estimate from the catalog into an adjustment', () => {
    const r = run(bundle({
      lines: [[2, '']], used: '5', decisions: [approve()],
      more: { catalog: [{ service_id: 'S1', list_price: '4.25' }] },
    }));
    const a = adjustment(r, 'C1', 'S1');
    expect(a.unit_rate).toBeDecimal('4.25');
    expect(a.monthly_amount).toBeDecimal('12.75'); // 3 × 4.25
  });
});

describe('§7 decisions given apart from the bundle (--decisions FILE)', () => {
  const header = ['client_id', 'service_id', 'decision', 'effective_date'];

  it('replaces the bundle\'s decisions.csv: an empty file undoes its approvals', () => {
    const files = bundle({ lines: [[2, '10.00']], used: '5', decisions: [approve()] });
    const r = run(files, { decisions: { name: 'review.csv', text: csv(header, []) } });
    expect(r.adjustments).toEqual([]);
  });

  it('replaces the bundle\'s decisions.csv: its approvals count', () => {
    const files = bundle({ lines: [[2, '10.00']], used: '5', decisions: [{ client_id: 'C1', service_id: 'S1', decision: 'dismiss' }] });
    const r = run(files, { decisions: { name: 'review.csv', text: csv(header, [['C1', 'S1', 'approve', '2027-02-15']]) } });
    expect(adjustment(r, 'C1', 'S1').prorated_amount).toBeDecimal('15.00'); // 30.00 × 14 / 28
  });

  it('works when the bundle has no decisions.csv', () => {
    const files = bundle({ lines: [[2, '10.00']], used: '5' });
    const r = run(files, { decisions: { name: 'review.csv', text: csv(header, [['C1', 'S1', 'approve', '']]) } });
    expect(adjustment(r, 'C1', 'S1').monthly_amount).toBeDecimal('30.00');
  });
});
