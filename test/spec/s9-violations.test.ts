/**
 * §9 Contract violations: nothing is computed, and each error names the file, the row (header = row 1,
 * first record = row 2) and the column.
 */
import { describe, expect, it } from 'vitest';
import { reconcileFiles } from '../../worker/reconcileFiles';
import {
  baseBundle, bundleTables, COLUMNS, csv, expectViolation, FILE, render, REQUIRED, run, violations, withFiles,
  type BundleSpec, type Cell, type Row, type TableKey,
} from '../helpers/bundle';

/** Three valid records per file; tests break the second one, which is row 3. */
const VALID: Record<TableKey, Row[]> = {
  clients: [
    { client_id: 'C1', client_name: 'Acme' },
    { client_id: 'C2', client_name: 'Beta' },
    { client_id: 'C3', client_name: 'Gamma' },
  ],
  lines: [
    { line_id: 'L1', client_id: 'C1', service_id: 'S1', quantity: '2', unit_price: '10.00' },
    { line_id: 'L2', client_id: 'C2', service_id: 'S1', quantity: '1', unit_price: '10.00' },
    { line_id: 'L3', client_id: 'C3', service_id: 'S2', quantity: '4', unit_price: '' },
  ],
  catalog: [
    { service_id: 'S1', service_name: 'M365', list_price: '9.00' },
    { service_id: 'S2', service_name: 'Backup', list_price: '1.00' },
    { service_id: 'S3', service_name: 'EDR', list_price: '' },
  ],
  usage: [
    { external_client_id: 'T1', record_id: 'u1', product: 'M365 Premium', quantity: '', last_active: '2026-11-01' },
    { external_client_id: 'T2', record_id: 'u2', product: 'M365 Premium', quantity: '1', last_active: '' },
    { external_client_id: 'T3', record_id: 'u3', product: 'Backup', quantity: '2.5', last_active: '2026-10-01' },
  ],
  clientMap: [
    { external_client_id: 'T1', psa_client_id: 'C1', status: 'mapped' },
    { external_client_id: 'T2', psa_client_id: 'C2', status: 'mapped' },
    { external_client_id: 'T3', psa_client_id: '', status: 'excluded' },
  ],
  serviceMap: [
    { rule_id: 'R1', product: 'M365 Premium', action: 'map', psa_service_id: 'S1', count: 'records' },
    { rule_id: 'R2', product: 'Backup', action: 'map', psa_service_id: 'S2', count: 'quantity' },
    { rule_id: 'R3', product: '*Trial*', action: 'exclude', psa_service_id: '', count: 'records' },
  ],
  decisions: [
    { client_id: 'C1', service_id: 'S1', decision: 'approve', effective_date: '' },
    { client_id: 'C2', service_id: 'S1', decision: 'dismiss', effective_date: '2027-02-15' },
    { client_id: 'C3', service_id: 'S2', decision: 'approve', effective_date: '2027-03-01' },
  ],
};

const ALL: TableKey[] = ['clients', 'lines', 'catalog', 'usage', 'clientMap', 'serviceMap', 'decisions'];

/** The valid bundle (with the optional catalog and decisions), with `patch` applied to the second record of `key`. */
function spec(key?: TableKey, patch: Row = {}, index = 1): BundleSpec {
  const s: BundleSpec = {};
  for (const k of ALL) s[k] = VALID[k].map((r) => ({ ...r }));
  if (key) s[key]![index] = { ...s[key]![index], ...patch };
  return s;
}
const broken = (key: TableKey, patch: Row, index = 1) => baseBundle(spec(key, patch, index));

const cases = <T>(list: T[]) => list;

describe('§9 the valid fixture (sanity)', () => {
  it('is accepted', () => {
    expect(() => run(baseBundle(spec()))).not.toThrow();
  });

  it('does not need the optional psa_catalog.csv and decisions.csv', () => {
    expect(() => run(withFiles(baseBundle(spec()), { 'psa_catalog.csv': undefined, 'decisions.csv': undefined }))).not.toThrow();
  });

  it('computes nothing for a broken bundle', () => {
    const r = reconcileFiles(broken('lines', { quantity: 'x' }));
    expect(r.ok).toBe(false);
    expect('report' in r).toBe(false);
  });
});

describe('§9 missing files and workspace.json', () => {
  it.each(['workspace.json', 'psa_clients.csv', 'psa_lines.csv', 'usage.csv', 'client_map.csv', 'service_map.csv'])(
    'rejects a bundle without %s',
    (name) => {
      const errors = violations(withFiles(baseBundle(spec()), { [name]: undefined }));
      expect(errors.some((e) => e.file === name)).toBe(true);
    },
  );

  it('rejects a workspace.json that is not JSON', () => {
    expectViolation(baseBundle({ ...spec(), workspace: '{ "asOf": "2026-11-28T12:00:00Z", ' }), { file: 'workspace.json' });
  });

  it('rejects a workspace.json without asOf', () => {
    expectViolation(baseBundle({ ...spec(), workspace: { asOf: undefined } }), { file: 'workspace.json' });
  });

  it.each(cases<unknown>([
    '28/11/2026', 'yesterday', '', '2026-11-31T00:00:00Z', '2026-02-29', '2026-11-28T25:00:00Z', '2026-11-28T12:60:00Z',
    '2026-11-28 12:00:00Z', '20261128', 1764331200000, null,
  ]))('rejects asOf %j', (asOf) => {
    expectViolation(baseBundle({ ...spec(), workspace: { asOf } }), { file: 'workspace.json' });
  });

  it.each([
    '2026-11-28', '2026-11-28T12:00', '2026-11-28T12:00:00', '2026-11-28T12:00:00Z', '2026-11-28T12:00:00.123Z',
    '2026-11-28T12:00:00+05:30', '2026-11-28T12:00-08:00',
  ])('accepts asOf %s', (asOf) => {
    expect(() => run(baseBundle({ ...spec(), workspace: { asOf } }))).not.toThrow();
  });
});

describe('§9 a required column missing from the header (row 1)', () => {
  const missing = ALL.flatMap((key) => REQUIRED[key].map((column) => [FILE[key], column, key] as const));

  it.each(missing)('%s without %s', (file, column, key) => {
    const s = spec();
    s.columns = { [key]: COLUMNS[key].filter((c) => c !== column) };
    expectViolation(baseBundle(s), { file, row: 1, column });
  });

  it('matches header names exactly: Client_ID is not client_id', () => {
    const files = baseBundle(spec());
    files['psa_clients.csv'] = 'Client_ID,client_name\nC1,Acme\n';
    expectViolation(files, { file: 'psa_clients.csv', row: 1, column: 'client_id' });
  });
});

describe('§9 a blank required value', () => {
  const blanks = ALL.flatMap((key) => REQUIRED[key].map((column) => [FILE[key], column, key] as const));

  it.each(blanks)('%s with a blank %s', (file, column, key) => {
    expectViolation(broken(key, { [column]: '' }), { file, row: 3, column });
  });

  it('treats a value of only spaces as blank', () => {
    expectViolation(broken('clients', { client_name: '   ' }), { file: 'psa_clients.csv', row: 3, column: 'client_name' });
  });

  it('accepts blanks where the spec allows them (unit_price, billing_cycle, usage quantity, last_active, category, effective_date, list_price)', () => {
    const s = spec();
    s.lines![1] = { ...s.lines![1], unit_price: '', billing_cycle: '', service_name: '', agreement_id: '' };
    s.usage![1] = { ...s.usage![1], quantity: '', last_active: '', category: '', external_client_name: '' };
    s.decisions![1] = { ...s.decisions![1], effective_date: '' };
    s.catalog![1] = { ...s.catalog![1], list_price: '', service_name: '' };
    expect(() => run(baseBundle(s))).not.toThrow();
  });
});

describe('§9 a quantity, unit_price or list_price that is not a plain decimal', () => {
  const columns = cases<[TableKey, string]>([['lines', 'quantity'], ['lines', 'unit_price'], ['catalog', 'list_price'], ['usage', 'quantity']]);
  const bad = ['1e3', '12,5', '$4', '1.23456', '5.', '+5', '.5', 'abc', '1.2.3', '1 000', '--1', '0x10'];

  it.each(columns.flatMap(([key, column]) => bad.map((value) => [FILE[key], column, value, key] as const)))(
    '%s %s = %j',
    (file, column, value, key) => {
      expectViolation(broken(key, { [column]: value }), { file, row: 3, column });
    },
  );

  it.each(columns.map(([key, column]) => [FILE[key], column, key] as const))('%s %s accepts 3.0000, -2, " 7 ", 0.0001, 0 and 1234567.1234', (_f, column, key) => {
    for (const value of ['3.0000', '-2', ' 7 ', '0.0001', '0', '1234567.1234']) {
      expect(() => run(broken(key, { [column]: value })), value).not.toThrow();
    }
  });
});

describe('§9 dates', () => {
  const columns = cases<[TableKey, string]>([['lines', 'period_start'], ['lines', 'period_end'], ['usage', 'last_active'], ['decisions', 'effective_date']]);
  const bad = ['2026/11/01', '01-11-2026', '2026-11-1', '2026-02-30', '2026-04-31', '2027-02-29', '2026-13-01', '2026-00-10',
    '2026-11-00', '20261101', '2026-11-28T00:00:00Z', 'yesterday'];

  it.each(columns.flatMap(([key, column]) => bad.map((value) => [FILE[key], column, value, key] as const)))(
    '%s %s = %j',
    (file, column, value, key) => {
      // keep the other period end valid and wide, so only the broken value is at fault
      const other: Row = column === 'period_start' ? { period_end: '2099-12-31' } : column === 'period_end' ? { period_start: '2000-01-01' } : {};
      expectViolation(broken(key, { [column]: value, ...other }), { file, row: 3, column });
    },
  );

  it('accepts February 29th of a leap year', () => {
    const s = spec();
    s.lines![1] = { ...s.lines![1], period_start: '2028-02-29', period_end: '2028-02-29' };
    s.usage![1] = { ...s.usage![1], last_active: '2028-02-29' };
    s.decisions![1] = { ...s.decisions![1], effective_date: '2028-02-29' };
    expect(() => run(baseBundle(s))).not.toThrow();
  });

  it('rejects a period_start after its period_end', () => {
    expectViolation(broken('lines', { period_start: '2026-12-01', period_end: '2026-11-30' }), {
      file: 'psa_lines.csv', row: 3, column: ['period_start', 'period_end'],
    });
  });

  it('accepts a one-day period', () => {
    expect(() => run(broken('lines', { period_start: '2026-11-28', period_end: '2026-11-28' }))).not.toThrow();
  });
});

describe('§9 a value outside its set', () => {
  it.each(cases<[TableKey, string, string]>([
    ['lines', 'billing_cycle', 'quarterly'],
    ['clientMap', 'status', 'pending'],
    ['serviceMap', 'action', 'ignore'],
    ['serviceMap', 'count', 'seats'],
    ['decisions', 'decision', 'maybe'],
  ]))('%s %s = %s', (key, column, value) => {
    expectViolation(broken(key, { [column]: value }), { file: FILE[key], row: 3, column });
  });

  it('matches set values case-insensitively after trimming', () => {
    const s = spec();
    s.lines![1] = { ...s.lines![1], billing_cycle: ' ANNUAL ' };
    s.clientMap![1] = { ...s.clientMap![1], status: 'Mapped' };
    s.clientMap![2] = { ...s.clientMap![2], status: ' EXCLUDED' };
    s.serviceMap![1] = { ...s.serviceMap![1], action: 'MAP', count: 'Quantity ' };
    s.serviceMap![2] = { ...s.serviceMap![2], action: 'Exclude', count: 'RECORDS' };
    s.decisions![1] = { ...s.decisions![1], decision: 'Dismiss' };
    expect(() => run(baseBundle(s))).not.toThrow();
  });
});

describe('§9 conditional requirements', () => {
  it('rejects mapped with a blank psa_client_id', () => {
    expectViolation(broken('clientMap', { status: 'mapped', psa_client_id: '' }), { file: 'client_map.csv', row: 3, column: 'psa_client_id' });
  });

  it('rejects map with a blank psa_service_id', () => {
    expectViolation(broken('serviceMap', { action: 'map', psa_service_id: ' ' }), { file: 'service_map.csv', row: 3, column: 'psa_service_id' });
  });

  it('accepts excluded without psa_client_id and exclude without psa_service_id', () => {
    const s = spec();
    s.clientMap![1] = { ...s.clientMap![1], status: 'excluded', psa_client_id: '' };
    s.serviceMap![1] = { ...s.serviceMap![1], action: 'exclude', psa_service_id: '' };
    expect(() => run(baseBundle(s))).not.toThrow();
  });
});

describe('§9 duplicate keys', () => {
  it('rejects a duplicate line_id in psa_lines', () => {
    expectViolation(broken('lines', { line_id: 'L1' }), { file: 'psa_lines.csv', row: 3, column: 'line_id' });
  });

  it('compares line_id after trimming', () => {
    expectViolation(broken('lines', { line_id: ' L1 ' }), { file: 'psa_lines.csv', row: 3, column: 'line_id' });
  });

  it('compares line_id case-sensitively: L1 and l1 are two lines', () => {
    expect(() => run(broken('lines', { line_id: 'l1' }))).not.toThrow();
  });

  it('rejects a duplicate client_id in psa_clients', () => {
    expectViolation(broken('clients', { client_id: 'C1' }), { file: 'psa_clients.csv', row: 3, column: 'client_id' });
  });

  it('rejects a duplicate rule_id in service_map', () => {
    expectViolation(broken('serviceMap', { rule_id: 'R1' }), { file: 'service_map.csv', row: 3, column: 'rule_id' });
  });

  it('rejects a duplicate (integration_id, external_client_id) in client_map', () => {
    expectViolation(broken('clientMap', { external_client_id: 'T1', psa_client_id: 'C2' }), {
      file: 'client_map.csv', row: 3, column: ['integration_id', 'external_client_id'],
    });
  });

  it('accepts one external_client_id in two integrations', () => {
    expect(() => run(broken('clientMap', { integration_id: 'sentinelone', external_client_id: 'T1' }))).not.toThrow();
  });
});

describe('§9 row numbers', () => {
  /** Row 2 holds a name with two line breaks; row 4 has a blank client_name. */
  const multiline = (): BundleSpec => {
    const s = spec();
    s.clients = [
      { client_id: 'C1', client_name: 'Acme\nHoldings\nGroup' },
      { client_id: 'C2', client_name: 'Beta, "the" Co' },
      { client_id: 'C3', client_name: '' },
    ];
    return s;
  };

  it('counts a quoted field with line breaks as one row', () => {
    expectViolation(baseBundle(multiline()), { file: 'psa_clients.csv', row: 4, column: 'client_name' });
  });

  it('counts rows the same with CRLF line ends and a BOM', () => {
    expectViolation(render(bundleTables(multiline()), { crlf: true, bom: true }), { file: 'psa_clients.csv', row: 4, column: 'client_name' });
  });

  it('numbers rows of every file from 2 for the first record', () => {
    expectViolation(broken('usage', { quantity: 'x' }, 0), { file: 'usage.csv', row: 2, column: 'quantity' });
    expectViolation(broken('usage', { quantity: 'x' }, 2), { file: 'usage.csv', row: 4, column: 'quantity' });
  });

  it('lists every problem, across rows and files', () => {
    const s = spec();
    s.lines![0] = { ...s.lines![0], quantity: '1e3' };
    s.lines![2] = { ...s.lines![2], unit_price: '$4' };
    s.clientMap![1] = { ...s.clientMap![1], status: 'pending' };
    const files = baseBundle(s);
    files['usage.csv'] = csv(['integration_id', 'external_client_id', 'record_id'], [['m365', 'T1', 'u1']]); // no product
    const errors = violations(files);
    const at = errors.map((e) => `${e.file}:${e.row ?? ''}:${e.column ?? ''}`);
    expect(at).toEqual(expect.arrayContaining([
      'psa_lines.csv:2:quantity',
      'psa_lines.csv:4:unit_price',
      'client_map.csv:3:status',
      'usage.csv:1:product',
    ]));
  });

  it('caps the errors of one file at 100 and says how many more there are', () => {
    const rows: Cell[][] = Array.from({ length: 150 }, (_, i) => [`L${i}`, 'C1', 'INV-1', 'S1', 'bad', '2026-11-01', '2026-11-30']);
    const files = withFiles(baseBundle(spec()), {
      'psa_lines.csv': csv(['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'], rows),
    });
    const errors = violations(files).filter((e) => e.file === 'psa_lines.csv');
    expect(errors.length).toBeLessThanOrEqual(101);
    expect(errors.some((e) => /\b50 more\b/.test(e.message))).toBe(true); // 150 − 100
  });
});

describe('§9 decisions given apart from the bundle', () => {
  it('names the given decisions file in its errors', () => {
    const text = csv(['client_id', 'service_id', 'decision', 'effective_date'], [['C1', 'S1', 'approve', ''], ['C2', 'S1', 'perhaps', '']]);
    expectViolation(baseBundle(spec()), { file: 'review.csv', row: 3, column: 'decision' }, { decisions: { name: 'review.csv', text } });
  });

  it('does not check the bundle\'s decisions.csv it replaces', () => {
    const files = broken('decisions', { decision: 'perhaps' });
    const text = csv(['client_id', 'service_id', 'decision'], [['C1', 'S1', 'approve']]);
    expect(() => run(files, { decisions: { name: 'review.csv', text } })).not.toThrow();
  });
});
