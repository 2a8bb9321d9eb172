import { describe, expect, it } from 'vitest';
import { divRound, formatCents, formatUnits, parseUnits } from '../../worker/engine/decimal';

describe('parseUnits reads plain decimals exactly (spec §1, §9)', () => {
  it('scales to ten-thousandths', () => {
    expect(parseUnits('3')).toBe(30_000n);
    expect(parseUnits('12.5')).toBe(125_000n);
    expect(parseUnits('-0.0001')).toBe(-1n);
    expect(parseUnits('3.0000')).toBe(30_000n);
  });

  it('keeps digits that a double would lose', () => {
    // 2^53 + 1 = 9007199254740993 is not representable as a double.
    expect(parseUnits('9007199254740993.0001')).toBe(90_071_992_547_409_930_001n);
  });

  it.each(['1e3', '12,5', '$4', '1.23456', '+5', '.5', '5.', '', '1 000', '0x10', 'NaN'])('refuses %j', (text) => {
    expect(parseUnits(text)).toBeNull();
  });
});

describe('divRound rounds half away from zero', () => {
  it.each([
    [5n, 2n, 3n], // 2.5 → 3
    [-5n, 2n, -3n], // -2.5 → -3
    [7n, 3n, 2n], // 2.33 → 2
    [-7n, 3n, -2n],
    [8n, 3n, 3n], // 2.67 → 3
    [-8n, 3n, -3n],
    [5n, -2n, -3n], // a negative divisor flips the sign only
    [0n, 7n, 0n],
  ])('%d / %d = %d', (n, d, q) => {
    expect(divRound(n, d)).toBe(q);
  });
});

describe('formatting is plain decimal text', () => {
  it('quantities drop trailing zeros', () => {
    expect(formatUnits(30_000n)).toBe('3');
    expect(formatUnits(125_000n)).toBe('12.5');
    expect(formatUnits(-1n)).toBe('-0.0001');
    expect(formatUnits(0n)).toBe('0');
  });

  it('money keeps two places and its sign', () => {
    expect(formatCents(-1250n)).toBe('-12.50');
    expect(formatCents(5n)).toBe('0.05');
    expect(formatCents(-5n)).toBe('-0.05');
    expect(formatCents(0n)).toBe('0.00');
    expect(formatCents(123456789012345678901n)).toBe('1234567890123456789.01');
  });
});
