/**
 * Properties of the reading layer (fast-check, fixed seed): the encoding, the delimiter and the
 * container (CSV or .xlsx) of a table never change what is read from it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCALES, parseLocaleNumber } from '../../worker/sources/locale';
import { readCsv } from '../../worker/sources/read/readCsv';
import { readXlsx } from '../../worker/sources/read/readXlsx';
import { cellText } from '../../worker/sources/types';
import { encode1252 } from './helpers/encodings';
import { writeXlsx } from './helpers/xlsxWriter';

const SEED = 20261128;
const RUNS = 100;


/** Quotes a cell holding any candidate delimiter, so the header row shows only the real one. */
function csvCell(cell: string): string {
  return /[,;\t"\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}
function writeCsv(header: string[], rows: string[][], delimiter: string, eol = '\n'): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(delimiter)).join(eol) + eol;
}

const isBlank = (row: string[]) => row.every((cell) => cell.trim() === '');

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,8}[A-Za-z]$/);
/** A table of `cell` values with a unique-enough header of 1–4 columns. */
function table(cell: fc.Arbitrary<string>) {
  return fc.integer({ min: 1, max: 4 }).chain((width) =>
    fc.record({
      header: fc.array(headerName, { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 8 }),
    }));
}

/**
 * Latin text as German and French exports hold it. Every non-ASCII character is followed by an
 * ASCII one: that is what real words look like, and it keeps the Windows-1252 bytes invalid as
 * UTF-8 (a lead byte like ä = 0xE4 followed by €‘ = 0x80 0x91 would be valid UTF-8, and then no
 * decoder could tell; real text does not contain such runs).
 */
const latinCell = fc
  .array(fc.oneof(
    fc.constantFrom(...'abcXYZ019 .-,;"\n'),
    fc.tuple(fc.constantFrom(...'äöüßÄÖÜ€‘’“”„–éç'), fc.constantFrom(...'aeinrst ')).map(([a, b]) => a + b),
  ), { maxLength: 6 })
  .map((parts) => parts.join(''));

describe('reading properties', () => {
  it('(a) Latin text reads the same from UTF-8 and from Windows-1252', () => {
    fc.assert(fc.property(table(latinCell), ({ header, rows }) => {
      const text = writeCsv(header, rows, ';', '\r\n');
      const fromUtf8 = readCsv('u.csv', new TextEncoder().encode(text));
      const from1252 = readCsv('w.csv', encode1252(text));
      expect(from1252.rows).toEqual(fromUtf8.rows);
      expect(from1252.rowNumbers).toEqual(fromUtf8.rowNumbers);
      expect(fromUtf8.rows).toEqual(rows.filter((row) => !isBlank(row)));
      expect(fromUtf8.encoding).toBe('utf-8');
      if (/[^ -~\t\r\n]/.test(text)) expect(from1252.encoding).toBe('windows-1252');
    }), { seed: SEED, numRuns: RUNS });
  });

  it('(b) a table reads the same written with comma, semicolon or tab', () => {
    const cell = fc.string({ unit: fc.constantFrom(...'ab1 ,;\t"\n.'), maxLength: 6 });
    fc.assert(fc.property(table(cell), ({ header, rows }) => {
      const [comma, semicolon, tab] = [',', ';', '\t'].map((d) => readCsv('t.csv', new TextEncoder().encode(writeCsv(header, rows, d))));
      expect([comma!.delimiter, semicolon!.delimiter, tab!.delimiter]).toEqual(header.length > 1 ? [',', ';', '\t'] : [',', ',', ',']);
      for (const t of [semicolon!, tab!]) {
        expect(t.header).toEqual(comma!.header);
        expect(t.rows).toEqual(comma!.rows);
        expect(t.rowNumbers).toEqual(comma!.rowNumbers);
      }
      expect(comma!.rows).toEqual(rows.filter((row) => !isBlank(row)));
    }), { seed: SEED, numRuns: RUNS });
  });

  it('(d) the .xlsx twin of a CSV gives the same strings and the same numbers', async () => {
    const text = fc.string({ unit: fc.constantFrom(...'abc XYZ äöü€,;"\n'), maxLength: 8 });
    const units = fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n });
    const row = fc.tuple(text, units);
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 8 }), async (records) => {
      const decimals = records.map(([, u]) => decimalText(u));
      const german = decimals.map((d) => d.replace('.', ','));
      const csv = readCsv('twin.csv', new TextEncoder().encode(writeCsv(['Name', 'Betrag'], records.map(([s], i) => [s, german[i]!]), ';')));
      const xlsx = await readXlsx('twin.xlsx', writeXlsx([{ name: 'S', rows: [['Name', 'Betrag'], ...records.map(([s], i): [string, number] => [s, Number(decimals[i])])] }]));
      expect(xlsx.rowNumbers).toEqual(csv.rowNumbers);
      expect(xlsx.rows.map((r) => cellText(r[0]))).toEqual(csv.rows.map((r) => cellText(r[0])));
      const parse = (cells: typeof csv.rows) => cells.map((r) => parseLocaleNumber(r[1]!, LOCALES['de-DE']));
      expect(parse(xlsx.rows)).toEqual(parse(csv.rows));
      expect(parse(csv.rows)).toEqual(decimals.map((value) => ({ ok: true, value })));
    }), { seed: SEED, numRuns: 50 });
  });
});

/** Canonical decimal of a count of 1/10,000 (trailing zeros removed). */
function decimalText(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const fraction = (abs % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / 10_000n}${fraction === '' ? '' : `.${fraction}`}`;
}
