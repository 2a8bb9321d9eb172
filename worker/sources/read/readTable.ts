import type { ContractError } from '../../bundle/contractError';
import type { RawTable } from '../types';
import { readCsv } from './readCsv';
import { readError, ReadError } from './readError';
import type { IsHeader } from './records';
import { readXlsx } from './readXlsx';

export { ReadError } from './readError';
export type { IsHeader } from './records';

const CSV_EXTENSIONS = ['.csv', '.txt', '.tsv'];

/**
 * Any supported raw export → RawTable, chosen by the file's extension (what the user sees and
 * can fix), not by sniffing. Rejects with ReadError.
 */
export async function readTable(file: string, bytes: Uint8Array, isHeader?: IsHeader): Promise<RawTable> {
  const extension = extensionOf(file);
  if (extension === '.xlsx' || extension === '.xlsm') return readXlsx(file, bytes, isHeader);
  if (CSV_EXTENSIONS.includes(extension)) {
    if (looksLikeZip(bytes)) throw readError(file, `this ${extension} file is a zip archive (probably an .xlsx workbook): name it .xlsx`);
    return readCsv(file, bytes, isHeader);
  }
  if (extension === '.xls') throw readError(file, 'old Excel 97–2003 workbooks (.xls) cannot be read: open it in Excel and save it as .xlsx or CSV');
  throw readError(file, `cannot read "${extension || 'no extension'}" files: export as CSV (.csv, .txt, .tsv) or Excel (.xlsx)`);
}

/** The same as readTable, for callers that pass results across a worker boundary (an Error's fields do not survive the clone). */
export async function tryReadTable(
  file: string,
  bytes: Uint8Array,
  isHeader?: IsHeader,
): Promise<{ ok: true; table: RawTable } | { ok: false; error: ContractError }> {
  try {
    return { ok: true, table: await readTable(file, bytes, isHeader) };
  } catch (error) {
    if (error instanceof ReadError) return { ok: false, error: error.problem };
    return { ok: false, error: { file, message: `could not be read: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

function extensionOf(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}
