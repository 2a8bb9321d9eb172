import { parseIsoDate } from '../engine/dates';
import type { ContractError } from './contractError';

/**
 * Validates CSV records against a file's column spec (spec §9) as they stream in, so the
 * same code serves the CLI (whole file) and the browser importer (papaparse chunks).
 */

export type ColumnKind = 'text' | 'decimal' | 'date' | { set: readonly string[] };

export interface ColumnSpec {
  name: string;
  /** Bold in spec §1: the header must have it and no value may be blank. */
  required: boolean;
  kind: ColumnKind;
}

/**
 * Receives a valid row: values in spec column order, trimmed; set values lower-cased; absent
 * columns ''. The array is reused for the next row: read it, don't keep it.
 */
export type RowSink = (values: string[], row: number, report: (column: string, message: string) => void) => void;

/** More errors than this per file are summarised, so a broken million-row file stays readable. */
export const MAX_ERRORS_PER_FILE = 100;

const PLAIN_DECIMAL = /^-?\d+(\.\d{1,4})?$/;

// The messages, shared with the byte reader of usage.csv (readUsageBytes.ts), which must word them alike.
export const BLANK_REQUIRED = 'a value is required here but it is blank';
export const notPlainDecimal = (value: string): string => `"${value}" is not a plain decimal (an optional -, digits, at most 4 places after a .)`;
export const notRealDate = (value: string): string => `"${value}" is not a real date in YYYY-MM-DD form`;

export class TableReader {
  private indexes: number[] | null = null;
  private values: string[] = [];
  private readonly checks: (Check | null)[];
  private headerBroken = false;
  private nextRow = 1;
  private readonly errors: ContractError[] = [];
  private errorCount = 0;

  constructor(
    readonly file: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly sink: RowSink,
  ) {
    this.checks = columns.map((column) => checkFor(column.kind));
  }

  /** Feeds parsed records in file order; the very first record is the header. */
  push(records: readonly string[][]): void {
    for (const record of records) {
      const row = this.nextRow++;
      if (this.indexes === null) {
        this.readHeader(record);
        continue;
      }
      if (this.headerBroken || isBlankRecord(record)) continue;
      this.readRecord(record, row);
    }
  }

  /** Reports a problem that only the whole file shows (e.g. an unterminated quote). */
  fail(message: string, row?: number, column?: string): void {
    this.add({ file: this.file, row, column, message });
  }

  /**
   * Validates one record whose row number the caller counts (a reader that splits records itself,
   * e.g. worker/bundle/readUsageBytes.ts for the records it does not handle at byte level).
   */
  pushRecord(record: readonly string[], row: number): void {
    if (this.headerBroken || isBlankRecord(record)) return;
    this.readRecord(record, row);
  }

  finish(): ContractError[] {
    if (this.indexes === null) this.fail('the file is empty: the header row is missing', 1);
    return summariseErrors(this.file, this.errors, this.errorCount);
  }

  /** Where each column of the spec sits in a record (-1: absent); null before the header. */
  get columnIndexes(): readonly number[] | null {
    return this.indexes;
  }

  /** False before the header and when it lacks a required column (records are then only counted). */
  get acceptsRecords(): boolean {
    return this.indexes !== null && !this.headerBroken;
  }

  /** Problems found so far, including those beyond the MAX_ERRORS_PER_FILE kept. */
  get problemCount(): number {
    return this.errorCount;
  }

  /** Rows seen so far, header and blank lines included. */
  get rowsRead(): number {
    return this.nextRow - 1;
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  private add(error: ContractError): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS_PER_FILE) this.errors.push(error);
  }

  private readHeader(record: readonly string[]): void {
    const names = record.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
    this.values = new Array<string>(this.columns.length).fill('');
    this.indexes = this.columns.map((column) => {
      const index = names.indexOf(column.name);
      if (index < 0 && column.required) {
        this.headerBroken = true;
        this.add({ file: this.file, row: 1, column: column.name, message: 'required column is missing from the header' });
      }
      return index;
    });
  }

  private readRecord(record: readonly string[], row: number): void {
    const indexes = this.indexes!;
    const values = this.values;
    let valid = true;
    for (let c = 0; c < indexes.length; c++) {
      const index = indexes[c]!;
      const value = index < 0 ? '' : (record[index] ?? '').trim();
      values[c] = value;
      if (value === '') {
        if (this.columns[c]!.required) {
          valid = false;
          this.add({ file: this.file, row, column: this.columns[c]!.name, message: BLANK_REQUIRED });
        }
        continue;
      }
      const check = this.checks[c];
      if (check === null || check === undefined) continue;
      const problem = check(value);
      if (problem === null) continue;
      if (typeof problem === 'object') {
        values[c] = problem.value;
        continue;
      }
      valid = false;
      this.add({ file: this.file, row, column: this.columns[c]!.name, message: problem });
    }
    if (!valid) return;
    this.sink(values, row, (column, message) => this.add({ file: this.file, row, column, message }));
  }
}

/** The kept errors, plus one line counting the rest when there were more than MAX_ERRORS_PER_FILE. */
export function summariseErrors(file: string, kept: readonly ContractError[], count: number): ContractError[] {
  const out = kept.slice(0, MAX_ERRORS_PER_FILE);
  if (count > out.length) out.push({ file, message: `… and ${count - out.length} more problems in this file` });
  return out;
}

/** A problem message, null when fine, or a normalised value (set members are lower-cased). */
type Check = (value: string) => string | null | { value: string };

// One small function per column kind, chosen once per file, keeps the per-cell path monomorphic.
function checkFor(kind: ColumnKind): Check | null {
  if (kind === 'text') return null;
  if (kind === 'decimal') {
    return (value) => (PLAIN_DECIMAL.test(value) ? null : notPlainDecimal(value));
  }
  if (kind === 'date') return (value) => (parseIsoDate(value) === null ? notRealDate(value) : null);
  const members = new Set(kind.set);
  return (value) => {
    const lower = value.toLowerCase();
    return members.has(lower) ? { value: lower } : `"${value}" is not one of ${kind.set.join(', ')}`;
  };
}

/** A blank line (or a row of empty cells) is no record; the row number still advances as a spreadsheet shows it. */
function isBlankRecord(record: readonly string[]): boolean {
  for (const cell of record) if (cell.trim() !== '') return false;
  return true;
}
