/**
 * §5 Flags on current lines (one per client, invoice, service, flag) and inactive seats.
 */
import { describe, expect, it } from 'vitest';
import { baseBundle, flagKeys, inactiveKeys, run, type BundleSpec, type Row } from '../helpers/bundle';

const clients = [
  { client_id: 'C1', client_name: 'Acme' },
  { client_id: 'C2', client_name: 'Beta' },
];
const base: BundleSpec = {
  clients,
  clientMap: [
    { external_client_id: 'T1', psa_client_id: 'C1' },
    { external_client_id: 'TX', status: 'excluded' },
  ],
  serviceMap: [
    { rule_id: 'R0', product: '*Trial*', action: 'exclude' },
    { rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' },
  ],
};
const line = (invoice_id: string, service_id: string, quantity: string | number, unit_price: string, more: Row = {}): Row =>
  ({ client_id: 'C1', invoice_id, service_id, quantity, unit_price, ...more });
const october = { period_start: '2026-10-01', period_end: '2026-10-31' };
const flags = (lines: Row[]) => flagKeys(run(baseBundle({ ...base, lines })));

describe('§5 missing_price', () => {
  it('flags each (client, invoice, service) with an unpriced current line once', () => {
    expect(flags([
      line('INV-1', 'S1', 1, ''),
      line('INV-1', 'S1', 2, ''), // same invoice and service: still one flag
      line('INV-2', 'S1', 1, ''), // another invoice: another flag
      line('INV-1', 'S2', 1, '5.00'), // priced: no flag
      line('INV-1', 'S2', 1, '', { client_id: 'C2' }), // another client
    ])).toEqual([
      'C1/INV-1/S1/missing_price',
      'C1/INV-2/S1/missing_price',
      'C2/INV-1/S2/missing_price',
    ]);
  });

  it('flags services no map rule targets too', () => {
    expect(flags([line('INV-1', 'S9', 1, '')])).toEqual(['C1/INV-1/S9/missing_price']);
  });

  it('does not flag lines that are not current', () => {
    expect(flags([line('INV-1', 'S1', 0, '', october)])).toEqual([]);
  });
});

describe('§5 inconsistent_price', () => {
  it('flags two or more distinct prices for one service on one invoice, once', () => {
    expect(flags([
      line('INV-1', 'S1', 1, '10.00'),
      line('INV-1', 'S1', 1, '12.00'),
      line('INV-1', 'S1', 1, '14.00'),
    ])).toEqual(['C1/INV-1/S1/inconsistent_price']);
  });

  it('compares prices as decimals: 10 and 10.00 are the same price', () => {
    expect(flags([line('INV-1', 'S1', 1, '10'), line('INV-1', 'S1', 1, '10.00'), line('INV-1', 'S1', 1, '10.0000')])).toEqual([]);
  });

  it('does not compare prices across invoices or services', () => {
    expect(flags([
      line('INV-1', 'S1', 1, '10.00'),
      line('INV-2', 'S1', 1, '12.00'),
      line('INV-1', 'S2', 1, '14.00'),
    ])).toEqual([]);
  });

  it('does not count a blank price as a distinct price (it is missing_price)', () => {
    expect(flags([line('INV-1', 'S1', 1, '10.00'), line('INV-1', 'S1', 1, '')])).toEqual(['C1/INV-1/S1/missing_price']);
  });

  it('ignores prices of lines that are not current', () => {
    expect(flags([line('INV-1', 'S1', 1, '10.00'), line('INV-1', 'S1', 1, '12.00', october)])).toEqual([]);
  });
});

describe('§5 nonpositive_quantity', () => {
  it('flags lines with quantity 0 or below, once per (client, invoice, service)', () => {
    expect(flags([
      line('INV-1', 'S1', 0, '10.00'),
      line('INV-1', 'S1', -1, '10.00'),
      line('INV-2', 'S1', '-0.0001', '10.00'),
      line('INV-3', 'S1', '0.0001', '10.00'), // positive
    ])).toEqual(['C1/INV-1/S1/nonpositive_quantity', 'C1/INV-2/S1/nonpositive_quantity']);
  });

  it('gives one line several flags when several apply', () => {
    expect(flags([line('INV-1', 'S1', 0, ''), line('INV-1', 'S1', 1, '3.00'), line('INV-1', 'S1', 1, '4.00')])).toEqual([
      'C1/INV-1/S1/inconsistent_price',
      'C1/INV-1/S1/missing_price',
      'C1/INV-1/S1/nonpositive_quantity',
    ]);
  });
});

describe('§5 inactive seats', () => {
  /** One M365 Premium row of C1 per last_active date; record ids r0, r1, … */
  const inactive = (dates: string[], more: Partial<BundleSpec> = {}) => inactiveKeys(run(baseBundle({
    ...base,
    usage: dates.map((d, i) => ({ external_client_id: 'T1', record_id: `r${i}`, product: 'M365 Premium', last_active: d })),
    ...more,
  })));

  it('is inactive only when more than inactiveAfterDays (21) days before the date of asOf', () => {
    // asOf date 2026-11-28: 11-07 is exactly 21 days before (not inactive), 11-06 is 22
    expect(inactive(['2026-11-07', '2026-11-06', '2026-11-28'])).toEqual(['C1/m365/r1/M365 Premium=22']);
  });

  it('counts whole days across months: 2026-10-01 → 2026-11-28 is 58 days', () => {
    expect(inactive(['2026-10-01'])).toEqual(['C1/m365/r0/M365 Premium=58']); // 30 (Oct 1 → Oct 31) + 28
  });

  it('counts whole days across a year end: 2026-12-01 → 2027-01-05 is 35 days', () => {
    expect(inactive(['2026-12-01'], { workspace: { asOf: '2027-01-05T12:00:00Z' } })).toEqual(['C1/m365/r0/M365 Premium=35']); // 31 + 4
  });

  it('counts February 29th of a leap year: 2028-02-01 → 2028-03-01 is 29 days', () => {
    expect(inactive(['2028-02-01'], { workspace: { asOf: '2028-03-01T00:00:00Z' } })).toEqual(['C1/m365/r0/M365 Premium=29']);
  });

  it('uses the workspace inactiveAfterDays', () => {
    // 30 days: 2026-10-29 is exactly 30 days before 11-28 (not inactive), 10-28 is 31
    expect(inactive(['2026-10-29', '2026-10-28'], { workspace: { inactiveAfterDays: 30 } })).toEqual(['C1/m365/r1/M365 Premium=31']);
  });

  it('defaults inactiveAfterDays to 21 when workspace.json omits it', () => {
    expect(inactive(['2026-11-07', '2026-11-06'], { workspace: { inactiveAfterDays: undefined } })).toEqual(['C1/m365/r1/M365 Premium=22']);
  });

  it('ignores the time of day of asOf', () => {
    expect(inactive(['2026-11-07'], { workspace: { asOf: '2026-11-28T23:59:59Z' } })).toEqual([]);
  });

  it('counts from the UTC date of asOf: 2026-11-28T20:00:00-05:00 is November 29th', () => {
    // 11-07 → 11-29 = 22 days; 11-08 → 21 days
    expect(inactive(['2026-11-07', '2026-11-08'], { workspace: { asOf: '2026-11-28T20:00:00-05:00' } })).toEqual(['C1/m365/r0/M365 Premium=22']);
  });

  it('never lists a row with a blank last_active', () => {
    expect(inactive(['', '  '])).toEqual([]);
  });

  it('lists resolved rows (unaccounted ones too), one per row, and no unmapped, excluded or rule-excluded ones', () => {
    const old = '2026-10-01'; // 58 days
    const r = run(baseBundle({
      ...base,
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'M365 Premium', last_active: old },
        { external_client_id: 'T1', record_id: 'a', product: 'Visio', last_active: old }, // unaccounted, same record
        { external_client_id: 'T1', record_id: 'b', product: 'M365 Trial', last_active: old }, // excluded by R0
        { external_client_id: 'TX', record_id: 'c', product: 'M365 Premium', last_active: old }, // excluded client
        { external_client_id: 'T9', record_id: 'd', product: 'M365 Premium', last_active: old }, // unmapped client
      ],
    }));
    expect(inactiveKeys(r)).toEqual(['C1/m365/a/M365 Premium=58', 'C1/m365/a/Visio=58']);
    const seat = r.inactive_seats.find((s) => s.product === 'Visio');
    expect(seat).toEqual({
      client_id: 'C1', integration_id: 'm365', record_id: 'a', product: 'Visio', last_active: '2026-10-01', days_inactive: 58,
    });
  });
});
