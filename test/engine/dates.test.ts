import { describe, expect, it } from 'vitest';
import { daysInMonth, firstOfNextMonth, formatDay, parseIsoDate, parseIsoTime, utcDay } from '../../worker/engine/dates';

describe('ISO dates', () => {
  it('reads real days only', () => {
    expect(formatDay(parseIsoDate('2028-02-29')!)).toBe('2028-02-29');
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-02-30')).toBeNull();
    expect(parseIsoDate('2026-13-01')).toBeNull();
    expect(parseIsoDate('2026-1-01')).toBeNull();
    expect(parseIsoDate('01/11/2026')).toBeNull();
  });

  it('knows month lengths, leap years included', () => {
    expect([daysInMonth(2027, 2), daysInMonth(2028, 2), daysInMonth(2026, 11), daysInMonth(2026, 12)]).toEqual([28, 29, 30, 31]);
  });

  it('finds the first of the next month, across a year end', () => {
    expect(formatDay(firstOfNextMonth(parseIsoDate('2026-11-28')!))).toBe('2026-12-01');
    expect(formatDay(firstOfNextMonth(parseIsoDate('2026-12-31')!))).toBe('2027-01-01');
  });
});

describe('ISO times (a time without an offset is UTC)', () => {
  it('reads Z, offsets and no offset alike', () => {
    expect(parseIsoTime('2026-11-28T12:00:00Z')).toBe(Date.UTC(2026, 10, 28, 12));
    expect(parseIsoTime('2026-11-28T12:00:00')).toBe(Date.UTC(2026, 10, 28, 12));
    expect(parseIsoTime('2026-11-28T12:00')).toBe(Date.UTC(2026, 10, 28, 12));
    expect(parseIsoTime('2026-11-28T12:00:00.250+02:00')).toBe(Date.UTC(2026, 10, 28, 10, 0, 0, 250));
    expect(parseIsoTime('2026-11-28')).toBe(Date.UTC(2026, 10, 28));
  });

  it('takes the date of asOf in UTC, so an offset can move it', () => {
    // 2026-11-30T23:30-02:00 is 2026-12-01T01:30Z.
    expect(formatDay(utcDay(parseIsoTime('2026-11-30T23:30:00-02:00')!))).toBe('2026-12-01');
  });

  it.each(['yesterday', '2026-11-28T25:00:00Z', '2026-11-28T12:00:00+2', '2026-02-30T00:00:00Z', ''])('refuses %j', (text) => {
    expect(parseIsoTime(text)).toBeNull();
  });
});
