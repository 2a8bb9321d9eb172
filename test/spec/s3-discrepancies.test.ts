/**
 * §3 Compared pairs and discrepancies: current lines, compared services, system_count, the rate chain,
 * rounding, type, integration_ids.
 */
import { describe, expect, it } from 'vitest';
import {
  baseBundle, client, disc, findDisc, run, seats, type BundleSpec, type Row,
} from '../helpers/bundle';

const clients = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => ({ client_id: id, client_name: `Client ${id}` }));
const clientMap = [
  { external_client_id: 'T1', psa_client_id: 'C1' },
  { external_client_id: 'T2', psa_client_id: 'C2' },
  { integration_id: 'sentinelone', external_client_id: 'S-1', psa_client_id: 'C1' },
];
/** S1 counts M365 Premium records, S2 counts Storage GB quantity. */
const serviceMap = [
  { rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1', count: 'records' },
  { rule_id: 'R2', product: 'Storage GB', psa_service_id: 'S2', count: 'quantity' },
];
const base: BundleSpec = { clients, clientMap, serviceMap };

/** `n` M365 Premium seats of C1 (tenant T1). */
const premium = (n: number, tenant = 'T1') => seats(n, { external_client_id: tenant, product: 'M365 Premium' });
/** One Storage GB row of C1 with this quantity. */
const storage = (quantity: string, record = `st-${quantity}`) =>
  ({ external_client_id: 'T1', record_id: record, product: 'Storage GB', quantity });
const line = (client_id: string, service_id: string, quantity: string | number, unit_price = '', more: Row = {}): Row =>
  ({ client_id, service_id, quantity, unit_price, ...more });

describe('§3 current lines: the period contains the date of asOf', () => {
  it('counts lines whose inclusive period starts or ends on the date of asOf, and no others', () => {
    const r = run(baseBundle({
      ...base,
      lines: [
        line('C1', 'S1', 1, '10.00', { period_start: '2026-11-28', period_end: '2026-12-27' }), // starts on 11-28
        line('C1', 'S1', 2, '10.00', { period_start: '2026-10-29', period_end: '2026-11-28' }), // ends on 11-28
        line('C1', 'S1', 4, '10.00', { period_start: '2026-10-01', period_end: '2026-11-27' }), // ended the day before
        line('C1', 'S1', 8, '10.00', { period_start: '2026-11-29', period_end: '2026-12-28' }), // starts the day after
      ],
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.invoiced_qty).toBeDecimal('3'); // 1 + 2
    expect(d.qty_delta).toBeDecimal('-3'); // 0 − 3
    expect(d.amount).toBeDecimal('-30.00'); // −3 × 10.00
  });

  it('takes the date of asOf in UTC: 2026-11-30T22:00:00-05:00 is December 1st', () => {
    const r = run(baseBundle({
      ...base,
      workspace: { asOf: '2026-11-30T22:00:00-05:00' }, // = 2026-12-01T03:00Z
      lines: [
        line('C1', 'S1', 2, '10.00'), // November
        line('C1', 'S1', 5, '10.00', { period_start: '2026-12-01', period_end: '2026-12-31' }),
      ],
    }));
    expect(disc(r, 'C1', 'S1').invoiced_qty).toBeDecimal('5');
    expect(disc(r, 'C1', 'S1').amount).toBeDecimal('-50.00'); // (0 − 5) × 10.00
  });

  it('takes the date of asOf in UTC: 2026-12-01T00:30:00+01:00 is still November 30th', () => {
    const r = run(baseBundle({
      ...base,
      workspace: { asOf: '2026-12-01T00:30:00+01:00' }, // = 2026-11-30T23:30Z
      lines: [
        line('C1', 'S1', 2, '10.00'),
        line('C1', 'S1', 5, '10.00', { period_start: '2026-12-01', period_end: '2026-12-31' }),
      ],
    }));
    expect(disc(r, 'C1', 'S1').invoiced_qty).toBeDecimal('2');
  });

  it('accepts a date-only asOf (midnight UTC)', () => {
    const r = run(baseBundle({
      ...base,
      workspace: { asOf: '2026-12-01' },
      lines: [line('C1', 'S1', 2, '10.00'), line('C1', 'S1', 5, '10.00', { period_start: '2026-12-01', period_end: '2026-12-31' })],
    }));
    expect(disc(r, 'C1', 'S1').invoiced_qty).toBeDecimal('5');
  });

  it('treats a pair with only past lines and usage as having no current line', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 3, '10.00', { period_start: '2026-10-01', period_end: '2026-10-31' })],
      usage: premium(2),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.invoiced_qty).toBeDecimal('0');
    expect(d.type).toBe('unmapped');
    expect(d.rate_source).toBe('none'); // the October price is not a current line: no median, no catalog
  });
});

describe('§3 compared services', () => {
  it('does not reconcile current lines of a service no map rule targets', () => {
    const r = run(baseBundle({ ...base, lines: [line('C1', 'S9', 5, '10.00')] }));
    expect(findDisc(r, 'C1', 'S9')).toBeUndefined();
    expect(client(r, 'C1').service_count).toBe(1); // still shown
  });

  it('does not treat the psa_service_id of an exclude rule as a compared service', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [...serviceMap, { rule_id: 'R3', product: 'Free*', action: 'exclude', psa_service_id: 'S8' }],
      lines: [line('C1', 'S8', 4, '10.00')],
    }));
    expect(findDisc(r, 'C1', 'S8')).toBeUndefined();
  });

  it('reconciles a targeted service even when its rule matches no usage', () => {
    const r = run(baseBundle({ ...base, lines: [line('C2', 'S1', 3, '12.00')] }));
    const d = disc(r, 'C2', 'S1');
    expect(d.system_count).toBeDecimal('0');
    expect(d.qty_delta).toBeDecimal('-3'); // over-billed by 3
    expect(d.amount).toBeDecimal('-36.00'); // −3 × 12.00
    expect(d.type).toBe('calculated');
    expect(d.integration_ids).toEqual([]);
  });

  it('reconciles a service targeted by a rule of another integration for every client', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [...serviceMap, { rule_id: 'R3', integration_id: 'sentinelone', product: 'Agent', psa_service_id: 'S3' }],
      lines: [line('C2', 'S3', 1, '5.00')],
    }));
    expect(disc(r, 'C2', 'S3').qty_delta).toBeDecimal('-1');
  });
});

describe('§3 system_count', () => {
  it('counts distinct (integration_id, record_id) for count=records, whatever the products', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [...serviceMap, { rule_id: 'R3', product: 'M365 Premium Add-on', psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium' },
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium Add-on' },
        { external_client_id: 'T1', record_id: 'u2', product: 'M365 Premium' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2'); // {u1, u2}
  });

  it('counts the same record id in two integrations twice', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [...serviceMap, { rule_id: 'R3', integration_id: 'sentinelone', product: '*', psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium' },
        { integration_id: 'sentinelone', external_client_id: 'S-1', record_id: 'u1', product: 'Agent' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2'); // (m365, u1), (sentinelone, u1)
  });

  it('ignores quantity for count=records', () => {
    const r = run(baseBundle({
      ...base,
      usage: [{ external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium', quantity: '5' }],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1');
  });

  it('sums quantity for count=quantity, a blank quantity counting 1', () => {
    const r = run(baseBundle({ ...base, usage: [storage('3'), storage(''), storage('2.5')] }));
    expect(disc(r, 'C1', 'S2').system_count).toBeDecimal('6.5'); // 3 + 1 + 2.5
  });

  it('adds records of count=records rules and quantities of count=quantity rules of the same pair', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [...serviceMap, { rule_id: 'R3', product: 'Archive GB', psa_service_id: 'S1', count: 'quantity' }],
      lines: [line('C1', 'S1', 10, '1.00')],
      usage: [
        ...premium(2),
        { external_client_id: 'T1', record_id: 'a1', product: 'Archive GB', quantity: '10' },
        { external_client_id: 'T1', record_id: 'a2', product: 'Archive GB', quantity: '5' },
      ],
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.system_count).toBeDecimal('17'); // 2 records + 10 + 5
    expect(d.qty_delta).toBeDecimal('7'); // 17 − 10, positive = under-billed
    expect(d.amount).toBeDecimal('7.00'); // 7 × 1.00
  });

  it('sums invoiced_qty over all current lines of the pair, across invoices', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 2, '10.00', { invoice_id: 'INV-1' }), line('C1', 'S1', 3, '10.00', { invoice_id: 'INV-2' })],
      usage: premium(1),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.invoiced_qty).toBeDecimal('5'); // 2 + 3
    expect(d.qty_delta).toBeDecimal('-4'); // 1 − 5
  });
});

describe('§3 rate chain: invoice', () => {
  it('uses the quantity-weighted mean when every current line of the pair is priced', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 2, '10.00', { invoice_id: 'INV-1' }), line('C1', 'S1', 1, '13.00', { invoice_id: 'INV-2' })],
      usage: premium(5),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('invoice');
    expect(d.type).toBe('calculated');
    expect(d.unit_rate).toBeDecimal('11.00'); // 2×10.00 + 1×13.00 = 33.00 / 3 = 11.00
    expect(d.qty_delta).toBeDecimal('2'); // 5 − 3
    expect(d.amount).toBeDecimal('22.00'); // 2 × 11.00
  });

  it('rounds the unit rate to cents before multiplying', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 1, '10.00'), line('C1', 'S1', 1, '10.01')],
      usage: premium(5),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('10.01'); // 20.01 / 2 = 10.005 → 10.01 (half away from zero)
    expect(d.amount).toBeDecimal('30.03'); // 3 × 10.01 = 30.03 (not 3 × 10.005 = 30.015 → 30.02)
  });

  it('rounds a repeating weighted mean to cents', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 1, '10.00'), line('C1', 'S1', 2, '10.01')],
      usage: premium(6),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('10.01'); // 10.00 + 20.02 = 30.02 / 3 = 10.00666… → 10.01
    expect(d.amount).toBeDecimal('30.03'); // (6 − 3) × 10.01
  });

  it('uses the plain mean of the prices when the quantities sum to zero', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 2, '10.00'), line('C1', 'S1', -2, '12.00')],
      usage: premium(3),
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('invoice');
    expect(d.unit_rate).toBeDecimal('11.00'); // Σqty = 2 − 2 = 0 → (10.00 + 12.00) / 2 = 11.00
    expect(d.qty_delta).toBeDecimal('3'); // 3 − 0
    expect(d.amount).toBeDecimal('33.00'); // 3 × 11.00
  });

  it('uses the plain mean of the prices when the quantities sum to less than zero', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 1, '10.00'), line('C1', 'S1', -3, '20.00')],
    }));
    const d = disc(r, 'C1', 'S1');
    // Σqty = 1 − 3 = −2, not > 0 → (10.00 + 20.00) / 2 = 15.00 (the weighted form would give (10 − 60) / −2 = 25)
    expect(d.unit_rate).toBeDecimal('15.00');
    expect(d.qty_delta).toBeDecimal('2'); // 0 − (−2)
    expect(d.amount).toBeDecimal('30.00'); // 2 × 15.00
  });

  it('uses the invoice rate even when a catalog price exists', () => {
    const r = run(baseBundle({
      ...base,
      catalog: [{ service_id: 'S1', list_price: '99.00' }],
      lines: [line('C1', 'S1', 1, '10.00')],
      usage: premium(2),
    }));
    expect(disc(r, 'C1', 'S1').unit_rate).toBeDecimal('10.00');
    expect(disc(r, 'C1', 'S1').rate_source).toBe('invoice');
  });
});

describe('§3 rate chain: median, catalog, none', () => {
  /** C1 has an unpriced S1 line (qty 2) and 5 seats: qty_delta = 3, rate from the estimate chain. */
  const unpriced = (more: Partial<BundleSpec>): BundleSpec => ({
    ...base,
    ...more,
    lines: [line('C1', 'S1', 2, ''), ...(more.lines ?? [])],
    usage: premium(5),
  });

  it('uses the median of priced current lines of the service in the workspace (odd count)', () => {
    const r = run(baseBundle(unpriced({
      lines: [line('C2', 'S1', 1, '10.00'), line('C3', 'S1', 1, '30.00'), line('C4', 'S1', 1, '12.00')],
    })));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('median');
    expect(d.type).toBe('estimated');
    expect(d.unit_rate).toBeDecimal('12.00'); // 10, 12, 30 → 12
    expect(d.amount).toBeDecimal('36.00'); // (5 − 2) × 12.00
  });

  it('uses the mean of the two middle prices for an even count', () => {
    const r = run(baseBundle(unpriced({
      lines: [line('C2', 'S1', 1, '10.00'), line('C3', 'S1', 1, '30.00'), line('C4', 'S1', 1, '12.00'), line('C5', 'S1', 1, '14.00')],
    })));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('13.00'); // 10, 12, 14, 30 → (12 + 14) / 2 = 13.00
    expect(d.amount).toBeDecimal('39.00'); // 3 × 13.00
  });

  it('rounds an even-count median to cents half away from zero', () => {
    const r = run(baseBundle(unpriced({ lines: [line('C2', 'S1', 1, '10.00'), line('C3', 'S1', 1, '10.01')] })));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('10.01'); // (10.00 + 10.01) / 2 = 10.005 → 10.01
    expect(d.amount).toBeDecimal('30.03'); // 3 × 10.01
  });

  it('takes the median over lines, not weighted by quantity', () => {
    const r = run(baseBundle(unpriced({
      lines: [line('C2', 'S1', 100, '10.00'), line('C3', 'S1', 1, '12.00'), line('C4', 'S1', 1, '14.00')],
    })));
    expect(disc(r, 'C1', 'S1').unit_rate).toBeDecimal('12.00'); // 10, 12, 14 → 12
  });

  it('includes the pair\'s own priced lines in the median', () => {
    const r = run(baseBundle(unpriced({
      lines: [line('C1', 'S1', 1, '40.00'), line('C2', 'S1', 1, '10.00'), line('C3', 'S1', 1, '14.00'), line('C4', 'S1', 1, '12.00')],
    })));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('median'); // one of C1's lines has no price
    expect(d.unit_rate).toBeDecimal('13.00'); // 10, 12, 14, 40 → (12 + 14) / 2
    expect(d.invoiced_qty).toBeDecimal('3'); // 2 + 1
    expect(d.amount).toBeDecimal('26.00'); // (5 − 3) × 13.00
  });

  it('ignores priced lines that are not current, and lines of other services', () => {
    const r = run(baseBundle(unpriced({
      lines: [
        line('C2', 'S1', 1, '10.00'),
        line('C3', 'S1', 1, '50.00', { period_start: '2026-10-01', period_end: '2026-10-31' }),
        line('C4', 'S2', 1, '70.00'),
      ],
    })));
    expect(disc(r, 'C1', 'S1').unit_rate).toBeDecimal('10.00'); // only C2's current S1 line
  });

  it('falls back to the catalog list_price when no current line of the service is priced', () => {
    const r = run(baseBundle(unpriced({ catalog: [{ service_id: 'S1', service_name: 'M365', list_price: '9.50' }] })));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('catalog');
    expect(d.type).toBe('estimated');
    expect(d.unit_rate).toBeDecimal('9.50');
    expect(d.amount).toBeDecimal('28.50'); // 3 × 9.50
  });

  it('rounds a 4-place catalog price to cents before use', () => {
    const r = run(baseBundle(unpriced({ catalog: [{ service_id: 'S1', list_price: '0.0450' }] })));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('0.05'); // 0.045 → 0.05 (half away from zero)
    expect(d.amount).toBeDecimal('0.15'); // 3 × 0.05 (not 3 × 0.045 = 0.135 → 0.14)
  });

  it('has no rate and a null amount when there is no price anywhere', () => {
    const r = run(baseBundle(unpriced({ catalog: [{ service_id: 'S1', list_price: '' }, { service_id: 'S2', list_price: '4.00' }] })));
    const d = disc(r, 'C1', 'S1');
    expect(d.rate_source).toBe('none');
    expect(d.unit_rate).toBeNull();
    expect(d.amount).toBeNull();
    expect(d.type).toBe('estimated');
    expect(d.qty_delta).toBeDecimal('3');
  });

  it('has no rate without a catalog file', () => {
    const r = run(baseBundle(unpriced({})));
    expect(disc(r, 'C1', 'S1').rate_source).toBe('none');
  });
});

describe('§3 amount rounding: half away from zero, also below zero', () => {
  /** C1 is invoiced `invoiced` Storage GB at 0.05 and used `used`. */
  const meter = (invoiced: string, used: string) => run(baseBundle({
    ...base,
    lines: [line('C1', 'S2', invoiced, '0.05')],
    usage: [storage(used)],
  }));

  it('rounds −1.5 × 0.05 = −0.075 to −0.08', () => {
    const d = disc(meter('3', '1.5'), 'C1', 'S2');
    expect(d.qty_delta).toBeDecimal('-1.5'); // 1.5 − 3
    expect(d.amount).toBeDecimal('-0.08');
  });

  it('rounds −0.5 × 0.05 = −0.025 to −0.03', () => {
    expect(disc(meter('1', '0.5'), 'C1', 'S2').amount).toBeDecimal('-0.03');
  });

  it('rounds 0.5 × 0.05 = 0.025 to 0.03', () => {
    expect(disc(meter('1', '1.5'), 'C1', 'S2').amount).toBeDecimal('0.03');
  });

  it('rounds −0.0001 × 0.05 = −0.000005 to zero cents', () => {
    const d = disc(meter('1', '0.9999'), 'C1', 'S2');
    expect(d.qty_delta).toBeDecimal('-0.0001');
    expect(d.amount).toBeDecimal('0.00');
  });
});

describe('§3 type', () => {
  it('is unmapped when the pair has mapped usage but no current line, rated by the estimate chain', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 1, '10.00')],
      usage: premium(3, 'T2'),
    }));
    const d = disc(r, 'C2', 'S1');
    expect(d.type).toBe('unmapped');
    expect(d.invoiced_qty).toBeDecimal('0');
    expect(d.system_count).toBeDecimal('3');
    expect(d.rate_source).toBe('median'); // C1's line: 10.00
    expect(d.amount).toBeDecimal('30.00'); // 3 × 10.00
  });

  it('is unmapped with a null amount when no price exists at all', () => {
    const r = run(baseBundle({ ...base, usage: premium(3, 'T2') }));
    const d = disc(r, 'C2', 'S1');
    expect(d.type).toBe('unmapped');
    expect(d.rate_source).toBe('none');
    expect(d.amount).toBeNull();
  });

  it('is calculated with an invoice rate and estimated otherwise', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 1, '10.00'), line('C2', 'S1', 1, '')],
    }));
    expect(disc(r, 'C1', 'S1').type).toBe('calculated');
    expect(disc(r, 'C2', 'S1').type).toBe('estimated');
    expect(disc(r, 'C2', 'S1').rate_source).toBe('median');
  });
});

describe('§3 integration_ids and the listing', () => {
  it('lists the sorted ids of the integrations whose rows were counted for the pair', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R0', integration_id: 'sentinelone', product: 'Trial*', action: 'exclude' },
        ...serviceMap,
        { rule_id: 'R3', integration_id: 'sentinelone', product: '*', psa_service_id: 'S1' },
      ],
      usage: [
        { integration_id: 'sentinelone', external_client_id: 'S-1', record_id: 'a1', product: 'Agent' },
        ...premium(1),
        ...premium(1, 'T2'),
        { integration_id: 'sentinelone', external_client_id: 'S-1', record_id: 'a2', product: 'Agent' },
      ],
      lines: [line('C2', 'S1', 5, '1.00')],
    }));
    expect(disc(r, 'C1', 'S1').integration_ids).toEqual(['m365', 'sentinelone']);
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('3');
    expect(disc(r, 'C2', 'S1').integration_ids).toEqual(['m365']);
  });

  it('does not list an integration whose rows for the client were all excluded by a rule', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R0', integration_id: 'sentinelone', product: '*', action: 'exclude' }, ...serviceMap],
      usage: [{ integration_id: 'sentinelone', external_client_id: 'S-1', record_id: 'a1', product: 'M365 Premium' }, ...premium(1)],
    }));
    expect(disc(r, 'C1', 'S1').integration_ids).toEqual(['m365']);
  });

  it('lists only pairs with qty_delta ≠ 0', () => {
    const r = run(baseBundle({
      ...base,
      lines: [line('C1', 'S1', 2, '10.00'), line('C1', 'S2', '2.5', '0.10')],
      usage: [...premium(2), storage('1.5', 'x1'), storage('1', 'x2')],
    }));
    // S1: 2 − 2 = 0; S2: 1.5 + 1 − 2.5 = 0
    expect(r.discrepancies).toEqual([]);
    expect(client(r, 'C1').discrepancy_count).toBe(0);
  });
});
