import Papa from 'papaparse';
import type { RawTable } from '../types';
import { decodeText } from './decodeText';
import type { TextEncodingName } from './decodeText';
import type { Delimiter } from './delimiter';
import { detectDelimiter, findDelimiter, leadingRecords } from './delimiter';
import { readError } from './readError';
import type { IsHeader } from './records';
import { findHeader, HEADER_SEARCH_ROWS, tableFromRecords } from './records';

export interface CsvTextOptions {
  isHeader?: IsHeader;
  encoding?: TextEncodingName;
  notes?: string[];
}

/** Decodes (UTF-8, Windows-1252, UTF-16) and reads a CSV/TSV export. Throws ReadError. */
export function readCsv(file: string, bytes: Uint8Array, isHeader?: IsHeader): RawTable {
  const decoded = decodeText(file, bytes);
  return readCsvText(file, decoded.text, { isHeader, encoding: decoded.encoding, notes: decoded.notes });
}

/**
 * Row numbers count records, as a spreadsheet does when it opens the file: a quoted cell with
 * line breaks is one row. That matches TableReader, so a problem found later in the converted
 * bundle and one found here point at the same row.
 */
export function readCsvText(file: string, text: string, options: CsvTextOptions = {}): RawTable {
  const body = trimEnds(text);
  const delimiter = chooseDelimiter(body, options.isHeader);
  const records = parseRecords(file, body, delimiter);
  const { index } = findHeader(records, options.isHeader);
  if (index < 0) throw readError(file, 'the file is empty: there is no header row', 1);
  return tableFromRecords({ file, encoding: options.encoding ?? 'utf-8', delimiter, notes: options.notes ?? [] }, records, index);
}

/**
 * Without the BOM, and without the line break that ends the last record: papaparse would
 * otherwise return one more (empty) record.
 */
function trimEnds(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.endsWith('\r\n') ? text.length - 2 : text.endsWith('\n') || text.endsWith('\r') ? text.length - 1 : text.length;
  return text.slice(start, Math.max(start, end));
}

/**
 * The header decides the delimiter, so with a preamble the header must be found first: each
 * leading record is split with its own likely delimiter and offered to isHeader. When isHeader
 * recognises none, a title line (no delimiter at all) does not decide: the first record that has
 * one does, as findHeader's fallback picks that record as the header.
 */
function chooseDelimiter(text: string, isHeader: IsHeader | undefined): Delimiter {
  const candidates = leadingRecords(text, HEADER_SEARCH_ROWS).filter((record) => record.trim() !== '');
  if (candidates.length === 0) return ',';
  if (isHeader === undefined) return detectDelimiter(candidates[0]!);
  for (const record of candidates) {
    const delimiter = detectDelimiter(record);
    if (isHeader(splitOne(record, delimiter))) return delimiter;
  }
  for (const record of candidates) {
    const delimiter = findDelimiter(record);
    if (delimiter !== null) return delimiter;
  }
  return ',';
}

function splitOne(record: string, delimiter: Delimiter): string[] {
  const parsed = Papa.parse<string[]>(record, { delimiter, header: false, dynamicTyping: false });
  return (parsed.data[0] ?? []).map((cell) => cell.trim());
}

/** Quote errors are fatal: papaparse goes on reading, but what it then joins up is guesswork. */
function parseRecords(file: string, text: string, delimiter: Delimiter): string[][] {
  if (text === '') return [];
  const parsed = Papa.parse<string[]>(text, { delimiter, header: false, dynamicTyping: false, skipEmptyLines: false });
  const quoteError = parsed.errors.find((error) => error.type === 'Quotes');
  if (quoteError !== undefined) {
    const row = quoteError.row === undefined ? undefined : quoteError.row + 1;
    throw readError(file, `malformed CSV: ${describeQuoteError(quoteError)}`, row);
  }
  return parsed.data;
}

function describeQuoteError(error: Papa.ParseError): string {
  if (error.code === 'MissingQuotes') return 'a quoted cell is never closed (a " without its closing ")';
  return `a quoted cell has text after its closing quote (${error.message})`;
}
