import { PSA_SOURCE } from '../views/integrationStatus';
import { formatContractError, type ContractError } from '../bundle/contractError';
import { parseDataset, parseUsageBytes, type Dataset, type DatasetKind } from '../bundle/parseDataset';
import { packUsage } from '../bundle/usagePack';
import { formatDay } from '../engine/dates';
import type { ClientMapEntry, ServiceRule } from '../engine/model';
import { conversionFiles } from '../sources/bundleCsv';
import { BUILTIN_PROFILES } from '../sources/builtinProfiles';
import { convertFiles, expandZips, type FileOutcome, type InputFile } from '../sources/convertFiles';
import { mergePsa } from '../sources/mergeBundle';
import type { NearProfile } from '../sources/recognizeSource';
import { cellText, type Conversion, type FileOverrides, type RawTable, type SourceProfile } from '../sources/types';
import type { BundleSettings } from '../doc/settings';
import { EMPTY_CURRENT, parseScopeKey, scopeKey, type CurrentImports, type DatasetRecord, type ImportRecord, type LedgerlineDb, type UsageBlockRecord } from './db';

/** A file as dropped: a name (with its folder path when a folder was dropped) and its bytes. */
export interface ImportInput {
  name: string;
  blob: Blob;
}

export interface ImportProgress {
  fileName: string;
  phase: 'reading' | 'parsing' | 'storing' | 'done';
  /** 0..1 over the whole batch, weighted by file size. */
  fraction: number;
}

export interface ImportedFile {
  fileName: string;
  kind: DatasetKind;
  rows: number;
  replaced: number;
  integrationIds: string[];
}

/**
 * What an import brings to the workspace document, the one home of mappings, decisions and
 * settings (see state/doc.ts); IndexedDB keeps the imported data only.
 */
export interface ImportedMappings {
  /** A bundle's workspace.json: the settings (its asOf) every teammate computes against; the workspace's own choices (the suggestion threshold) stay. */
  settings?: BundleSettings;
  clientMap?: ClientMapEntry[];
  serviceMap?: ServiceRule[];
  decisions?: { clientId: string; serviceId: string; decision: 'approve' | 'dismiss'; effectiveDate: string | null; note?: string }[];
}

/**
 * What became of one file of a drop, for the import report: every file is accounted for, the
 * imported ones with their profile and row counts, the others with why.
 */
export interface FileReport {
  file: string;
  status: 'imported' | 'skipped' | 'failed' | 'unknown';
  /** What the file is: "usage", "psa_lines", "PSA lines and clients", "workspace settings"… */
  what: string;
  /** The profile that read a raw export, or "bundle file" for a file of spec §1. */
  profile: string | null;
  /** For usage from a per-client export: the one client it holds (its replacement scope). */
  client: string | null;
  /** …with its integration and the name the file itself gives it (what a rename is keyed by). */
  tenant?: { integrationId: string; foundName: string };
  rowsRead: number | null;
  rowsWritten: number | null;
  /** Records that produced no row, by reason ("Licenses is \"Unlicensed\"": 3). */
  skippedRows: Record<string, number>;
  /** Why a file was skipped or not imported. */
  reason: string | null;
  /** The dataset the file is (or would have been): what a failed import is recorded as in the history. */
  kind?: DatasetKind;
  /** A recognised file whose values did not read: the wizard can adjust how it is read. */
  adjustable?: boolean;
  /** Encoding and other remarks, each naming the file. */
  notes: string[];
}

/** A file no profile knows: what the wizard needs to show (the rows themselves stay in the worker). */
export interface UnknownFile {
  file: string;
  header: string[];
  headerRow: number;
  /** The first records as text, for the wizard's raw preview. */
  sample: string[][];
  sampleRowNumbers: number[];
  rowCount: number;
  encoding: RawTable['encoding'];
  delimiter: RawTable['delimiter'];
  sheet?: string;
  notes: string[];
  hints: string[];
  nearest: NearProfile[];
}

/** Where an import's time went, in ms (Settings shows it; the benchmark reads it). */
export interface ImportTimings {
  /** The files' bytes, zips opened. */
  read: number;
  /** Recognised, decoded, raw exports converted to bundle rows. */
  convert: number;
  /** Parsed and validated as bundle files. */
  parse: number;
  /** Packed and written to IndexedDB in one transaction. */
  store: number;
}

export type ImportOutcome =
  | { ok: true; files: ImportedFile[]; notes: string[]; mappings: ImportedMappings; report: FileReport[]; timings: ImportTimings }
  /**
   * Nothing was written. `unknown`: files no profile knows (the wizard maps them, or the user skips
   * them, and the drop is imported again); `errors`: problems in the others.
   */
  | {
      ok: false; errors: ContractError[]; messages: string[]; report: FileReport[]; unknown: UnknownFile[];
      /** Files a profile recognised whose values did not read (a UK date, a decimal comma): the wizard can adjust how they are read. */
      adjustable: UnknownFile[];
      /** The sources a refused file carried (integration ids, 'psa'): marked "last import failed", their data in use unchanged. */
      failedSources?: string[];
    };

export interface ImportOptions {
  source?: 'demo' | 'files';
  now?: () => Date;
  /** Profiles saved in the workspace document (the built-in ones are always there). */
  profiles?: readonly SourceProfile[];
  /** Files the user chose to skip in the wizard: left out, and listed as skipped. */
  skip?: readonly string[];
  /** Per file: a profile forced by id (the one just saved in the wizard), a client name, a locale. */
  overrides?: Record<string, FileOverrides>;
  /** The as-of time of the shared settings when fixed (ISO): the month PSA exports are billed for. Default: now. */
  asOf?: string | null;
  /** Names the workspace gave per-client exports' clients (keyed by worker/doc/keys.ts tenantNameKey). */
  tenantNames?: Readonly<Record<string, string>>;
  /** Receives the full tables of unknown files, for the wizard's live preview in the worker. */
  unknownTables?: Map<string, RawTable>;
}

interface Parsed {
  fileName: string;
  bytes: number;
  dataset: Dataset;
  rows: number;
  conversion?: Conversion;
}

/**
 * Files whose content lives in the workspace document, not in IndexedDB: their import is recorded
 * in the history, and what they hold goes to the document (ImportedMappings), its one home.
 */
const DOCUMENT_KINDS: ReadonlySet<DatasetKind> = new Set(['client_map', 'service_map', 'decisions']);

const KIND_ORDER: DatasetKind[] = ['workspace', 'psa_clients', 'psa_lines', 'psa_catalog', 'client_map', 'service_map', 'decisions', 'usage'];
const SAMPLE_ROWS = 50;


const BUNDLE_OUTPUT: Record<string, DatasetKind> = { 'usage.csv': 'usage', 'psa_clients.csv': 'psa_clients', 'psa_lines.csv': 'psa_lines', 'psa_catalog.csv': 'psa_catalog' };

/**
 * One import: every file of a drop (bundle CSV files, raw exports, a folder, a .zip) is recognised
 * by its header; raw exports are turned into bundle rows by their profile; everything is validated
 * as a bundle is. Only if every file is known (or skipped) and valid is anything written, in one
 * IndexedDB transaction. A failed usage file still counts as a failed sync of the integrations it named.
 */
export async function importBatch(db: LedgerlineDb, inputs: readonly ImportInput[], onProgress: (p: ImportProgress) => void, options: ImportOptions = {}): Promise<ImportOutcome> {
  const now = options.now ?? (() => new Date());
  const report: FileReport[] = [];
  const errors: ContractError[] = [];
  const skip = new Set(options.skip ?? []);
  const lap = stopwatch();
  // A zip's entries are files of their own ("march.zip/usage.csv"); an unreadable zip is a failed file.
  const { files, failed } = expandZips(await readInputs(inputs, onProgress));
  const read = lap();

  const profiles = [...BUILTIN_PROFILES, ...(options.profiles ?? [])];
  const asOf = options.asOf ?? now().toISOString();
  const sizeOf = new Map(files.map((f) => [f.name, f.bytes.length]));
  const outcomes = [...failed, ...(await convertFiles(files, profiles, options.overrides ?? {}, { asOf, tenantNames: options.tenantNames ?? {}, importedAt: now().toISOString() }))];
  // The bytes are text or tables now: let a 100 MB usage.csv's bytes go before it is parsed.
  files.length = 0;
  const convert = lap();

  const bundleFiles: BundleFile[] = [];
  const conversions: Conversion[] = [];
  const unknown: UnknownFile[] = [];
  const adjustable: UnknownFile[] = [];
  for (const outcome of outcomes) {
    if (skip.has(outcome.file)) report.push({ ...emptyReport(outcome.file, 'skipped', 'skipped by you'), reason: 'you chose to skip it in the import wizard' });
    else handleOutcome(outcome, { bundleFiles, conversions, unknown, adjustable, report, errors, sizeOf, tables: options.unknownTables });
  }

  // Several PSA exports in one drop become one PSA dataset (clients and catalog by id, all lines).
  const psa = conversions.filter((c) => c.target === 'psa');
  const usageConversions = conversions.filter((c) => c.target === 'usage');
  const toParse: (BundleFile & { conversion?: Conversion })[] = [...bundleFiles];
  const mergedPsa = psa.length > 0 ? mergePsa(psa) : null;
  for (const conversion of [...(mergedPsa ? [mergedPsa] : []), ...usageConversions]) {
    const produced = conversionFiles(conversion);
    const bytes = psa.includes(conversion) || conversion === mergedPsa ? psa.reduce((n, c) => n + (sizeOf.get(c.file) ?? 0), 0) : (sizeOf.get(conversion.file) ?? 0);
    for (const [name, text] of Object.entries(produced)) {
      const kind = BUNDLE_OUTPUT[name];
      if (kind === undefined || text.trim() === '') continue;
      toParse.push({ name: conversion.file, kind, text, bytes: Math.round(bytes / Object.keys(produced).length), conversion });
    }
  }
  checkOnePerKind(toParse, errors);
  checkScopes(usageConversions, errors);
  if (errors.length === 0 && unknown.length === 0 && report.every((r) => r.status !== 'imported')) {
    const none = report.length === 0 ? 'nothing was dropped' : 'no file to import in what was dropped (every file was skipped)';
    errors.push({ file: '(drop)', message: none });
  }

  const total = toParse.reduce((n, r) => n + r.bytes, 0) || 1;
  let done = 0;
  const parsed: Parsed[] = [];
  const notes: string[] = [];
  const failedIntegrations = new Set<string>();
  const failedSources: string[] = [];
  for (const file of toParse.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))) {
    const progress = (f: number) => onProgress({ fileName: file.name, phase: 'parsing', fraction: (done + f * file.bytes) / total });
    const result = file.data ? parseUsageBytes(file.name, file.data, progress) : parseDataset(file.kind, file.name, file.text, progress);
    done += file.bytes;
    if (!result.ok) {
      errors.push(...result.errors);
      result.integrationIds.forEach((id) => failedIntegrations.add(id));
      continue;
    }
    parsed.push({ fileName: file.name, bytes: file.bytes, dataset: result.dataset, rows: result.rows, conversion: file.conversion });
    notes.push(...result.notes);
  }
  fillReport(report, parsed, psa);
  const parse = lap();

  if (errors.length > 0 || unknown.length > 0) {
    for (const r of report) {
      const mine = errors.filter((e) => e.file === r.file || e.file.split(' + ').includes(r.file));
      if (mine.length > 0 && r.status === 'imported') {
        r.status = 'failed';
        r.reason = `${mine.length} problem${mine.length === 1 ? '' : 's'}`;
      }
    }
    // A drop waiting for the wizard is not a failure: nothing is recorded until it is imported or abandoned.
    if (errors.length > 0) {
      // Only the sources a refused file carried: a good file refused with it leaves its source as it was.
      const refused = (file: string) => errors.some((e) => e.file === file || e.file.split(' + ').includes(file));
      for (const c of usageConversions) if (c.integration?.id && refused(c.file)) failedIntegrations.add(c.integration.id);
      const sources = new Map([...failedIntegrations].map((id) => [id, [...new Set(toParse.filter((f) => f.kind === 'usage' && refused(f.name)).map((f) => f.name))].join(', ')]));
      const psaFiles = report.filter((r) => r.status === 'failed' && r.kind?.startsWith('psa_')).map((r) => r.file);
      if (psaFiles.length > 0) sources.set(PSA_SOURCE, psaFiles.join(', '));
      await recordFailure(db, report.filter((r) => r.status !== 'skipped'), sizeOf, errors, sources, now());
      failedSources.push(...[...sources.keys()].sort());
    }
    return { ok: false, errors, messages: errors.map(formatContractError), report, unknown, adjustable, failedSources: [...failedSources] };
  }
  onProgress({ fileName: '', phase: 'storing', fraction: 1 });
  const stored = await store(db, parsed, now(), options.source ?? 'files');
  onProgress({ fileName: '', phase: 'done', fraction: 1 });
  return { ok: true, files: stored, notes, mappings: mappingsOf(parsed.map((p) => p.dataset)), report, timings: { read, convert, parse, store: lap() } };
}

/** Milliseconds since the last lap (or the start). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}

function wizardFile(file: string, t: RawTable, hints: string[], nearest: NearProfile[]): UnknownFile {
  return {
    file, header: t.header, headerRow: t.headerRow,
    sample: t.rows.slice(0, SAMPLE_ROWS).map((row) => t.header.map((_, i) => cellText(row[i]))),
    sampleRowNumbers: t.rowNumbers.slice(0, SAMPLE_ROWS), rowCount: t.rows.length,
    encoding: t.encoding, delimiter: t.delimiter, ...(t.sheet ? { sheet: t.sheet } : {}), notes: t.notes, hints, nearest,
  };
}

function emptyReport(file: string, status: FileReport['status'], what: string): FileReport {
  return { file, status, what, profile: null, client: null, rowsRead: null, rowsWritten: null, skippedRows: {}, reason: null, notes: [] };
}

/** The bytes of every input, as dropped. */
async function readInputs(inputs: readonly ImportInput[], onProgress: (p: ImportProgress) => void): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const input of inputs) {
    onProgress({ fileName: input.name, phase: 'reading', fraction: 0 });
    files.push({ name: input.name, bytes: new Uint8Array(await input.blob.arrayBuffer()) });
  }
  return files;
}

/** A file to parse as a bundle file: its text, or (a usage.csv) its bytes in `data`; `bytes` is its size, for progress. */
interface BundleFile {
  name: string;
  kind: DatasetKind;
  text: string;
  data?: Uint8Array;
  bytes: number;
}

interface Collect {
  bundleFiles: BundleFile[];
  conversions: Conversion[];
  unknown: UnknownFile[];
  adjustable: UnknownFile[];
  report: FileReport[];
  errors: ContractError[];
  sizeOf: Map<string, number>;
  tables?: Map<string, RawTable>;
}

function handleOutcome(outcome: FileOutcome, into: Collect): void {
  switch (outcome.status) {
    case 'bundle':
      into.bundleFiles.push({ name: outcome.file, kind: outcome.kind, text: outcome.text, ...(outcome.bytes ? { data: outcome.bytes } : {}), bytes: into.sizeOf.get(outcome.file) ?? outcome.text.length });
      into.report.push({ ...emptyReport(outcome.file, 'imported', outcome.kind === 'workspace' ? 'workspace settings' : outcome.kind), kind: outcome.kind, profile: 'bundle file (spec §1)', notes: outcome.notes });
      return;
    case 'converted': {
      const c = outcome.conversion;
      into.conversions.push(c);
      into.report.push({
        ...emptyReport(outcome.file, 'imported', c.target === 'usage' ? `usage of ${c.integration?.name ?? 'an integration'}` : 'PSA'),
        kind: c.target === 'usage' ? 'usage' : 'psa_lines',
        profile: `${c.profile.name}${c.profile.origin === 'saved' ? ' (saved profile)' : ''}`,
        client: c.scope?.externalClientId ?? null,
        ...(c.scope?.foundName !== undefined ? { tenant: { integrationId: c.scope.integrationId, foundName: c.scope.foundName } } : {}),
        rowsRead: c.rowsRead,
        skippedRows: c.skipped,
        notes: c.notes,
      });
      return;
    }
    case 'unknown': {
      const t = outcome.table;
      into.tables?.set(outcome.file, t);
      into.unknown.push(wizardFile(outcome.file, t, outcome.hints, outcome.nearest));
      into.report.push({ ...emptyReport(outcome.file, 'unknown', 'not recognised'), rowsRead: t.rows.length, reason: 'no profile knows its header: map it in the import wizard', notes: t.notes });
      return;
    }
    case 'skipped':
      into.report.push({ ...emptyReport(outcome.file, 'skipped', 'not data'), reason: outcome.reason });
      return;
    case 'failed':
      if (outcome.table && outcome.profile) {
        const { table, profile } = outcome;
        into.tables?.set(outcome.file, table);
        const hint = `Read as ${profile.name} it has ${outcome.errors.length === 1 ? 'a problem' : 'problems'} (${formatContractError(outcome.errors[0]!)}): adjust how its numbers, dates or columns are read, and save it as a profile of its own.`;
        into.adjustable.push(wizardFile(outcome.file, table, [hint, ...table.notes], [{ profile, matched: profile.signature, missing: [], score: 1 }]));
      }
      into.errors.push(...outcome.errors);
      into.report.push({
        ...emptyReport(outcome.file, 'failed', outcome.profile ? 'values that do not read' : 'unreadable'),
        profile: outcome.profile?.name ?? null,
        rowsRead: outcome.table?.rows.length ?? null,
        reason: `${outcome.errors.length} problem${outcome.errors.length === 1 ? '' : 's'}, first: ${outcome.errors[0]?.message ?? 'unreadable'}`,
        adjustable: outcome.table !== undefined && outcome.profile !== undefined,
      });
  }
}

/** One file per PSA dataset in a drop (bundle files and PSA exports together). */
function checkOnePerKind(files: readonly { name: string; kind: DatasetKind }[], errors: ContractError[]): void {
  for (const kind of KIND_ORDER) {
    const same = files.filter((r) => r.kind === kind);
    if (kind !== 'usage' && same.length > 1) errors.push({ file: same[1]!.name, message: `a second ${kind} file in one import (${same.map((s) => s.name).join(', ')}): drop one at a time` });
  }
}

/** Two files of one drop may not claim the same usage (two exports of one tenant, or a tenant and its whole integration). */
function checkScopes(usage: readonly Conversion[], errors: ContractError[]): void {
  const byIntegration = new Map<string, Conversion[]>();
  for (const c of usage) {
    if (!c.scope) continue;
    byIntegration.set(c.scope.integrationId, [...(byIntegration.get(c.scope.integrationId) ?? []), c]);
  }
  for (const list of byIntegration.values()) {
    const whole = list.filter((c) => c.scope!.externalClientId === null);
    const seen = new Map<string, Conversion>();
    for (const c of list) {
      const key = c.scope!.externalClientId;
      if (key !== null && seen.has(key)) errors.push({ file: c.file, message: `${seen.get(key)!.file} and ${c.file} are both ${c.integration?.name ?? c.scope!.integrationId} usage of "${key}": drop one of them (or name one's client differently)` });
      if (key !== null) seen.set(key, c);
    }
    if (whole.length > 1 || (whole.length === 1 && list.length > 1)) {
      errors.push({ file: list[1]!.file, message: `${list.map((c) => c.file).join(' and ')} all replace ${list[0]!.integration?.name ?? list[0]!.scope!.integrationId} usage: drop one at a time` });
    }
  }
}

/** Rows written per file: for PSA exports, what each file brought (they are stored as one dataset). */
function fillReport(report: FileReport[], parsed: readonly Parsed[], psa: readonly Conversion[]): void {
  for (const r of report) {
    if (r.status !== 'imported') continue;
    const c = psa.find((x) => x.file === r.file);
    if (c) {
      const parts = [c.lines.length > 0 ? `${c.lines.length} lines` : '', c.clients.length > 0 ? `${c.clients.length} clients` : '', c.catalog.length > 0 ? `${c.catalog.length} services` : ''].filter(Boolean);
      r.what = `PSA ${parts.join(', ')}`;
      r.rowsWritten = c.lines.length > 0 ? c.lines.length : c.clients.length;
      continue;
    }
    const mine = parsed.filter((p) => p.fileName === r.file);
    if (mine.length > 0) r.rowsWritten = mine.reduce((n, p) => n + p.rows, 0);
  }
}

/** A refused drop: its files in the history, and each source a refused file carried marked as failed (its data in use stays). */
async function recordFailure(db: LedgerlineDb, files: readonly FileReport[], sizeOf: ReadonlyMap<string, number>, errors: readonly ContractError[], sources: ReadonlyMap<string, string>, at: Date): Promise<void> {
  const batchId = crypto.randomUUID();
  const list = files.length > 0 ? files : [emptyReport('(drop)', 'failed', '')];
  await db.transaction('rw', db.imports, db.meta, async () => {
    for (const file of list) {
      const mine = errors.filter((e) => e.file === file.file);
      await db.imports.put({
        id: crypto.randomUUID(), batchId, kind: file.kind ?? 'usage', fileName: file.file, importedAt: at.toISOString(), bytes: sizeOf.get(file.file) ?? 0, rows: 0, replaced: 0,
        integrationIds: [], status: 'failed', errors: (mine.length > 0 ? mine : errors.slice(0, 5)).map(formatContractError),
      });
    }
    if (sources.size > 0) {
      const failures = await db.getMeta('importFailures', {});
      for (const [id, fileName] of sources) failures[id] = { at: at.toISOString(), fileName };
      await db.setMeta('importFailures', failures);
      await db.setMeta('dataVersion', (await db.getMeta('dataVersion', 0)) + 1);
    }
  });
}

async function store(db: LedgerlineDb, parsed: readonly Parsed[], at: Date, source: 'demo' | 'files'): Promise<ImportedFile[]> {
  const batchId = crypto.randomUUID();
  const importedAt = at.toISOString();
  const isBundle = parsed.some((p) => p.dataset.kind === 'workspace');
  const records: ImportRecord[] = [];
  const datasets: DatasetRecord[] = [];
  const blocks: UsageBlockRecord[] = [];
  const syncTimeOf = new Map<string, string>();
  for (const { fileName, bytes, dataset, rows, conversion } of parsed) {
    const id = crypto.randomUUID();
    const integrationIds = dataset.kind === 'usage' ? [...dataset.usage.integrationId.values].sort() : dataset.kind === 'workspace' ? dataset.settings.integrations.map((i) => i.id) : [];
    const record: ImportRecord = { id, batchId, kind: dataset.kind, fileName, importedAt, bytes, rows, replaced: dataset.kind === 'usage' ? dataset.replaced : 0, integrationIds, status: 'current' };
    if (conversion) {
      record.profile = conversion.profile;
      record.rowsRead = conversion.rowsRead;
      record.skippedRows = conversion.skipped;
      if (dataset.kind === 'usage' && conversion.scope) {
        const { integrationId, externalClientId, replaces } = conversion.scope;
        record.scope = { integrationId, externalClientId, ...(replaces ? { replaces } : {}) };
      }
      if (conversion.integration?.exportedAt) syncTimeOf.set(id, conversion.integration.exportedAt);
    }
    records.push(record);
    if (dataset.kind === 'usage') {
      const packed = packUsage(dataset.usage);
      datasets.push({ importId: id, dataset: { kind: 'usage', packed: { length: packed.length, seatCount: packed.seatCount, dictionaries: packed.dictionaries }, replaced: dataset.replaced } });
      packed.blocks.forEach((block, index) => blocks.push({ importId: id, index, block }));
    } else if (!DOCUMENT_KINDS.has(dataset.kind)) {
      datasets.push({ importId: id, dataset });
    }
  }
  const infos = parsed.flatMap((p) => (p.conversion?.integration ? [p.conversion.integration] : []));

  await db.transaction('rw', [db.imports, db.datasets, db.usageBlocks, db.meta], async () => {
    const previous = await db.getMeta('current', EMPTY_CURRENT);
    const current: CurrentImports = isBundle ? { usage: {} } : { ...previous, usage: { ...previous.usage } };
    const syncLog = isBundle ? {} : await db.getMeta('syncLog', {});
    const scopeSync = isBundle ? {} : await db.getMeta('scopeSync', {});
    const integrationInfo = isBundle ? {} : await db.getMeta('integrationInfo', {});
    const touched = new Set<string>();
    for (const record of records) {
      if (record.kind === 'usage') {
        const scopes: NonNullable<ImportRecord['scope']>[] = record.scope ? [record.scope] : record.integrationIds.map((integrationId) => ({ integrationId, externalClientId: null }));
        for (const scope of scopes) {
          if (scope.externalClientId === null) {
            // The whole integration: every per-client import of it is replaced too.
            for (const key of Object.keys(current.usage)) if (parseScopeKey(key).integrationId === scope.integrationId) delete current.usage[key];
            for (const key of Object.keys(scopeSync)) if (parseScopeKey(key).integrationId === scope.integrationId) delete scopeSync[key];
          }
          // A renamed tenant: the rows it had under its old name go.
          for (const old of scope.replaces ?? []) {
            delete current.usage[scopeKey(scope.integrationId, old)];
            delete scopeSync[scopeKey(scope.integrationId, old)];
          }
          const key = scopeKey(scope.integrationId, scope.externalClientId);
          current.usage[key] = record.id;
          // In a CSV workflow an import is the sync (at the export's time when the file says); a bundle's workspace.json says when its syncs were.
          scopeSync[key] = syncTimeOf.get(record.id) ?? importedAt;
          touched.add(scope.integrationId);
        }
      } else if (!DOCUMENT_KINDS.has(record.kind)) {
        current[record.kind] = record.id;
      }
    }
    if (!isBundle) {
      for (const integrationId of touched) {
        const times = Object.entries(scopeSync).filter(([key]) => parseScopeKey(key).integrationId === integrationId).map(([, t]) => t);
        syncLog[integrationId] = { at: times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)), status: 'ok' };
      }
    }
    for (const info of infos) integrationInfo[info.id] = { name: info.name, kind: info.kind };
    // A source imported now has its data from this import: its earlier failed import is no longer news.
    const failures = isBundle ? {} : await db.getMeta('importFailures', {});
    for (const id of touched) delete failures[id];
    if (records.some((r) => r.kind.startsWith('psa_'))) delete failures[PSA_SOURCE];
    // A PSA export adds to the clients and catalog already there (by id, the new one winning), as the CLI does.
    for (const entry of datasets) {
      const record = records.find((r) => r.id === entry.importId)!;
      const previousId = record.profile && (entry.dataset.kind === 'psa_clients' || entry.dataset.kind === 'psa_catalog') ? previous[entry.dataset.kind] : undefined;
      const before = previousId ? (await db.datasets.get(previousId))?.dataset : undefined;
      if (entry.dataset.kind === 'psa_clients' && before?.kind === 'psa_clients') {
        const rows = new Map([...before.rows, ...entry.dataset.rows].map((r) => [r.clientId, r]));
        entry.dataset = { kind: 'psa_clients', rows: [...rows.values()] };
      }
      if (entry.dataset.kind === 'psa_catalog' && before?.kind === 'psa_catalog') {
        const rows = new Map([...before.rows, ...entry.dataset.rows].map((r) => [r.serviceId, r]));
        entry.dataset = { kind: 'psa_catalog', rows: [...rows.values()] };
      }
    }
    await db.imports.bulkPut(records);
    await db.datasets.bulkPut(datasets);
    await db.usageBlocks.bulkPut(blocks);
    await supersede(db, previous, current);
    await db.setMeta('current', current);
    await db.setMeta('syncLog', syncLog);
    await db.setMeta('scopeSync', scopeSync);
    await db.setMeta('integrationInfo', integrationInfo);
    await db.setMeta('importFailures', failures);
    await db.setMeta('initialised', true);
    await db.setMeta('source', source);
    await db.setMeta('dataVersion', (await db.getMeta('dataVersion', 0)) + 1);
  });
  return records.map((r) => ({ fileName: r.fileName, kind: r.kind, rows: r.rows, replaced: r.replaced, integrationIds: r.integrationIds }));
}

/** Imports no longer current for anything are kept in the history, but their rows are deleted. */
async function supersede(db: LedgerlineDb, previous: CurrentImports, current: CurrentImports): Promise<void> {
  const live = currentImportIds(current);
  for (const id of currentImportIds(previous)) {
    if (live.has(id)) continue;
    await db.imports.update(id, { status: 'superseded' });
    await db.datasets.delete(id);
    await db.usageBlocks.where('importId').equals(id).delete();
  }
}

export function currentImportIds(current: CurrentImports): Set<string> {
  const single = KIND_ORDER.filter((k): k is Exclude<DatasetKind, 'usage'> => k !== 'usage').map((k) => current[k]);
  return new Set([...Object.values(current.usage), ...single].filter((id): id is string => id !== undefined));
}

/** A bundle replaces everything, so a bundle without a mapping file clears that mapping. */
function mappingsOf(datasets: readonly Dataset[]): ImportedMappings {
  const isBundle = datasets.some((d) => d.kind === 'workspace');
  const out: ImportedMappings = isBundle ? { clientMap: [], serviceMap: [], decisions: [] } : {};
  for (const d of datasets) {
    if (d.kind === 'workspace') out.settings = { asOfMode: 'fixed', asOf: new Date(d.settings.asOf).toISOString(), inactiveAfterDays: d.settings.inactiveAfterDays, staleAfterHours: d.settings.staleAfterHours, currency: d.settings.currency };
    if (d.kind === 'client_map') out.clientMap = d.rows;
    if (d.kind === 'service_map') out.serviceMap = d.rows;
    if (d.kind === 'decisions') out.decisions = d.rows.map((r) => ({ clientId: r.clientId, serviceId: r.serviceId, decision: r.decision, effectiveDate: r.effectiveDate === null ? null : formatDay(r.effectiveDate), ...(r.note ? { note: r.note } : {}) }));
  }
  return out;
}
