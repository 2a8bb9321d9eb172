import { expect } from 'vitest';
import { RecordIds } from '../../worker/engine/recordIds';

// Two record-id columns are equal when they hold the same ids, wherever those ids are kept (a
// file's bytes, a stored block's text): tables read two ways compare by what they say. A plain
// array of strings compares with a column the same way.
expect.addEqualityTesters([
  function recordIdsEqual(a: unknown, b: unknown) {
    const aIds = a instanceof RecordIds;
    const bIds = b instanceof RecordIds;
    if (!aIds && !bIds) return undefined;
    const plain = (x: unknown) => (x instanceof RecordIds ? x.toArray() : x);
    return this.equals(plain(a), plain(b));
  },
]);
