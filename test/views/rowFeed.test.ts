/**
 * The row feed a long list reaches the tabs by (worker/views/rowFeed.ts): a tab that applies each
 * answer to its copy holds exactly the core's list, whatever changed in between; a change too large,
 * a version the core no longer keeps, or rows that changed order bring the whole list instead.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowFeed, applyRowChange, rowChange } from '../../worker/views/rowFeed';

interface Row {
  id: string;
  n: number;
}
const key = (r: Row) => r.id;
const rows = (...ids: string[]): Row[] => ids.map((id) => ({ id, n: 0 }));

describe('rowChange', () => {
  it('sends the rows that are new objects with their index, and removes the keys of those replaced or gone', () => {
    const before = rows('a', 'b', 'c', 'd');
    const b2 = { id: 'b', n: 1 };
    const e = { id: 'e', n: 0 };
    // b changed and moved to the end, d is gone, e is new.
    const after = [before[0]!, before[2]!, e, b2];
    const change = rowChange(before, after, key)!;
    expect(change).toEqual({ removed: ['b', 'd'], upserts: [{ index: 2, row: e }, { index: 3, row: b2 }] });
    expect(applyRowChange(before, { version: 'v', rows: null, ...change }, key)).toEqual(after);
  });

  it('is empty for the same rows', () => {
    const list = rows('a', 'b');
    expect(rowChange(list, [...list], key)).toEqual({ removed: [], upserts: [] });
  });

  it('gives up when rows both lists hold changed order, or when the change is larger than asked', () => {
    const list = rows('a', 'b', 'c');
    expect(rowChange(list, [list[1]!, list[0]!, list[2]!], key)).toBeNull();
    expect(rowChange(list, rows('x', 'y', 'z'), key, 2)).toBeNull();
    expect(rowChange(list, [], key, 2)).toBeNull();
  });
});

describe('RowFeed', () => {
  it('answers the whole list first, a change from a version it keeps, the whole list from one it does not', () => {
    const feed = new RowFeed<Row>(key);
    const first = rows('a', 'b', 'c');
    feed.set(first);
    const whole = feed.since(null);
    expect(whole.rows).toEqual(first);
    const next = [first[0]!, { id: 'b', n: 2 }, first[2]!];
    feed.set(next);
    const change = feed.since(whole.version);
    expect(change.rows).toBeNull();
    expect(change.removed).toEqual(['b']);
    expect(change.upserts).toEqual([{ index: 1, row: next[1] }]);
    expect(feed.since('another core:1').rows).toEqual(next);
    // The same array again is the same version.
    feed.set(next);
    expect(feed.since(change.version)).toEqual({ version: change.version, rows: null, removed: [], upserts: [] });
  });

  it('keeps a tab that applies every answer equal to the list, over random edits', () => {
    const edit = fc.record({
      // Per row: keep, replace (same key, new object), or drop; then new rows; then maybe a shuffle.
      ops: fc.array(fc.constantFrom('keep', 'keep', 'keep', 'replace', 'drop'), { maxLength: 30 }),
      added: fc.array(fc.nat(1000), { maxLength: 4 }),
      move: fc.boolean(),
      skipFetch: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (edits, maxChange) => {
        const feed = new RowFeed<Row>(key, maxChange);
        let serial = 0;
        let list: Row[] = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, n: serial++ }));
        feed.set(list);
        let tab = { version: feed.since(null).version, rows: feed.since(null).rows! };
        let ids = 10;
        for (const e of edits) {
          const next: Row[] = [];
          list.forEach((row, i) => {
            const op = e.ops[i] ?? 'keep';
            if (op === 'keep') next.push(row);
            else if (op === 'replace') next.push({ id: row.id, n: serial++ });
          });
          for (const at of e.added) next.splice(at % (next.length + 1), 0, { id: `r${ids++}`, n: serial++ });
          if (e.move && next.length > 1) next.push(next.shift()!);
          list = next;
          feed.set(list);
          // A tab may miss a version (its fetch superseded): it asks from the one it holds.
          if (e.skipFetch) continue;
          const answer = feed.since(tab.version);
          if (answer.rows === null) expect(Math.max(answer.upserts.length, answer.removed.length)).toBeLessThanOrEqual(maxChange);
          tab = { version: answer.version, rows: applyRowChange(tab.rows, answer, key) };
          expect(tab.rows).toEqual(list);
        }
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
