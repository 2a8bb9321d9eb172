import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isoDateText, plainDecimal, readXlsx } from '../../worker/sources/read/readXlsx';
import { rejection } from './helpers/rejection';
import { writeXlsx } from './helpers/xlsxWriter';

const isHeader = (cells: string[]) => cells.includes('Display name');


const workbook = () => writeXlsx([
  {
    name: 'Users',
    rows: [
      [' Display name ', 'Quantity', 'Price', 'Last activity', 'Blocked'],
      ['Müller & Co', 3, 2576.49, new Date(Date.UTC(2026, 10, 3)), true],
      ['Ann', -12.5, 0.0001, new Date(Date.UTC(2026, 10, 3, 13, 45, 10)), false],
    ],
  },
  { name: 'Summary', rows: [['Total'], [3]] },
]);

describe('readXlsx', () => {
  it('reads strings as strings and typed cells with canonical text', async () => {
    const table = await readXlsx('u.xlsx', workbook());
    expect(table.header).toEqual(['Display name', 'Quantity', 'Price', 'Last activity', 'Blocked']);
    expect(table.rows).toEqual([
      ['Müller & Co', { kind: 'number', text: '3' }, { kind: 'number', text: '2576.49' }, { kind: 'date', text: '2026-11-03' }, { kind: 'boolean', text: 'true' }],
      ['Ann', { kind: 'number', text: '-12.5' }, { kind: 'number', text: '0.0001' }, { kind: 'date', text: '2026-11-03T13:45:10Z' }, { kind: 'boolean', text: 'false' }],
    ]);
    expect(table).toMatchObject({ file: 'u.xlsx', headerRow: 1, rowNumbers: [2, 3], encoding: 'xlsx', delimiter: null, sheet: 'Users' });
  });

  it('notes which worksheet was read when the workbook has several', async () => {
    expect((await readXlsx('u.xlsx', workbook())).notes).toEqual(['u.xlsx: read worksheet "Users" of 2 ("Users", "Summary"): the first']);
    expect((await readXlsx('u.xlsx', workbook(), isHeader)).notes).toEqual(['u.xlsx: read worksheet "Users" of 2 ("Users", "Summary"): the first with a recognised header row']);
  });

  it('takes the first worksheet whose header isHeader recognises', async () => {
    const bytes = writeXlsx([{ name: 'Cover', rows: [['Licence report'], ['Acme']] }, { name: 'Data', rows: [['Display name', 'UPN'], ['Ann', 'a@x']] }]);
    const table = await readXlsx('r.xlsx', bytes, isHeader);
    expect(table.sheet).toBe('Data');
    expect(table.rows).toEqual([['Ann', 'a@x']]);
  });

  it('reads the first worksheet, and says so, when no header is recognised', async () => {
    const bytes = writeXlsx([{ name: 'A', rows: [['x'], ['1']] }, { name: 'B', rows: [['y']] }]);
    const table = await readXlsx('r.xlsx', bytes, isHeader);
    expect(table.sheet).toBe('A');
    expect(table.notes[0]).toMatch(/no worksheet has a recognised header row, so the first was read$/);
  });

  it('keeps spreadsheet row numbers across empty rows and a preamble above the header', async () => {
    const bytes = writeXlsx([{ name: 'S', firstRow: 2, rows: [['Exported 2026-11-28'], [null], ['Display name', 'UPN'], ['Ann', 'a@x'], [null, null], ['Bob', 'b@x']] }]);
    const table = await readXlsx('r.xlsx', bytes, isHeader);
    expect(table.headerRow).toBe(4);
    expect(table.rowNumbers).toEqual([5, 7]);
    expect(table.notes).toEqual([]);
  });

  it('rounds a date-time to the second (the library floors float noise to 09:59:59.999)', async () => {
    const bytes = writeXlsx([{ name: 'S', rows: [['When'], [{ serial: 46000.1, format: 'datetime' }]] }]);
    expect((await readXlsx('d.xlsx', bytes)).rows).toEqual([[{ kind: 'date', text: '2025-12-09T02:24:00Z' }]]);
  });

  it('rejects a CSV saved under an .xlsx name with a message saying what to do', async () => {
    const error = await rejection(readXlsx('users.xlsx', strToU8('Name,Qty\nAnn,1\n')));
    expect(error.problem).toEqual({ file: 'users.xlsx', message: 'not an .xlsx workbook (an .xlsx file is a zip archive and this one is not); if it is a CSV export, name it .csv' });
  });

  it('rejects an old binary .xls workbook', async () => {
    const error = await rejection(readXlsx('old.xlsx', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])));
    expect(error.problem.message).toMatch(/Excel 97–2003 workbook \(\.xls\)/);
  });

  it('rejects a zip that is not a workbook', async () => {
    const error = await rejection(readXlsx('z.xlsx', zipSync({ 'hello.txt': strToU8('hi') })));
    expect(error.problem.message).toMatch(/^not a readable \.xlsx workbook/);
  });

  it('rejects a workbook whose first worksheet is empty', async () => {
    const error = await rejection(readXlsx('e.xlsx', writeXlsx([{ name: 'Empty', rows: [] }])));
    expect(error.problem).toEqual({ file: 'e.xlsx', row: 1, message: 'worksheet "Empty" is empty: there is no header row' });
  });
});

describe('plainDecimal', () => {
  it('writes the shortest round-trip decimal', () => expect(plainDecimal(2576.4899999999998)).toBe('2576.49'));
  it('writes small numbers without an exponent', () => expect(plainDecimal(1.5e-7)).toBe('0.00000015'));
  it('writes large numbers without an exponent', () => expect(plainDecimal(-1.25e21)).toBe('-1250000000000000000000'));
  it('writes negative zero as 0', () => expect(plainDecimal(-0)).toBe('0'));
});

describe('isoDateText', () => {
  it('writes midnight UTC as a plain date', () => expect(isoDateText(new Date(Date.UTC(2026, 0, 31)))).toBe('2026-01-31'));
  it('writes other times as UTC date-times', () => expect(isoDateText(new Date(Date.UTC(2026, 0, 31, 0, 0, 1)))).toBe('2026-01-31T00:00:01Z'));
});
