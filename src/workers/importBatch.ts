import { formatContractError, type ContractError } from '../../worker/bundle/contractError';
import { parseDataset, type Dataset, type DatasetKind } from '../../worker/bundle/parseDataset';
import { recognizeHeaderLine } from '../../worker/bundle/recognize';
import { packUsage } from '../../worker/bundle/usagePack';
import { unzipBundle } from '../../worker/bundle/zip';
import { formatDay } from '../../worker/engine/dates';
import type { ClientMapEntry, ServiceRule } from '../../worker/engine/model';
import { DEFAULT_APP_SETTINGS, EMPTY_CURRENT, type CurrentImports, type DatasetRecord, type ImportRecord, type LedgerlineDb, type UsageBlockRecord } from '../state/db';

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

/** Mapping files of an import: they replace the workspace document's mappings (see state/doc.ts). */
export interface ImportedMappings {
  clientMap?: ClientMapEntry[];
  serviceMap?: ServiceRule[];
  decisions?: { clientId: string; serviceId: string; decision: 'approve' | 'dismiss'; effectiveDate: string | null; note?: string }[];
}

export type ImportOutcome =
  | { ok: true; files: ImportedFile[]; notes: string[]; mappings: ImportedMappings }
  | { ok: false; errors: ContractError[]; messages: string[] };

interface ReadFile {
  name: string;
  text: string;
  bytes: number;
}

const KIND_ORDER: DatasetKind[] = ['workspace', 'psa_clients', 'psa_lines', 'psa_catalog', 'client_map', 'service_map', 'decisions', 'usage'];

/** Files we never treat as data (dropped folders often carry them). */
const IGNORED = /(^|\/)(\.[^/]*|__MACOSX\/.*|Thumbs\.db|desktop\.ini)$/i;

/**
 * One import: every file of a drop (CSV files, a bundle folder, or a bundle .zip) is recognised by
 * its header, parsed and validated; only if all are valid is anything written, in one IndexedDB
 * transaction. A failed usage file still counts as a failed sync of the integrations it named.
 */
export async function importBatch(
  db: LedgerlineDb,
  inputs: readonly ImportInput[],
  onProgress: (p: ImportProgress) => void,
  options: { source?: 'demo' | 'files'; now?: () => Date } = {},
): Promise<ImportOutcome> {
  const now = options.now ?? (() => new Date());
  const files = await readInputs(inputs, onProgress);
  const errors: ContractError[] = [];
  const recognised: { file: ReadFile; kind: DatasetKind }[] = [];
  for (const file of files) {
    const kind = recognise(file);
    if (kind === null) errors.push({ file: file.name, row: 1, message: 'not a file Ledgerline knows: its header matches none of psa_clients, psa_lines, psa_catalog, usage, client_map, service_map, decisions (see the spec §1)' });
    else recognised.push({ file, kind });
  }
  for (const kind of KIND_ORDER) {
    const same = recognised.filter((r) => r.kind === kind);
    if (kind !== 'usage' && same.length > 1) errors.push({ file: same[1]!.file.name, message: `a second ${kind} file in one import (${same.map((s) => s.file.name).join(', ')}): drop one at a time` });
  }
  if (recognised.length === 0 && errors.length === 0) errors.push({ file: '(drop)', message: 'no CSV, .json or .zip file found in what was dropped' });

  const total = recognised.reduce((n, r) => n + r.file.bytes, 0) || 1;
  let done = 0;
  const parsed: { file: ReadFile; dataset: Dataset; rows: number }[] = [];
  const notes: string[] = [];
  const failedIntegrations = new Set<string>();
  for (const { file, kind } of recognised.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))) {
    const result = parseDataset(kind, file.name, file.text, (f) => onProgress({ fileName: file.name, phase: 'parsing', fraction: (done + f * file.bytes) / total }));
    done += file.bytes;
    if (!result.ok) {
      errors.push(...result.errors);
      result.integrationIds.forEach((id) => failedIntegrations.add(id));
      continue;
    }
    parsed.push({ file, dataset: result.dataset, rows: result.rows });
    notes.push(...result.notes);
  }

  if (errors.length > 0) {
    await recordFailure(db, recognised.length > 0 ? recognised.map((r) => r.file) : files, errors, failedIntegrations, now());
    return { ok: false, errors, messages: errors.map(formatContractError) };
  }
  onProgress({ fileName: '', phase: 'storing', fraction: 1 });
  const stored = await store(db, parsed, now(), options.source ?? 'files');
  onProgress({ fileName: '', phase: 'done', fraction: 1 });
  return { ok: true, files: stored, notes, mappings: mappingsOf(parsed.map((p) => p.dataset)) };
}

async function readInputs(inputs: readonly ImportInput[], onProgress: (p: ImportProgress) => void): Promise<ReadFile[]> {
  const out: ReadFile[] = [];
  for (const input of inputs) {
    if (IGNORED.test(input.name)) continue;
    onProgress({ fileName: input.name, phase: 'reading', fraction: 0 });
    if (/\.zip$/i.test(input.name)) {
      const entries = unzipBundle(new Uint8Array(await input.blob.arrayBuffer()));
      for (const [name, text] of Object.entries(entries)) out.push({ name: `${input.name}/${name}`, text, bytes: text.length });
    } else if (/\.(csv|json|txt)$/i.test(input.name)) {
      // Blob.text() decodes UTF-8 and drops a leading BOM.
      out.push({ name: input.name, text: await input.blob.text(), bytes: input.blob.size });
    }
  }
  return out;
}

function recognise(file: ReadFile): DatasetKind | null {
  if (/\.json$/i.test(file.name)) return 'workspace';
  return recognizeHeaderLine(file.text);
}

async function recordFailure(db: LedgerlineDb, files: readonly ReadFile[], errors: readonly ContractError[], integrations: ReadonlySet<string>, at: Date): Promise<void> {
  const batchId = crypto.randomUUID();
  await db.transaction('rw', db.imports, db.meta, async () => {
    for (const file of files) {
      const mine = errors.filter((e) => e.file === file.name);
      await db.imports.put({
        id: crypto.randomUUID(), batchId, kind: recognise(file) ?? 'usage', fileName: file.name, importedAt: at.toISOString(), bytes: file.bytes, rows: 0, replaced: 0,
        integrationIds: [], status: 'failed', errors: (mine.length > 0 ? mine : errors.slice(0, 5)).map(formatContractError),
      });
    }
    if (integrations.size > 0) {
      const log = await db.getMeta('syncLog', {});
      for (const id of integrations) log[id] = { at: at.toISOString(), status: 'failed' };
      await db.setMeta('syncLog', log);
      await db.setMeta('dataVersion', (await db.getMeta('dataVersion', 0)) + 1);
    }
  });
}

async function store(db: LedgerlineDb, parsed: readonly { file: ReadFile; dataset: Dataset; rows: number }[], at: Date, source: 'demo' | 'files'): Promise<ImportedFile[]> {
  const batchId = crypto.randomUUID();
  const importedAt = at.toISOString();
  const isBundle = parsed.some((p) => p.dataset.kind === 'workspace');
  const records: ImportRecord[] = [];
  const datasets: DatasetRecord[] = [];
  const blocks: UsageBlockRecord[] = [];
  for (const { file, dataset, rows } of parsed) {
    const id = crypto.randomUUID();
    const integrationIds = dataset.kind === 'usage' ? [...dataset.usage.integrationId.values].sort() : dataset.kind === 'workspace' ? dataset.settings.integrations.map((i) => i.id) : [];
    records.push({ id, batchId, kind: dataset.kind, fileName: file.name, importedAt, bytes: file.bytes, rows, replaced: dataset.kind === 'usage' ? dataset.replaced : 0, integrationIds, status: 'current' });
    if (dataset.kind === 'usage') {
      const packed = packUsage(dataset.usage);
      datasets.push({ importId: id, dataset: { kind: 'usage', packed: { length: packed.length, seatCount: packed.seatCount, dictionaries: packed.dictionaries }, replaced: dataset.replaced } });
      packed.blocks.forEach((block, index) => blocks.push({ importId: id, index, block }));
    } else {
      datasets.push({ importId: id, dataset });
    }
  }

  await db.transaction('rw', [db.imports, db.datasets, db.usageBlocks, db.meta], async () => {
    const previous = await db.getMeta('current', EMPTY_CURRENT);
    const current: CurrentImports = isBundle ? { usage: {} } : { ...previous, usage: { ...previous.usage } };
    const syncLog = isBundle ? {} : await db.getMeta('syncLog', {});
    for (const record of records) {
      if (record.kind === 'usage') {
        for (const integrationId of record.integrationIds) {
          current.usage[integrationId] = record.id;
          // In a CSV workflow an import is the sync; a bundle's workspace.json says when its syncs were.
          if (!isBundle) syncLog[integrationId] = { at: importedAt, status: 'ok' };
        }
      } else {
        current[record.kind] = record.id;
      }
    }
    await db.imports.bulkPut(records);
    await db.datasets.bulkPut(datasets);
    await db.usageBlocks.bulkPut(blocks);
    await supersede(db, previous, current);
    await db.setMeta('current', current);
    await db.setMeta('syncLog', syncLog);
    const workspace = parsed.find((p) => p.dataset.kind === 'workspace')?.dataset;
    if (workspace?.kind === 'workspace') {
      const s = workspace.settings;
      await db.setMeta('settings', { ...DEFAULT_APP_SETTINGS, asOfMode: 'fixed', asOf: new Date(s.asOf).toISOString(), inactiveAfterDays: s.inactiveAfterDays, staleAfterHours: s.staleAfterHours, currency: s.currency });
    }
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
    if (d.kind === 'client_map') out.clientMap = d.rows;
    if (d.kind === 'service_map') out.serviceMap = d.rows;
    if (d.kind === 'decisions') out.decisions = d.rows.map((r) => ({ clientId: r.clientId, serviceId: r.serviceId, decision: r.decision, effectiveDate: r.effectiveDate === null ? null : formatDay(r.effectiveDate), ...(r.note ? { note: r.note } : {}) }));
  }
  return out;
}
