/**
 * The demo bundle must satisfy the bundle contract (spec §1, §9) on its own, without the engine,
 * and keep showing every feature the demo is meant to show, for any seed and size.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';

type Row = Record<string, string>;

/** Every column the spec lists per file, in the order the demo writes them. */
const HEADERS: Record<string, string[]> = {
  'psa_clients.csv': ['client_id', 'client_name'],
  'psa_lines.csv': ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price',
    'billing_cycle', 'period_start', 'period_end', 'agreement_id'],
  'psa_catalog.csv': ['service_id', 'service_name', 'list_price'],
  'usage.csv': ['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category',
    'quantity', 'last_active'],
  'client_map.csv': ['integration_id', 'external_client_id', 'psa_client_id', 'status'],
  'service_map.csv': ['rule_id', 'integration_id', 'product', 'category', 'action', 'psa_service_id', 'count'],
  'decisions.csv': ['client_id', 'service_id', 'decision', 'effective_date'],
};

/** Required (bold) columns: never blank. */
const REQUIRED: Record<string, string[]> = {
  'psa_clients.csv': ['client_id', 'client_name'],
  'psa_lines.csv': ['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'],
  'psa_catalog.csv': ['service_id'],
  'usage.csv': ['integration_id', 'external_client_id', 'record_id', 'product'],
  'client_map.csv': ['integration_id', 'external_client_id', 'status'],
  'service_map.csv': ['rule_id', 'integration_id', 'product', 'action', 'count'],
  'decisions.csv': ['client_id', 'service_id', 'decision'],
};

const DECIMAL = /^-?\d+(\.\d{1,4})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parse(text: string): { fields: string[]; rows: Row[] } {
  const result = Papa.parse<Row>(text, { header: true, skipEmptyLines: false });
  expect(result.errors).toEqual([]);
  return { fields: result.meta.fields ?? [], rows: result.data };
}

function tables(files: Record<string, string>): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const name of Object.keys(HEADERS)) out[name] = parse(files[name] ?? '').rows;
  return out;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Hundredths from a decimal string, exactly (no float on quantities). */
function hundredths(value: string): number {
  const [whole = '0', frac = ''] = value.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}

function isRealDate(s: string): boolean {
  return DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'i');
}

/** First matching service_map rule, as spec §2.3 reads it. */
function ruleFor(rules: Row[], u: Row): Row | undefined {
  return rules.find((r) => r.integration_id === u.integration_id
    && globToRegExp(r.product ?? '').test((u.product ?? '').trim())
    && ((r.category ?? '') === '' || r.category?.toLowerCase() === u.category?.toLowerCase()));
}

const demo = generateDemoBundle();
const t = tables(demo);

describe('generateDemoBundle: determinism', () => {
  it('gives identical bundles for the same seed', () => {
    expect(generateDemoBundle({ seed: 7 })).toEqual(generateDemoBundle({ seed: 7 }));
    expect(generateDemoBundle()).toEqual(demo);
  });

  it('gives a different bundle for another seed', () => {
    expect(generateDemoBundle({ seed: 43 })['usage.csv']).not.toEqual(demo['usage.csv']);
  });
});

describe('generateDemoBundle: contract', () => {
  it('writes exactly the bundle files', () => {
    expect(Object.keys(demo).sort()).toEqual([...Object.keys(HEADERS), 'workspace.json'].sort());
  });

  it('parses every CSV with papaparse, with the header the spec lists', () => {
    for (const [name, header] of Object.entries(HEADERS)) {
      expect(parse(demo[name] ?? '').fields, name).toEqual(header);
    }
  });

  it('never leaves a required value blank', () => {
    const blanks: string[] = [];
    for (const [name, columns] of Object.entries(REQUIRED)) {
      for (const [i, row] of (t[name] ?? []).entries()) {
        for (const col of columns) if (!row[col]?.trim()) blanks.push(`${name} row ${i + 2} ${col}`);
      }
    }
    expect(blanks).toEqual([]);
  });

  it('writes workspace.json with the four integrations, backup stale', () => {
    const ws = JSON.parse(demo['workspace.json'] ?? '') as {
      currency: string; asOf: string; inactiveAfterDays: number; staleAfterHours: number;
      integrations: { id: string; kind: string; lastSyncAt: string; lastSyncStatus: string }[];
    };
    expect(ws).toMatchObject({ currency: 'USD', asOf: '2026-11-28T12:00:00Z', inactiveAfterDays: 21, staleAfterHours: 24 });
    expect(ws.integrations.map((i) => [i.id, i.kind])).toEqual([
      ['m365', 'licenses'], ['rmm', 'devices'], ['backup', 'storage'], ['edr', 'security'],
    ]);
    const hoursAgo = Object.fromEntries(ws.integrations.map((i) =>
      [i.id, (Date.parse(ws.asOf) - Date.parse(i.lastSyncAt)) / 3_600_000]));
    expect(hoursAgo).toEqual({ m365: 6, rmm: 2, backup: 30, edr: 1 });
    expect(ws.integrations.every((i) => i.lastSyncStatus === 'ok')).toBe(true);
  });

  it('writes only plain decimals (at most 4 places) and real dates', () => {
    const decimals: [string, string][] = [
      ['psa_lines.csv', 'quantity'], ['psa_lines.csv', 'unit_price'], ['psa_catalog.csv', 'list_price'], ['usage.csv', 'quantity'],
    ];
    const bad: string[] = [];
    for (const [name, col] of decimals) {
      for (const row of t[name] ?? []) if (row[col] !== '' && !DECIMAL.test(row[col] ?? '')) bad.push(`${name} ${col} ${row[col]}`);
    }
    const dates: [string, string][] = [
      ['psa_lines.csv', 'period_start'], ['psa_lines.csv', 'period_end'], ['usage.csv', 'last_active'], ['decisions.csv', 'effective_date'],
    ];
    for (const [name, col] of dates) {
      for (const row of t[name] ?? []) if (row[col] !== '' && !isRealDate(row[col] ?? '')) bad.push(`${name} ${col} ${row[col]}`);
    }
    expect(bad).toEqual([]);
    for (const l of t['psa_lines.csv'] ?? []) expect((l.period_start ?? '') <= (l.period_end ?? '')).toBe(true);
  });

  it('keeps enumerated values inside their sets', () => {
    for (const l of t['psa_lines.csv'] ?? []) expect(['monthly', 'annual']).toContain(l.billing_cycle);
    for (const m of t['client_map.csv'] ?? []) expect(['mapped', 'excluded']).toContain(m.status);
    for (const r of t['service_map.csv'] ?? []) {
      expect(['map', 'exclude']).toContain(r.action);
      expect(['records', 'quantity']).toContain(r.count);
      if (r.action === 'map') expect(r.psa_service_id).not.toBe('');
    }
    for (const d of t['decisions.csv'] ?? []) expect(['approve', 'dismiss']).toContain(d.decision);
  });

  it('has no duplicate keys', () => {
    const unique = (rows: Row[] | undefined, key: (r: Row) => string): void => {
      const keys = (rows ?? []).map(key);
      expect(new Set(keys).size).toBe(keys.length);
    };
    unique(t['psa_lines.csv'], (r) => r.line_id ?? '');
    unique(t['psa_clients.csv'], (r) => r.client_id ?? '');
    unique(t['service_map.csv'], (r) => r.rule_id ?? '');
    unique(t['client_map.csv'], (r) => `${r.integration_id}\u0000${r.external_client_id}`);
    unique(t['psa_catalog.csv'], (r) => r.service_id ?? '');
  });

  it('keeps usage identities (integration_id, record_id, product) and record ids per integration unique', () => {
    const usage = t['usage.csv'] ?? [];
    const identities = new Set(usage.map((u) => `${u.integration_id}\u0000${u.record_id}\u0000${u.product}`));
    const records = new Set(usage.map((u) => `${u.integration_id}\u0000${u.record_id}`));
    expect(identities.size).toBe(usage.length);
    expect(records.size).toBe(usage.length);
  });

  it('only refers to PSA clients and services that exist', () => {
    const clients = new Set((t['psa_clients.csv'] ?? []).map((c) => c.client_id));
    for (const m of t['client_map.csv'] ?? []) if (m.status === 'mapped') expect(clients.has(m.psa_client_id)).toBe(true);
    for (const l of t['psa_lines.csv'] ?? []) expect(clients.has(l.client_id)).toBe(true);
    for (const d of t['decisions.csv'] ?? []) expect(clients.has(d.client_id)).toBe(true);
  });
});

describe('generateDemoBundle: demo features', () => {
  const usage = t['usage.csv'] ?? [];
  const lines = t['psa_lines.csv'] ?? [];
  const rules = t['service_map.csv'] ?? [];
  const map = new Map((t['client_map.csv'] ?? []).map((m) => [`${m.integration_id}\u0000${m.external_client_id}`, m]));
  const current = lines.filter((l) => (l.period_start ?? '') <= '2026-11-28' && '2026-11-28' <= (l.period_end ?? ''));

  it('has realistic client names with commas, quotes, accents and CJK', () => {
    const names = (t['psa_clients.csv'] ?? []).map((c) => c.client_name ?? '');
    expect(names).toHaveLength(36);
    expect(names).toContain('Müller Bäckerei GmbH');
    expect(names).toContain('日本商事株式会社');
    expect(names.some((n) => n.includes(','))).toBe(true);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => /[<>]/.test(n))).toBe(false);
  });

  it('spells tenant names differently from the PSA', () => {
    const names = new Set(usage.map((u) => u.external_client_name));
    expect(names.has('Acme Inc')).toBe(true);
    expect(names.has('ACME, Inc.')).toBe(true);
  });

  it('has an excluded tenant and a few unmapped tenants', () => {
    expect([...map.values()].filter((m) => m.status === 'excluded').length).toBeGreaterThanOrEqual(1);
    const unmapped = new Set(usage.filter((u) => !map.has(`${u.integration_id}\u0000${u.external_client_id}`))
      .map((u) => `${u.integration_id}\u0000${u.external_client_id}`));
    expect(unmapped.size).toBeGreaterThanOrEqual(3);
  });

  it('resolves products through ordered rules, leaving Power BI Pro unaccounted', () => {
    const unaccounted = new Set(usage.filter((u) => !ruleFor(rules, u)).map((u) => u.product));
    expect([...unaccounted]).toEqual(['Power BI Pro']);
    const trial = usage.find((u) => u.product === 'Microsoft 365 Business Premium Trial');
    expect(trial && ruleFor(rules, trial)?.action).toBe('exclude');
    // Without the exclude rule in front, the broad Business Premium rule would bill the trial.
    expect(trial && ruleFor(rules.filter((r) => r.action === 'map'), trial)?.psa_service_id).toBe('SVC-M365-BP');
  });

  it('reports backup storage in GB with decimals and counts it by quantity', () => {
    const backup = usage.filter((u) => u.integration_id === 'backup');
    expect(backup.length).toBeGreaterThan(0);
    expect(backup.some((u) => /\.\d*[1-9]/.test(u.quantity ?? ''))).toBe(true);
    expect(rules.find((r) => r.integration_id === 'backup')?.count).toBe('quantity');
  });

  it('has mostly recent, ~5% inactive and some unknown last_active dates', () => {
    const asOf = Date.parse('2026-11-28T00:00:00Z');
    const age = (d: string): number => (asOf - Date.parse(`${d}T00:00:00Z`)) / 86_400_000;
    const known = usage.filter((u) => u.last_active !== '');
    const inactive = known.filter((u) => age(u.last_active ?? '') > 21).length / usage.length;
    expect(usage.length - known.length).toBeGreaterThan(0);
    expect(inactive).toBeGreaterThan(0.03);
    expect(inactive).toBeLessThan(0.08);
    expect(known.filter((u) => age(u.last_active ?? '') <= 7).length / usage.length).toBeGreaterThan(0.75);
  });

  it('has the PSA line quirks the reconciliation must handle', () => {
    expect(current.some((l) => l.billing_cycle === 'annual' && l.period_start === '2026-01-01' && l.period_end === '2026-12-31')).toBe(true);
    expect(lines.length - current.length).toBeGreaterThan(0);
    expect(current.filter((l) => l.unit_price === '').length).toBeGreaterThanOrEqual(3);
    expect(current.some((l) => hundredths(l.quantity ?? '') === 0)).toBe(true);
    expect(current.every((l) => l.agreement_id !== undefined)).toBe(true);
    const prices = new Map<string, Set<string>>();
    for (const l of current) {
      if (l.unit_price === '') continue;
      const key = `${l.invoice_id}\u0000${l.service_id}`;
      prices.set(key, (prices.get(key) ?? new Set()).add(l.unit_price ?? ''));
    }
    expect([...prices.values()].some((p) => p.size > 1)).toBe(true);
    const cycles = new Map<string, Set<string>>();
    for (const l of current) cycles.set(l.client_id ?? '', (cycles.get(l.client_id ?? '') ?? new Set()).add(l.billing_cycle ?? ''));
    expect([...cycles.values()].some((c) => c.size > 1)).toBe(true);
  });

  it('exercises every step of the rate chain', () => {
    const mappedServices = new Set(rules.filter((r) => r.action === 'map').map((r) => r.psa_service_id));
    const catalog = new Map((t['psa_catalog.csv'] ?? []).map((c) => [c.service_id, c.list_price ?? '']));
    const pricedCurrent = new Set(current.filter((l) => l.unit_price !== '').map((l) => l.service_id));
    const catalogOnly = [...mappedServices].filter((s) => !pricedCurrent.has(s) && (catalog.get(s) ?? '') !== '');
    const nowhere = [...mappedServices].filter((s) => !pricedCurrent.has(s) && (catalog.get(s) ?? '') === '');
    expect(catalogOnly).toContain('SVC-TEAMS-ESS');
    expect(nowhere).toEqual(['SVC-EDR-MTR']);
    expect(usage.some((u) => ruleFor(rules, u)?.psa_service_id === 'SVC-EDR-MTR')).toBe(true);
  });

  it('invoices quantities near the real counts, off in both directions', () => {
    const system = new Map<string, number>();
    for (const u of usage) {
      const m = map.get(`${u.integration_id}\u0000${u.external_client_id}`);
      const rule = m?.status === 'mapped' ? ruleFor(rules, u) : undefined;
      if (!m || rule?.action !== 'map') continue;
      const key = `${m.psa_client_id}\u0000${rule.psa_service_id}`;
      const add = rule.count === 'quantity' ? hundredths(u.quantity || '1') : 100;
      system.set(key, (system.get(key) ?? 0) + add);
    }
    const invoiced = new Map<string, number>();
    for (const l of current.filter((x) => x.service_id !== 'SVC-MSP-FLAT' && x.service_id !== 'SVC-HELPDESK')) {
      const key = `${l.client_id}\u0000${l.service_id}`;
      invoiced.set(key, (invoiced.get(key) ?? 0) + hundredths(l.quantity ?? ''));
    }
    const deltas = [...invoiced].map(([key, inv]) => ({ inv, sys: system.get(key) ?? 0 }));
    const near = deltas.filter(({ inv, sys }) => Math.abs(sys - inv) <= Math.max(500, sys * 0.15));
    expect(near.length / deltas.length).toBeGreaterThan(0.9);
    expect(deltas.some(({ inv, sys }) => sys > inv)).toBe(true);
    expect(deltas.some(({ inv, sys }) => sys < inv)).toBe(true);
    expect(deltas.some(({ inv, sys }) => sys === inv)).toBe(true);
  });

  it('records a handful of decisions, one effective mid-month', () => {
    const decisions = t['decisions.csv'] ?? [];
    expect(decisions.length).toBeGreaterThanOrEqual(4);
    expect(decisions.some((d) => d.decision === 'dismiss')).toBe(true);
    expect(decisions.some((d) => d.decision === 'approve' && d.effective_date !== '' && !d.effective_date?.endsWith('-01'))).toBe(true);
  });
});

describe('generateDemoBundle: scaling', () => {
  it('yields exactly the requested number of usage rows', () => {
    for (const usageRows of [0, 1, 7, 1234]) {
      const files = generateDemoBundle({ usageRows, clients: 12 });
      expect(parse(files['usage.csv'] ?? '').rows).toHaveLength(usageRows);
    }
  });

  it('spreads rows over every client, with the same mix of features', () => {
    const files = generateDemoBundle({ clients: 400, usageRows: 100_000, seed: 3 });
    const big = tables(files);
    expect(big['psa_clients.csv']).toHaveLength(400);
    expect(big['usage.csv']).toHaveLength(100_000);
    const mapped = new Set((big['client_map.csv'] ?? []).filter((m) => m.status === 'mapped').map((m) => m.psa_client_id));
    expect(mapped.size).toBe(400);
    const lines = big['psa_lines.csv'] ?? [];
    expect(lines.filter((l) => l.billing_cycle === 'annual').length).toBeGreaterThan(100);
    expect(lines.filter((l) => l.unit_price === '').length).toBeGreaterThan(20);
    const bytesPerRow = (files['usage.csv'] ?? '').length / 100_000;
    expect(bytesPerRow).toBeGreaterThan(80);
    expect(bytesPerRow).toBeLessThan(130);
  });

  // How long it takes is `npm run bench`'s to say (it prints the generation time), not a test's.
  it('builds the 1M-row benchmark bundle', () => {
    const files = generateDemoBundle({ clients: 2000, usageRows: 1_000_000 });
    expect(countLines(files['usage.csv'] ?? '')).toBe(1_000_001);
    expect(countLines(files['psa_clients.csv'] ?? '')).toBe(2001);
  });
});
