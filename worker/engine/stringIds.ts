import type { RecordIds } from './recordIds';

/**
 * Dense ids for (namespace, record id) pairs, for the million-row hot path (seats). A JS Map with
 * a million string keys measured ~0.65 s per pass on the 2-core target machine; open addressing
 * over typed arrays does the same job several times faster and creates no garbage per lookup.
 * Exact: hashes only pick slots, equality is always checked on the ids themselves.
 *
 * The key's hash (hashKey) does not depend on the namespace, so a reader that already walked the
 * key's bytes can hand it in, and a part read on another thread sends its hashes along.
 */

/** FNV-1a offset basis and prime: hashKey and hashAsciiBytes must step alike. */
const FNV_START = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the key's UTF-16 code units (of text[start, end)). For ASCII keys it equals hashAsciiBytes over the key's bytes. */
export function hashKey(text: string, start = 0, end = text.length): number {
  let h = FNV_START;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/**
 * hashKey of the string that ASCII bytes [start, end) spell, or null when a byte is not ASCII
 * (then the caller hashes the decoded string).
 */
export function hashAsciiBytes(bytes: Uint8Array, start: number, end: number): number | null {
  let h = FNV_START;
  let high = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    high |= b;
    h ^= b;
    h = Math.imul(h, FNV_PRIME);
  }
  return high < 0x80 ? h : null;
}

/** The key's hash mixed with its namespace, with a final avalanche so sequential ids spread over slots. */
function slotHash(keyHash: number, space: number): number {
  let h = keyHash ^ Math.imul(space + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/** Rows per partition that firstSightIds aims for: its table (8 bytes a slot, at most half full) then stays in a core's cache. */
const PARTITION_ROWS = 2048;

/**
 * A dense id per distinct (spaces[i], keys.at(i)) of rows 0..length-1, in order of first sight. One table for a million mostly
 * distinct keys is a cache miss per row (~0.3 s on the 2-core target); here the rows are first
 * partitioned by hash (a counting sort, sequential passes) and each partition gets a table small
 * enough to stay in cache. Hashes only pick slots, equality is checked on
 * the space and the id. `keyHash[i]` = hashKey(keys.at(i)).
 */
export function firstSightIds(spaces: ArrayLike<number>, keys: RecordIds, keyHash: Int32Array, length: number): { ids: Int32Array; count: number } {
  const hashes = new Int32Array(length);
  for (let i = 0; i < length; i++) hashes[i] = slotHash(keyHash[i]!, spaces[i]!);
  // Partitions by the hash's top bits; slots within one by its low bits, which are independent.
  let bits = 0;
  while (bits < 16 && length >> bits > PARTITION_ROWS) bits++;
  const { order, hashOf, start } = partitionByTopBits(hashes, bits);
  const ids = new Int32Array(length);
  firstRows(spaces, keys, order, hashOf, start, ids);
  return { ids, count: numberFirstRows(ids) };
}

// The phases are functions of their own: V8 then optimizes each loop on its own, instead of
// re-optimizing one growing function at every loop it meets for the first time.

/**
 * Row numbers grouped by the top `bits` of their hash, in file order within a group (a stable
 * counting sort), with each row's hash beside it (hashOf[k] is order[k]'s): the table pass then
 * reads both in sequence, not a hash at a random row (a cache miss per row at a million rows).
 */
function partitionByTopBits(hashes: Int32Array, bits: number): { order: Int32Array; hashOf: Int32Array; start: Int32Array } {
  const length = hashes.length;
  const shift = 32 - bits;
  const start = new Int32Array((1 << bits) + 1);
  const order = new Int32Array(length);
  if (bits === 0) {
    for (let i = 0; i < length; i++) order[i] = i;
    start[1] = length;
    return { order, hashOf: hashes, start };
  }
  const hashOf = new Int32Array(length);
  for (let i = 0; i < length; i++) start[(hashes[i]! >>> shift) + 1]++;
  for (let p = 0; p < 1 << bits; p++) start[p + 1] += start[p]!;
  const next = start.slice(0, 1 << bits);
  for (let i = 0; i < length; i++) {
    const hash = hashes[i]!;
    const at = next[hash >>> shift]!++;
    order[at] = i;
    hashOf[at] = hash;
  }
  return { order, hashOf, start };
}

/** Sets ids[row] to the first row with the same (space, key), partition by partition. */
function firstRows(spaces: ArrayLike<number>, keys: RecordIds, order: Int32Array, hashOf: Int32Array, start: Int32Array, ids: Int32Array): void {
  let largest = 0;
  for (let p = 0; p + 1 < start.length; p++) largest = Math.max(largest, start[p + 1]! - start[p]!);
  let capacity = 16;
  while (capacity < largest * 2) capacity <<= 1;
  // Per slot: [hash, row + 1 (0 when empty)], side by side so a probe touches one cache line.
  const table = new Int32Array(capacity * 2);
  for (let p = 0; p + 1 < start.length; p++) {
    const from = start[p]!;
    const to = start[p + 1]!;
    let size = 16;
    while (size < (to - from) * 2) size <<= 1;
    const mask = size - 1;
    table.fill(0, 0, size * 2);
    for (let a = from; a < to; a++) {
      const row = order[a]!;
      const hash = hashOf[a]!;
      let slot = hash & mask;
      for (;;) {
        const stored = table[2 * slot + 1]!;
        if (stored === 0) {
          table[2 * slot] = hash;
          table[2 * slot + 1] = row + 1;
          ids[row] = row;
          break;
        }
        const other = stored - 1;
        if (table[2 * slot] === hash && spaces[other] === spaces[row] && keys.same(other, row)) {
          ids[row] = other;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }
}

/**
 * Turns first rows into ids, in place: a first-sight row takes the next id, any other the id its
 * first row took (an earlier row, so already turned). Returns how many ids.
 */
function numberFirstRows(ids: Int32Array): number {
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const first = ids[i]!;
    ids[i] = first === i ? count++ : ids[first]!;
  }
  return count;
}
