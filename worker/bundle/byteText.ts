/**
 * UTF-8 byte slices read as the text path reads their strings: decoded like the file as a whole
 * (invalid bytes become U+FFFD, a BOM is kept as U+FEFF) and trimmed exactly as
 * String.prototype.trim trims, so a byte reader gives the same values without a string per field.
 */

export { decodeUtf8, sliceString } from '../engine/utf8Slice';

/**
 * Bytes that String.prototype.trim removes: the ASCII ones (TAB, LF, VT, FF, CR, space) and, as
 * UTF-8, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF
 * (test/bundle/byteText.test.ts checks this list against every code point).
 */
function isAsciiSpace(b: number): boolean {
  return b === 32 || (b >= 9 && b <= 13);
}

/** Length of the multi-byte white space starting at `i`, or 0. */
function wideSpaceAt(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i]!;
  if (b === 0xc2) return i + 1 < end && bytes[i + 1] === 0xa0 ? 2 : 0;
  if (i + 2 >= end) return 0;
  const b1 = bytes[i + 1]!;
  const b2 = bytes[i + 2]!;
  if (b === 0xe2) {
    if (b1 === 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
    return b1 === 0x81 && b2 === 0x9f ? 3 : 0;
  }
  if (b === 0xe1) return b1 === 0x9a && b2 === 0x80 ? 3 : 0;
  if (b === 0xe3) return b1 === 0x80 && b2 === 0x80 ? 3 : 0;
  if (b === 0xef) return b1 === 0xbb && b2 === 0xbf ? 3 : 0;
  return 0;
}

/** Length of the multi-byte white space ending just before `end`, or 0. */
function wideSpaceBefore(bytes: Uint8Array, start: number, end: number): number {
  if (end - 2 >= start && bytes[end - 2] === 0xc2 && bytes[end - 1] === 0xa0) return 2;
  return end - 3 >= start && wideSpaceAt(bytes, end - 3, end) === 3 ? 3 : 0;
}

/**
 * Start of the slice once leading white space is trimmed. Exact for any bytes, valid UTF-8 or
 * not: a decoder starts a new character at every lead byte, so a white-space sequence decodes
 * the same wherever it sits.
 */
export function trimStart(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (!isAsciiSpace(b)) return i;
      i++;
      continue;
    }
    const wide = wideSpaceAt(bytes, i, end);
    if (wide === 0) return i;
    i += wide;
  }
  return i;
}

/** End of the slice once trailing white space is trimmed (never before `start`). */
export function trimEnd(bytes: Uint8Array, start: number, end: number): number {
  let i = end;
  while (i > start) {
    const b = bytes[i - 1]!;
    if (b < 0x80) {
      if (!isAsciiSpace(b)) return i;
      i--;
      continue;
    }
    const wide = wideSpaceBefore(bytes, start, i);
    if (wide === 0) return i;
    i -= wide;
  }
  return i;
}
