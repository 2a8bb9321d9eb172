import { parseUnits, UNIT } from '../engine/decimal';
import { hashAsciiBytes, hashKey } from '../engine/stringIds';
import { NO_DAY } from '../engine/model';
import { ByteDictionary } from './byteDictionary';
import type { ByteCsvScanner } from './byteCsv';
import { decodeUtf8, sliceString, trimEnd, trimStart } from './byteText';
import { parseIsoDateBytes, parseUnitsBytes } from './byteValues';
import { USAGE_COLUMNS } from './schema';
import { BLANK_REQUIRED, notPlainDecimal, notRealDate, type TableReader } from './tableReader';
import { MAX_USAGE_UNITS, tooLarge, type UsageBuilder } from './usageBuilder';

/**
 * Validates and stores usage records straight from the scanner's byte slices: what TableReader
 * (checks, messages, their order) followed by UsageBuilder.add does with the record's strings.
 * A quoted field is read the same way, from the bytes between its quotes; a record with an
 * escaped quote ("") goes the string way instead (its fields decoded and unescaped, then
 * TableReader.pushRecord), into the same reader and builder, so both ways share the errors, the
 * row numbers, the dictionaries and the seats.
 */

const COLUMNS = USAGE_COLUMNS.length;
const UNIT_NUMBER = Number(UNIT);
const REQUIRED = USAGE_COLUMNS.map((column) => column.required);
const NAMES = USAGE_COLUMNS.map((column) => column.name);
const QUANTITY = USAGE_COLUMNS.findIndex((column) => column.name === 'quantity');
const LAST_ACTIVE = USAGE_COLUMNS.findIndex((column) => column.name === 'last_active');
const RECORD_ID = USAGE_COLUMNS.findIndex((column) => column.name === 'record_id');
/** Spec columns held as dictionary codes, in UsageBuilder's coded order. */
const CODED = ['integration_id', 'external_client_id', 'external_client_name', 'product', 'category'].map((name) => USAGE_COLUMNS.findIndex((column) => column.name === name));

export class UsageByteRows {
  private readonly indexes: Int32Array;
  private readonly dictionaries: ByteDictionary[];
  // Trimmed slice of each spec column in the current record (start === end when blank or absent).
  private readonly starts = new Int32Array(COLUMNS);
  private readonly ends = new Int32Array(COLUMNS);

  constructor(
    private readonly bytes: Uint8Array,
    private readonly reader: TableReader,
    private readonly builder: UsageBuilder,
  ) {
    this.indexes = Int32Array.from(reader.columnIndexes!);
    this.dictionaries = builder.codedDictionaries.map((dictionary) => new ByteDictionary(dictionary));
  }

  /** Reads the scanner's current record as row `row` of the file. */
  read(scanner: ByteCsvScanner, row: number): void {
    // A quoted field's value is the bytes between its quotes, unless it holds "" (an escaped quote).
    if (scanner.quoted && holdsEscapedQuote(this.bytes, scanner)) {
      this.reader.pushRecord(recordStrings(scanner), row);
      return;
    }
    const bytes = this.bytes;
    const fieldStarts = scanner.starts;
    const fieldEnds = scanner.ends;
    const count = scanner.count;
    const starts = this.starts;
    const ends = this.ends;
    let anyValue = false;
    for (let c = 0; c < COLUMNS; c++) {
      const f = this.indexes[c]!;
      if (f < 0 || f >= count) {
        starts[c] = ends[c] = 0;
        continue;
      }
      const start = trimStart(bytes, fieldStarts[f]!, fieldEnds[f]!);
      const end = trimEnd(bytes, start, fieldEnds[f]!);
      starts[c] = start;
      ends[c] = end;
      if (end > start) anyValue = true;
    }
    // A blank line (or a row of blank cells) is no record; its row number still counts.
    if (!anyValue && isBlankRecord(bytes, scanner)) return;

    let valid = true;
    let units: number | null | undefined = 0;
    let day = NO_DAY;
    for (let c = 0; c < COLUMNS; c++) {
      const start = starts[c]!;
      const end = ends[c]!;
      if (start === end) {
        if (REQUIRED[c]) {
          valid = false;
          this.reader.fail(BLANK_REQUIRED, row, NAMES[c]);
        }
        continue;
      }
      if (c === QUANTITY) {
        units = parseUnitsBytes(bytes, start, end);
        if (units === null) {
          valid = false;
          this.reader.fail(notPlainDecimal(decodeUtf8(bytes, start, end)), row, NAMES[c]);
        }
      } else if (c === LAST_ACTIVE) {
        const parsed = parseIsoDateBytes(bytes, start, end);
        if (parsed === null) {
          valid = false;
          this.reader.fail(notRealDate(decodeUtf8(bytes, start, end)), row, NAMES[c]);
        } else day = parsed;
      }
    }
    if (!valid) return;
    if (units === undefined) {
      this.storeLong(row, day);
      return;
    }
    this.store(units as number, day);
  }

  /**
   * Reads a plain record (ByteCsvScanner.plainRecord: the spec's columns in the spec's order,
   * none quoted) whose values all pass; false, having stored nothing, for any other, which the
   * caller then reads with read() (the errors, a blank record, a quantity too long for a double).
   */
  readPlain(fieldStarts: Int32Array, fieldEnds: Int32Array): boolean {
    const bytes = this.bytes;
    const starts = this.starts;
    const ends = this.ends;
    for (let c = 0; c < COLUMNS; c++) {
      const start = trimStart(bytes, fieldStarts[c]!, fieldEnds[c]!);
      const end = trimEnd(bytes, start, fieldEnds[c]!);
      if (start === end && REQUIRED[c]) return false;
      starts[c] = start;
      ends[c] = end;
    }
    let units = 0;
    if (starts[QUANTITY] !== ends[QUANTITY]) {
      const parsed = parseUnitsBytes(bytes, starts[QUANTITY]!, ends[QUANTITY]!);
      if (parsed === null || parsed === undefined) return false;
      units = parsed;
    }
    let day = NO_DAY;
    if (starts[LAST_ACTIVE] !== ends[LAST_ACTIVE]) {
      const parsed = parseIsoDateBytes(bytes, starts[LAST_ACTIVE]!, ends[LAST_ACTIVE]!);
      if (parsed === null) return false;
      day = parsed;
    }
    this.store(units, day);
    return true;
  }

  /** Stores the current record, valid, its quantity `units` (0 when blank) and its day. */
  private store(units: number, day: number): void {
    const bytes = this.bytes;
    const idStart = this.starts[RECORD_ID]!;
    const idEnd = this.ends[RECORD_ID]!;
    // A blank quantity is 1 (UNIT).
    const value = this.starts[QUANTITY] === this.ends[QUANTITY] ? UNIT_NUMBER : units;
    const keyHash = hashAsciiBytes(bytes, idStart, idEnd) ?? hashKey(sliceString(bytes, idStart, idEnd));
    this.builder.addRow(this.code(0), this.code(1), this.code(2), this.code(3), this.code(4), bytes, idStart, idEnd, keyHash, value, day);
  }

  /** Stores the current record, whose quantity has more than 11 whole digits: too many for exact doubles, so read the string as the engine does. */
  private storeLong(row: number, day: number): void {
    const bytes = this.bytes;
    const text = decodeUtf8(bytes, this.starts[QUANTITY]!, this.ends[QUANTITY]!);
    const quantity = parseUnits(text)!;
    if (quantity > MAX_USAGE_UNITS || quantity < -MAX_USAGE_UNITS) {
      this.reader.fail(tooLarge(text), row, 'quantity');
      return;
    }
    const recordId = sliceString(bytes, this.starts[RECORD_ID]!, this.ends[RECORD_ID]!);
    this.builder.addCoded(this.code(0), this.code(1), this.code(2), this.code(3), this.code(4), recordId, quantity, day);
  }

  /** The code of coded column k's value in the current record. */
  private code(k: number): number {
    const c = CODED[k]!;
    return this.dictionaries[k]!.code(this.bytes, this.starts[c]!, this.ends[c]!);
  }
}

/** Whether a header puts exactly the spec's usage columns in the spec's order (what readPlain takes). */
export function inSpecOrder(columnIndexes: readonly number[], headerLength: number): boolean {
  return headerLength === COLUMNS && columnIndexes.every((index, c) => index === c);
}

/** The current record's fields as papaparse gives them: decoded, and a quoted field's `""` read as `"`. */
export function recordStrings(scanner: ByteCsvScanner): string[] {
  const out = new Array<string>(scanner.count);
  for (let i = 0; i < scanner.count; i++) {
    const value = decodeUtf8(scanner.bytes, scanner.starts[i]!, scanner.ends[i]!);
    out[i] = scanner.quotedFields[i] === 1 && value.includes('""') ? value.replace(/""/g, '"') : value;
  }
  return out;
}

/** Whether a quoted field of the current record holds a quote, which can only be half of a "" pair there. */
function holdsEscapedQuote(bytes: Uint8Array, scanner: ByteCsvScanner): boolean {
  for (let i = 0; i < scanner.count; i++) {
    if (scanner.quotedFields[i] !== 1) continue;
    const at = bytes.indexOf(34, scanner.starts[i]!);
    if (at >= 0 && at < scanner.ends[i]!) return true;
  }
  return false;
}

function isBlankRecord(bytes: Uint8Array, scanner: ByteCsvScanner): boolean {
  for (let i = 0; i < scanner.count; i++) {
    const end = scanner.ends[i]!;
    if (trimStart(bytes, scanner.starts[i]!, end) < end) return false;
  }
  return true;
}
