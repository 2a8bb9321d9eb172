/**
 * Windows-1252 written out from the Unicode mapping (CP1252.TXT), independent of the code under
 * test: 0x80–0x9F hold €, ‚, „, typographic quotes and dashes; the rest is Latin-1.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
export const CP1252 = Array.from({ length: 256 }, (_, b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b))).join('');

export function encode1252(text: string): Uint8Array {
  return Uint8Array.from(Array.from(text, (ch) => {
    const b = CP1252.indexOf(ch);
    if (b < 0) throw new Error(`${ch} has no Windows-1252 byte`);
    return b;
  }));
}

/** One CSV record with the given delimiter, quoting the cells that need it. */
export function csvLine(cells: readonly string[], delimiter: string): string {
  return cells.map((c) => (c.includes(delimiter) || /["\r\n]/.test(c) || c !== c.trim() ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}
