import { describe, expect, it } from 'vitest';
import { readTable, tryReadTable } from '../../worker/sources/read/readTable';
import { rejection } from './helpers/rejection';
import { writeXlsx } from './helpers/xlsxWriter';

const utf8 = (s: string) => new TextEncoder().encode(s);


describe('readTable', () => {
  it('reads .csv, .txt and .tsv as delimited text', async () => {
    for (const name of ['a.csv', 'b.TXT', 'dir/c.tsv']) {
      expect((await readTable(name, utf8('Name\tQty\nAnn\t1\n'))).rows).toEqual([['Ann', '1']]);
    }
  });

  it('reads .xlsx as a workbook', async () => {
    const table = await readTable('Users.XLSX', writeXlsx([{ name: 'S', rows: [['Name'], ['Ann']] }]));
    expect(table.encoding).toBe('xlsx');
    expect(table.rows).toEqual([['Ann']]);
  });

  it('passes isHeader on to the reader', async () => {
    const table = await readTable('p.csv', utf8('Title\nName;Qty\nAnn;1\n'), (cells) => cells[0] === 'Name');
    expect(table.headerRow).toBe(2);
  });

  it('rejects an .xlsx that is not a zip', async () => {
    expect((await rejection(readTable('x.xlsx', utf8('Name\n')))).problem.message).toMatch(/^not an \.xlsx workbook/);
  });

  it('rejects a .csv that is really a workbook', async () => {
    const error = await rejection(readTable('x.csv', writeXlsx([{ name: 'S', rows: [['Name']] }])));
    expect(error.problem.message).toBe('this .csv file is a zip archive (probably an .xlsx workbook): name it .xlsx');
  });

  it('rejects .xls and unknown extensions with what to export instead', async () => {
    expect((await rejection(readTable('old.xls', new Uint8Array(8)))).problem.message).toMatch(/save it as \.xlsx or CSV$/);
    expect((await rejection(readTable('data.pdf', new Uint8Array(8)))).problem.message).toBe('cannot read ".pdf" files: export as CSV (.csv, .txt, .tsv) or Excel (.xlsx)');
  });

  it('gives a result instead of a rejection through tryReadTable', async () => {
    expect(await tryReadTable('bad.csv', utf8('a\n"x\n'))).toEqual({ ok: false, error: { file: 'bad.csv', row: 2, message: 'malformed CSV: a quoted cell is never closed (a " without its closing ")' } });
    expect(await tryReadTable('ok.csv', utf8('a\n1\n'))).toMatchObject({ ok: true, table: { rows: [['1']] } });
  });
});
