import { daysInMonth } from '../engine/dates';

/**
 * Quantities and dates read straight from UTF-8 bytes (already trimmed), with the exact meaning
 * of parseUnits (worker/engine/decimal.ts) and parseIsoDate (worker/engine/dates.ts).
 */

const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

/** 10^(4 - places after the point), to scale a fraction of 1–4 digits to units. */
const FRACTION_SCALE = [10_000, 1_000, 100, 10, 1];

/** Whole-number digits that keep value × 10^4 within 15 digits, so a double holds it exactly. */
const MAX_EXACT_WHOLE_DIGITS = 11;

/**
 * A plain decimal (an optional -, digits, at most 4 places after a .) as units (× 10^4):
 * a number when it has at most 11 whole digits (then the value is below 10^15 and the
 * arithmetic on doubles is exact), `undefined` when it is valid but longer (read its string
 * with parseUnits), null when it is not a plain decimal.
 */
export function parseUnitsBytes(bytes: Uint8Array, start: number, end: number): number | null | undefined {
  let i = start;
  const negative = i < end && bytes[i] === MINUS;
  if (negative) i++;
  const wholeStart = i;
  let whole = 0;
  while (i < end) {
    const b = bytes[i]!;
    if (b < ZERO || b > NINE) break;
    whole = whole * 10 + (b - ZERO);
    i++;
  }
  const wholeDigits = i - wholeStart;
  if (wholeDigits === 0) return null;
  let fraction = 0;
  let places = 0;
  if (i < end) {
    if (bytes[i] !== DOT) return null;
    i++;
    const fractionStart = i;
    while (i < end) {
      const b = bytes[i]!;
      if (b < ZERO || b > NINE) return null;
      fraction = fraction * 10 + (b - ZERO);
      i++;
    }
    places = i - fractionStart;
    if (places === 0 || places > 4) return null;
  }
  if (wholeDigits > MAX_EXACT_WHOLE_DIGITS) return undefined;
  const units = whole * 10_000 + fraction * FRACTION_SCALE[places]!;
  // -0 is 0 (parseUnits gives -0n, which is 0n).
  return negative && units !== 0 ? -units : units;
}

const MS_PER_DAY = 86_400_000;

function digitAt(bytes: Uint8Array, i: number): number {
  const d = bytes[i]! - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

/** `YYYY-MM-DD` naming a real calendar day → its day number (as parseIsoDate); anything else → null. */
export function parseIsoDateBytes(bytes: Uint8Array, start: number, end: number): number | null {
  if (end - start !== 10 || bytes[start + 4] !== MINUS || bytes[start + 7] !== MINUS) return null;
  const y0 = digitAt(bytes, start);
  const y1 = digitAt(bytes, start + 1);
  const y2 = digitAt(bytes, start + 2);
  const y3 = digitAt(bytes, start + 3);
  const m0 = digitAt(bytes, start + 5);
  const m1 = digitAt(bytes, start + 6);
  const d0 = digitAt(bytes, start + 8);
  const d1 = digitAt(bytes, start + 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return null;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const slot = year >= CACHE_FROM_YEAR && year < CACHE_FROM_YEAR + CACHE_YEARS ? ((year - CACHE_FROM_YEAR) * 12 + month - 1) * 31 + day - 1 : -1;
  if (slot >= 0 && dayCache[slot] !== 0) return dayCache[slot]! - DAY_OFFSET;
  // Date.UTC as parseIsoDate calls it, quirks included (it reads years 0–99 as 1900–1999).
  const dayNumber = Date.UTC(year, month - 1, day) / MS_PER_DAY;
  if (slot >= 0) dayCache[slot] = dayNumber + DAY_OFFSET;
  return dayNumber;
}

// A usage file repeats a few hundred dates a million times: remember each day number (0 = not yet).
const CACHE_FROM_YEAR = 1900;
const CACHE_YEARS = 256;
const DAY_OFFSET = 1 << 20; // day numbers of these years are within ±2^16, so +2^20 is never 0
const dayCache = new Int32Array(CACHE_YEARS * 12 * 31);
