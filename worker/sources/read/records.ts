import type { RawCell, RawTable } from '../types';
import { cellText } from '../types';

/** Recognises a header record (cells trimmed); lets a title or preamble above it be skipped. */
export type IsHeader = (cells: string[]) => boolean;

/** A preamble longer than this is not a preamble: the file is not the export we expect. */
export const HEADER_SEARCH_ROWS = 10;

export function isBlankRecord(record: readonly RawCell[]): boolean {
  for (const cell of record) if (cellText(cell).trim() !== '') return false;
  return true;
}

export function headerCells(record: readonly RawCell[]): string[] {
  return record.map((cell) => cellText(cell).replace(/^\uFEFF/, '').trim());
}

/**
 * Index of the header record: the first one within HEADER_SEARCH_ROWS that isHeader accepts
 * (recognised). Without isHeader, the first non-blank record (-1 when there is none). When
 * isHeader accepts none (a file no profile knows, on its way to the mapping wizard), a title
 * line above the header is still skipped: a first record with a single filled cell gives way to
 * the first record within HEADER_SEARCH_ROWS that has several.
 */
export function findHeader(records: readonly (readonly RawCell[])[], isHeader: IsHeader | undefined): { index: number; recognised: boolean } {
  const first = records.findIndex((record) => !isBlankRecord(record));
  if (isHeader === undefined || first < 0) return { index: first, recognised: false };
  const limit = Math.min(records.length, HEADER_SEARCH_ROWS);
  for (let i = first; i < limit; i++) {
    if (!isBlankRecord(records[i]!) && isHeader(headerCells(records[i]!))) return { index: i, recognised: true };
  }
  if (filledCells(records[first]!) > 1) return { index: first, recognised: false };
  for (let i = first + 1; i < limit; i++) {
    if (filledCells(records[i]!) > 1) return { index: i, recognised: false };
  }
  return { index: first, recognised: false };
}

function filledCells(record: readonly RawCell[]): number {
  let count = 0;
  for (const cell of record) if (cellText(cell).trim() !== '') count++;
  return count;
}

export type TableSource = Pick<RawTable, 'file' | 'encoding' | 'delimiter' | 'notes'> & { sheet?: string };

/**
 * records[i] is spreadsheet row i + 1 (CSV: record i; xlsx: sheet row i + 1), so row numbers
 * survive skipped blank records and a header below a preamble.
 */
export function tableFromRecords(source: TableSource, records: readonly RawCell[][], headerIndex: number): RawTable {
  const rows: RawCell[][] = [];
  const rowNumbers: number[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    if (isBlankRecord(records[i]!)) continue;
    rows.push(records[i]!);
    rowNumbers.push(i + 1);
  }
  const table: RawTable = {
    file: source.file,
    header: headerCells(records[headerIndex]!),
    headerRow: headerIndex + 1,
    rows,
    rowNumbers,
    encoding: source.encoding,
    delimiter: source.delimiter,
    notes: source.notes,
  };
  if (source.sheet !== undefined) table.sheet = source.sheet;
  return table;
}
