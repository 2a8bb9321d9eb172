import type { UsageTable } from './model';
import { firstSightIds } from './stringIds';

/**
 * Numbers each distinct (integration_id, record_id): a "seat". For tables assembled from other
 * tables; builders assign seats as rows arrive.
 */
export function seatIds(usage: Omit<UsageTable, 'seat' | 'seatCount'>): { seat: Int32Array; seatCount: number } {
  const hashes = new Int32Array(usage.length);
  for (let i = 0; i < usage.length; i++) hashes[i] = usage.recordId.hash(i);
  const { seat, count } = numberSeats(usage, hashes);
  return { seat, seatCount: count };
}

/**
 * The seats of a table's rows from their record ids' key hashes (hashKey of each id: a builder
 * computes them as rows arrive, UsageBuilder.seatKeys()). Every way of numbering seats comes here.
 */
export function numberSeats(table: { length: number; integrationId: { codes: ArrayLike<number> }; recordId: UsageTable['recordId'] }, keys: Int32Array): { seat: Int32Array; count: number } {
  const { ids, count } = firstSightIds(table.integrationId.codes, table.recordId, keys, table.length);
  return { seat: ids, count };
}

/**
 * Row indexes grouped by seat (a counting sort, rows in file order within a seat). Distinct
 * counts then need no hash set: a seat's few rows are compared among themselves. `null` when
 * no seat has two rows: every row is then its own group, in file order, and nothing is sorted.
 */
export type SeatRows = { order: Int32Array; start: Int32Array } | null;

/** Whether two rows of the table share a seat. */
function seatsRepeat(usage: Pick<UsageTable, 'length' | 'seatCount'>): boolean {
  return usage.seatCount < usage.length;
}

export function rowsBySeat(usage: UsageTable): SeatRows {
  if (!seatsRepeat(usage)) return null;
  // A table does not change once built: reading a bundle (dedupeUsage) and reconciling it share one grouping.
  let bySeat = groupedTables.get(usage);
  if (bySeat === undefined) groupedTables.set(usage, (bySeat = groupBySeat(usage)));
  return bySeat;
}

const groupedTables = new WeakMap<UsageTable, { order: Int32Array; start: Int32Array }>();

function groupBySeat(usage: UsageTable): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(usage.seatCount + 1);
  for (let i = 0; i < usage.length; i++) start[usage.seat[i]! + 1]++;
  for (let s = 0; s < usage.seatCount; s++) start[s + 1] += start[s]!;
  const next = start.slice(0, usage.seatCount);
  const order = new Int32Array(usage.length);
  for (let i = 0; i < usage.length; i++) order[next[usage.seat[i]!]!++] = i;
  return { order, start };
}

/** Above this many rows for one seat, distinct keys are found with a Set instead of pairwise. */
const PAIRWISE_LIMIT = 32;

/**
 * Calls `onDistinct(key)` once per distinct key among each seat's rows: summed over seats, that
 * is the number of distinct (key, seat), e.g. distinct records per pair or seats per client.
 * `keyOf` returns -1 for rows that do not count; `rows` is the table's length.
 */
export function countSeatsPerKey(bySeat: SeatRows, rows: number, keyOf: (row: number) => number, onDistinct: (key: number) => void): void {
  if (bySeat === null) {
    for (let row = 0; row < rows; row++) {
      const key = keyOf(row);
      if (key >= 0) onDistinct(key);
    }
    return;
  }
  const { order, start } = bySeat;
  for (let seat = 0; seat + 1 < start.length; seat++) {
    const from = start[seat]!;
    const to = start[seat + 1]!;
    if (to - from > PAIRWISE_LIMIT) {
      const seen = new Set<number>();
      for (let a = from; a < to; a++) {
        const key = keyOf(order[a]!);
        if (key >= 0 && !seen.has(key)) {
          seen.add(key);
          onDistinct(key);
        }
      }
      continue;
    }
    for (let a = from; a < to; a++) {
      const key = keyOf(order[a]!);
      if (key < 0) continue;
      let first = true;
      for (let b = from; b < a && first; b++) first = keyOf(order[b]!) !== key;
      if (first) onDistinct(key);
    }
  }
}
