/**
 * (c) Formatting a decimal the way en-US, de-DE or fr-FR software does and parsing it back gives
 * the canonical value (fast-check, fixed seed). The formatter is independent of the parser: it
 * works on a bigint count of 1/10,000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocaleName } from '../../worker/sources/locale';
import { LOCALES, parseLocaleNumber } from '../../worker/sources/locale';

const SEED = 20261128;

interface Style {
  locale: LocaleName;
  group: boolean;
  /** fr-FR: which space software writes between groups. */
  space: ' ' | '\u00A0' | '\u202F';
  places: 'minimal' | 'four';
  negative: 'minus' | 'parentheses' | 'trailing';
  currency: '' | '$' | '€ ' | ' EUR';
}

function format(units: bigint, style: Style): string {
  const { decimal, thousands } = LOCALES[style.locale];
  const abs = units < 0n ? -units : units;
  let integer = (abs / 10_000n).toString();
  if (style.group) {
    const separator = thousands === ' ' ? style.space : thousands;
    integer = integer.replace(/\B(?=(\d{3})+$)/g, separator);
  }
  let fraction = (abs % 10_000n).toString().padStart(4, '0');
  if (style.places === 'minimal') fraction = fraction.replace(/0+$/, '');
  const body = fraction === '' ? integer : `${integer}${decimal}${fraction}`;
  const money = style.currency === '' ? body : style.currency.startsWith(' ') ? body + style.currency : style.currency + body;
  if (units >= 0n) return money;
  return style.negative === 'minus' ? `-${money}` : style.negative === 'parentheses' ? `(${money})` : `${money}-`;
}

function canonical(units: bigint): string {
  const abs = units < 0n ? -units : units;
  const fraction = (abs % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${units < 0n ? '-' : ''}${abs / 10_000n}${fraction === '' ? '' : `.${fraction}`}`;
}

const style: fc.Arbitrary<Style> = fc.record({
  locale: fc.constantFrom<LocaleName>('en-US', 'de-DE', 'fr-FR'),
  group: fc.boolean(),
  space: fc.constantFrom<Style['space']>(' ', '\u00A0', '\u202F'),
  places: fc.constantFrom<Style['places']>('minimal', 'four'),
  negative: fc.constantFrom<Style['negative']>('minus', 'parentheses', 'trailing'),
  currency: fc.constantFrom<Style['currency']>('', '$', '€ ', ' EUR'),
});

describe('locale properties', () => {
  it('(c) a decimal formatted in en-US, de-DE or fr-FR style parses back to its canonical value', () => {
    const units = fc.oneof(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), fc.bigInt({ min: -100_000n, max: 100_000n }));
    fc.assert(fc.property(units, style, (value, s) => {
      const text = format(value, s);
      expect(parseLocaleNumber(text, LOCALES[s.locale]), text).toEqual({ ok: true, value: canonical(value) });
    }), { seed: SEED, numRuns: 500 });
  });
});
