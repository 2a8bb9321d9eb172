/**
 * Minimal RFC 4180 writer. Hand-rolled rather than Papa.unparse because the demo's usage.csv can
 * hold a million rows: the generator pre-escapes the repeated parts of a row once and only joins
 * strings per row, which a generic unparser cannot do.
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** Quotes a field only when a reader would otherwise split or misread it. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

/** Header plus rows, joined with "\n" and no trailing newline. */
export function csvTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = new Array<string>(rows.length + 1);
  lines[0] = csvRow(header);
  for (let i = 0; i < rows.length; i++) lines[i + 1] = csvRow(rows[i] as readonly string[]);
  return lines.join('\n');
}
