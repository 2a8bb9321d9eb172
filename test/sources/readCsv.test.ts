import { describe, expect, it } from 'vitest';
import { readCsv, readCsvText } from '../../worker/sources/read/readCsv';
import { ReadError } from '../../worker/sources/read/readError';

const utf8 = (s: string) => new TextEncoder().encode(s);
const isHeader = (cells: string[]) => cells.includes('Display name');

function readError(run: () => unknown): ReadError {
  try {
    run();
  } catch (error) {
    if (error instanceof ReadError) return error;
    throw error;
  }
  throw new Error('expected a ReadError');
}

describe('readCsvText', () => {
  it('reads a comma-separated file: header row 1, records from row 2', () => {
    const table = readCsvText('a.csv', 'Name,Qty\nAnn,1\nBob,2\n');
    expect(table).toEqual({
      file: 'a.csv', header: ['Name', 'Qty'], headerRow: 1, rows: [['Ann', '1'], ['Bob', '2']], rowNumbers: [2, 3],
      encoding: 'utf-8', delimiter: ',', notes: [],
    });
  });

  it('trims the header and removes a BOM, but leaves data cells as written', () => {
    const table = readCsvText('a.csv', '\uFEFF Name , Qty \n Ann ,1\n');
    expect(table.header).toEqual(['Name', 'Qty']);
    expect(table.rows).toEqual([[' Ann ', '1']]);
  });

  it('keeps the semicolon of the header although data rows hold decimal commas', () => {
    const table = readCsvText('de.csv', 'Kunde;Menge;Preis\nMüller;1,5;12,50\nSchmidt;2,25;1.234,00\n');
    expect(table.delimiter).toBe(';');
    expect(table.rows).toEqual([['Müller', '1,5', '12,50'], ['Schmidt', '2,25', '1.234,00']]);
  });

  it('reads a tab-separated file', () => {
    const table = readCsvText('t.tsv', 'Name\tQty\nAnn\t1,5\n');
    expect(table.delimiter).toBe('\t');
    expect(table.rows).toEqual([['Ann', '1,5']]);
  });

  it('reads quoted cells holding the delimiter, doubled quotes and line breaks, with CRLF line ends', () => {
    const table = readCsvText('q.csv', 'Name,Note\r\n"Smith, Ann","said ""hi""\r\nand left"\r\nBob,x\r\n');
    expect(table.rows).toEqual([['Smith, Ann', 'said "hi"\r\nand left'], ['Bob', 'x']]);
  });

  it('numbers rows as a spreadsheet does: a multi-line cell is one row, blank lines count', () => {
    const table = readCsvText('r.csv', 'Name,Note\nAnn,"line 1\nline 2\nline 3"\n\nBob,x\n,\nCid,y');
    expect(table.rows.map((row) => row[0])).toEqual(['Ann', 'Bob', 'Cid']);
    expect(table.rowNumbers).toEqual([2, 4, 6]);
  });

  it('skips a title above the header when isHeader recognises the header', () => {
    const table = readCsvText('m365.csv', 'Report generated 2026-11-28\n\nDisplay name;User principal name\nAnn;ann@acme.com\n', { isHeader });
    expect(table.headerRow).toBe(3);
    expect(table.header).toEqual(['Display name', 'User principal name']);
    expect(table.delimiter).toBe(';');
    expect(table.rows).toEqual([['Ann', 'ann@acme.com']]);
    expect(table.rowNumbers).toEqual([4]);
  });

  it('takes the delimiter from the recognised header, not from a preamble line', () => {
    const table = readCsvText('p.csv', 'Tenant: Acme, Inc., exported by admin\nDisplay name;Licenses\nAnn;E3\n', { isHeader });
    expect(table.delimiter).toBe(';');
    expect(table.headerRow).toBe(2);
  });

  it('falls back to the first non-blank record when isHeader recognises none', () => {
    const table = readCsvText('x.csv', '\nFoo,Bar\n1,2\n', { isHeader });
    expect(table.headerRow).toBe(2);
    expect(table.header).toEqual(['Foo', 'Bar']);
  });

  it('skips a one-cell title line when isHeader recognises no header, taking delimiter and header from the next record', () => {
    const table = readCsvText('x.csv', 'Backup report generated 2026-11-28\nTenant;Machine\nacme;DC01\n', { isHeader });
    expect(table).toMatchObject({ headerRow: 2, header: ['Tenant', 'Machine'], delimiter: ';', rows: [['acme', 'DC01']] });
  });

  it('keeps the first record of a one-column file as its header when isHeader recognises none', () => {
    const table = readCsvText('x.csv', 'Name\nAnn\nBob\n', { isHeader });
    expect(table).toMatchObject({ headerRow: 1, header: ['Name'], rows: [['Ann'], ['Bob']] });
  });

  it('takes the first non-blank record as the header without isHeader, even a title line', () => {
    expect(readCsvText('x.csv', '\nReport\nA,B\n').headerRow).toBe(2);
  });

  it('looks for the header in the first 10 records only', () => {
    const preamble = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n');
    const table = readCsvText('x.csv', `${preamble}\nDisplay name,UPN\nAnn,a@x\n`, { isHeader });
    expect(table.headerRow).toBe(1);
  });

  it('rejects an unterminated quote, naming the file and the row where the cell starts', () => {
    const error = readError(() => readCsvText('bad.csv', 'Name,Note\nAnn,ok\nBob,"never closed\nCid,x\n'));
    expect(error.problem).toEqual({ file: 'bad.csv', row: 3, message: 'malformed CSV: a quoted cell is never closed (a " without its closing ")' });
  });

  it('rejects text after a closing quote', () => {
    const error = readError(() => readCsvText('bad.csv', 'Name,Note\n"Ann"x,1\n'));
    expect(error.problem.row).toBe(2);
    expect(error.problem.message).toMatch(/^malformed CSV: a quoted cell has text after its closing quote/);
  });

  it('rejects an empty file', () => {
    expect(readError(() => readCsvText('e.csv', '\n\n')).problem).toEqual({ file: 'e.csv', row: 1, message: 'the file is empty: there is no header row' });
  });

  it('reads a header-only file as a table without rows', () => {
    expect(readCsvText('h.csv', 'Name,Qty\r\n').rows).toEqual([]);
  });
});

describe('readCsv', () => {
  it('decodes the bytes and carries encoding and notes into the table', () => {
    const table = readCsv('Müller.csv', new Uint8Array([...utf8('Name;Ort\n'), 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x3b, 0x80, 0x0a]));
    expect(table.rows).toEqual([['Müller', '€']]);
    expect(table.encoding).toBe('windows-1252');
    expect(table.notes).toHaveLength(1);
  });
});
