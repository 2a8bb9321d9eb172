import { describe, expect, it } from 'vitest';
import { inferDateOrder, LOCALES, parseLocaleBoolean, parseLocaleDate, parseLocaleNumber, roundSignificant } from '../../worker/sources/locale';
import type { SourceLocale } from '../../worker/sources/types';

const { 'en-US': US, 'en-GB': GB, 'de-DE': DE, 'fr-FR': FR, ISO } = LOCALES;
const num = (text: string, locale: SourceLocale) => parseLocaleNumber(text, locale);
const value = (text: string, locale: SourceLocale) => {
  const result = num(text, locale);
  return result.ok ? result.value : `error: ${result.message}`;
};
const date = (text: string, locale: SourceLocale) => parseLocaleDate(text, locale);

describe('LOCALES', () => {
  it('has the named presets', () => {
    expect(LOCALES).toEqual({
      'en-US': { decimal: '.', thousands: ',', dateOrder: 'MDY' },
      'en-GB': { decimal: '.', thousands: ',', dateOrder: 'DMY' },
      'de-DE': { decimal: ',', thousands: '.', dateOrder: 'DMY' },
      'fr-FR': { decimal: ',', thousands: ' ', dateOrder: 'DMY' },
      ISO: { decimal: '.', thousands: '', dateOrder: null },
    });
  });
});

describe('parseLocaleNumber', () => {
  it('reads en-US numbers with thousands commas', () => expect(value('1,234,567.89', US)).toBe('1234567.89'));
  it('reads de-DE numbers with thousands dots and a decimal comma', () => expect(value('1.234,5', DE)).toBe('1234.5'));
  it('reads fr-FR numbers with a space, NBSP or narrow NBSP as thousands', () => {
    expect(value('1 234,5', FR)).toBe('1234.5');
    expect(value('1\u00A0234\u00A0567,25', FR)).toBe('1234567.25');
    expect(value('1\u202F234,5', FR)).toBe('1234.5');
  });
  it("reads a Swiss apostrophe as thousands when the locale says so", () => {
    expect(value("1'234.50", { decimal: '.', thousands: "'", dateOrder: 'DMY' })).toBe('1234.5');
  });
  it('removes trailing zeros and a bare .0000', () => {
    expect(value('12.50', US)).toBe('12.5');
    expect(value('3.0000', US)).toBe('3');
  });
  it('removes leading zeros but keeps a zero before the point', () => {
    expect(value('007', US)).toBe('7');
    expect(value('.5', US)).toBe('0.5');
    expect(value('0,25', DE)).toBe('0.25');
  });
  it('reads a blank cell as blank', () => {
    expect(num('', US)).toEqual({ ok: true, value: '' });
    expect(num('  ', US)).toEqual({ ok: true, value: '' });
  });
  it('accepts currency symbols and codes before or after, with or without a space', () => {
    expect(value('$1,234.50', US)).toBe('1234.5');
    expect(value('1.234,50 €', DE)).toBe('1234.5');
    expect(value('€12,50', DE)).toBe('12.5');
    expect(value('£3.20', GB)).toBe('3.2');
    expect(value('USD 99.99', US)).toBe('99.99');
    expect(value('12,50EUR', DE)).toBe('12.5');
    expect(value('GBP12', GB)).toBe('12');
    expect(value("CHF 1'200.00", { decimal: '.', thousands: "'", dateOrder: 'DMY' })).toBe('1200');
  });
  it('reads parentheses as a negative number', () => {
    expect(value('(12.50)', US)).toBe('-12.5');
    expect(value('($1,200.00)', US)).toBe('-1200');
  });
  it('reads a leading or trailing minus, also around a currency', () => {
    expect(value('-12.5', US)).toBe('-12.5');
    expect(value('12,5-', DE)).toBe('-12.5');
    expect(value('-$12.50', US)).toBe('-12.5');
    expect(value('$-12.50', US)).toBe('-12.5');
    expect(value('-12,50 €', DE)).toBe('-12.5');
    expect(value('\u221212.5', US)).toBe('-12.5');
  });
  it('writes minus zero as 0', () => expect(value('-0.00', US)).toBe('0'));
  it('accepts zeros beyond 4 decimal places (the value is exact)', () => expect(value('12.500000', US)).toBe('12.5'));
  it('reads the canonical text of a typed xlsx number', () => {
    expect(parseLocaleNumber({ kind: 'number', text: '2576.49' }, DE)).toEqual({ ok: true, value: '2576.49' });
  });
  it('rounds a typed number to Excel\'s 15 significant digits, which removes binary noise', () => {
    expect(parseLocaleNumber({ kind: 'number', text: '0.30000000000000004' }, US)).toEqual({ ok: true, value: '0.3' });
    expect(parseLocaleNumber({ kind: 'number', text: '2576.4899999999998' }, US)).toEqual({ ok: true, value: '2576.49' });
  });

  it('rejects the other locale\'s format, saying which format was expected', () => {
    expect(num('1.234,50', US)).toEqual({ ok: false, message: '"1.234,50" is not a number in the format 1,234.56 (decimal point ".", thousands ",")' });
    expect(num('1,234.50', DE)).toEqual({ ok: false, message: '"1,234.50" is not a number in the format 1.234,56 (decimal comma ",", thousands ".")' });
  });
  it('rejects thousands separators in the wrong places', () => {
    expect(num('1,23,4', US)).toEqual({ ok: false, message: '"1,23,4" has thousands separators in the wrong places: expected groups of 3 digits, as in 1,234.56 (decimal point ".", thousands ",")' });
    expect(value('12,5', US)).toMatch(/wrong places/);
    expect(value('1.2345,6', DE)).toMatch(/wrong places/);
  });
  it('rejects thousands separators when the locale has none', () => {
    expect(num('1,234.5', ISO)).toEqual({ ok: false, message: '"1,234.5" is not a number in the format 1234.56 (decimal point ".", no thousands separator)' });
  });
  it('names a space as the fr-FR thousands separator', () => {
    expect(value('1.234,5', FR)).toBe('error: "1.234,5" is not a number in the format 1 234,56 (decimal comma ",", thousands " " (a space))');
  });
  it('rejects more than 4 decimal places, saying so', () => {
    expect(num('1.23456', US)).toEqual({ ok: false, message: '"1.23456" has 5 decimal places; at most 4 are allowed' });
    expect(parseLocaleNumber({ kind: 'number', text: '33.333333333333336' }, US)).toEqual({ ok: false, message: '"33.333333333333336" has 13 decimal places; at most 4 are allowed' });
  });
  it('rejects two signs', () => {
    expect(num('(-12)', US)).toEqual({ ok: false, message: '"(-12)" has more than one sign (a minus, + or parentheses)' });
    expect(value('-12-', US)).toMatch(/more than one sign/);
  });
  it('rejects text, lone separators, a trailing point, two points and exponents', () => {
    for (const text of ['abc', '12a', '.', '12.', '1.2.3', '1e5', '$', '1 234', '- 5 5']) {
      expect(value(text, US), text).toMatch(/^error: .* is not a number in the format 1,234\.56/);
    }
  });
  it('rejects a typed date or boolean as a number', () => {
    expect(parseLocaleNumber({ kind: 'date', text: '2026-11-03' }, US)).toEqual({ ok: false, message: '"2026-11-03" is a date in the workbook, not a number' });
    expect(parseLocaleNumber({ kind: 'boolean', text: 'true' }, US)).toEqual({ ok: false, message: '"true" is a yes/no value in the workbook, not a number' });
  });
});

describe('roundSignificant', () => {
  it('carries into the integer part', () => expect(roundSignificant('9', '99999999999999999', 15)).toEqual({ integer: '10', fraction: '00000000000000000' }));
  it('counts significant digits from the first non-zero digit', () => expect(roundSignificant('0', '0001234567890123456', 15)).toEqual({ integer: '0', fraction: '0001234567890123460' }));
});

describe('parseLocaleDate', () => {
  it('reads ISO dates in every locale, ambiguous-date locales included', () => {
    for (const locale of [US, DE, ISO]) expect(date('2026-11-28', locale)).toEqual({ ok: true, date: '2026-11-28', time: null });
  });
  it('reads an ISO date-time without an offset as written, marked Z', () => {
    expect(date('2026-11-28T09:15:00', ISO)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T09:15:00Z' });
    expect(date('2026-11-28 09:15', ISO)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T09:15:00Z' });
  });
  it('converts an ISO date-time with an offset to UTC and takes the UTC date', () => {
    expect(date('2026-11-28T23:30:00-05:00', ISO)).toEqual({ ok: true, date: '2026-11-29', time: '2026-11-29T04:30:00Z' });
    expect(date('2026-01-01T00:30:00+0100', ISO)).toEqual({ ok: true, date: '2025-12-31', time: '2025-12-31T23:30:00Z' });
    expect(date('2026-11-28T10:00:00.123Z', ISO)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T10:00:00Z' });
  });
  it('reads US dates as month/day/year with / or -', () => {
    expect(date('11/28/2026', US)).toEqual({ ok: true, date: '2026-11-28', time: null });
    expect(date('3-4-2026', US)).toEqual({ ok: true, date: '2026-03-04', time: null });
  });
  it('reads D/M/Y with / or -', () => {
    expect(date('28/11/2026', GB)).toEqual({ ok: true, date: '2026-11-28', time: null });
    expect(date('03-04-2026', GB)).toEqual({ ok: true, date: '2026-04-03', time: null });
  });
  it('reads German D.M.Y', () => expect(date('28.11.2026', DE)).toEqual({ ok: true, date: '2026-11-28', time: null }));
  it('reads 2-digit years as 20xx', () => expect(date('28.11.26', DE)).toEqual({ ok: true, date: '2026-11-28', time: null }));
  it('reads times h:mm and h:mm:ss after the date', () => {
    expect(date('28.11.2026 9:05', DE)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T09:05:00Z' });
    expect(date('11/28/2026 17:05:09', US)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T17:05:09Z' });
  });
  it('reads 12-hour times with AM/PM', () => {
    expect(date('11/28/2026 3:07 PM', US)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T15:07:00Z' });
    expect(date('11/28/2026 12:30 am', US)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T00:30:00Z' });
    expect(date('11/28/2026, 12:00:01 PM', US)).toEqual({ ok: true, date: '2026-11-28', time: '2026-11-28T12:00:01Z' });
  });
  it('reads a 4-digit year first as year/month/day in any locale', () => {
    expect(date('2026/11/28', US)).toEqual({ ok: true, date: '2026-11-28', time: null });
    expect(date('2026/11/28', ISO)).toEqual({ ok: true, date: '2026-11-28', time: null });
  });
  it('reads YMD dates when the locale says so', () => {
    expect(date('26.11.28', { decimal: '.', thousands: '', dateOrder: 'YMD' })).toEqual({ ok: true, date: '2026-11-28', time: null });
  });
  it('reads English month names regardless of the date order', () => {
    expect(date('28-Nov-2026', ISO)).toEqual({ ok: true, date: '2026-11-28', time: null });
    expect(date('Nov 28, 2026', DE)).toEqual({ ok: true, date: '2026-11-28', time: null });
    expect(date('3 September 2026', US)).toEqual({ ok: true, date: '2026-09-03', time: null });
  });
  it('reads a blank cell as no date', () => expect(date(' ', US)).toEqual({ ok: true, date: '', time: null }));
  it('reads a typed xlsx date as it is', () => {
    expect(parseLocaleDate({ kind: 'date', text: '2026-11-03' }, US)).toEqual({ ok: true, date: '2026-11-03', time: null });
    expect(parseLocaleDate({ kind: 'date', text: '2026-11-03T13:45:10Z' }, US)).toEqual({ ok: true, date: '2026-11-03', time: '2026-11-03T13:45:10Z' });
  });

  it('rejects a non-ISO date when the date order is not set', () => {
    expect(date('11/28/2026', ISO)).toEqual({ ok: false, message: '"11/28/2026" is an ambiguous date: set the file\'s date order (M/D/Y or D/M/Y); without it only ISO dates (2026-11-28) are read' });
  });
  it('rejects days that do not exist', () => {
    expect(date('2026-02-30', ISO)).toEqual({ ok: false, message: '"2026-02-30" is not a real date' });
    expect(date('02/29/2026', US)).toEqual({ ok: false, message: '"02/29/2026" is not a real date read as M/D/Y (11/28/2026): if the file writes dates in another order, set its date order' });
    expect(date('31.04.2026', DE).ok).toBe(false);
    expect(date('29-Feb-2026', DE)).toEqual({ ok: false, message: '"29-Feb-2026" is not a real date' });
  });
  it('accepts 29 February in a leap year', () => expect(date('29.02.2028', DE)).toEqual({ ok: true, date: '2028-02-29', time: null }));
  it('rejects a month above 12 in the file\'s order (a D/M/Y date in a US file)', () => {
    expect(date('28/11/2026', US)).toEqual({ ok: false, message: '"28/11/2026" is not a real date read as M/D/Y (11/28/2026): if the file writes dates in another order, set its date order' });
  });
  it('rejects a dotted date in a US file', () => {
    expect(date('11.28.2026', US)).toEqual({ ok: false, message: '"11.28.2026" is not a date in the file\'s order M/D/Y (11/28/2026)' });
  });
  it('rejects 3-digit and 1-digit years', () => {
    expect(date('1/2/202', US).ok).toBe(false);
    expect(date('1/2/6', US).ok).toBe(false);
  });
  it('rejects impossible times', () => {
    expect(date('11/28/2026 24:00', US)).toEqual({ ok: false, message: '"11/28/2026 24:00" has an impossible time' });
    expect(date('11/28/2026 13:00 PM', US)).toEqual({ ok: false, message: '"11/28/2026 13:00 PM" has an impossible time' });
    expect(date('2026-11-28T10:61', ISO)).toEqual({ ok: false, message: '"2026-11-28T10:61" has an impossible time' });
    expect(date('2026-11-28T10:00+25:00', ISO)).toEqual({ ok: false, message: '"2026-11-28T10:00+25:00" has an impossible time zone offset' });
  });
  it('rejects text that is no date, saying what was expected', () => {
    expect(date('yesterday', DE)).toEqual({ ok: false, message: '"yesterday" is not a date (expected D/M/Y (28/11/2026 or 28.11.2026) or an ISO date such as 2026-11-28)' });
    expect(date('Foo 3, 2026', US).ok).toBe(false);
  });
  it('rejects a typed number or boolean as a date', () => {
    expect(parseLocaleDate({ kind: 'number', text: '46000' }, US)).toEqual({ ok: false, message: '"46000" is a number in the workbook, not a date' });
    expect(parseLocaleDate({ kind: 'boolean', text: 'true' }, US).ok).toBe(false);
  });
});

describe('inferDateOrder', () => {
  it('infers D/M/Y from a first part above 12', () => expect(inferDateOrder(['01/02/2026', '28/11/2026'])).toBe('DMY'));
  it('infers M/D/Y from a second part above 12', () => expect(inferDateOrder(['11/28/2026', '01/02/2026'])).toBe('MDY'));
  it('gives null for contradicting evidence', () => expect(inferDateOrder(['28/11/2026', '11/28/2026'])).toBeNull());
  it('gives null without evidence', () => expect(inferDateOrder(['01/02/2026', '03.04.26', '2026-11-28', '', 'n/a'])).toBeNull());
  it('ignores year-first and ISO values', () => expect(inferDateOrder(['2026/11/28', '2026-11-28', '13.01.2026'])).toBe('DMY'));
});

describe('parseLocaleBoolean', () => {
  it('reads TRUE/FALSE, WAHR/FALSCH, yes/no, ja/nein, 1/0 in any case', () => {
    for (const t of ['TRUE', 'true', 'WAHR', 'Yes', 'ja', '1', ' Ja ']) expect(parseLocaleBoolean(t), t).toBe(true);
    for (const f of ['FALSE', 'falsch', 'No', 'NEIN', '0']) expect(parseLocaleBoolean(f), f).toBe(false);
  });
  it('reads typed booleans and typed 1/0', () => {
    expect(parseLocaleBoolean({ kind: 'boolean', text: 'true' })).toBe(true);
    expect(parseLocaleBoolean({ kind: 'number', text: '0' })).toBe(false);
  });
  it('gives null for anything else, "x" and blank included', () => {
    for (const u of ['x', 'X', '', 'maybe', '2', '✓']) expect(parseLocaleBoolean(u), u).toBeNull();
    expect(parseLocaleBoolean({ kind: 'date', text: '2026-01-01' })).toBeNull();
  });
});
