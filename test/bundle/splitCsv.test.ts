import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { splitCsvRecords } from '../../worker/bundle/splitCsv';

const parse = (text: string) => Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: true }).data;

describe('splitCsvRecords cuts only between records', () => {
  it('gives the header and bodies whose records join back to the file', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `r${i},"name, ${i}","line one\nline two of ${i}"`);
    const text = `id,name,note\n${rows.join('\n')}\n`;
    for (const parts of [2, 3, 7]) {
      const { header, bodies } = splitCsvRecords(text, parts);
      expect(header).toBe('id,name,note');
      expect(bodies.length).toBe(parts);
      expect(bodies.join('')).toBe(text.slice(header.length + 1));
      expect(bodies.flatMap(parse)).toEqual(parse(text).slice(1));
    }
  });

  it('never cuts inside a quoted field holding line breaks and escaped quotes', () => {
    const long = `"${'x""\n'.repeat(5_000)}"`;
    const text = `a,b\n1,${long}\n2,plain\n`;
    const { bodies } = splitCsvRecords(text, 2);
    expect(bodies.flatMap(parse)).toEqual(parse(text).slice(1));
    expect(bodies.length).toBeLessThanOrEqual(2);
  });

  it('keeps a CRLF header clean', () => {
    expect(splitCsvRecords('a,b\r\n1,2\r\n3,4\r\n', 2).header).toBe('a,b');
  });

  it('returns no bodies when there is no record', () => {
    expect(splitCsvRecords('a,b', 2)).toEqual({ header: 'a,b', bodies: [] });
  });
});
