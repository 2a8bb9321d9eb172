import { dedupeUsage } from '../engine/dedupeUsage';
import type { CatalogItem, ClientMapEntry, Decision, PsaClient, PsaLine, ServiceRule, Settings, UsageTable } from '../engine/model';
import type { ContractError } from './contractError';
import { feedCsvText } from './parseCsv';
import { TableReader } from './tableReader';
import { readUsageText, type UsagePart } from './readUsage';
import { readUsageBytes } from './readUsageBytes';
import { decodeUtf8 } from './byteText';
import { catalogBuilder, clientMapBuilder, clientsBuilder, decisionsBuilder, linesBuilder, serviceMapBuilder, type TableBuilder } from './tableBuilders';
import { parseWorkspaceJson } from './workspaceJson';

/** One imported file, parsed and validated: what the app stores per import. */
export type Dataset =
  | { kind: 'workspace'; settings: Settings }
  | { kind: 'psa_clients'; rows: PsaClient[] }
  | { kind: 'psa_lines'; rows: PsaLine[] }
  | { kind: 'psa_catalog'; rows: CatalogItem[] }
  | { kind: 'client_map'; rows: ClientMapEntry[] }
  | { kind: 'service_map'; rows: ServiceRule[] }
  | { kind: 'decisions'; rows: Decision[] }
  | { kind: 'usage'; usage: UsageTable; replaced: number };

export type DatasetKind = Dataset['kind'];

export type ParsedFile =
  | { ok: true; dataset: Dataset; rows: number; notes: string[] }
  /** `integrationIds`: integrations a failed usage file named, so the failure can count as their failed sync. */
  | { ok: false; errors: ContractError[]; integrationIds: string[] };

/**
 * Parses one file of a known kind under its own name (errors name the file the user dropped).
 * The same validation as a bundle (spec §9): a file with any problem yields only its problems.
 * `input` is the file's text, or its UTF-8 bytes (a BOM allowed); a usage file's bytes are read
 * without decoding them whole (parseUsageBytes).
 */
export function parseDataset(kind: DatasetKind, fileName: string, input: string | Uint8Array, onProgress?: (fraction: number) => void): ParsedFile {
  if (kind === 'usage') return typeof input === 'string' ? usageDataset(fileName, readUsageText(input, undefined, undefined, { file: fileName, onProgress }), () => input) : parseUsageBytes(fileName, input, onProgress);
  // Only usage.csv is big enough to be worth reading as bytes; the other files are read as text.
  const text = typeof input === 'string' ? input : decodeUtf8(input, 0, input.length);
  if (kind === 'workspace') {
    const parsed = parseWorkspaceJson(text);
    if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ ...e, file: fileName })), integrationIds: [] };
    onProgress?.(1);
    return { ok: true, dataset: { kind, settings: parsed.settings }, rows: 1, notes: [] };
  }
  const read = <T>(build: TableBuilder<T[]>, make: (rows: T[]) => Dataset): ParsedFile => {
    feedCsvText(text, build.reader, onProgress);
    const errors = build.reader.finish();
    if (errors.length > 0) return { ok: false, errors, integrationIds: [] };
    const rows = build.result();
    return { ok: true, dataset: make(rows), rows: rows.length, notes: [] };
  };
  switch (kind) {
    case 'psa_clients':
      return read(clientsBuilder(fileName), (rows) => ({ kind, rows }));
    case 'psa_lines':
      return read(linesBuilder(fileName), (rows) => ({ kind, rows }));
    case 'psa_catalog':
      return read(catalogBuilder(fileName), (rows) => ({ kind, rows }));
    case 'client_map':
      return read(clientMapBuilder(fileName), (rows) => ({ kind, rows }));
    case 'service_map':
      return read(serviceMapBuilder(fileName), (rows) => ({ kind, rows }));
    case 'decisions':
      return read(decisionsBuilder(fileName), (rows) => ({ kind, rows }));
  }
}

/**
 * A usage file from its UTF-8 bytes (see readUsageBytes.ts): the same result as parseDataset('usage', …)
 * on its text, without decoding it to one big string first.
 */
export function parseUsageBytes(fileName: string, bytes: Uint8Array, onProgress?: (fraction: number) => void): ParsedFile {
  return usageDataset(fileName, readUsageBytes(bytes, { file: fileName, onProgress }), () => decodeUtf8(bytes, 0, bytes.length));
}

/** `text` is called only when the file failed, to name the integrations it holds. */
function usageDataset(fileName: string, part: UsagePart, text: () => string): ParsedFile {
  const table = part.builder.build();
  if (part.errors.length > 0) return { ok: false, errors: part.errors, integrationIds: integrationIdsIn(text()) };
  const { usage, replaced } = dedupeUsage(table);
  const notes = replaced > 0 ? [`${fileName}: ${replaced} ${replaced === 1 ? 'row was' : 'rows were'} replaced by a later row with the same identity (integration_id, record_id, product)`] : [];
  return { ok: true, dataset: { kind: 'usage', usage, replaced }, rows: usage.length, notes };
}

/**
 * Every integration id a usage file names, valid rows or not: a failed import is a failed sync of
 * each of them (only read on failure, so the happy path parses once).
 */
function integrationIdsIn(text: string): string[] {
  const ids = new Set<string>();
  const reader = new TableReader('usage.csv', [{ name: 'integration_id', required: true, kind: 'text' }], ([id]) => ids.add(id!));
  feedCsvText(text, reader);
  return [...ids];
}
