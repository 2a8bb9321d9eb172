import { describe, expect, it } from 'vitest';
import { decodeUtf8, sliceString, trimEnd, trimStart } from '../../worker/bundle/byteText';

const encode = (text: string) => new TextEncoder().encode(text);
const trimmed = (bytes: Uint8Array) => {
  const start = trimStart(bytes, 0, bytes.length);
  return decodeUtf8(bytes, start, trimEnd(bytes, start, bytes.length));
};

describe('byte slices read as the text path reads their strings', () => {
  it('trims exactly the code points String.prototype.trim trims', () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      const text = `${s}x${s}`;
      if (trimmed(encode(text)) !== text.trim()) expect.fail(`U+${cp.toString(16)} is trimmed differently`);
    }
  });

  it('trims runs of mixed white space on both sides', () => {
    expect(trimmed(encode(' \t\u00a0\u3000\ufeffCafé\u2028 \u202f'))).toBe('Café');
  });

  it('builds the same string as decoding, for ASCII and for multi-byte text', () => {
    for (const text of ['', 'a', 'r-0001', 'user-000123-long-record-id', 'é', '日本', '😀x']) {
      const bytes = encode(text);
      expect(sliceString(bytes, 0, bytes.length)).toBe(text);
    }
  });
});
