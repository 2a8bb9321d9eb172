import type { ContractError } from './contractError';
import { csvLayout, type CsvLayout, type Newline } from './csvLayout';
import { joinErrors, type UsagePart } from './readUsage';
import { ByteRead, hitsChunkSeam, readUsageBytesAsText, type UsageBytesOptions } from './readUsageBytes';
import type { PackedUsage } from './usageBuilder';

/**
 * usage.csv bytes read in two parts (two threads in the CLI, see worker/cli/parallelUsage.ts),
 * giving exactly what readUsageBytes gives for the whole file. The split is cut at a line break
 * near the middle without knowing whether that break sits inside a quoted field; the first part
 * checks it: its reader, going through the file from the start, must end a record exactly there.
 * If it does not, the first part simply reads on to the end and the second part is dropped.
 */

export interface UsageSplit {
  layout: CsvLayout;
  /** The header's names, as the second part's reader needs them. */
  header: string[];
  /** Where the first record after the header starts. */
  recordsStart: number;
  /** Where the second part starts: just after a line break. */
  split: number;
}

/** What a second part sends back (a structured-clone-friendly value: the packed rows, not the builder). */
export interface TailPart {
  /** null when papaparse would complain about a quote in it (the file then goes the text way). */
  table: PackedUsage | null;
  errors: ContractError[];
  problemCount: number;
  rows: number;
  /** See ByteCsvScanner.quoteCrlf; offsets in the part's bytes. */
  quoteCrlf: number[];
  /** Where in the file the part's bytes start: 0 when they are the file's own (shared) bytes, the split for a copy. */
  base: number;
  /** Index in table.idSources of the file's own bytes, shared with the first part (the entry itself is left empty), or -1. */
  sharedSource: number;
}

/** Where the second part is: records [start, end) of `bytes`, whose index 0 is the file's byte `base`. */
export interface TailRange {
  start: number;
  end: number;
  base: number;
  /** Whether `bytes` is the whole file, in memory the first part reads too (a SharedArrayBuffer). */
  shared: boolean;
}

/** Where to split, or null when the file is better read whole (no records, a broken header, no break after `near`). */
export function planUsageSplit(bytes: Uint8Array, near?: number): UsageSplit | null {
  const layout = csvLayout(bytes);
  const probe = new ByteRead(bytes, layout.bodyStart, layout, {});
  const header = probe.header();
  if (header === null || header === 'malformed' || !probe.reader.acceptsRecords) return null;
  const recordsStart = probe.scanner.pos;
  const target = Math.max(recordsStart, near ?? recordsStart + Math.floor((layout.bodyEnd - recordsStart) / 2));
  const split = breakAfter(bytes, target, layout.bodyEnd, layout.newline);
  if (split < 0 || split >= layout.bodyEnd) return null;
  return { layout, header, recordsStart, split };
}

/** Just after the first line break at or after `from`, or -1. */
export function breakAfter(bytes: Uint8Array, from: number, end: number, newline: Newline): number {
  if (newline !== '\r\n') {
    const at = bytes.indexOf(newline === '\n' ? 10 : 13, from);
    return at < 0 || at >= end ? -1 : at + 1;
  }
  for (let at = bytes.indexOf(13, from); at >= 0 && at + 1 < end; at = bytes.indexOf(13, at + 1)) {
    if (bytes[at + 1] === 10) return at + 2;
  }
  return -1;
}

/**
 * The second part (the records from the split to the end of the file), read on its own: from the
 * file's shared bytes, or from a copy of the part.
 */
export function readUsageTail(bytes: Uint8Array, range: TailRange, header: string[], newline: Newline, options: UsageBytesOptions = {}): TailPart {
  // The part numbers its own seats; the joining builder maps them to its own (appendPacked).
  const read = new ByteRead(bytes, range.start, { bodyEnd: range.end, newline, bodyStart: range.start }, options);
  read.useHeader(header);
  const status = read.records(Infinity);
  if (status === 'malformed') return { table: null, errors: [], problemCount: 0, rows: 0, quoteCrlf: [], base: range.base, sharedSource: -1 };
  const part = read.result();
  const table = part.builder.pack();
  // The first part holds these bytes already: its record ids and these point into the same memory.
  const sharedSource = range.shared ? table.idSources.indexOf(bytes) : -1;
  if (sharedSource >= 0) table.idSources[sharedSource] = '';
  return { table, errors: part.errors, problemCount: part.problemCount, rows: part.rows, quoteCrlf: read.scanner.quoteCrlf, base: range.base, sharedSource };
}

/** The first part, read on this thread while the second is read elsewhere. */
export class UsageHead {
  private readonly read: ByteRead;
  private status: 'end' | 'malformed' | 'stopped';

  /**
   * Reads the first part up to `plan.split`; with `stepped`, reads nothing yet: the caller reads
   * on with step() and then fixes the split with readTo() (a split chosen while reading).
   */
  constructor(
    private readonly bytes: Uint8Array,
    private plan: UsageSplit,
    private readonly options: UsageBytesOptions = {},
    stepped = false,
  ) {
    this.read = new ByteRead(bytes, plan.recordsStart, plan.layout, options);
    this.read.useHeader(plan.header);
    this.status = 'stopped';
    if (!stepped) this.readTo(plan.split);
  }

  /** Where the next record starts. */
  get position(): number {
    return this.read.scanner.pos;
  }

  /** Reads on to the first record boundary at or after `stopAt`; false once the file has ended (or turned out malformed). */
  step(stopAt: number): boolean {
    this.status = this.read.records(stopAt);
    return this.status === 'stopped';
  }

  /** Reads on to `split` (a position after `position`, just after a line break), where the second part starts. */
  readTo(split: number): void {
    this.plan = { ...this.plan, split };
    this.status = this.read.records(split);
    // The split fell inside a quoted field: no part starts there, so read on alone.
    if (this.status === 'stopped' && this.read.scanner.pos !== split) this.status = this.read.records(Infinity);
  }

  /** Reads the rest alone (no second part). */
  readRest(): void {
    if (this.status === 'stopped') this.status = this.read.records(Infinity);
  }

  /** Whether the second part is needed (the first ended exactly at the split). */
  get needsTail(): boolean {
    return this.status === 'stopped';
  }

  /** The whole file's UsagePart: the first part joined with the second (when needed). */
  join(tail?: TailPart): UsagePart {
    const { bytes, plan, read } = this;
    if (this.status === 'malformed') return readUsageBytesAsText(bytes, this.options);
    if (this.status === 'end') return hitsChunkSeam(bytes, plan.layout, read.scanner.quoteCrlf) ? readUsageBytesAsText(bytes, this.options) : read.result();
    if (!tail || tail.table === null) return readUsageBytesAsText(bytes, this.options);
    const seams = [...read.scanner.quoteCrlf, ...tail.quoteCrlf.map((offset) => offset + tail.base)];
    if (hitsChunkSeam(bytes, plan.layout, seams)) return readUsageBytesAsText(bytes, this.options);
    const first = read.result();
    first.builder.appendPacked(tail.table, tail.sharedSource >= 0 ? { source: tail.sharedSource, bytes } : undefined);
    const second = { builder: first.builder, errors: tail.errors, rows: tail.rows, problemCount: tail.problemCount };
    const errors = joinErrors(read.reader.file, first, second, first.rows - 1);
    this.options.onProgress?.(1);
    return { builder: first.builder, errors, rows: first.rows + tail.rows - 1, problemCount: first.problemCount + tail.problemCount };
  }
}
