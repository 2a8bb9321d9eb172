import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordIds } from '../../worker/engine/recordIds';
import { firstSightIds, hashKey } from '../../worker/engine/stringIds';

/** The ids by the definition: the n-th distinct (space, key) in row order gets id n. */
function referenceIds(spaces: readonly number[], keys: readonly string[]): { ids: number[]; count: number } {
  const seen = new Map<string, number>();
  const ids = keys.map((key, i) => {
    const k = `${spaces[i]}\u0000${key}`;
    let id = seen.get(k);
    if (id === undefined) seen.set(k, (id = seen.size));
    return id;
  });
  return { ids, count: seen.size };
}

function numbered(spaces: readonly number[], keys: readonly string[], keyHash = Int32Array.from(keys, (key) => hashKey(key))): { ids: number[]; count: number } {
  const { ids, count } = firstSightIds(Uint32Array.from(spaces), RecordIds.of(keys), keyHash, keys.length);
  return { ids: [...ids], count };
}

// Enough rows for several hash partitions (a partition aims at 2,048 rows), from few distinct keys so that most repeat.
const rows = (maxLength: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength, size: 'max' }).map((pairs) => ({
    spaces: pairs.map(([space]) => space),
    keys: pairs.map(([, key]) => `rec-${key}`),
  }));

describe('firstSightIds: a dense id per distinct (namespace, record id), in order of first sight', () => {
  it('numbers rows as the definition does, across many hash partitions', () => {
    fc.assert(
      fc.property(rows(12_000), ({ spaces, keys }) => {
        expect(numbered(spaces, keys)).toEqual(referenceIds(spaces, keys));
      }),
      { numRuns: 25, seed: 12 },
    );
  });

  it('tells keys apart by their text when every hash collides', () => {
    fc.assert(
      fc.property(rows(3000), ({ spaces, keys }) => {
        expect(numbered(spaces, keys, new Int32Array(keys.length))).toEqual(referenceIds(spaces, keys));
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it('gives the same record id in two namespaces two ids', () => {
    expect(numbered([0, 1, 0, 1], ['a', 'a', 'a', 'b'])).toEqual({ ids: [0, 1, 0, 2], count: 3 });
  });
});
