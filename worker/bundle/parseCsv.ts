import Papa from 'papaparse';
import type { TableReader } from './tableReader';

/**
 * Parse in slices so a 100 MB file never exists as one array of a million row arrays. Exported
 * for the byte reader, which must know where papaparse's slices end (readUsageBytes.ts).
 */
export const CHUNK_CHARS = 4 << 20;

/**
 * Streams CSV text into a TableReader with papaparse (RFC 4180 quoting, CR/LF/CRLF line ends).
 * The delimiter is fixed to a comma: the contract says comma-separated, and guessing it could
 * misread a one-column file.
 */
export function feedCsvText(text: string, reader: TableReader, onProgress?: (fraction: number) => void): void {
  // The line break that ends the last record is not a further (empty) row: dropping it keeps
  // the row count exact, which a file parsed in parts relies on to number rows.
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.endsWith('\r\n') ? text.length - 2 : text.endsWith('\n') || text.endsWith('\r') ? text.length - 1 : text.length;
  const body = start === 0 && end === text.length ? text : text.slice(start, end);
  let rowsBefore = 0;
  Papa.parse<string[]>(body, {
    delimiter: ',',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    chunkSize: CHUNK_CHARS,
    chunk: (results: Papa.ParseResult<string[]>) => {
      for (const error of results.errors) {
        reader.fail(`malformed CSV: ${error.message}`, rowsBefore + (error.row ?? 0) + 1);
      }
      reader.push(results.data);
      rowsBefore += results.data.length;
      onProgress?.(body.length === 0 ? 1 : Math.min(1, results.meta.cursor / body.length));
    },
    // Parsing a string with `chunk` is synchronous; the typings want a completion callback anyway.
    complete: () => undefined,
  });
}
