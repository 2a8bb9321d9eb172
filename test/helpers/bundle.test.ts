/** The test helpers themselves: a wrong helper would make every spec test meaningless. */
import { describe, expect, it } from 'vitest';
import { baseBundle, csv, dec } from './bundle';

describe('test helpers', () => {
  it('normalizes decimals', () => {
    expect(dec('12.50')).toBe('12.5');
    expect(dec('-3.00')).toBe('-3');
    expect(dec('-0.00')).toBe('0');
    expect(dec('0.0001')).toBe('0.0001');
    expect(dec('007.10')).toBe('7.1');
    expect(() => dec('1e3')).toThrow();
  });

  it('compares decimals with toBeDecimal, and only plain decimal strings', () => {
    expect('12.50').toBeDecimal('12.5');
    expect('12.51').not.toBeDecimal('12.5');
    expect('-0.08').not.toBeDecimal('0.08');
    expect(12.5).not.toBeDecimal('12.5');
    expect('1.25e1').not.toBeDecimal('12.5');
    expect(null).not.toBeDecimal('0');
  });

  it('quotes CSV fields only when they need it', () => {
    expect(csv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', 3]])).toBe('a,b\n"x,y","say ""hi"""\n"line\nbreak",3\n');
    expect(csv(['a'], [['1']], { crlf: true, trailingNewline: false })).toBe('a\r\n1');
  });

  it('fills defaults and keeps unknown columns of row objects', () => {
    const files = baseBundle({ lines: [{ client_id: 'C1', service_id: 'S1', quantity: 2, note: 'x' }] });
    expect(files['psa_lines.csv']).toBe(
      'line_id,client_id,invoice_id,service_id,service_name,quantity,unit_price,billing_cycle,period_start,period_end,agreement_id,note\n'
      + 'L1,C1,INV-1,S1,,2,,monthly,2026-11-01,2026-11-30,,x\n',
    );
    expect(Object.keys(files).sort()).toEqual(
      ['client_map.csv', 'psa_clients.csv', 'psa_lines.csv', 'service_map.csv', 'usage.csv', 'workspace.json'],
    );
  });
});
