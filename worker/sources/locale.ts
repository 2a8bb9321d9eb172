import { daysInMonth } from '../engine/dates';
import type { RawCell, SourceLocale, TypedCell } from './types';

/**
 * Numbers, dates and yes/no as a vendor export writes them, read exactly: numbers become plain
 * decimal strings by text manipulation (no binary floating point), dates ISO strings by integer
 * calendar arithmetic. Every error message says what was expected.
 */

export type LocaleName = 'en-US' | 'en-GB' | 'de-DE' | 'fr-FR' | 'ISO';

export const LOCALES: Readonly<Record<LocaleName, SourceLocale>> = {
  'en-US': { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  'en-GB': { decimal: '.', thousands: ',', dateOrder: 'DMY' },
  'de-DE': { decimal: ',', thousands: '.', dateOrder: 'DMY' },
  'fr-FR': { decimal: ',', thousands: ' ', dateOrder: 'DMY' },
  ISO: { decimal: '.', thousands: '', dateOrder: null },
};

export type NumberResult = { ok: true; value: string } | { ok: false; message: string };
export type DateResult = { ok: true; date: string; time: string | null } | { ok: false; message: string };

/** The spec allows 4 decimal places (quantities and prices are counted in 1/10,000). */
const MAX_PLACES = 4;

// ───────────────────────────── numbers ─────────────────────────────

const CURRENCY = '(?:[$€£]|USD|EUR|GBP|CHF)';
const LEADING_CURRENCY = new RegExp(`^${CURRENCY}\\s*`, 'i');
const TRAILING_CURRENCY = new RegExp(`\\s*${CURRENCY}$`, 'i');
/** U+2212 is the typographic minus some exports (and Word-pasted values) use. */
const SIGN = /^[-+\u2212]/;

/**
 * A cell → plain decimal ("-1234.5"), '' for a blank cell (the caller decides whether blank is
 * allowed). Currency symbols or codes, parentheses for negatives and a leading or trailing minus
 * are accepted; thousands separators only where they belong (groups of 3).
 */
export function parseLocaleNumber(cell: RawCell, locale: SourceLocale): NumberResult {
  if (typeof cell !== 'string') return typedNumber(cell);
  const text = cell.trim();
  if (text === '') return { ok: true, value: '' };
  const signed = splitSign(text);
  if (signed === null) return fail(`"${text}" has more than one sign (a minus, + or parentheses)`);
  const parts = splitDecimal(signed.body, locale);
  if (typeof parts === 'string') return fail(parts === 'groups' ? badGroups(text, locale) : notInFormat(text, locale));
  return canonical(signed.negative, parts.integer, parts.fraction, text);
}

/** Strips parentheses, signs and a currency on either side; null when it is signed twice. */
function splitSign(text: string): { negative: boolean; body: string } | null {
  let body = text;
  let negative = false;
  let signs = 0;
  const takeSign = (at: 'start' | 'end'): void => {
    const ch = at === 'start' ? body[0] : body[body.length - 1];
    if (ch === undefined || !SIGN.test(ch)) return;
    signs++;
    if (ch !== '+') negative = true;
    body = (at === 'start' ? body.slice(1) : body.slice(0, -1)).trim();
  };
  if (body.startsWith('(') && body.endsWith(')')) {
    signs++;
    negative = true;
    body = body.slice(1, -1).trim();
  }
  takeSign('start');
  body = body.replace(LEADING_CURRENCY, '');
  takeSign('start');
  takeSign('end');
  body = body.replace(TRAILING_CURRENCY, '');
  takeSign('end');
  return signs > 1 ? null : { negative, body };
}

/**
 * Integer digits (separators removed) and fraction digits, or why not: 'groups' when thousands
 * separators are there but not every 3 digits, 'format' for anything else.
 */
function splitDecimal(body: string, locale: SourceLocale): { integer: string; fraction: string } | 'groups' | 'format' {
  const pieces = body.split(locale.decimal);
  if (pieces.length > 2) return 'format';
  const [integerPart, fraction = ''] = pieces as [string, string?];
  if (pieces.length === 2 && !/^\d+$/.test(fraction)) return 'format';
  if (integerPart === '' && fraction === '') return 'format';
  if (/^\d*$/.test(integerPart)) return { integer: integerPart, fraction };
  const separators = thousandsChars(locale.thousands);
  if (separators === '') return 'format';
  const sep = `[${separators}]`;
  if (new RegExp(`^\\d{1,3}(?:${sep}\\d{3})+$`).test(integerPart)) {
    return { integer: integerPart.replace(new RegExp(sep, 'g'), ''), fraction };
  }
  return new RegExp(`^[\\d${separators}]+$`).test(integerPart) ? 'groups' : 'format';
}

/**
 * Characters that count as the locale's thousands separator. French and German software write a
 * space as NBSP or narrow NBSP so the number does not wrap; Swiss exports may use a typographic
 * apostrophe. Escaped for use inside a regex character class.
 */
function thousandsChars(thousands: SourceLocale['thousands']): string {
  if (thousands === ' ') return ' \\u00A0\\u202F';
  if (thousands === "'") return "'\\u2019";
  if (thousands === '.') return '\\.';
  return thousands;
}

function canonical(negative: boolean, integer: string, fraction: string, text: string): NumberResult {
  const places = fraction.replace(/0+$/, '');
  // Trailing zeros beyond 4 places change nothing ("12.500000" is exact), so only real digits count.
  if (places.length > MAX_PLACES) {
    return fail(`"${text}" has ${places.length} decimal places; at most ${MAX_PLACES} are allowed`);
  }
  const whole = integer.replace(/^0+/, '') || '0';
  const isZero = whole === '0' && places === '';
  return { ok: true, value: `${negative && !isZero ? '-' : ''}${whole}${places === '' ? '' : `.${places}`}` };
}

/**
 * Excel keeps 15 significant digits; the rest of a stored binary double (0.1 + 0.2 →
 * 0.30000000000000004) is noise the user never saw, so a typed number is rounded to 15
 * significant digits (as text) before the 4-places rule applies.
 */
function typedNumber(cell: TypedCell): NumberResult {
  if (cell.kind !== 'number') return fail(`"${cell.text}" is a ${cell.kind === 'date' ? 'date' : 'yes/no value'} in the workbook, not a number`);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(cell.text);
  if (m === null) return fail(`"${cell.text}" is not a number`);
  const rounded = roundSignificant(m[2]!, m[3] ?? '', 15);
  return canonical(m[1] === '-', rounded.integer, rounded.fraction, cell.text);
}

/** Rounds digits (half up, on the magnitude) to `significant` significant digits, as text. */
export function roundSignificant(integer: string, fraction: string, significant: number): { integer: string; fraction: string } {
  const digits = integer + fraction;
  const first = digits.search(/[1-9]/);
  if (first < 0 || digits.length - first <= significant) return { integer, fraction };
  const keep = first + significant;
  let kept = BigInt(digits.slice(0, keep) || '0');
  if (digits.charCodeAt(keep) >= 0x35 /* '5' */) kept += 1n;
  const text = kept.toString().padStart(keep, '0') + '0'.repeat(digits.length - keep);
  // A carry (9.99… → 10.0…) makes text one digit longer: it belongs to the integer part.
  const integerLength = text.length - fraction.length;
  return { integer: text.slice(0, integerLength), fraction: text.slice(integerLength) };
}

function formatExample(locale: SourceLocale): string {
  return `1${locale.thousands}234${locale.decimal}56`;
}

function describeSeparators(locale: SourceLocale): string {
  const decimal = locale.decimal === '.' ? 'decimal point "."' : 'decimal comma ","';
  const thousands = locale.thousands === '' ? 'no thousands separator' : locale.thousands === ' ' ? 'thousands " " (a space)' : `thousands "${locale.thousands}"`;
  return `${decimal}, ${thousands}`;
}

function notInFormat(text: string, locale: SourceLocale): string {
  return `"${text}" is not a number in the format ${formatExample(locale)} (${describeSeparators(locale)})`;
}

function badGroups(text: string, locale: SourceLocale): string {
  return `"${text}" has thousands separators in the wrong places: expected groups of 3 digits, as in ${formatExample(locale)} (${describeSeparators(locale)})`;
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

// ───────────────────────────── dates ─────────────────────────────

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/** Day, month and year in some order, one separator used twice, an optional time after it. */
const NUMERIC_DATE = /^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:(?:\s+|T|,\s*)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** "28-Nov-2026", "28 Nov 2026", "Nov 28, 2026": a month name makes the order unambiguous. */
const NAMED_DMY = /^(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]\s*(\d{2}|\d{4})$/;
const NAMED_MDY = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{2}|\d{4})$/;

/** Separators each order is written with; a dotted date in a US file is more likely a German one. */
const SEPARATORS: Record<'MDY' | 'DMY' | 'YMD', string> = { MDY: '/-', DMY: '/-.', YMD: '/-.' };

/**
 * A cell → calendar date (YYYY-MM-DD) and, when it has a time, the instant (YYYY-MM-DDTHH:MM:SSZ).
 * ISO is always accepted. A plain date keeps the calendar date as written. A date-time with an
 * offset is converted to UTC and its date is the UTC date (2026-11-28T23:30-05:00 → 2026-11-29);
 * a time without an offset is taken as written (there is no zone to convert from) and marked Z.
 * Other forms follow locale.dateOrder; a blank cell gives date ''.
 */
export function parseLocaleDate(cell: RawCell, locale: SourceLocale): DateResult {
  if (typeof cell !== 'string') return typedDate(cell);
  const text = cell.trim();
  if (text === '') return { ok: true, date: '', time: null };
  const iso = ISO_DATE.exec(text);
  if (iso !== null) return isoDate(text, iso);
  const named = namedDate(text);
  if (named !== null) return named;
  const m = NUMERIC_DATE.exec(text);
  if (m === null) return fail(`"${text}" is not a date (expected ${expectedDate(locale)})`);
  // A 4-digit year first is year/month/day in every locale: nobody writes year/day/month.
  if (m[1]!.length === 4) return numericDate(text, m, 'YMD');
  if (locale.dateOrder === null) {
    return fail(`"${text}" is an ambiguous date: set the file's date order (M/D/Y or D/M/Y); without it only ISO dates (2026-11-28) are read`);
  }
  return numericDate(text, m, locale.dateOrder);
}

function typedDate(cell: TypedCell): DateResult {
  if (cell.kind !== 'date') return fail(`"${cell.text}" is a ${cell.kind === 'number' ? 'number' : 'yes/no value'} in the workbook, not a date`);
  return cell.text.length > 10 ? { ok: true, date: cell.text.slice(0, 10), time: cell.text } : { ok: true, date: cell.text, time: null };
}

function isoDate(text: string, m: RegExpExecArray): DateResult {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!realDay(year, month, day)) return fail(`"${text}" is not a real date`);
  if (m[4] === undefined) return { ok: true, date: ymd(year, month, day), time: null };
  const offset = offsetMinutes(m[7]);
  if (offset === null) return fail(`"${text}" has an impossible time zone offset`);
  return withTime(text, year, month, day, [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)], offset);
}

function namedDate(text: string): DateResult | null {
  const dmy = NAMED_DMY.exec(text);
  const mdy = dmy === null ? NAMED_MDY.exec(text) : null;
  if (dmy === null && mdy === null) return null;
  const [dayText, monthName, yearText] = dmy !== null ? [dmy[1]!, dmy[2]!, dmy[3]!] : [mdy![2]!, mdy![1]!, mdy![3]!];
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase()) + 1;
  if (month === 0 || !isMonthName(monthName, month)) return null;
  const year = fullYear(yearText);
  const day = Number(dayText);
  if (year === null || !realDay(year, month, day)) return fail(`"${text}" is not a real date`);
  return { ok: true, date: ymd(year, month, day), time: null };
}

/** "Nov", "Nov." and "November" but not "Novx". */
function isMonthName(name: string, month: number): boolean {
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][month - 1]!;
  const lower = name.toLowerCase();
  return lower.length === 3 || full === lower || (lower === 'sept' && month === 9);
}

function numericDate(text: string, m: RegExpExecArray, order: 'MDY' | 'DMY' | 'YMD'): DateResult {
  const parts = [m[1]!, m[3]!, m[4]!];
  const separator = m[2]!;
  const shape = order === 'YMD' ? [4, 2, 2] : [2, 2, 4];
  const fits = SEPARATORS[order].includes(separator) && parts.every((p, i) => p.length <= shape[i]! && (i !== (order === 'YMD' ? 0 : 2) || p.length === 2 || p.length === 4));
  if (!fits) return fail(`"${text}" is not a date in the file's order ${orderExample(order)}`);
  const [yearText, month, day] = order === 'YMD' ? [parts[0], Number(parts[1]), Number(parts[2])] : order === 'MDY' ? [parts[2], Number(parts[0]), Number(parts[1])] : [parts[2], Number(parts[1]), Number(parts[0])];
  const year = fullYear(yearText);
  if (year === null || !realDay(year, month, day)) return fail(`"${text}" is not a real date read as ${orderExample(order)}: if the file writes dates in another order, set its date order`);
  if (m[5] === undefined) return { ok: true, date: ymd(year, month, day), time: null };
  const hour = clockHour(Number(m[5]), m[8]);
  if (hour === null) return fail(`"${text}" has an impossible time`);
  return withTime(text, year, month, day, [hour, Number(m[6]), Number(m[7] ?? 0)], 0);
}

/** 12-hour clock: 12 AM is midnight, 12 PM noon; without AM/PM the hour is 0–23. */
function clockHour(hour: number, meridiem: string | undefined): number | null {
  if (meridiem === undefined) return hour <= 23 ? hour : null;
  if (hour < 1 || hour > 12) return null;
  const pm = meridiem[0]!.toLowerCase() === 'p';
  return (hour % 12) + (pm ? 12 : 0);
}

/** Integer calendar arithmetic through Date.UTC (exact for whole minutes), so no host time zone leaks in. */
function withTime(text: string, year: number, month: number, day: number, [hour, minute, second]: number[], offset: number): DateResult {
  if (hour! > 23 || minute! > 59 || second! > 59) return fail(`"${text}" has an impossible time`);
  const instant = new Date(Date.UTC(year, month - 1, day, hour!, minute! - offset, second!));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  if (year < 100) instant.setUTCFullYear(instant.getUTCFullYear() - 1900);
  const iso = instant.toISOString();
  return { ok: true, date: iso.slice(0, 10), time: `${iso.slice(0, 19)}Z` };
}

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Two-digit years are this century's (exports of current licences, not birth dates). */
function fullYear(text: string): number | null {
  if (text.length === 2) return 2000 + Number(text);
  return text.length === 4 ? Number(text) : null;
}

function realDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function ymd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function orderExample(order: 'MDY' | 'DMY' | 'YMD'): string {
  return order === 'MDY' ? 'M/D/Y (11/28/2026)' : order === 'DMY' ? 'D/M/Y (28/11/2026 or 28.11.2026)' : 'Y/M/D (2026/11/28)';
}

function expectedDate(locale: SourceLocale): string {
  return locale.dateOrder === null ? 'an ISO date such as 2026-11-28' : `${orderExample(locale.dateOrder)} or an ISO date such as 2026-11-28`;
}

/**
 * The date order a column's values prove: a first part above 12 can only be a day (D/M/Y), a
 * second part above 12 only a day (M/D/Y). Contradicting or no evidence → null; a column of
 * dates like 03/04/2026 proves nothing, and guessing would shift every date silently.
 */
export function inferDateOrder(values: readonly string[]): 'MDY' | 'DMY' | null {
  let dmy = false;
  let mdy = false;
  for (const value of values) {
    const m = NUMERIC_DATE.exec(value.trim());
    if (m === null || m[1]!.length > 2) continue;
    if (Number(m[1]) > 12) dmy = true;
    if (Number(m[3]) > 12) mdy = true;
    if (dmy && mdy) return null;
  }
  return dmy ? 'DMY' : mdy ? 'MDY' : null;
}

// ───────────────────────────── yes/no ─────────────────────────────

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'wahr', 'ja', 'vrai', 'oui']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'falsch', 'nein', 'faux', 'non']);

/**
 * TRUE/FALSE in English, German (Excel's WAHR/FALSCH) and French, yes/no, ja/nein, 1/0. Anything
 * else, "x" and blank included, is null: a tick mark's meaning is the profile's decision.
 */
export function parseLocaleBoolean(cell: RawCell): boolean | null {
  if (typeof cell !== 'string' && cell.kind === 'date') return null;
  const text = (typeof cell === 'string' ? cell : cell.text).trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return null;
}
