import { hashAsciiBytes, hashKey } from './stringIds';
import { sliceString } from './utf8Slice';

/**
 * A source of record ids: the UTF-8 bytes of the file they were read from (ranges of bytes) or a
 * text that holds them one after another (ranges of UTF-16 units).
 */
export type RecordIdSource = Uint8Array | string;

const ASCII = new TextDecoder('utf-8');

/**
 * The record_id column. Row i's id is the range [starts[i], ends[i]) of sources[sourceOf[i]]:
 * a million ids read from a file stay where they are in its bytes, and a stored table's ids stay
 * in its block texts, instead of a million strings for the collector to copy and trace (~0.3 s
 * per million on the 2-core target). A string is made only for an id someone reads (at()); seat
 * numbering compares ranges (same()) and hashes them (hash()) without one.
 */
export class RecordIds {
  constructor(
    readonly sources: readonly RecordIdSource[],
    /** Index into sources per row; null when every row is in sources[0]. */
    readonly sourceOf: Uint32Array | null,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
    readonly length: number,
  ) {}

  /** A column over plain strings (tests, small tables, text readers). */
  static of(ids: readonly string[]): RecordIds {
    const starts = new Int32Array(ids.length);
    const ends = new Int32Array(ids.length);
    let at = 0;
    ids.forEach((id, i) => {
      starts[i] = at;
      ends[i] = at += id.length;
    });
    return new RecordIds([ids.join('')], null, starts, ends, ids.length);
  }

  /** The columns one after another. */
  static join(parts: readonly RecordIds[]): RecordIds {
    if (parts.length === 1) return parts[0]!;
    const length = parts.reduce((n, p) => n + p.length, 0);
    const sources: RecordIdSource[] = [];
    const sourceOf = new Uint32Array(length);
    const starts = new Int32Array(length);
    const ends = new Int32Array(length);
    let at = 0;
    for (const part of parts) {
      const offset = sources.length;
      sources.push(...part.sources);
      for (let i = 0; i < part.length; i++) sourceOf[at + i] = offset + (part.sourceOf === null ? 0 : part.sourceOf[i]!);
      starts.set(part.starts.subarray(0, part.length), at);
      ends.set(part.ends.subarray(0, part.length), at);
      at += part.length;
    }
    return new RecordIds(sources, sourceOf, starts, ends, length);
  }

  /** Where row i's id is: the range [starts[i], ends[i]) of this source. */
  sourceAt(i: number): RecordIdSource {
    return this.sources[this.sourceOf === null ? 0 : this.sourceOf[i]!]!;
  }

  /** Row i's record id. */
  at(i: number): string {
    const source = this.sourceAt(i);
    return typeof source === 'string' ? source.slice(this.starts[i]!, this.ends[i]!) : sliceString(source, this.starts[i]!, this.ends[i]!);
  }

  /** Whether rows i and j hold the same record id (exactly at(i) === at(j)). */
  same(i: number, j: number): boolean {
    const a = this.sourceAt(i);
    const b = this.sourceAt(j);
    const aStart = this.starts[i]!;
    const bStart = this.starts[j]!;
    const length = this.ends[i]! - aStart;
    if (typeof a === 'string' && typeof b === 'string') {
      if (this.ends[j]! - bStart !== length) return false;
      for (let k = 0; k < length; k++) if (a.charCodeAt(aStart + k) !== b.charCodeAt(bStart + k)) return false;
      return true;
    }
    if (typeof a !== 'string' && typeof b !== 'string') {
      // Equal bytes decode alike; unequal ASCII bytes cannot. Anything else (two invalid
      // sequences may both decode to U+FFFD) is settled on the strings.
      let high = 0;
      if (this.ends[j]! - bStart === length) {
        let k = 0;
        for (; k < length; k++) {
          const x = a[aStart + k]!;
          if (x !== b[bStart + k]) break;
          high |= x;
        }
        if (k === length) return true;
      }
      for (let k = aStart; k < this.ends[i]!; k++) high |= a[k]!;
      for (let k = bStart; k < this.ends[j]!; k++) high |= b[k]!;
      if (high < 0x80) return false;
    }
    return this.at(i) === this.at(j);
  }

  /** hashKey(at(i)), without the string when the id is ASCII bytes or a range of a text. */
  hash(i: number): number {
    const source = this.sourceAt(i);
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    if (typeof source !== 'string') return hashAsciiBytes(source, start, end) ?? hashKey(this.at(i));
    return hashKey(source, start, end);
  }

  /** The given rows' ids, in that order (the same sources, no id copied). */
  select(rows: ArrayLike<number>): RecordIds {
    const n = rows.length;
    const sourceOf = this.sourceOf === null ? null : new Uint32Array(n);
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (sourceOf !== null) sourceOf[i] = this.sourceOf![r]!;
      starts[i] = this.starts[r]!;
      ends[i] = this.ends[r]!;
    }
    return new RecordIds(this.sources, sourceOf, starts, ends, n);
  }

  /** Rows [from, to)'s ids, as one text and each id's end in it (the stored form, see usagePack.ts). */
  text(from: number, to: number): { text: string; ends: Uint32Array } {
    const ends = new Uint32Array(to - from);
    const source = this.sources[0];
    if (this.sourceOf === null && source !== undefined && typeof source !== 'string') {
      // ASCII ids of one file: their bytes side by side, decoded once (no string per id).
      let total = 0;
      for (let i = from; i < to; i++) total += this.ends[i]! - this.starts[i]!;
      const joined = new Uint8Array(total);
      let at = 0;
      let high = 0;
      for (let i = from; i < to; i++) {
        for (let k = this.starts[i]!; k < this.ends[i]!; k++) {
          const b = source[k]!;
          high |= b;
          joined[at++] = b;
        }
        ends[i - from] = at;
      }
      if (high < 0x80) return { text: ASCII.decode(joined), ends };
    }
    const parts = new Array<string>(to - from);
    let at = 0;
    for (let i = from; i < to; i++) {
      const id = this.at(i);
      parts[i - from] = id;
      ends[i - from] = at += id.length;
    }
    return { text: parts.join(''), ends };
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
