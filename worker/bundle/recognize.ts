import Papa from 'papaparse';
import {
  CATALOG_COLUMNS,
  CLIENT_COLUMNS,
  CLIENT_MAP_COLUMNS,
  DECISION_COLUMNS,
  FILES,
  LINE_COLUMNS,
  SERVICE_MAP_COLUMNS,
  USAGE_COLUMNS,
} from './schema';
import type { ColumnSpec } from './tableReader';

/**
 * Tells which bundle file a CSV is from its header alone, so a user can drop files named
 * "export (3).csv" and still get them placed. Names are matched exactly as TableReader matches
 * them (trimmed, case-sensitive): a file recognised here is one the reader will accept.
 */

export type FileKind = 'psa_clients' | 'psa_lines' | 'psa_catalog' | 'usage' | 'client_map' | 'service_map' | 'decisions';

// A Record, so adding a kind without its file and columns fails to compile.
const SPECS: Record<FileKind, { file: string; columns: readonly ColumnSpec[] }> = {
  psa_clients: { file: FILES.clients, columns: CLIENT_COLUMNS },
  psa_lines: { file: FILES.lines, columns: LINE_COLUMNS },
  psa_catalog: { file: FILES.catalog, columns: CATALOG_COLUMNS },
  usage: { file: FILES.usage, columns: USAGE_COLUMNS },
  client_map: { file: FILES.clientMap, columns: CLIENT_MAP_COLUMNS },
  service_map: { file: FILES.serviceMap, columns: SERVICE_MAP_COLUMNS },
  decisions: { file: FILES.decisions, columns: DECISION_COLUMNS },
};

const KINDS = Object.keys(SPECS) as FileKind[];

/** The canonical bundle file name of a kind ("psa_clients.csv", …). */
export function fileNameFor(kind: FileKind): string {
  return SPECS[kind].file;
}

/**
 * The kind whose required columns are all present. Kinds overlap (every psa_lines header also
 * satisfies psa_catalog, whose only required column is service_id), so among the candidates the
 * one explaining the most columns of the header wins; on a tie, the one with more required
 * columns, being the more specific claim; then the order of KINDS, so the answer is stable.
 */
export function recognizeCsv(headerFields: readonly string[]): FileKind | null {
  const names = new Set(headerFields.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, '') : name).trim()));
  let best: { kind: FileKind; matched: number; required: number } | null = null;
  for (const kind of KINDS) {
    const { columns } = SPECS[kind];
    const required = columns.filter((c) => c.required);
    if (!required.every((c) => names.has(c.name))) continue;
    const matched = columns.filter((c) => names.has(c.name)).length;
    if (best === null || matched > best.matched || (matched === best.matched && required.length > best.required)) {
      best = { kind, matched, required: required.length };
    }
  }
  return best?.kind ?? null;
}

/** Reads only the first record, so recognising a 100 MB usage.csv costs nothing. */
export function recognizeHeaderLine(text: string): FileKind | null {
  // The delimiter is fixed as in parseCsv: guessing could read a one-column header as anything.
  const result = Papa.parse<string[]>(text, { delimiter: ',', header: false, preview: 1, skipEmptyLines: false });
  const header = result.data[0];
  return header === undefined ? null : recognizeCsv(header);
}
