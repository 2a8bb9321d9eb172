import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvCell, num, toCsv } from '../../worker/export/csvExport';

const BOM = '\uFEFF';

describe('csvCell: formula injection', () => {
  it.each([
    ['=', '=SUM(A1:A9)'],
    ['+', '+1+2'],
    ['-', '-2+3'],
    ['@', '@SUM(A1)'],
    ['full-width =', '\uFF1DSUM(A1)'],
    ['full-width +', '\uFF0B1'],
    ['full-width -', '\uFF0D1'],
    ['full-width @', '\uFF20SUM(A1)'],
  ])('prefixes an apostrophe to text starting with %s', (_label, text) => {
    expect(csvCell(text)).toBe(`'${text}`);
  });

  it('prefixes a leading tab', () => {
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
  });

  it('prefixes and quotes a leading CR', () => {
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('prefixes and quotes a leading LF', () => {
    expect(csvCell('\n=1+1')).toBe(`"'\n=1+1"`);
  });

  it('prefixes a formula and still quotes its commas and quotes', () => {
    expect(csvCell('=HYPERLINK("http://x.example","click, here")')).toBe(`"'=HYPERLINK(""http://x.example"",""click, here"")"`);
  });

  it('treats a negative amount given as text as text, and defuses it', () => {
    expect(csvCell('-12.50')).toBe("'-12.50");
  });

  it('leaves a trigger character that is not first alone', () => {
    expect(csvCell('Smith-Jones = partners @ HQ')).toBe('Smith-Jones = partners @ HQ');
  });
});

describe('csvCell: numbers', () => {
  it('writes a negative money number verbatim, with no apostrophe', () => {
    expect(csvCell({ number: '-12.50' })).toBe('-12.50');
  });

  it('writes integers and decimals verbatim', () => {
    expect([csvCell({ number: '3' }), csvCell({ number: '12.5' }), csvCell({ number: '0.0001' })]).toEqual(['3', '12.5', '0.0001']);
  });

  it.each(['=1+1', '1e5', '12,50', '+5', '.5', '5.', '', ' 5', 'NaN'])('refuses %j as a number', (value) => {
    expect(() => csvCell({ number: value })).toThrow(/not a plain decimal number/);
  });

  it('makes a number cell from a whole JS number', () => {
    expect(csvCell(num(-7))).toBe('-7');
  });

  it('refuses a fractional JS number, which could be a float amount', () => {
    expect(() => num(0.1 + 0.2)).toThrow(/not a whole number/);
  });
});

describe('csvCell: plain text', () => {
  it('writes null as an empty field', () => {
    expect(csvCell(null)).toBe('');
  });

  it('quotes a comma', () => {
    expect(csvCell('Smith, Jones & Co')).toBe('"Smith, Jones & Co"');
  });

  it('quotes and doubles quotes', () => {
    expect(csvCell('The "Best" Ltd')).toBe('"The ""Best"" Ltd"');
  });

  it('quotes an embedded line break', () => {
    expect(csvCell('line one\r\nline two')).toBe('"line one\r\nline two"');
  });

  it('passes HTML through untouched: a CSV is not a web page', () => {
    expect(csvCell('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });

  it('passes CJK and accents through untouched', () => {
    expect(csvCell('株式会社サンプル Ørsted')).toBe('株式会社サンプル Ørsted');
  });

  it('leaves an empty string empty', () => {
    expect(csvCell('')).toBe('');
  });
});

describe('toCsv', () => {
  it('starts with a UTF-8 BOM by default', () => {
    expect(toCsv(['a'], []).startsWith(BOM)).toBe(true);
  });

  it('leaves the BOM out on request', () => {
    expect(toCsv(['a'], [['x']], { bom: false })).toBe('a\r\nx\r\n');
  });

  it('ends every record with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', null], [{ number: '2' }, 'y']])).toBe(`${BOM}a,b\r\n1,\r\n2,y\r\n`);
  });

  it('defuses and quotes header cells like any text', () => {
    expect(toCsv(['=cmd', 'Amount (USD, net)'], [], { bom: false })).toBe(`'=cmd,"Amount (USD, net)"\r\n`);
  });

  it('reads back through a CSV parser to the same cells, apostrophes aside', () => {
    const rows = [
      ['Smith, Jones & Co', { number: '-12.50' }, 'say "hi"\nbye'],
      ['株式会社', null, '<b>x</b>'],
    ];
    const parsed = Papa.parse<string[]>(toCsv(['name', 'amount', 'note'], rows, { bom: false }), { skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['name', 'amount', 'note'],
      ['Smith, Jones & Co', '-12.50', 'say "hi"\nbye'],
      ['株式会社', '', '<b>x</b>'],
    ]);
  });
});
