import readXlsxFile from 'read-excel-file/universal';
import type { RawCell, RawTable } from '../types';
import { readError } from './readError';
import type { IsHeader } from './records';
import { findHeader, tableFromRecords } from './records';

/**
 * .xlsx through read-excel-file's "universal" entry (ArrayBuffer in, no Node or DOM API beyond
 * Blob/ArrayBuffer, unzips with fflate). Cells Excel typed keep their type as a TypedCell with
 * canonical text, so a German profile never reads the number 2576.49 as "2576,49"-style text.
 */

const DAY_MS = 86_400_000;

type SheetCell = string | number | boolean | Date | null;
interface SheetRows {
  name: string;
  records: RawCell[][];
}

/**
 * Takes the first worksheet whose header isHeader recognises (exports sometimes put a cover or
 * a pivot sheet first), else the first worksheet. Throws ReadError.
 */
export async function readXlsx(file: string, bytes: Uint8Array, isHeader?: IsHeader): Promise<RawTable> {
  const sheets = await readSheets(file, bytes);
  const headers = sheets.map((sheet) => findHeader(sheet.records, isHeader));
  const chosen = Math.max(0, headers.findIndex((header) => header.recognised));
  const found = headers[chosen]!;
  const sheet = sheets[chosen]!;
  if (found.index < 0) throw readError(file, `worksheet "${sheet.name}" is empty: there is no header row`, 1);
  const why = isHeader === undefined ? 'the first' : found.recognised ? 'the first with a recognised header row' : 'no worksheet has a recognised header row, so the first was read';
  const notes = sheetNotes(file, sheets, chosen, why);
  return tableFromRecords({ file, encoding: 'xlsx', delimiter: null, notes, sheet: sheet.name }, sheet.records, found.index);
}

/** With several worksheets the user should see which one became the table. */
function sheetNotes(file: string, sheets: readonly SheetRows[], chosen: number, why: string): string[] {
  if (sheets.length < 2) return [];
  const names = sheets.map((s) => `"${s.name}"`).join(', ');
  return [`${file}: read worksheet "${sheets[chosen]!.name}" of ${sheets.length} (${names}): ${why}`];
}

async function readSheets(file: string, bytes: Uint8Array): Promise<SheetRows[]> {
  checkContainer(file, bytes);
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    // trim off: a cell is the text of the file, as for CSV; the header is trimmed later.
    sheets = await readXlsxFile(toArrayBuffer(bytes), { trim: false });
  } catch (error) {
    throw readError(file, `not a readable .xlsx workbook (${describe(error)})`);
  }
  if (sheets.length === 0) throw readError(file, 'the workbook has no worksheets');
  return sheets.map((sheet) => ({ name: sheet.sheet, records: sheet.data.map((row) => row.map((cell) => rawCell(cell as SheetCell))) }));
}

/**
 * An .xlsx is a zip. Checking the signature first turns the two common mix-ups (a CSV saved
 * with an .xlsx name; an old binary .xls) into a message that says what to do.
 */
function checkContainer(file: string, bytes: Uint8Array): void {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return;
  if (bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw readError(file, 'this is an old Excel 97–2003 workbook (.xls), not .xlsx: open it in Excel and save it as .xlsx or CSV');
  }
  if (bytes.length === 0) throw readError(file, 'the file is empty');
  throw readError(file, 'not an .xlsx workbook (an .xlsx file is a zip archive and this one is not); if it is a CSV export, name it .csv');
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'INVALID_ZIP') return 'the zip archive is damaged';
  if (code === 'NO_DATA') return 'the file is empty';
  return error instanceof Error ? error.message : String(error);
}

/** A view on part of a larger buffer must not hand the library the bytes around it. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function rawCell(cell: SheetCell): RawCell {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return { kind: 'number', text: plainDecimal(cell) };
  if (typeof cell === 'boolean') return { kind: 'boolean', text: cell ? 'true' : 'false' };
  return { kind: 'date', text: isoDateText(cell) };
}

/**
 * A number as its shortest round-trip decimal (what String gives), with an exponent written
 * out: 1e-7 → "0.0000001", 1e21 → "1000000000000000000000". Excel stores 17 significant digits
 * ("2576.4899999999998"); the shortest form is the number the user typed ("2576.49").
 */
export function plainDecimal(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const text = String(value);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, sign, lead, fraction = '', exponent] = m;
  const digits = lead! + fraction;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * read-excel-file gives dates as Date objects at UTC (the serial day number taken as UTC) and
 * floors the milliseconds, so 10:00 can arrive as 09:59:59.999: rounding to the second undoes
 * that. Midnight is a plain date, anything else a UTC date-time.
 */
export function isoDateText(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return '';
  const ms = Math.round(time / 1000) * 1000;
  const iso = new Date(ms).toISOString();
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS === 0 ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}
