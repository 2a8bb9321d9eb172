import type { ContractError } from '../bundle/contractError';
import { parseDataset, type DatasetKind } from '../bundle/parseDataset';
import { conversionFiles } from './bundleCsv';
import { convertTable } from './convert';
import type { FileOverrides, RawTable, SourceProfile } from './types';

/** What the wizard shows while the user maps a file: the bundle rows it would become, or why not. */
export interface ConversionPreview {
  target: SourceProfile['target'];
  /** Bundle columns of `rows` (usage.csv's, psa_lines.csv's, or psa_clients.csv's when there are no lines). */
  columns: string[];
  /** The first produced rows. */
  rows: Record<string, string>[];
  /** How many rows the file would produce in all. */
  produced: number;
  rowsRead: number;
  skipped: Record<string, number>;
  /** Every problem, by file row (none: the file would import). */
  errors: ContractError[];
  notes: string[];
  /** For a per-client export: the client the whole file is. */
  client: string | null;
}

const PREVIEW_ROWS = 200;
const KINDS: Record<string, DatasetKind> = { 'usage.csv': 'usage', 'psa_clients.csv': 'psa_clients', 'psa_lines.csv': 'psa_lines', 'psa_catalog.csv': 'psa_catalog' };

/**
 * The wizard's live preview: the table through the profile being edited, then the produced bundle
 * files through the bundle's own validation, exactly as the import will do it.
 */
export function previewConversion(table: RawTable, profile: SourceProfile, overrides: FileOverrides = {}, asOf?: string): ConversionPreview {
  const result = convertTable(table, profile, overrides, asOf ? { asOf } : {});
  const empty: ConversionPreview = { target: profile.target, columns: [], rows: [], produced: 0, rowsRead: table.rows.length, skipped: {}, errors: [], notes: [...table.notes], client: null };
  if (!result.ok) return { ...empty, errors: result.errors };
  const c = result.conversion;
  const list: object[] = c.target === 'usage' ? c.usage : c.lines.length > 0 ? c.lines : c.clients;
  const columns = list.length > 0 ? Object.keys(list[0]!) : [];
  const errors: ContractError[] = [];
  for (const [name, text] of Object.entries(conversionFiles(c))) {
    const kind = KINDS[name];
    if (!kind || text.trim() === '') continue;
    const parsed = parseDataset(kind, `${table.file} → ${name}`, text);
    if (!parsed.ok) errors.push(...parsed.errors);
  }
  return {
    target: c.target,
    columns,
    rows: list.slice(0, PREVIEW_ROWS) as unknown as Record<string, string>[],
    produced: list.length,
    rowsRead: c.rowsRead,
    skipped: c.skipped,
    errors,
    notes: c.notes,
    client: c.scope?.externalClientId ?? null,
  };
}
