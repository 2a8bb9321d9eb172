/**
 * ISO dates and times, parsed strictly. Date.parse is not used: it reads a time without an
 * offset as local time, while the contract says such a time is UTC. Days are integers
 * (days since 1970-01-01), so day arithmetic never depends on the host's time zone.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;
const MS_PER_DAY = 86_400_000;

function dayNumber(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

// A usage file repeats a few hundred distinct dates a million times; remember them.
const dateCache = new Map<string, number | null>();

/** `YYYY-MM-DD` naming a real calendar day → day number; anything else → null. */
export function parseIsoDate(text: string): number | null {
  let day = dateCache.get(text);
  if (day === undefined) {
    const m = DATE.exec(text);
    day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : null;
    if (dateCache.size > 50_000) dateCache.clear();
    dateCache.set(text, day);
  }
  return day;
}

/** An ISO 8601 time (a date alone is midnight UTC; no offset means UTC) → epoch milliseconds. */
export function parseIsoTime(text: string): number | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const day = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day === null) return null;
  const hours = Number(m[4] ?? 0);
  const minutes = Number(m[5] ?? 0);
  const seconds = Number(m[6] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = Number(digits.slice(2));
    if (zh > 23 || zm > 59) return null;
    offsetMinutes = sign * (zh * 60 + zm);
  }
  return day * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis;
}

/** The UTC calendar day of an instant ("the date of asOf"). */
export function utcDay(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function calendarOf(dayNum: number): CalendarDate {
  const d = new Date(dayNum * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Texts of days already formatted: a report or an export formats the same few hundred days for a
 * million rows, and a Date per row was most of that time. Bounded, so odd data cannot grow it.
 */
const dayTexts = new Map<number, string>();
const DAY_TEXTS_MAX = 4096;

export function formatDay(dayNum: number): string {
  let text = dayTexts.get(dayNum);
  if (text === undefined) {
    const { year, month, day } = calendarOf(dayNum);
    text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (dayTexts.size >= DAY_TEXTS_MAX) dayTexts.clear();
    dayTexts.set(dayNum, text);
  }
  return text;
}

/** The first day of the month after the given day. */
export function firstOfNextMonth(dayNum: number): number {
  const { year, month } = calendarOf(dayNum);
  return month === 12 ? Date.UTC(year + 1, 0, 1) / MS_PER_DAY : Date.UTC(year, month, 1) / MS_PER_DAY;
}
