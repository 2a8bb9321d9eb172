import { describe, expect, it } from 'vitest';
import { detectDelimiter, findDelimiter, leadingRecords } from '../../worker/sources/read/delimiter';

describe('detectDelimiter', () => {
  it('finds a comma', () => expect(detectDelimiter('Name,Qty,Price')).toBe(','));
  it('finds a semicolon', () => expect(detectDelimiter('Name;Anzahl;Preis')).toBe(';'));
  it('finds a tab', () => expect(detectDelimiter('Name\tQty\tPrice')).toBe('\t'));
  it('takes the most frequent candidate', () => expect(detectDelimiter('Name;Price, net;Qty')).toBe(';'));
  it('does not count delimiters inside double quotes', () => expect(detectDelimiter('"a;b;c","d;e",f')).toBe(','));
  it('reads a one-column header as comma-separated', () => expect(detectDelimiter('Name')).toBe(','));
  it('prefers tab, then semicolon, on a tie', () => {
    expect(detectDelimiter('a\tb,c')).toBe('\t');
    expect(detectDelimiter('a;b,c')).toBe(';');
  });
});

describe('findDelimiter', () => {
  it('gives null for a record without any candidate (a title line)', () => expect(findDelimiter('Report "a;b" 2026')).toBeNull());
});

describe('leadingRecords', () => {
  it('splits on LF, CRLF and CR', () => expect(leadingRecords('a\nb\r\nc\rd', 10)).toEqual(['a', 'b', 'c', 'd']));
  it('keeps line breaks inside quotes in one record', () => expect(leadingRecords('"x\ny",1\nz', 10)).toEqual(['"x\ny",1', 'z']));
  it('stops after max records', () => expect(leadingRecords('a\nb\nc\n', 2)).toEqual(['a', 'b']));
});
