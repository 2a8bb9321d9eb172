import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUtf8 } from '../../worker/sources/read/decodeText';
import { converted } from './fixtures';
import { csvLine, encode1252 } from './helpers/encodings';
import { writeXlsx, type XlsxCell } from './helpers/xlsxWriter';

/**
 * The same export, however it reaches us, gives the same bundle rows: UTF-8 or Windows-1252,
 * comma, semicolon or tab, any column order, CSV or its .xlsx twin.
 */

const HEADER = ['Usage Customer', 'Device ID', 'Device Name', 'Product', 'UOM', 'Quantity', 'Last Seen'];

interface Device {
  customer: string;
  id: string;
  name: string;
  product: string;
  uom: string;
  /** Hundredths, so the CSV can write it with thousands separators and the xlsx as a number. */
  hundredths: number;
  day: Date;
}

// Latin text with the characters that differ between encodings, delimiters and quoting.
const latin = fc.stringMatching(/^[A-Za-zÄÖÜäöüßéèçñ€‘’“” ,;&.-]{1,14}$/).map((s) => s.trim()).filter((s) => /[A-Za-z]/.test(s));
const device = fc.record({
  customer: latin,
  id: fc.stringMatching(/^NB-[0-9]{1,5}$/),
  name: latin,
  product: fc.constantFrom('Server', 'Workstation', 'Cove Data Protection - Server', 'Backup Storage (GB)'),
  uom: fc.constantFrom('Device', 'GB'),
  hundredths: fc.integer({ min: 0, max: 99_999_999 }),
  day: fc.date({ min: new Date(Date.UTC(2020, 0, 1)), max: new Date(Date.UTC(2030, 11, 31)), noInvalidDate: true }).map((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))),
});
const devices = fc.array(device, { minLength: 1, maxLength: 12 });

const pad = (n: number) => String(n).padStart(2, '0');
/** "2,576.49" as an efile writes it. */
function quantityText(hundredths: number): string {
  const whole = Math.floor(hundredths / 100).toLocaleString('en-US');
  return `${whole}.${pad(hundredths % 100)}`;
}
const dayText = (d: Date) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;

function cells(d: Device): string[] {
  return [d.customer, d.id, d.name, d.product, d.uom, quantityText(d.hundredths), dayText(d.day)];
}

function csvText(rows: readonly Device[], delimiter = ',', order = HEADER.map((_, i) => i)): string {
  const lines = [HEADER, ...rows.map(cells)].map((r) => csvLine(order.map((i) => r[i]!), delimiter));
  return `${lines.join('\r\n')}\r\n`;
}

/** Fixed, as every property test here: CI runs the same cases every time. */
const SEED = 20261201;

const rowsOf = async (name: string, bytes: Uint8Array) => (await converted(name, bytes)).usage;
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the rows of an export do not depend on how it was saved', () => {
  it('UTF-8 and Windows-1252 give the same rows', async () => {
    await fc.assert(fc.asyncProperty(devices, async (rows) => {
      const text = csvText(rows);
      const bytes1252 = encode1252(text);
      // Windows-1252 bytes that also spell valid UTF-8 (Ü‘ is DC 91, the UTF-8 of U+0711) are read
      // as UTF-8, as the reading rule says (only a file that is not UTF-8 is read as Windows-1252):
      // no reader can tell them apart. The test below keeps that rule.
      fc.pre(!isUtf8(bytes1252));
      expect(await rowsOf('efile-1252.csv', bytes1252)).toEqual(await rowsOf('efile.csv', utf8(text)));
    }), { seed: SEED, numRuns: 40 });
  });

  it('reads Windows-1252 bytes that are also valid UTF-8 as UTF-8', async () => {
    const bytes = encode1252(csvText([{ customer: 'AÜ‘', id: 'NB-0', name: 'a', product: 'Server', uom: 'Device', hundredths: 0, day: new Date(Date.UTC(2020, 0, 1)) }]));
    expect(isUtf8(bytes)).toBe(true);
    const [row] = await rowsOf('efile-1252.csv', bytes);
    expect(row!.external_client_id).toBe('A\u0711');
  });

  it('comma, semicolon and tab give the same rows', async () => {
    await fc.assert(fc.asyncProperty(devices, fc.constantFrom(';', '\t'), async (rows, delimiter) => {
      expect(await rowsOf('efile.csv', utf8(csvText(rows, delimiter)))).toEqual(await rowsOf('efile.csv', utf8(csvText(rows))));
    }), { seed: SEED, numRuns: 40 });
  });

  it('the order of the columns does not matter', async () => {
    const order = fc.shuffledSubarray(HEADER.map((_, i) => i), { minLength: HEADER.length, maxLength: HEADER.length });
    await fc.assert(fc.asyncProperty(devices, order, async (rows, columns) => {
      expect(await rowsOf('efile.csv', utf8(csvText(rows, ',', columns)))).toEqual(await rowsOf('efile.csv', utf8(csvText(rows))));
    }), { seed: SEED, numRuns: 40 });
  });

  it('the .xlsx twin (numbers and dates typed by Excel) gives the same rows as the CSV', async () => {
    await fc.assert(fc.asyncProperty(devices, async (rows) => {
      const sheet: XlsxCell[][] = [HEADER, ...rows.map((d): XlsxCell[] => [d.customer, d.id, d.name, d.product, d.uom, d.hundredths / 100, d.day])];
      const xlsx = writeXlsx([{ name: 'Usage', rows: sheet }]);
      expect(await rowsOf('efile.xlsx', xlsx)).toEqual(await rowsOf('efile.csv', utf8(csvText(rows))));
    }), { seed: SEED, numRuns: 25 });
  });
});
