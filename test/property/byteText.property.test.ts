/** Trimming bytes then decoding equals decoding then trimming, for any bytes, invalid UTF-8 included (fast-check, fixed seed). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, trimEnd, trimStart } from '../../worker/bundle/byteText';

/** Bytes drawn mostly from white space, its UTF-8 lead and continuation bytes, and stray bytes. */
const piece = fc.oneof(
  fc.constantFrom([0x20], [0x09], [0x0d], [0xc2, 0xa0], [0xe2, 0x80, 0x8a], [0xe2, 0x80, 0xa9], [0xe3, 0x80, 0x80], [0xef, 0xbb, 0xbf], [0xe1, 0x9a, 0x80], [0xe2, 0x81, 0x9f]),
  fc.constantFrom([0x41], [0xc3, 0xa9], [0xe6, 0x97, 0xa5], [0xf0, 0x9f, 0x98, 0x80]),
  fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
);

describe('trimStart/trimEnd on bytes', () => {
  it('agree with String.prototype.trim on the decoded text', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const bytes = Uint8Array.from(pieces.flat());
        const start = trimStart(bytes, 0, bytes.length);
        expect(decodeUtf8(bytes, start, trimEnd(bytes, start, bytes.length))).toBe(decodeUtf8(bytes, 0, bytes.length).trim());
      }),
      { seed: 20261128, numRuns: 2000 },
    );
  });
});
