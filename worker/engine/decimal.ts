/**
 * Exact decimals as scaled bigints. The contract bounds every quantity and price to 4 places
 * (spec §1), so a quantity or price is an integer count of 1/10,000 ("units") and money after
 * rounding is an integer count of cents. Products and ratios stay integers until one final
 * rounding, so nothing ever passes through binary floating point.
 */

/** Quantities and prices: value × 10^4. */
export const QUANTITY_SCALE = 4;
export const UNIT = 10_000n;

const PLAIN_DECIMAL = /^-?\d+(\.\d{1,4})?$/;

/** Parses a plain decimal (optional -, digits, at most 4 places) into units; null if it is not one. */
export function parseUnits(text: string): bigint | null {
  if (!PLAIN_DECIMAL.test(text)) return null;
  const negative = text.charCodeAt(0) === 45; // '-'
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body + '0000' : body.slice(0, dot) + body.slice(dot + 1).padEnd(QUANTITY_SCALE, '0');
  const units = BigInt(digits);
  return negative ? -units : units;
}

/** Integer division rounded half away from zero (the contract's rounding for money). */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  const twice = remainder < 0n ? -remainder * 2n : remainder * 2n;
  if (twice >= denominator) return numerator < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

/** Units (4 places) → cents, half away from zero. */
export function unitsToCents(units: bigint): bigint {
  return divRound(units, 100n);
}

/**
 * Formats a scaled integer as a plain decimal string. Trailing zeros beyond `minPlaces` are
 * dropped, so quantities read "3" or "12.5" and money (minPlaces 2) reads "-12.50".
 */
export function formatScaled(value: bigint, scale: number, minPlaces: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale);
  let end = fraction.length;
  while (end > minPlaces && fraction.charCodeAt(end - 1) === 48) end--;
  fraction = fraction.slice(0, end);
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return negative && value !== 0n ? `-${text}` : text;
}

export function formatUnits(units: bigint): string {
  return formatScaled(units, QUANTITY_SCALE, 0);
}

export function formatCents(cents: bigint): string {
  return formatScaled(cents, 2, 2);
}

export function absBig(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** Compares two plain decimal strings exactly (for sorting money and quantities in grids). */
export function compareDecimalText(a: string, b: string): number {
  const x = parseUnitsLoose(a);
  const y = parseUnitsLoose(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Like parseUnits, for display strings of up to 4 places; anything unreadable sorts as 0. */
function parseUnitsLoose(text: string): bigint {
  return parseUnits(text.trim()) ?? 0n;
}
