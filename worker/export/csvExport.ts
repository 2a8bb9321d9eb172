/**
 * CSV for people who open it in Excel: RFC 4180 quoting, CRLF, a UTF-8 BOM, and text that a
 * spreadsheet would run as a formula defused.
 */

/**
 * A number cell is written verbatim so the spreadsheet reads it as a number; a plain string is
 * always text. The two must differ in type because "-12.50" is a fine amount but, as text from
 * an import (a client name, a product), a leading "-" is a formula trigger.
 */
export interface NumberCell {
  number: string;
}

export type Cell = string | NumberCell | null;

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A number cell from a decimal string ("-12.50") or an integer count. */
export function num(value: string | number): NumberCell {
  if (typeof value === 'number') {
    // Money never travels as a float here (spec §1); only whole counts may be JS numbers.
    if (!Number.isSafeInteger(value)) throw new Error(`not a whole number: ${value}`);
    return { number: String(value) };
  }
  return { number: value };
}

/**
 * Excel, LibreOffice and Google Sheets start a formula at these characters, the full-width forms
 * included (Excel normalises them); TAB, CR and LF are listed by OWASP because some importers strip
 * them and then see the next character.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

const NEEDS_QUOTES = /[",\r\n]/;

function quote(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function textField(value: string): string {
  // The apostrophe is what Excel itself uses to mark "this is text", and it is not shown.
  return quote(FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value);
}

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return textField(cell);
  if (!PLAIN_NUMBER.test(cell.number)) throw new Error(`not a plain decimal number: ${JSON.stringify(cell.number)}`);
  return cell.number;
}

function rawCell(cell: Cell): string {
  if (cell === null) return '';
  return quote(typeof cell === 'string' ? cell : cell.number);
}

export interface CsvOptions {
  /** Default true: without it Excel reads UTF-8 as the local code page and mangles "ø" and "株". */
  bom?: boolean;
  /**
   * Default true. False only for files Ledgerline reads back (a workspace bundle), where values
   * must round-trip exactly and no spreadsheet is involved.
   */
  neutraliseFormulas?: boolean;
}

/** Every record, the last included, ends with CRLF, as RFC 4180 writes it. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[], options: CsvOptions = {}): string {
  const lines = new Array<string>(rows.length + 1);
  const cell = options.neutraliseFormulas === false ? rawCell : csvCell;
  lines[0] = header.map(options.neutraliseFormulas === false ? quote : textField).join(',');
  for (let i = 0; i < rows.length; i++) lines[i + 1] = (rows[i] as readonly Cell[]).map(cell).join(',');
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}
