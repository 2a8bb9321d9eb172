/**
 * Splits CSV text into `parts` pieces of about equal size at record boundaries, so each piece
 * can be parsed on its own core. A line break inside a quoted field is not a boundary: the
 * quote count before a candidate break tells whether it is inside quotes ("" escapes count twice,
 * which keeps the parity right). Returns the header record and the bodies, in order.
 */
export function splitCsvRecords(text: string, parts: number): { header: string; bodies: string[] } {
  const headerEnd = nextRecordEnd(text, 0, 0);
  if (headerEnd < 0) return { header: text, bodies: [] };
  const header = text.slice(0, headerEnd).replace(/\r$/, '');
  const bodies: string[] = [];
  let start = headerEnd + 1;
  let quotesBefore = countQuotes(text, 0, start);
  for (let p = 1; p < parts && start < text.length; p++) {
    const target = start + Math.floor((text.length - start) / (parts - p + 1));
    if (target <= start) break;
    const quotes = quotesBefore + countQuotes(text, start, target);
    const end = nextRecordEnd(text, target, quotes);
    if (end < 0) break;
    bodies.push(text.slice(start, end + 1));
    quotesBefore = quotes + countQuotes(text, target, end + 1);
    start = end + 1;
  }
  if (start < text.length) bodies.push(text.slice(start));
  return { header, bodies };
}

function countQuotes(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('"', from); i >= 0 && i < to; i = text.indexOf('"', i + 1)) count++;
  return count;
}

/** Index of the first \n at or after `from` that ends a record, given the quotes seen before `from`. */
function nextRecordEnd(text: string, from: number, quotesBefore: number): number {
  let inside = quotesBefore % 2 === 1;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inside = !inside;
    else if (c === 10 && !inside) return i;
  }
  return -1;
}
