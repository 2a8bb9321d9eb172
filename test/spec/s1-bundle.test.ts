/**
 * §1 The workspace bundle: file format (BOM, CRLF, quoting, column order, unknown columns, trimming),
 * exact decimals, and usage identity (later row wins).
 */
import { describe, expect, it } from 'vitest';
import {
  baseBundle, bundleTables, canonical, client, disc, findDisc, findUnmapped, render, run, runFull, unmapped,
  type BundleSpec, type Files,
} from '../helpers/bundle';

/**
 * Acme (C1) is invoiced 2 × S1 at 10.00 and has 3 M365 Premium seats:
 * qty_delta = 3 − 2 = 1, amount = 1 × 10.00 = 10.00.
 */
const acme: BundleSpec = {
  clients: [{ client_id: 'C1', client_name: 'Acme' }],
  clientMap: [{ external_client_id: 'T1', psa_client_id: 'C1' }],
  serviceMap: [{ rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' }],
  lines: [{ line_id: 'L1', client_id: 'C1', service_id: 'S1', quantity: 2, unit_price: '10.00' }],
  usage: [
    { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium' },
    { external_client_id: 'T1', record_id: 'u2', product: 'M365 Premium' },
    { external_client_id: 'T1', record_id: 'u3', product: 'M365 Premium' },
  ],
};

function expectAcmeResult(files: Files) {
  const r = run(files);
  const d = disc(r, 'C1', 'S1');
  expect(d.invoiced_qty).toBeDecimal('2');
  expect(d.system_count).toBeDecimal('3');
  expect(d.qty_delta).toBeDecimal('1'); // 3 − 2
  expect(d.amount).toBeDecimal('10.00'); // 1 × 10.00
  expect(client(r, 'C1').client_name).toBe('Acme');
  expect(client(r, 'C1').seat_count).toBe(3);
}

const addBom = (files: Files, names = Object.keys(files)) =>
  Object.fromEntries(Object.entries(files).map(([n, t]) => [n, names.includes(n) ? '\uFEFF' + t : t]));

describe('§1 file format', () => {
  it('reads the reference bundle', () => {
    expectAcmeResult(baseBundle(acme));
  });

  it('ignores a UTF-8 byte order mark at the start of every CSV (the first header still matches)', () => {
    const files = baseBundle(acme);
    expectAcmeResult(addBom(files, Object.keys(files).filter((n) => n.endsWith('.csv'))));
  });

  it('ignores a UTF-8 byte order mark at the start of workspace.json', () => {
    expectAcmeResult(addBom(baseBundle(acme), ['workspace.json']));
  });

  it('accepts CRLF line ends', () => {
    const files = render(bundleTables(acme), { crlf: true });
    expect(files['psa_lines.csv']).toContain('\r\n');
    expectAcmeResult(files);
  });

  it('accepts a last row with no line end', () => {
    const files = baseBundle(acme);
    files['usage.csv'] = files['usage.csv'].replace(/\n$/, '');
    expectAcmeResult(files);
  });

  it('keeps commas inside quoted fields', () => {
    const r = run(baseBundle({
      ...acme,
      clients: [{ client_id: 'C1', client_name: 'Acme, Inc.' }],
      serviceMap: [{ rule_id: 'R1', product: 'Plan, EU', psa_service_id: 'S1' }],
      usage: [{ external_client_id: 'T1', record_id: 'u1', product: 'Plan, EU' }],
    }));
    expect(client(r, 'C1').client_name).toBe('Acme, Inc.');
    // 1 seat of "Plan, EU" mapped to S1 against 2 invoiced: 1 − 2 = −1
    expect(disc(r, 'C1', 'S1').qty_delta).toBeDecimal('-1');
  });

  it('reads doubled quotes inside quoted fields as one quote', () => {
    const files = baseBundle({ ...acme, clients: [{ client_id: 'C1', client_name: 'The "Best" Co' }] });
    expect(files['psa_clients.csv']).toContain('"The ""Best"" Co"');
    expect(client(run(files), 'C1').client_name).toBe('The "Best" Co');
  });

  it('keeps a line break inside a quoted field within one record', () => {
    const r = run(baseBundle({
      ...acme,
      clients: [{ client_id: 'C1', client_name: 'Acme\nHoldings' }, { client_id: 'C2', client_name: 'Beta' }],
      lines: [...acme.lines!, { line_id: 'L2', client_id: 'C2', service_id: 'S9', quantity: 1 }],
    }));
    expect(client(r, 'C1').client_name).toBe('Acme\nHoldings');
    expect(client(r, 'C2').client_name).toBe('Beta');
  });

  it('does not depend on column order', () => {
    const tables = bundleTables(acme);
    const reversed = Object.fromEntries(
      Object.entries(tables.tables).map(([k, t]) => [k, t.header.map((_, i) => t.header.length - 1 - i)]),
    );
    const a = run(render(tables));
    const b = run(render(tables, { columnOrder: reversed }));
    expect(canonical(b)).toEqual(canonical(a));
    expectAcmeResult(render(tables, { columnOrder: reversed }));
  });

  it('ignores unknown columns, even ones holding commas, quotes and numbers', () => {
    expectAcmeResult(baseBundle({
      ...acme,
      lines: [{ ...acme.lines![0], notes: 'see "ticket", 42', quantity_old: 'abc' }],
      usage: acme.usage!.map((u) => ({ ...u, seat_cost: '1e3', comment: 'x,y' })),
    }));
  });

  it('accepts files without the optional columns', () => {
    const r = run(baseBundle({
      ...acme,
      columns: {
        // usage without external_client_name, category, quantity, last_active; lines without the optional ones
        usage: ['integration_id', 'external_client_id', 'record_id', 'product'],
        lines: ['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'],
        serviceMap: ['rule_id', 'integration_id', 'product', 'action', 'psa_service_id', 'count'],
      },
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.qty_delta).toBeDecimal('1'); // 3 − 2
    // no unit_price column: every line is unpriced, no catalog → rate none, amount null
    expect(d.rate_source).toBe('none');
    expect(d.amount).toBeNull();
  });

  it('trims surrounding spaces of header names', () => {
    const files = baseBundle(acme);
    files['psa_clients.csv'] = ' client_id , client_name \nC1,Acme\n';
    expectAcmeResult(files);
  });

  it('compares identifiers after trimming surrounding spaces', () => {
    expectAcmeResult(baseBundle({
      clients: [{ client_id: ' C1 ', client_name: 'Acme' }],
      clientMap: [{ integration_id: ' m365', external_client_id: 'T1 ', psa_client_id: ' C1' }],
      serviceMap: [{ rule_id: 'R1', integration_id: 'm365 ', product: ' M365 Premium ', psa_service_id: ' S1 ' }],
      lines: [{ line_id: 'L1', client_id: 'C1 ', service_id: ' S1', quantity: ' 2 ', unit_price: ' 10.00 ' }],
      usage: acme.usage!.map((u) => ({ ...u, external_client_id: '  T1  ', record_id: ` ${String(u.record_id)} ` })),
    }));
  });

  it('compares identifiers case-sensitively: t1 is not T1', () => {
    const r = run(baseBundle({
      ...acme,
      usage: [{ external_client_id: 't1', record_id: 'u1', product: 'M365 Premium' }],
    }));
    expect(unmapped(r, 'm365', 't1').records).toBe(1);
    // Acme has no usage now: 0 − 2 = −2, × 10.00 = −20.00
    expect(disc(r, 'C1', 'S1').amount).toBeDecimal('-20.00');
  });

  it('compares products case-insensitively after trimming', () => {
    expectAcmeResult(baseBundle({
      ...acme,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'm365 premium' },
        { external_client_id: 'T1', record_id: 'u2', product: '  M365 PREMIUM ' },
        { external_client_id: 'T1', record_id: 'u3', product: 'M365 Premium' },
      ],
    }));
  });
});

describe('§1 exact decimals (no binary floating point)', () => {
  const storage: BundleSpec = {
    clients: [{ client_id: 'C1', client_name: 'Acme' }],
    clientMap: [{ external_client_id: 'T1', psa_client_id: 'C1' }],
    serviceMap: [{ rule_id: 'R1', product: 'Storage GB', psa_service_id: 'S1', count: 'quantity' }],
    catalog: [{ service_id: 'S1', list_price: '1.00' }],
  };

  it('sums quantities exactly: 0.1 + 0.2 = 0.3', () => {
    const r = run(baseBundle({
      ...storage,
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Storage GB', quantity: '0.1' },
        { external_client_id: 'T1', record_id: 'b', product: 'Storage GB', quantity: '0.2' },
      ],
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.system_count).toBe('0.3'); // not 0.30000000000000004
    expect(d.qty_delta).toBe('0.3');
    expect(d.amount).toBeDecimal('0.30'); // 0.3 × 1.00 (catalog)
  });

  it('rounds an exact half cent up in magnitude: 1.005 × 1.00 = 1.005 → 1.01', () => {
    const r = run(baseBundle({
      ...storage,
      usage: [{ external_client_id: 'T1', record_id: 'a', product: 'Storage GB', quantity: '1.005' }],
    }));
    // a float computes 1.005 × 100 = 100.49999… and would give 1.00
    expect(disc(r, 'C1', 'S1').amount).toBeDecimal('1.01');
  });

  it('reads 3.0000 as 3', () => {
    const r = run(baseBundle({ ...acme, lines: [{ ...acme.lines![0], quantity: '3.0000' }] }));
    const d = findDisc(r, 'C1', 'S1');
    // 3 seats − 3.0000 invoiced = 0: no discrepancy listed
    expect(d).toBeUndefined();
    expect(client(r, 'C1').discrepancy_count).toBe(0);
  });

  it('keeps large amounts exact', () => {
    const r = run(baseBundle({
      ...acme,
      lines: [{ line_id: 'L1', client_id: 'C1', service_id: 'S1', quantity: 1, unit_price: '98765432.1099' }],
      usage: [
        ...acme.usage!,
        ...Array.from({ length: 7 }, (_, i) => ({ external_client_id: 'T1', record_id: `v${i}`, product: 'M365 Premium' })),
      ],
    }));
    const d = disc(r, 'C1', 'S1');
    expect(d.unit_rate).toBeDecimal('98765432.11'); // 98765432.1099 → cents
    // 10 seats − 1 = 9; 9 × 98765432.11 = 888888888.99
    expect(d.amount).toBeDecimal('888888888.99');
  });
});

describe('§1 usage identity: (integration_id, record_id, product), the later row wins', () => {
  const meter: BundleSpec = {
    clients: [{ client_id: 'C1', client_name: 'Acme' }, { client_id: 'C2', client_name: 'Beta' }],
    clientMap: [
      { external_client_id: 'T1', psa_client_id: 'C1' },
      { external_client_id: 'T2', psa_client_id: 'C2' },
    ],
    serviceMap: [{ rule_id: 'R1', product: '*', psa_service_id: 'S1', count: 'quantity' }],
    catalog: [{ service_id: 'S1', list_price: '1.00' }],
  };

  it('keeps the later of two rows with the same identity and reports how many were replaced', () => {
    const { report, notes } = runFull(baseBundle({
      ...meter,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '5' },
        { external_client_id: 'T1', record_id: 'u2', product: 'Storage', quantity: '7' },
        { external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '2' },
        { external_client_id: 'T1', record_id: 'u2', product: 'Storage', quantity: '1' },
      ],
    }));
    // kept: u1 = 2, u2 = 1 → system_count 3 (not 5 + 7 + 2 + 1 = 15)
    expect(disc(report, 'C1', 'S1').system_count).toBeDecimal('3');
    const note = notes.find((n) => n.includes('usage.csv'));
    expect(note).toBeDefined();
    expect(note).toMatch(/\b2\b/); // 2 rows replaced
  });

  it('moves a record to the client of its later row', () => {
    const r = run(baseBundle({
      ...meter,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '4' },
        { external_client_id: 'T2', record_id: 'u1', product: 'Storage', quantity: '4' },
      ],
    }));
    expect(findDisc(r, 'C1', 'S1')).toBeUndefined(); // C1 has no line and no usage left
    expect(disc(r, 'C2', 'S1').system_count).toBeDecimal('4');
    expect(r.clients.map((c) => c.client_id)).toEqual(['C2']);
  });

  it('treats products differing only in case and spaces as the same identity', () => {
    const { report, notes } = runFull(baseBundle({
      ...meter,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium', quantity: '5' },
        { external_client_id: 'T1', record_id: 'u1', product: ' m365 PREMIUM ', quantity: '2' },
      ],
    }));
    expect(disc(report, 'C1', 'S1').system_count).toBeDecimal('2'); // the later row only, not 5 + 2
    expect(notes.find((n) => n.includes('usage.csv'))).toMatch(/\b1\b/);
  });

  it('keeps rows of one record with different products apart', () => {
    const r = run(baseBundle({
      ...meter,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '5' },
        { external_client_id: 'T1', record_id: 'u1', product: 'Archive', quantity: '2' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('7'); // 5 + 2
  });

  it('keeps rows of one record id in different integrations apart', () => {
    const r = run(baseBundle({
      ...meter,
      clientMap: [...meter.clientMap!, { integration_id: 'sentinelone', external_client_id: 'T1', psa_client_id: 'C1' }],
      serviceMap: [
        ...meter.serviceMap!,
        { rule_id: 'R2', integration_id: 'sentinelone', product: '*', psa_service_id: 'S1', count: 'quantity' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '5' },
        { integration_id: 'sentinelone', external_client_id: 'T1', record_id: 'u1', product: 'Storage', quantity: '2' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('7'); // 5 + 2
  });

  it('takes last_active from the later row too', () => {
    const r = run(baseBundle({
      ...acme,
      usage: [
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium', last_active: '2026-01-01' },
        { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium', last_active: '' },
      ],
    }));
    expect(r.inactive_seats).toEqual([]);
  });

  it('counts an unmapped client\'s rows after replacement', () => {
    const r = run(baseBundle({
      ...acme,
      usage: [
        { external_client_id: 'T9', record_id: 'u1', product: 'X' },
        { external_client_id: 'T9', record_id: 'u1', product: 'x' },
        { external_client_id: 'T9', record_id: 'u2', product: 'X' },
      ],
    }));
    expect(unmapped(r, 'm365', 'T9').records).toBe(2); // u1 (replaced once) + u2
    expect(findUnmapped(r, 'm365', 'T1')).toBeUndefined();
  });
});
