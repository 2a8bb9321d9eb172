import type { Dictionary } from '../engine/dictionary';
import { decodeUtf8 } from './byteText';

/**
 * Codes byte slices with a Dictionary's codes, decoding a slice to a string only the first time
 * those bytes are seen. The Dictionary stays the one authority on codes (a value first seen as a
 * string elsewhere keeps its code, and two byte sequences that decode alike, such as two invalid
 * ones that both read U+FFFD, share one), so codes and their order match coding the strings.
 * Open addressing over typed arrays; the keys' bytes live in one growing pool.
 */
export class ByteDictionary {
  private slots: Int32Array; // entry + 1, or 0 when empty
  private hashes = new Int32Array(64);
  private keyStart = new Int32Array(64);
  private keyLength = new Int32Array(64);
  private codes = new Int32Array(64);
  private pool = new Uint8Array(4096);
  private poolUsed = 0;
  private entries = 0;
  private mask: number;
  // Exports list a client's rows together: the previous slice usually repeats. It is compared
  // where it sits in the caller's bytes, four bytes at a time (a DataView read is one load).
  private lastBytes: Uint8Array | null = null;
  private lastView: DataView | null = null;
  private lastStart = 0;
  private lastLength = -1;
  private lastCode = 0;

  constructor(private readonly dictionary: Dictionary) {
    this.slots = new Int32Array(256);
    this.mask = this.slots.length - 1;
  }

  code(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === this.lastLength && bytes === this.lastBytes && sameRange(this.lastView!, bytes, this.lastStart, start, length)) return this.lastCode;
    const code = this.lookup(bytes, start, end);
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.lastStart = start;
    this.lastLength = length;
    this.lastCode = code;
    return code;
  }

  private lookup(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const hash = hashBytes(bytes, start, end);
    let slot = hash & this.mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) break;
      const entry = stored - 1;
      if (this.hashes[entry] === hash && this.keyLength[entry] === length && this.sameKey(entry, bytes, start, length)) return this.codes[entry]!;
      slot = (slot + 1) & this.mask;
    }
    const entry = this.insert(slot, hash, bytes, start, end);
    return this.codes[entry]!;
  }

  private sameKey(entry: number, bytes: Uint8Array, start: number, length: number): boolean {
    const pool = this.pool;
    const at = this.keyStart[entry]!;
    for (let i = 0; i < length; i++) if (pool[at + i] !== bytes[start + i]) return false;
    return true;
  }

  private insert(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const entry = this.entries++;
    if (entry === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.keyStart = grow(this.keyStart);
      this.keyLength = grow(this.keyLength);
      this.codes = grow(this.codes);
    }
    const length = end - start;
    while (this.poolUsed + length > this.pool.length) {
      const pool = new Uint8Array(this.pool.length * 2);
      pool.set(this.pool);
      this.pool = pool;
    }
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.keyStart[entry] = this.poolUsed;
    this.keyLength[entry] = length;
    this.poolUsed += length;
    this.hashes[entry] = hash;
    this.codes[entry] = this.dictionary.code(decodeUtf8(bytes, start, end));
    this.slots[slot] = entry + 1;
    if (this.entries * 2 > this.slots.length) this.rehash();
    return entry;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Whether bytes [a, a + length) equal bytes [b, b + length) of the same array (`view` over it). */
function sameRange(view: DataView, bytes: Uint8Array, a: number, b: number, length: number): boolean {
  if (a === b) return true;
  let i = 0;
  for (; i + 4 <= length; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
  for (; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/** FNV-1a over the bytes, with a final avalanche so similar keys spread over the slots. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
