import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSeatsPerKey, rowsBySeat } from '../../worker/engine/seats';
import type { UsageTable } from '../../worker/engine/model';

/** A table with only what seat grouping reads: its rows' seats. */
function seatTable(seats: readonly number[]): UsageTable {
  const seat = Int32Array.from(seats);
  return { length: seat.length, seat, seatCount: seats.length === 0 ? 0 : Math.max(...seats) + 1 } as UsageTable;
}

/** Distinct (key, seat) per key, by the definition. */
function reference(seats: readonly number[], keys: readonly number[]): Map<number, number> {
  const seen = new Set<string>();
  const counts = new Map<number, number>();
  keys.forEach((key, row) => {
    if (key < 0 || seen.has(`${key}:${seats[row]}`)) return;
    seen.add(`${key}:${seats[row]}`);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

function counted(seats: readonly number[], keys: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  countSeatsPerKey(rowsBySeat(seatTable(seats)), keys.length, (row) => keys[row]!, (key) => counts.set(key, (counts.get(key) ?? 0) + 1));
  return counts;
}

/** Seats numbered in order of first sight, as tables number them; a few rows share one, some seats have 40 rows. */
const repeatedSeats = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -1, max: 4 })), { minLength: 1, maxLength: 400 }).map((rows) => {
  const ids = new Map<number, number>();
  const seats = rows.map(([raw]) => {
    const seat = raw < 50 ? raw : 99; // one crowded seat: above the pairwise limit
    if (!ids.has(seat)) ids.set(seat, ids.size);
    return ids.get(seat)!;
  });
  return { seats, keys: rows.map(([, key]) => key) };
});

describe('countSeatsPerKey: distinct (key, seat) per key', () => {
  it('counts each key once per seat among rows that share seats', () => {
    fc.assert(
      fc.property(repeatedSeats, ({ seats, keys }) => {
        expect(counted(seats, keys)).toEqual(reference(seats, keys));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('counts every row with a key when no two rows share a seat, without grouping them', () => {
    const keys = [2, -1, 2, 0, 2];
    const seats = keys.map((_, row) => row);
    expect(rowsBySeat(seatTable(seats))).toBeNull();
    expect(counted(seats, keys)).toEqual(new Map([[2, 3], [0, 1]]));
  });
});
