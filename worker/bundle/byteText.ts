/**
 * UTF-8 byte slices read as the text path reads their strings: decoded like the file as a whole
 * (invalid bytes become U+FFFD, a BOM is kept as U+FEFF) and trimmed exactly as
 * String.prototype.trim trims, so a byte reader gives the same values without a string per field.
 */

// ignoreBOM keeps a U+FEFF at a slice's start, as decoding the whole file would (only the file's own BOM is skipped, by the reader).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * The string of a slice; ASCII slices skip TextDecoder, whose per-call cost is several times that
 * of building a short string from char codes (a million record ids are decoded per file).
 */
export function sliceString(bytes: Uint8Array, start: number, end: number): string {
  let high = 0;
  for (let i = start; i < end; i++) high |= bytes[i]!;
  if (high >= 0x80) return decodeUtf8(bytes, start, end);
  const b = bytes;
  const s = start;
  // Fixed-arity calls are the quickest way V8 offers to make a short flat string.
  switch (end - start) {
    case 0: return '';
    case 1: return String.fromCharCode(b[s]!);
    case 2: return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!);
    case 11: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!);
    case 12: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!);
    case 13: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!);
    case 14: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!);
    case 15: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!);
    case 16: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!, b[s + 15]!);
    default: return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
}

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
