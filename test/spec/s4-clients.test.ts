/**
 * §4 Client rows: which clients get a row, seat_count, service_count, discrepancy_count,
 * discrepancy_amount(_abs), billing_cycle.
 */
import { describe, expect, it } from 'vitest';
import { baseBundle, client, run, seats, type BundleSpec, type Row } from '../helpers/bundle';

const clients = [
  { client_id: 'C1', client_name: 'Acme' },
  { client_id: 'C2', client_name: 'Beta' },
  { client_id: 'C3', client_name: 'Gamma' },
];
const clientMap = [
  { external_client_id: 'T1', psa_client_id: 'C1' },
  { external_client_id: 'T2', psa_client_id: 'C2' },
  { integration_id: 'sentinelone', external_client_id: 'S-1', psa_client_id: 'C1' },
];
const serviceMap = [
  { rule_id: 'R0', product: '*Trial*', action: 'exclude' },
  { rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' },
  { rule_id: 'R2', product: 'Defender', psa_service_id: 'S2' },
  { rule_id: 'R3', product: 'Backup', psa_service_id: 'S3' },
  { rule_id: 'R4', integration_id: 'sentinelone', product: '*', psa_service_id: 'S4' },
];
const base: BundleSpec = { clients, clientMap, serviceMap };
const u = (record_id: string, product: string, more: Row = {}): Row => ({ external_client_id: 'T1', record_id, product, ...more });
const line = (service_id: string, quantity: string | number, unit_price: string, more: Row = {}): Row =>
  ({ client_id: 'C1', service_id, quantity, unit_price, ...more });
const october = { period_start: '2026-10-01', period_end: '2026-10-31' };

describe('§4 which clients get a row', () => {
  it('gives a row to clients with current lines or resolved usage, and to no one else', () => {
    const r = run(baseBundle({
      ...base,
      clients: [...clients, { client_id: 'C4', client_name: 'Delta' }, { client_id: 'C5', client_name: 'Echo' }],
      clientMap: [...clientMap, { external_client_id: 'T5', psa_client_id: 'C5' }],
      lines: [
        line('S9', 1, '10.00'), // C1: a current line of a service nobody maps
        line('S1', 1, '10.00', { client_id: 'C3', ...october }), // C3: only a past line
      ],
      usage: [
        u('a', 'Visio', { external_client_id: 'T2' }), // C2: unaccounted usage resolves to it
        u('b', 'M365 Trial', { external_client_id: 'T5' }), // C5: only rule-excluded usage
      ],
    }));
    expect(r.clients.map((c) => c.client_id).sort()).toEqual(['C1', 'C2']);
  });

  it('takes client_name from psa_clients, and an empty name for an id psa_clients does not hold', () => {
    const r = run(baseBundle({
      ...base,
      clientMap: [...clientMap, { external_client_id: 'T7', psa_client_id: 'C7' }],
      lines: [line('S1', 1, '10.00'), line('S1', 1, '10.00', { client_id: 'C8' })],
      usage: [u('a', 'M365 Premium', { external_client_id: 'T7' })],
    }));
    expect(client(r, 'C1').client_name).toBe('Acme');
    expect(client(r, 'C7').client_name).toBe('');
    expect(client(r, 'C8').client_name).toBe('');
  });
});

describe('§4 seat_count', () => {
  it('counts distinct (integration_id, record_id) of resolved rows, with unaccounted rows and without rule-excluded ones', () => {
    const r = run(baseBundle({
      ...base,
      usage: [
        u('u1', 'M365 Premium'),
        u('u1', 'Defender'), // same record, second product: still one seat
        u('u2', 'Visio'), // unaccounted: a seat
        u('u3', 'M365 Trial'), // excluded by R0: not a seat
        u('u1', 'Agent', { integration_id: 'sentinelone', external_client_id: 'S-1' }), // same id, other integration
        u('u9', 'M365 Premium', { external_client_id: 'T2' }), // another client
      ],
    }));
    // (m365, u1), (m365, u2), (sentinelone, u1)
    expect(client(r, 'C1').seat_count).toBe(3);
    expect(client(r, 'C2').seat_count).toBe(1);
  });

  it('counts a record once when one of its rows is rule-excluded and another is not', () => {
    const r = run(baseBundle({ ...base, usage: [u('u1', 'M365 Trial'), u('u1', 'M365 Premium')] }));
    expect(client(r, 'C1').seat_count).toBe(1);
  });

  it('is 0 for a client with only lines', () => {
    const r = run(baseBundle({ ...base, lines: [line('S1', 4, '10.00')] }));
    expect(client(r, 'C1').seat_count).toBe(0);
  });
});

describe('§4 service_count', () => {
  it('counts distinct service_ids among current lines, compared or not', () => {
    const r = run(baseBundle({
      ...base,
      lines: [
        line('S1', 1, '10.00', { invoice_id: 'INV-1' }),
        line('S1', 1, '10.00', { invoice_id: 'INV-2' }),
        line('S2', 1, '5.00'),
        line('S9', 1, '1.00'), // no map rule targets S9
        line('S3', 1, '1.00', october), // not current
      ],
    }));
    expect(client(r, 'C1').service_count).toBe(3); // S1, S2, S9
  });
});

describe('§4 discrepancy_count and amounts', () => {
  /**
   * S1: 2 invoiced at 10.00, 5 seats   → +3 × 10.00 = +30.00
   * S2: 5 invoiced at 2.50, 0 seats    → −5 × 2.50  = −12.50
   * S3: 1 invoiced unpriced, 3 seats   → +2, no rate anywhere → amount null
   * S4: 1 invoiced at 7.00, 1 seat     → 0: not a discrepancy
   * unaccounted: Visio, Project        → 2 groups
   */
  const mixed = baseBundle({
    ...base,
    lines: [line('S1', 2, '10.00'), line('S2', 5, '2.50'), line('S3', 1, ''), line('S4', 1, '7.00')],
    usage: [
      ...seats(5, { external_client_id: 'T1', product: 'M365 Premium' }),
      ...seats(3, { external_client_id: 'T1', product: 'Backup' }),
      u('s1', 'Agent', { integration_id: 'sentinelone', external_client_id: 'S-1' }),
      u('v1', 'Visio'), u('v2', 'Visio'), u('p1', 'Project'),
    ],
  });

  it('counts discrepancies with qty_delta ≠ 0 (null amounts included) plus unaccounted groups', () => {
    expect(client(run(mixed), 'C1').discrepancy_count).toBe(5); // S1, S2, S3 + Visio, Project
  });

  it('sums signed amounts, null counting 0', () => {
    expect(client(run(mixed), 'C1').discrepancy_amount).toBeDecimal('17.50'); // 30.00 − 12.50 + 0
  });

  it('sums absolute amounts', () => {
    expect(client(run(mixed), 'C1').discrepancy_amount_abs).toBeDecimal('42.50'); // 30.00 + 12.50 + 0
  });

  it('is 0 with no discrepancies', () => {
    const c = client(run(baseBundle({ ...base, lines: [line('S1', 1, '10.00')], usage: [u('a', 'M365 Premium')] })), 'C1');
    expect(c.discrepancy_count).toBe(0);
    expect(c.discrepancy_amount).toBeDecimal('0.00');
    expect(c.discrepancy_amount_abs).toBeDecimal('0.00');
  });

  it('sums only negative amounts to a negative total with a positive absolute total', () => {
    const r = run(baseBundle({ ...base, lines: [line('S1', 3, '10.00'), line('S2', 2, '0.25')] }));
    const c = client(r, 'C1');
    expect(c.discrepancy_amount).toBeDecimal('-30.50'); // −3 × 10.00 − 2 × 0.25 = −30.00 − 0.50
    expect(c.discrepancy_amount_abs).toBeDecimal('30.50');
  });
});

describe('§4 billing_cycle', () => {
  const cycleOf = (cycles: string[], more: Row[] = []) => {
    const r = run(baseBundle({
      ...base,
      lines: [...cycles.map((c, i) => line(`S${i + 1}`, 1, '1.00', { billing_cycle: c })), ...more],
    }));
    return client(r, 'C1').billing_cycle;
  };

  it('is the one cycle of the current lines', () => {
    expect(cycleOf(['monthly', 'monthly'])).toBe('monthly');
    expect(cycleOf(['annual'])).toBe('annual');
  });

  it('is mixed when the current lines have several cycles', () => {
    expect(cycleOf(['monthly', 'annual'])).toBe('mixed');
  });

  it('ignores blank cycles', () => {
    expect(cycleOf(['', 'annual', ''])).toBe('annual');
  });

  it('is blank when every current line has a blank cycle', () => {
    expect(cycleOf(['', ''])).toBe('');
  });

  it('is blank for a client with usage and no current line', () => {
    const r = run(baseBundle({ ...base, usage: [u('a', 'M365 Premium')] }));
    expect(client(r, 'C1').billing_cycle).toBe('');
  });

  it('ignores cycles of lines that are not current', () => {
    expect(cycleOf(['monthly'], [line('S2', 1, '1.00', { billing_cycle: 'annual', ...october })])).toBe('monthly');
  });

  it('reads cycles case-insensitively: Monthly and monthly are one cycle', () => {
    expect(cycleOf(['Monthly', 'monthly']).toLowerCase()).toBe('monthly');
  });
});
