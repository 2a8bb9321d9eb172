import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstLine, isUtf8 } from '../../worker/sources/read/decodeText';

const fatal = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('telling UTF-8 from other bytes without decoding them', () => {
  it('agrees with a strict decoder on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => isUtf8(bytes) === fatal(bytes)), { numRuns: 5000, seed: 12 });
  });

  it('agrees on text with a byte cut out or changed (truncated sequences, stray continuation bytes)', () => {
    const cut = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, b]) => {
      const bytes = new TextEncoder().encode(s);
      if (bytes.length === 0) return bytes;
      const copy = bytes.slice();
      copy[at % copy.length] = b;
      return copy;
    });
    fc.assert(fc.property(cut, (bytes) => isUtf8(bytes) === fatal(bytes)), { numRuns: 5000, seed: 13 });
  });

  it('accepts every well-formed text, surrogate pairs and all', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => isUtf8(new TextEncoder().encode(s))), { numRuns: 2000, seed: 14 });
  });

  it('reads a header line without its BOM or line break', () => {
    expect(firstLine(new TextEncoder().encode('\uFEFFintegration_id,record_id\r\nm365,a'))).toBe('integration_id,record_id');
  });
});
