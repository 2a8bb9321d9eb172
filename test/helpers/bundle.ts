/**
 * Fixture builders for the reconciliation spec tests (/work/shared/spec/reconciliation.md).
 *
 * A bundle is described as plain row objects per file; every column the test does not name gets a
 * neutral default (see DEFAULTS), so a test only spells out what the behaviour under test needs.
 */
import { expect } from 'vitest';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { formatContractError, type ContractError } from '../../worker/bundle/contractError';
import type {
  AdjustmentOut,
  ClientRowOut,
  DiscrepancyOut,
  FlagOut,
  InactiveSeatOut,
  IntegrationOut,
  Report,
  UnaccountedOut,
  UnmappedClientOut,
} from '../../worker/engine/report.types';

export type Files = Record<string, string>;
export type Cell = string | number;
/** One CSV record by column name; an absent or undefined column takes its default. */
export type Row = Record<string, Cell | undefined>;

/** The date of this asOf is 2026-11-28; the month after it starts 2026-12-01. */
export const AS_OF = '2026-11-28T12:00:00Z';

export const FILE = {
  clients: 'psa_clients.csv',
  lines: 'psa_lines.csv',
  catalog: 'psa_catalog.csv',
  usage: 'usage.csv',
  clientMap: 'client_map.csv',
  serviceMap: 'service_map.csv',
  decisions: 'decisions.csv',
} as const;
export type TableKey = keyof typeof FILE;

/** All columns of §1, in the order the spec lists them. */
export const COLUMNS: Record<TableKey, string[]> = {
  clients: ['client_id', 'client_name'],
  lines: ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price',
    'billing_cycle', 'period_start', 'period_end', 'agreement_id'],
  catalog: ['service_id', 'service_name', 'list_price'],
  usage: ['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category',
    'quantity', 'last_active'],
  clientMap: ['integration_id', 'external_client_id', 'psa_client_id', 'status'],
  serviceMap: ['rule_id', 'integration_id', 'product', 'category', 'action', 'psa_service_id', 'count'],
  decisions: ['client_id', 'service_id', 'decision', 'effective_date'],
};

/** The required (bold) columns of §1. */
export const REQUIRED: Record<TableKey, string[]> = {
  clients: ['client_id', 'client_name'],
  lines: ['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'],
  catalog: ['service_id'],
  usage: ['integration_id', 'external_client_id', 'record_id', 'product'],
  clientMap: ['integration_id', 'external_client_id', 'status'],
  serviceMap: ['rule_id', 'integration_id', 'product', 'action', 'count'],
  decisions: ['client_id', 'service_id', 'decision'],
};

/**
 * Neutral defaults. Functions get the row index (0-based) so ids stay unique.
 * Lines default to a November 2026 monthly period, which contains the date of AS_OF.
 */
const DEFAULTS: Record<TableKey, Record<string, Cell | ((i: number) => Cell)>> = {
  clients: { client_name: '' },
  lines: {
    line_id: (i) => `L${i + 1}`, invoice_id: 'INV-1', service_name: '', unit_price: '', billing_cycle: 'monthly',
    period_start: '2026-11-01', period_end: '2026-11-30', agreement_id: '',
  },
  catalog: { service_name: '', list_price: '' },
  usage: {
    integration_id: 'm365', external_client_name: '', record_id: (i) => `auto-${i + 1}`, category: '', quantity: '',
    last_active: '',
  },
  clientMap: { integration_id: 'm365', psa_client_id: '', status: 'mapped' },
  serviceMap: { rule_id: (i) => `R${i + 1}`, integration_id: 'm365', category: '', action: 'map', psa_service_id: '', count: 'records' },
  decisions: { effective_date: '' },
};

export interface Integration {
  id: string;
  name?: string;
  kind?: string;
  lastSyncAt?: string | null;
  lastSyncStatus?: string;
}

export interface Workspace {
  currency?: string;
  asOf?: unknown;
  inactiveAfterDays?: number;
  staleAfterHours?: number;
  integrations?: Integration[];
}

/** Synced 6 hours before AS_OF: green. */
export function integration(id: string, over: Partial<Integration> = {}): Integration {
  return { id, name: id, kind: 'licenses', lastSyncAt: '2026-11-28T06:00:00Z', lastSyncStatus: 'ok', ...over };
}

export const DEFAULT_WORKSPACE: Workspace = {
  currency: 'USD',
  asOf: AS_OF,
  inactiveAfterDays: 21,
  staleAfterHours: 24,
  integrations: [integration('m365', { name: 'Microsoft 365' }), integration('sentinelone', { name: 'SentinelOne', kind: 'endpoints' })],
};

export interface BundleSpec {
  /** Merged over DEFAULT_WORKSPACE (a key set to undefined is dropped); a string is the raw file text. */
  workspace?: Workspace | string;
  clients?: Row[];
  lines?: Row[];
  /** psa_catalog.csv is written only when given. */
  catalog?: Row[];
  usage?: Row[];
  clientMap?: Row[];
  serviceMap?: Row[];
  /** decisions.csv is written only when given. */
  decisions?: Row[];
  /** Exact header of a file (to drop or reorder columns). */
  columns?: Partial<Record<TableKey, string[]>>;
}

export interface Table {
  header: string[];
  rows: string[][];
}
export interface Tables {
  workspace: string;
  tables: Partial<Record<TableKey, Table>>;
}

export function table(key: TableKey, rows: Row[], columns?: string[]): Table {
  const header = columns ? [...columns] : [...COLUMNS[key]];
  if (!columns) {
    for (const r of rows) for (const k of Object.keys(r)) if (!header.includes(k)) header.push(k);
  }
  const defaults = DEFAULTS[key];
  return {
    header,
    rows: rows.map((r, i) =>
      header.map((col) => {
        const v = r[col];
        if (v !== undefined) return String(v);
        const d = defaults[col];
        if (d === undefined) return '';
        return String(typeof d === 'function' ? d(i) : d);
      }),
    ),
  };
}

export function workspaceJson(ws: Workspace | string = {}): string {
  if (typeof ws === 'string') return ws;
  return JSON.stringify({ ...DEFAULT_WORKSPACE, ...ws });
}

export function bundleTables(spec: BundleSpec = {}): Tables {
  const tables: Partial<Record<TableKey, Table>> = {};
  for (const key of Object.keys(FILE) as TableKey[]) {
    const rows = spec[key];
    if ((key === 'catalog' || key === 'decisions') && rows === undefined) continue;
    tables[key] = table(key, rows ?? [], spec.columns?.[key]);
  }
  return { workspace: workspaceJson(spec.workspace), tables };
}

export interface RenderOptions {
  /** A UTF-8 byte order mark before every CSV (workspace.json is left alone). */
  bom?: boolean;
  crlf?: boolean;
  /** Permutation of column indexes per file (applied to header and every row). */
  columnOrder?: Partial<Record<TableKey, number[]>>;
}

export function render(t: Tables, opts: RenderOptions = {}): Files {
  const bom = opts.bom ? '\uFEFF' : '';
  const files: Files = { 'workspace.json': t.workspace };
  for (const [key, tab] of Object.entries(t.tables) as [TableKey, Table][]) {
    const order = opts.columnOrder?.[key] ?? tab.header.map((_, i) => i);
    const pick = (cells: string[]) => order.map((i) => cells[i]);
    files[FILE[key]] = bom + csv(pick(tab.header), tab.rows.map(pick), { crlf: opts.crlf });
  }
  return files;
}

/** A minimal valid bundle: the default workspace.json and the six required CSVs (header only unless rows are given). */
export function baseBundle(spec: BundleSpec = {}): Files {
  return render(bundleTables(spec));
}

/** CSV text with RFC 4180 quoting: fields holding a comma, a quote or a line break are quoted. */
export function csv(header: string[], rows: Cell[][], opts: { crlf?: boolean; trailingNewline?: boolean } = {}): string {
  const eol = opts.crlf ? '\r\n' : '\n';
  const field = (v: Cell) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [header, ...rows].map((r) => r.map(field).join(',')).join(eol);
  return opts.trailingNewline === false ? text : text + eol;
}

/** `n` usage rows sharing `fields`; record ids are `${prefix}${k}` (k = 1..n). */
export function seats(n: number, fields: Row, prefix = `${String(fields.external_client_id ?? 'x')}/${String(fields.product ?? 'p')}/`): Row[] {
  return Array.from({ length: n }, (_, k) => ({ ...fields, record_id: `${prefix}${k + 1}` }));
}

/** Replace (string) or remove (undefined) whole files. */
export function withFiles(files: Files, changes: Record<string, string | undefined>): Files {
  const out: Files = { ...files };
  for (const [name, text] of Object.entries(changes)) {
    if (text === undefined) delete out[name];
    else out[name] = text;
  }
  return out;
}

// ---------------------------------------------------------------- running

type Options = Parameters<typeof reconcileFiles>[1];

export function runFull(files: Files, options?: Options): { report: Report; notes: string[] } {
  const r = reconcileFiles(files, options);
  if (!r.ok) {
    throw new Error(`expected a valid bundle, got contract errors:\n${r.errors.map(formatContractError).join('\n')}`);
  }
  return { report: r.report, notes: r.notes };
}

/** Asserts the bundle is valid and returns its §8 report. */
export function run(files: Files, options?: Options): Report {
  return runFull(files, options).report;
}

/** Asserts the bundle breaks the contract (§9) and returns the errors. */
export function violations(files: Files, options?: Options): ContractError[] {
  const r = reconcileFiles(files, options);
  if (r.ok) throw new Error('expected contract errors, but the bundle was accepted');
  expect(r.errors.length).toBeGreaterThan(0);
  return r.errors;
}

export interface Where {
  file: string;
  row?: number;
  /** One column name, or any of several when the spec lets the engine choose. */
  column?: string | string[];
}

/** Asserts that one of the errors names this file (and row, and column when given). */
export function expectViolation(files: Files, where: Where, options?: Options): ContractError {
  const errors = violations(files, options);
  const cols = where.column === undefined ? undefined : Array.isArray(where.column) ? where.column : [where.column];
  const hit = errors.find(
    (e) =>
      e.file === where.file &&
      (where.row === undefined || e.row === where.row) &&
      (cols === undefined || (e.column !== undefined && cols.includes(e.column))),
  );
  if (!hit) {
    const want = `${where.file}, row ${where.row ?? '?'}, column ${cols?.join('|') ?? '?'}`;
    throw new Error(`no error at ${want}; got:\n${errors.map(formatContractError).join('\n')}`);
  }
  expect(hit.message.length).toBeGreaterThan(0);
  return hit;
}

// ---------------------------------------------------------------- decimals

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Normal form of a plain decimal string: "12.50" → "12.5", "-3.00" → "-3", "-0.00" → "0", "007" → "7". */
export function dec(s: string): string {
  const m = PLAIN.exec(s);
  if (!m) throw new Error(`not a plain decimal: ${JSON.stringify(s)}`);
  const int = m[2].replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' ? '0' : m[1] + body;
}

expect.extend({
  /** `expect(d.amount).toBeDecimal('33.00')`: a plain decimal string equal (as a decimal) to the expected one. */
  toBeDecimal(received: unknown, expected: string) {
    const ok = typeof received === 'string' && PLAIN.test(received) && dec(received) === dec(expected);
    return {
      pass: ok,
      message: () => `expected ${JSON.stringify(received)} ${ok ? 'not ' : ''}to be the decimal ${expected}`,
      actual: received,
      expected,
    };
  },
});

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match vitest's own declaration
  interface Matchers<T = any> {
    toBeDecimal: (expected: string) => T;
  }
}

// ---------------------------------------------------------------- finders

function keys<T>(list: T[], key: (x: T) => string): string {
  return list.map(key).join('; ') || '(none)';
}

export function findDisc(r: Report, client: string, service: string): DiscrepancyOut | undefined {
  return r.discrepancies.find((d) => d.client_id === client && d.service_id === service);
}
/** The discrepancy of (client, service); fails when it is not listed. */
export function disc(r: Report, client: string, service: string): DiscrepancyOut {
  const d = findDisc(r, client, service);
  if (!d) throw new Error(`no discrepancy ${client}/${service}; listed: ${keys(r.discrepancies, (x) => `${x.client_id}/${x.service_id}`)}`);
  return d;
}

export function findClient(r: Report, id: string): ClientRowOut | undefined {
  return r.clients.find((c) => c.client_id === id);
}
export function client(r: Report, id: string): ClientRowOut {
  const c = findClient(r, id);
  if (!c) throw new Error(`no client row ${id}; listed: ${keys(r.clients, (x) => x.client_id)}`);
  return c;
}

/** Unaccounted group; the product is compared case-insensitively. */
export function findUnaccounted(r: Report, client: string, integration: string, product: string): UnaccountedOut | undefined {
  return r.unaccounted.find(
    (u) => u.client_id === client && u.integration_id === integration && u.product.toLowerCase() === product.toLowerCase(),
  );
}
export function unaccounted(r: Report, client: string, integration: string, product: string): UnaccountedOut {
  const u = findUnaccounted(r, client, integration, product);
  if (!u) throw new Error(`no unaccounted group ${client}/${integration}/${product}; listed: ${keys(r.unaccounted, (x) => `${x.client_id}/${x.integration_id}/${x.product}`)}`);
  return u;
}

export function findUnmapped(r: Report, integration: string, external: string): UnmappedClientOut | undefined {
  return r.unmapped_clients.find((u) => u.integration_id === integration && u.external_client_id === external);
}
export function unmapped(r: Report, integration: string, external: string): UnmappedClientOut {
  const u = findUnmapped(r, integration, external);
  if (!u) throw new Error(`no unmapped client ${integration}/${external}; listed: ${keys(r.unmapped_clients, (x) => `${x.integration_id}/${x.external_client_id}`)}`);
  return u;
}

/** Flags as sorted "client/invoice/service/flag" strings: easy to compare as a whole. */
export function flagKeys(r: Report): string[] {
  return r.flags.map((f: FlagOut) => `${f.client_id}/${f.invoice_id}/${f.service_id}/${f.flag}`).sort();
}

/** Inactive seats as sorted "client/integration/record/product=days" strings. */
export function inactiveKeys(r: Report): string[] {
  return r.inactive_seats.map((s: InactiveSeatOut) => `${s.client_id}/${s.integration_id}/${s.record_id}/${s.product}=${s.days_inactive}`).sort();
}

export function health(r: Report, id: string): IntegrationOut['status'] {
  const h = r.integrations.find((i) => i.integration_id === id);
  if (!h) throw new Error(`no integration ${id}; listed: ${keys(r.integrations, (x) => x.integration_id)}`);
  return h.status;
}

export function findAdjustment(r: Report, client: string, service: string): AdjustmentOut | undefined {
  return r.adjustments.find((a) => a.client_id === client && a.service_id === service);
}
export function adjustment(r: Report, client: string, service: string): AdjustmentOut {
  const a = findAdjustment(r, client, service);
  if (!a) throw new Error(`no adjustment ${client}/${service}; listed: ${keys(r.adjustments, (x) => `${x.client_id}/${x.service_id}`)}`);
  return a;
}

/** The report with every list sorted (and integration_ids sorted), for order-free comparison. */
export function canonical(r: Report): Report {
  const sort = <T>(list: T[]): T[] => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  return {
    clients: sort(r.clients),
    discrepancies: sort(r.discrepancies),
    unaccounted: sort(r.unaccounted),
    unmapped_clients: sort(r.unmapped_clients),
    flags: sort(r.flags),
    inactive_seats: sort(r.inactive_seats),
    integrations: sort(r.integrations),
    adjustments: sort(r.adjustments),
  };
}
