import type { ContractError } from './contractError';
import { feedCsvText } from './parseCsv';
import { FILES, USAGE_COLUMNS } from './schema';
import { MAX_ERRORS_PER_FILE, summariseErrors, TableReader } from './tableReader';
import { UsageBuilder } from './usageBuilder';

export interface UsagePart {
  builder: UsageBuilder;
  errors: ContractError[];
  /** Rows read, header included, as numbered in this part's text. */
  rows: number;
  /** Problems found, including those beyond the ones `errors` lists (to join parts' errors, joinErrors). */
  problemCount: number;
}

/**
 * Parses usage CSV text into a builder; no deduplication yet. `header`, when given, is the header
 * line of a file whose `text` is a later part without it (so the part is not copied to prepend it).
 */
export function readUsageText(
  text: string,
  builder = new UsageBuilder(Math.ceil(text.length / 80)),
  header?: string,
  options: { file?: string; onProgress?: (fraction: number) => void } = {},
): UsagePart {
  const reader = new TableReader(options.file ?? FILES.usage, USAGE_COLUMNS, (values, _row, report) => builder.add(values, report));
  if (header !== undefined) feedCsvText(header, reader);
  feedCsvText(text, reader, options.onProgress);
  const errors = reader.finish();
  return { builder, errors, rows: reader.rowsRead, problemCount: reader.problemCount };
}

/**
 * The errors of a file read in two parts, as reading it whole lists them: the first part's, then
 * the second's renumbered (`recordsBefore`: records of the first part, see shiftRows), capped
 * and summarised once for the whole file.
 */
export function joinErrors(file: string, first: UsagePart, second: UsagePart, recordsBefore: number): ContractError[] {
  const kept = (part: UsagePart) => part.errors.slice(0, Math.min(part.problemCount, MAX_ERRORS_PER_FILE));
  return summariseErrors(file, [...kept(first), ...shiftRows(kept(second), recordsBefore)], first.problemCount + second.problemCount);
}

/** Errors of a later part, renumbered as rows of the whole file (its header is not a row of the file). */
export function shiftRows(errors: readonly ContractError[], recordsBefore: number): ContractError[] {
  return errors.map((e) => (e.row === undefined || e.row === 1 ? e : { ...e, row: e.row + recordsBefore }));
}
