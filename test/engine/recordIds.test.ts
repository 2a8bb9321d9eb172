import { describe, expect, it } from 'vitest';
import { RecordIds } from '../../worker/engine/recordIds';
import { hashKey } from '../../worker/engine/stringIds';

const encode = (text: string) => new TextEncoder().encode(text);

/** A column over the bytes of `text`, one id per comma-separated part. */
function fromBytes(text: string): RecordIds {
  const bytes = encode(text);
  const starts: number[] = [];
  const ends: number[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 44) {
      starts.push(start);
      ends.push(i);
      start = i + 1;
    }
  }
  return new RecordIds([bytes], null, Int32Array.from(starts), Int32Array.from(ends), starts.length);
}

describe('record ids kept as ranges of their source', () => {
  it('reads each id from the bytes it was read from', () => {
    expect(fromBytes('u1,Café,,ü').toArray()).toEqual(['u1', 'Café', '', 'ü']);
  });

  it('compares ids as their strings compare, across bytes and texts', () => {
    const ids = RecordIds.join([fromBytes('u1,Café,u2'), RecordIds.of(['Café', 'u1', 'u1 '])]);
    const strings = ids.toArray();
    for (let i = 0; i < ids.length; i++) for (let j = 0; j < ids.length; j++) expect(ids.same(i, j)).toBe(strings[i] === strings[j]);
  });

  it('finds two different invalid byte sequences equal when both decode to U+FFFD', () => {
    const bytes = Uint8Array.from([0xff, 44, 0xfe]);
    const ids = new RecordIds([bytes], null, Int32Array.from([0, 2]), Int32Array.from([1, 3]), 2);
    expect(ids.at(0)).toBe('\uFFFD');
    expect(ids.same(0, 1)).toBe(true);
  });

  it('hashes an id as hashKey hashes its string', () => {
    const ids = RecordIds.join([fromBytes('u1,Café'), RecordIds.of(['x', 'Café'])]);
    for (let i = 0; i < ids.length; i++) expect(ids.hash(i)).toBe(hashKey(ids.at(i)));
  });

  it('selects rows without copying an id', () => {
    const ids = RecordIds.join([RecordIds.of(['a', 'b']), fromBytes('c,d')]);
    const picked = ids.select([3, 0, 2]);
    expect(picked.toArray()).toEqual(['d', 'a', 'c']);
    expect(picked.sources).toBe(ids.sources);
  });

  it('gives rows as one text with each id’s end, the stored form', () => {
    expect(fromBytes('u1,Café,x').text(1, 3)).toEqual({ text: 'Caféx', ends: Uint32Array.from([4, 5]) });
    expect(fromBytes('u1,u22,x').text(0, 3)).toEqual({ text: 'u1u22x', ends: Uint32Array.from([2, 5, 6]) });
    expect(RecordIds.of(['a', 'bc']).text(0, 2)).toEqual({ text: 'abc', ends: Uint32Array.from([1, 3]) });
  });
});
