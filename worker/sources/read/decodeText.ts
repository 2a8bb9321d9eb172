/**
 * Bytes → text for raw CSV exports. Vendors write UTF-8 (with or without a BOM); Excel's "CSV"
 * on Western Windows writes Windows-1252; Excel's "Unicode text" writes UTF-16 with a BOM.
 * Nothing here replaces a byte with U+FFFD without saying so in a note.
 */

export type TextEncodingName = 'utf-8' | 'windows-1252' | 'utf-16';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** For the user, each naming the file. */
  notes: string[];
}

/**
 * The ES2022 lib (the engine's typings) has no TextDecoder although every runtime we target
 * (browser worker, Node ≥ 20, vitest) has one; a local type avoids a global declaration that
 * would clash with the DOM typings the app's tsconfig includes.
 */
interface FatalDecoder {
  decode(input: Uint8Array): string;
}
type DecoderConstructor = new (label: string, options: { fatal: boolean }) => FatalDecoder;

const utf8Decoder: FatalDecoder = new ((globalThis as unknown as { TextDecoder: DecoderConstructor }).TextDecoder)('utf-8', { fatal: true });

/**
 * Windows-1252 differs from latin-1 only in 0x80–0x9F, where it has typographic punctuation and
 * the euro sign (the characters a German or French Excel re-save actually contains). The five
 * unassigned bytes map to the C1 control of the same value, as the WHATWG Encoding standard does.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];
const UNASSIGNED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Characters per String.fromCharCode call: large enough to be fast, small enough for any engine's argument limit. */
const CHUNK = 8192;

export function decodeText(file: string, bytes: Uint8Array): DecodedText {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(file, bytes, true);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(file, bytes, false);
  const utf8 = tryUtf8(bytes);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8', notes: [] };
  const notes = [`${file}: not valid UTF-8, read as Windows-1252 (Excel's "CSV" on Western Windows)`];
  const { text, unassigned } = decodeWindows1252(bytes);
  if (unassigned > 0) {
    notes.push(`${file}: ${unassigned} byte(s) have no character in Windows-1252; they were kept as control characters, so the file may be in another encoding`);
  }
  return { text, encoding: 'windows-1252', notes };
}

/**
 * Whether `bytes` are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF), without building the text: a 100 MB usage.csv is then read from its bytes directly.
 */
export function isUtf8(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) return false;
    // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
    const min = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const max = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return false;
    }
    i += need + 1;
  }
  return true;
}

/** The text of the bytes before the first line break (at most `limit` bytes), a BOM dropped. */
export function firstLine(bytes: Uint8Array, limit = 1 << 16): string {
  let end = 0;
  const stop = Math.min(bytes.length, limit);
  while (end < stop && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return new ((globalThis as unknown as { TextDecoder: new () => FatalDecoder }).TextDecoder)().decode(bytes.subarray(start, end));
}

/** The decoder's default (ignoreBOM false) drops a leading BOM, which is what we want. */
function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

export function decodeWindows1252(bytes: Uint8Array): { text: string; unassigned: number } {
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(CHUNK, bytes.length));
  let unassigned = 0;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80 && b <= 0x9f) {
        units[i - start] = CP1252_80_9F[b - 0x80]!;
        if (UNASSIGNED_1252.has(b)) unassigned++;
      } else {
        units[i - start] = b;
      }
    }
    parts.push(String.fromCharCode(...units.subarray(0, end - start)));
  }
  return { text: parts.join(''), unassigned };
}

/**
 * Hand-decoded rather than TextDecoder('utf-16be'): Node builds without full ICU lack the BE
 * decoder, and UTF-16 is only a matter of pairing bytes. A lone surrogate or an odd trailing byte
 * becomes U+FFFD, with a note.
 */
function decodeUtf16(file: string, bytes: Uint8Array, littleEndian: boolean): DecodedText {
  const count = (bytes.length - 2) >> 1;
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(CHUNK, count));
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK);
    for (let i = start; i < end; i++) {
      const lo = bytes[2 + 2 * i]!;
      const hi = bytes[3 + 2 * i]!;
      units[i - start] = littleEndian ? lo | (hi << 8) : (lo << 8) | hi;
    }
    parts.push(String.fromCharCode(...units.subarray(0, end - start)));
  }
  let text = parts.join('');
  const notes: string[] = [];
  const broken = (bytes.length & 1) === 1 || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
  if (broken) {
    text = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    if ((bytes.length & 1) === 1) text += '\uFFFD';
    notes.push(`${file}: the UTF-16 text is damaged (a broken character was replaced by "\uFFFD")`);
  }
  return { text, encoding: 'utf-16', notes };
}
