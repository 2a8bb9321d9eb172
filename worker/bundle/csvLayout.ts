import { decodeUtf8 } from './byteText';

/**
 * Where the records of a CSV file's bytes lie, and which line break ends them, decided exactly as
 * the text path (feedCsvText + papaparse) decides it for the same file read as UTF-8 text.
 */

export type Newline = '\n' | '\r' | '\r\n';

export interface CsvLayout {
  /** First byte of the first record (after the BOM, or two: feedCsvText and papaparse each skip one). */
  bodyStart: number;
  /** End of the last record: the line break that ends the file is no further record. */
  bodyEnd: number;
  /** Only this sequence ends a record; any other CR or LF is part of a value, as in papaparse. */
  newline: Newline;
}

/** papaparse looks at the first 1 MiB (in UTF-16 code units) of the text to guess the line break. */
const GUESS_UNITS = 1 << 20;

export function csvLayout(bytes: Uint8Array): CsvLayout {
  const n = bytes.length;
  let bodyStart = hasBomAt(bytes, 0, n) ? 3 : 0;
  const bodyEnd = n >= 2 && bytes[n - 2] === 13 && bytes[n - 1] === 10 ? n - 2 : n >= 1 && (bytes[n - 1] === 10 || bytes[n - 1] === 13) ? n - 1 : n;
  if (hasBomAt(bytes, bodyStart, bodyEnd)) bodyStart += 3;
  // Each UTF-16 unit comes from at most 3 bytes, so this many bytes always hold the first 1 MiB of units.
  const sampleEnd = Math.min(bodyEnd, bodyStart + 3 * GUESS_UNITS + 8);
  // Without a CR in the sample the guess is LF, whatever is quoted (a decoder makes no CR of other
  // bytes): the usual case, told without decoding 3 MB and splitting it (20 ms at the CLI's start).
  // (In the sample only: indexOf has no end, and over a whole 1M-row file it took 70 ms.)
  if (bytes.subarray(bodyStart, sampleEnd).indexOf(13) < 0) return { bodyStart, bodyEnd, newline: '\n' };
  const sample = decodeUtf8(bytes, bodyStart, sampleEnd);
  return { bodyStart, bodyEnd, newline: guessLineEndings(sample.substring(0, GUESS_UNITS)) };
}

function hasBomAt(bytes: Uint8Array, at: number, end: number): boolean {
  return at + 3 <= end && bytes[at] === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf;
}

/** papaparse 5's guessLineEndings, verbatim in behaviour (quoted text removed, then CR and LF counted). */
export function guessLineEndings(text: string): Newline {
  const input = text.replace(/"([^]*?)"/gm, '');
  const r = input.split('\r');
  const n = input.split('\n');
  const nAppearsFirst = n.length > 1 && n[0]!.length < r[0]!.length;
  if (r.length === 1 || nAppearsFirst) return '\n';
  let numWithN = 0;
  for (const piece of r) if (piece[0] === '\n') numWithN++;
  return numWithN >= r.length / 2 ? '\r\n' : '\r';
}
