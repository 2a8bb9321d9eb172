import { strToU8, zipSync } from 'fflate';

/**
 * Writes a minimal but real .xlsx (the parts Excel itself writes: content types, relationships,
 * workbook, styles, shared strings, sheets) so the reader is tested against the file format, not
 * against a second library's idea of it. fflate is already a dependency; a writer package would
 * add one more for tests only.
 */

export type XlsxCell = string | number | boolean | Date | null | { serial: number; format: 'date' | 'datetime' };

export interface XlsxSheet {
  name: string;
  rows: XlsxCell[][];
  /** Spreadsheet row of rows[0] (default 1): leaves rows above empty, as an export with blank lines does. */
  firstRow?: number;
}

/** Styles 1 and 2 are built-in date formats 14 (m/d/yyyy) and 22 (m/d/yyyy h:mm). */
const STYLE_DATE = 1;
const STYLE_DATETIME = 2;

export function writeXlsx(sheets: XlsxSheet[]): Uint8Array {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const shared = (s: string): number => {
    let index = stringIndex.get(s);
    if (index === undefined) {
      index = strings.length;
      strings.push(s);
      stringIndex.set(s, index);
    }
    return index;
  };
  const files: Record<string, Uint8Array> = {};
  sheets.forEach((sheet, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(sheet, shared));
  });
  files['[Content_Types].xml'] = strToU8(contentTypes(sheets.length));
  files['_rels/.rels'] = strToU8(rootRels);
  files['xl/workbook.xml'] = strToU8(workbookXml(sheets));
  files['xl/_rels/workbook.xml.rels'] = strToU8(workbookRels(sheets.length));
  files['xl/styles.xml'] = strToU8(stylesXml);
  files['xl/sharedStrings.xml'] = strToU8(sharedStringsXml(strings));
  return zipSync(files);
}

/** Excel's serial day number (1900 system) of a UTC instant. */
export function excelSerial(date: Date): number {
  return date.getTime() / 86_400_000 + 25_569;
}

function sheetXml(sheet: XlsxSheet, shared: (s: string) => number): string {
  const first = sheet.firstRow ?? 1;
  const rows = sheet.rows.map((row, r) => {
    const cells = row.map((cell, c) => cellXml(`${columnName(c)}${first + r}`, cell, shared)).join('');
    return `<row r="${first + r}">${cells}</row>`;
  });
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetData>${rows.join('')}</sheetData></worksheet>`;
}

function cellXml(ref: string, cell: XlsxCell, shared: (s: string) => number): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return `<c r="${ref}" t="s"><v>${shared(cell)}</v></c>`;
  if (typeof cell === 'number') return `<c r="${ref}"><v>${cell}</v></c>`;
  if (typeof cell === 'boolean') return `<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`;
  if (cell instanceof Date) {
    const serial = excelSerial(cell);
    return `<c r="${ref}" s="${Number.isInteger(serial) ? STYLE_DATE : STYLE_DATETIME}"><v>${serial}</v></c>`;
  }
  return `<c r="${ref}" s="${cell.format === 'date' ? STYLE_DATE : STYLE_DATETIME}"><v>${cell.serial}</v></c>`;
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

function contentTypes(sheetCount: number): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) =>
    `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    + `${sheets}</Types>`;
}

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL_NS}">`
  + `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

function workbookXml(sheets: XlsxSheet[]): string {
  const list = sheets.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets>${list}</sheets></workbook>`;
}

function workbookRels(sheetCount: number): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) =>
    `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL_NS}">${sheets}`
    + `<Relationship Id="rId${sheetCount + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>`
    + `<Relationship Id="rId${sheetCount + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
}

const stylesXml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="${NS}">`
  + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
  + '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
  + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
  + '</styleSheet>';

function sharedStringsXml(strings: string[]): string {
  const items = strings.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${NS}" count="${strings.length}" uniqueCount="${strings.length}">${items}</sst>`;
}
