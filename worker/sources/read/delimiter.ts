/**
 * Which of , ; or tab separates a raw export's cells. Only the header row is looked at: data rows
 * of a German export hold decimal commas ("12,50") that would out-vote the real semicolons.
 */

export type Delimiter = ',' | ';' | '\t';

/**
 * Ties go to tab, then semicolon, then comma: nobody types a tab into a column name and rarely a
 * semicolon, but "Price, net" is a plausible header. A header without any of them is one column,
 * and then the comma (the bundle format's delimiter) is as good as any.
 */
const PREFERENCE: readonly Delimiter[] = ['\t', ';', ','];

/** Counts each candidate outside double quotes in one header record. */
export function detectDelimiter(headerLine: string): Delimiter {
  return findDelimiter(headerLine) ?? ',';
}

/** The most frequent candidate outside quotes, or null when the record has none (one column, or a title line). */
export function findDelimiter(line: string): Delimiter | null {
  const counts = new Map<Delimiter, number>(PREFERENCE.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter | null = null;
  let bestCount = 0;
  for (const d of PREFERENCE) {
    if (counts.get(d)! > bestCount) {
      best = d;
      bestCount = counts.get(d)!;
    }
  }
  return best;
}

/**
 * The first `max` records of CSV text as raw strings, line breaks inside quotes kept, so the
 * header can be picked out (a preamble may precede it) before the delimiter is known. A quote
 * toggles the state; a doubled quote toggles twice, which is the same thing.
 */
export function leadingRecords(text: string, max: number): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && records.length < max; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      records.push(text.slice(start, i));
      if (ch === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (records.length < max && start < text.length) records.push(text.slice(start));
  return records;
}
