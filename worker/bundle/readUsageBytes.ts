import { ByteCsvScanner, MALFORMED, RECORD } from './byteCsv';
import { decodeUtf8 } from './byteText';
import { csvLayout, type CsvLayout, type Newline } from './csvLayout';
import { CHUNK_CHARS } from './parseCsv';
import { readUsageText, type UsagePart } from './readUsage';
import { FILES, USAGE_COLUMNS } from './schema';
import { TableReader } from './tableReader';
import { UsageBuilder } from './usageBuilder';
import { inSpecOrder, recordStrings, UsageByteRows } from './usageByteRows';

/**
 * usage.csv read from its UTF-8 bytes: the same UsagePart as readUsageText on the file's text
 * (same table, errors and row numbers), without a string per field. Whenever papaparse would
 * report a malformed quote, or read one leniently, the bytes are decoded and read the text way:
 * such files are rare and broken, and their errors are whatever papaparse says.
 */

export interface UsageBytesOptions {
  file?: string;
  onProgress?: (fraction: number) => void;
  /** Columns in shared memory (see UsageBuilder). */
  sharedMemory?: boolean;
}

/** Report progress every this many records (a power of two minus one, as a mask). */
const PROGRESS_MASK = (1 << 16) - 1;

const COLUMN_COUNT = USAGE_COLUMNS.length;

export function readUsageBytes(bytes: Uint8Array, options: UsageBytesOptions = {}): UsagePart {
  const layout = csvLayout(bytes);
  const read = new ByteRead(bytes, layout.bodyStart, layout, options);
  const header = read.header();
  if (header !== 'malformed') {
    const status = read.records(Infinity);
    if (status === 'end' && !hitsChunkSeam(bytes, layout, read.scanner.quoteCrlf)) {
      options.onProgress?.(1);
      return read.result();
    }
  }
  return readUsageBytesAsText(bytes, options);
}

/** The text path on the decoded bytes: the reference the byte path matches, and its fallback. */
export function readUsageBytesAsText(bytes: Uint8Array, options: UsageBytesOptions = {}): UsagePart {
  const builder = new UsageBuilder(Math.ceil(bytes.length / 80), options.sharedMemory ?? false);
  return readUsageText(decodeUtf8(bytes, 0, bytes.length), builder, undefined, options);
}

/** One pass of the scanner over records, into a reader and a builder of its own. */
export class ByteRead {
  readonly scanner: ByteCsvScanner;
  readonly reader: TableReader;
  readonly builder: UsageBuilder;
  /** Rows read so far, the header included. */
  rows = 0;
  private rowReader: UsageByteRows | null = null;
  /** Whether the header is the spec's columns in order: plain records then skip the general scan. */
  private specOrder = false;
  private readonly plainStarts = new Int32Array(USAGE_COLUMNS.length);
  private readonly plainEnds = new Int32Array(USAGE_COLUMNS.length);

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly layout: { bodyEnd: number; newline: Newline; bodyStart?: number },
    private readonly options: UsageBytesOptions,
  ) {
    this.scanner = new ByteCsvScanner(bytes, start, layout.bodyEnd, layout.newline);
    this.builder = new UsageBuilder(Math.ceil((layout.bodyEnd - start) / 80), options.sharedMemory ?? false);
    this.reader = new TableReader(options.file ?? FILES.usage, USAGE_COLUMNS, (values, _row, report) => this.builder.add(values, report));
  }

  /** Reads the first record as the header; its names (null when the file has no record). */
  header(): string[] | null | 'malformed' {
    const status = this.scanner.next();
    if (status === MALFORMED) return 'malformed';
    if (status !== RECORD) return null;
    return this.useHeader(recordStrings(this.scanner), 1);
  }

  /** Takes the header names read elsewhere (a later part of the file); `rows` counts it. */
  useHeader(names: string[], rows = 1): string[] {
    this.reader.push([names]);
    this.rows = rows;
    if (this.reader.acceptsRecords) {
      this.rowReader = new UsageByteRows(this.bytes, this.reader, this.builder);
      this.specOrder = inSpecOrder(this.reader.columnIndexes!, names.length);
    }
    return names;
  }

  /**
   * Reads records until the end ('end'), a malformed quote ('malformed'), or the first record
   * boundary at or after `stopAt` ('stopped': the scanner's pos tells where).
   */
  records(stopAt: number): 'end' | 'malformed' | 'stopped' {
    const scanner = this.scanner;
    const rows = this.rowReader;
    const progress = this.options.onProgress;
    const { bodyStart = 0, bodyEnd } = this.layout;
    const plain = this.specOrder ? rows : null;
    const plainStarts = this.plainStarts;
    const plainEnds = this.plainEnds;
    for (;;) {
      if (plain !== null) {
        const next = scanner.plainRecord(plainStarts, plainEnds, COLUMN_COUNT);
        if (next >= 0 && plain.readPlain(plainStarts, plainEnds)) {
          scanner.pos = next;
          const row = ++this.rows;
          if ((row & PROGRESS_MASK) === 0 && progress) progress((next - bodyStart) / Math.max(1, bodyEnd - bodyStart));
          if (next >= stopAt) return 'stopped';
          continue;
        }
      }
      const status = scanner.next();
      if (status !== RECORD) return status === MALFORMED ? 'malformed' : 'end';
      const row = ++this.rows;
      if (rows !== null) rows.read(scanner, row);
      if ((row & PROGRESS_MASK) === 0 && progress) progress((scanner.pos - bodyStart) / Math.max(1, bodyEnd - bodyStart));
      if (scanner.pos >= stopAt) return 'stopped';
    }
  }

  result(): UsagePart {
    const errors = this.reader.finish();
    return { builder: this.builder, errors, rows: this.rows, problemCount: this.reader.problemCount };
  }
}

/**
 * papaparse reads text in slices of CHUNK_CHARS UTF-16 units; when a slice ends between the CR
 * and the LF that follow a closing quote, it reports "Trailing quote on quoted field is malformed"
 * for that (well-formed) record. The text path then fails the file, so the byte path must too:
 * true when any such LF (byte offsets, ascending) starts a slice.
 */
export function hitsChunkSeam(bytes: Uint8Array, layout: CsvLayout, lfOffsets: readonly number[]): boolean {
  let at = layout.bodyStart;
  let units = 0;
  for (const offset of lfOffsets) {
    units += utf16Length(bytes, at, offset);
    at = offset;
    if (units > 0 && units % CHUNK_CHARS === 0) return true;
  }
  return false;
}

/** UTF-16 length of the decoded slice (both ends on ASCII bytes, so the slice decodes on its own). */
function utf16Length(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return i - start + decodeUtf8(bytes, i, end).length;
  return end - start;
}
