import { unzipSync } from 'fflate';
import type { ContractError } from '../bundle/contractError';
import { recognizeCsv, recognizeHeaderLine, type FileKind } from '../bundle/recognize';
import { convertTable, type ConvertContext } from './convert';
import { decodeText, firstLine, isUtf8, type DecodedText } from './read/decodeText';
import { readCsvText } from './read/readCsv';
import { ReadError } from './read/readError';
import { readTable } from './read/readTable';
import { nearestProfiles, recognizeSource, type NearProfile } from './recognizeSource';
import type { Conversion, FileOverrides, RawTable, SourceProfile } from './types';

/**
 * A drop (or the CLI's paths), file by file: a bundle file goes the bundle's way, a raw export
 * through its profile, a file no profile knows to the wizard, and everything else is listed as
 * skipped with the reason. Nothing is left out without a word.
 */

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export type FileOutcome =
  /** `bytes` (and an empty `text`) for a bundle usage.csv, which the bundle reader reads from its bytes. */
  | { file: string; status: 'bundle'; kind: FileKind | 'workspace'; text: string; bytes?: Uint8Array; notes: string[] }
  | { file: string; status: 'converted'; conversion: Conversion }
  | { file: string; status: 'unknown'; table: RawTable; nearest: NearProfile[]; hints: string[] }
  | { file: string; status: 'skipped'; reason: string }
  /** `table` and `profile` when the file was read and recognised but its values did not convert (a locale to adjust, say). */
  | { file: string; status: 'failed'; errors: ContractError[]; table?: RawTable; profile?: SourceProfile };

/** What operating systems and zippers add on their own. */
const SYSTEM_FILE = /(^|\/)(\.[^/]*|__MACOSX\/.*|Thumbs\.db|desktop\.ini)$/i;
const TABLE_FILE = /\.(csv|tsv|txt|xlsx|xlsm)$/i;

export async function convertFiles(
  files: readonly InputFile[],
  profiles: readonly SourceProfile[],
  overrides: Record<string, FileOverrides> = {},
  context: ConvertContext = {},
): Promise<FileOutcome[]> {
  const { files: expanded, failed } = expandZips(files);
  const out: FileOutcome[] = [...failed];
  for (const file of expanded) out.push(await convertFile(file, profiles, overrides[file.name] ?? {}, context));
  return out;
}

/** A zip's entries as files of their own ("march.zip/usage.csv"); an unreadable zip is a failed file. */
export function expandZips(files: readonly InputFile[]): { files: InputFile[]; failed: FileOutcome[] } {
  const out: InputFile[] = [];
  const failed: FileOutcome[] = [];
  for (const file of files) {
    if (!/\.zip$/i.test(file.name)) {
      out.push(file);
      continue;
    }
    try {
      const entries = unzipSync(file.bytes, { filter: (entry) => !entry.name.endsWith('/') });
      for (const [entry, bytes] of Object.entries(entries)) out.push({ name: `${file.name}/${entry.replace(/\\/g, '/')}`, bytes });
    } catch (error) {
      failed.push({ file: file.name, status: 'failed', errors: [{ file: file.name, message: `not a readable zip file (${error instanceof Error ? error.message : String(error)})` }] });
    }
  }
  return { files: out, failed };
}

export async function convertFile(file: InputFile, profiles: readonly SourceProfile[], override: FileOverrides = {}, context: ConvertContext = {}): Promise<FileOutcome> {
  const name = file.name;
  if (SYSTEM_FILE.test(name)) return { file: name, status: 'skipped', reason: 'a system file, not data' };
  if (/\.json$/i.test(name)) return jsonFile(file);
  if (/\.xls$/i.test(name)) return { file: name, status: 'skipped', reason: 'an old Excel .xls workbook: save it as .xlsx or CSV and drop it again' };
  if (!TABLE_FILE.test(name)) return { file: name, status: 'skipped', reason: `not a table (${extension(name)}): Ledgerline reads CSV, TSV, TXT, XLSX, JSON and ZIP files` };

  const isHeader = (cells: string[]) => recognizeCsv(cells) !== null || recognizeSource(cells, profiles) !== null;
  // A bundle usage.csv (a million rows, 100 MB) is read by the bundle reader from its bytes: no text of it is built.
  if (override.profileId === undefined && isCsvName(file) && recognizeHeaderLine(firstLine(file.bytes)) === 'usage' && isUtf8(file.bytes)) {
    return { file: name, status: 'bundle', kind: 'usage', text: '', bytes: file.bytes, notes: [] };
  }
  const text = csvText(file);
  // A bundle file (possibly a million-row usage.csv) is recognised from its first line and goes
  // to the bundle reader as it is: no raw table of it is built.
  if (text !== null && text.encoding === 'utf-8' && override.profileId === undefined) {
    const kind = recognizeHeaderLine(text.text);
    if (kind !== null) return { file: name, status: 'bundle', kind, text: text.text, notes: text.notes };
  }
  let table: RawTable;
  try {
    table = text !== null ? readCsvText(name, text.text, { isHeader, encoding: text.encoding, notes: text.notes }) : await readTable(name, file.bytes, isHeader);
  } catch (error) {
    if (error instanceof ReadError) return { file: name, status: 'failed', errors: [error.problem] };
    throw error;
  }

  const profile = override.profileId !== undefined ? profiles.find((p) => p.id === override.profileId) ?? null : recognizeSource(table.header, profiles);
  if (profile === null) {
    if (override.profileId !== undefined) return { file: name, status: 'failed', errors: [{ file: name, message: `no profile with id "${override.profileId}"` }] };
    return { file: name, status: 'unknown', table, nearest: nearestProfiles(table.header, profiles), hints: hintsFor(table) };
  }
  const result = convertTable(table, profile, override, context);
  return result.ok ? { file: name, status: 'converted', conversion: result.conversion } : { file: name, status: 'failed', errors: result.errors, table, profile };
}

function jsonFile(file: InputFile): FileOutcome {
  const { text, notes } = decodeText(file.name, file.bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { file: file.name, status: 'skipped', reason: 'a JSON file that does not parse (only a bundle\'s workspace.json is read)' };
  }
  const isWorkspace = typeof value === 'object' && value !== null && 'asOf' in value;
  return isWorkspace
    ? { file: file.name, status: 'bundle', kind: 'workspace', text, notes }
    : { file: file.name, status: 'skipped', reason: 'a JSON file that is not a workspace.json (no "asOf")' };
}

/** The decoded text of a CSV-like file; null for a workbook, or bytes that are really a zip (readTable says so). */
/** A text table by its name, and not a zip (an .xlsx renamed .csv starts with "PK"). */
function isCsvName(file: InputFile): boolean {
  return /\.(csv|tsv|txt)$/i.test(file.name) && !(file.bytes[0] === 0x50 && file.bytes[1] === 0x4b);
}

function csvText(file: InputFile): DecodedText | null {
  return isCsvName(file) ? decodeText(file.name, file.bytes) : null;
}

function extension(name: string): string {
  const m = /\.([^./]+)$/.exec(name);
  return m ? `.${m[1]!.toLowerCase()}` : 'no extension';
}

/** What the wizard says about a file before the user maps it. */
function hintsFor(table: RawTable): string[] {
  const hints = [...table.notes];
  if (table.delimiter === ';') hints.push('Separated by semicolons: probably saved by Excel with European settings, so numbers may use a decimal comma.');
  if (table.delimiter === '\t') hints.push('Separated by tabs.');
  if (table.headerRow > 1) hints.push(`The header is on row ${table.headerRow}; the rows above it are skipped.`);
  if (table.sheet) hints.push(`Read from the sheet "${table.sheet}".`);
  return hints;
}
