import { describe, expect, it } from 'vitest';
import { decodeText, decodeWindows1252 } from '../../worker/sources/read/decodeText';
import { CP1252, encode1252 } from './helpers/encodings';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => new Uint8Array(b);



function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out[2 + 2 * i] = littleEndian ? u & 0xff : u >> 8;
    out[3 + 2 * i] = littleEndian ? u >> 8 : u & 0xff;
  }
  return out;
}

describe('decodeText', () => {
  it('reads UTF-8 without a BOM as UTF-8 with no notes', () => {
    expect(decodeText('a.csv', utf8('Name,Preis\nMüller,12 €\n'))).toEqual({ text: 'Name,Preis\nMüller,12 €\n', encoding: 'utf-8', notes: [] });
  });

  it('strips a UTF-8 BOM', () => {
    const result = decodeText('a.csv', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Name\n')]));
    expect(result.text).toBe('Name\n');
    expect(result.encoding).toBe('utf-8');
  });

  it('reads bytes that are not UTF-8 as Windows-1252 and says so, naming the file', () => {
    const result = decodeText('exports/Müller.csv', encode1252('Kunde;Betrag\nMüller GmbH;1.234,50 €\n'));
    expect(result.text).toBe('Kunde;Betrag\nMüller GmbH;1.234,50 €\n');
    expect(result.encoding).toBe('windows-1252');
    expect(result.notes).toEqual([`exports/Müller.csv: not valid UTF-8, read as Windows-1252 (Excel's "CSV" on Western Windows)`]);
  });

  it('maps 0x80–0x9F to the Windows-1252 punctuation, not to latin-1 control characters', () => {
    const text = decodeWindows1252(bytes(0x80, 0x84, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99)).text;
    expect(text).toBe('€„…‘’“”–—™');
  });

  it('decodes every byte as the Windows-1252 table says', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeWindows1252(all).text).toBe(CP1252);
  });

  it('notes bytes that Windows-1252 leaves unassigned instead of hiding them', () => {
    const result = decodeText('odd.csv', bytes(0x41, 0x81, 0xff));
    expect(result.text).toBe('A\u0081ÿ');
    expect(result.notes[1]).toMatch(/^odd\.csv: 1 byte\(s\) have no character in Windows-1252/);
  });

  it('never produces U+FFFD for Windows-1252 input', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeText('all.csv', all).text).not.toContain('\uFFFD');
  });

  it('decodes UTF-16 LE with its BOM (Excel "Unicode text", tab-separated)', () => {
    expect(decodeText('u.txt', utf16('Name\tAnzahl\nMüller €\t3\n', true))).toEqual({ text: 'Name\tAnzahl\nMüller €\t3\n', encoding: 'utf-16', notes: [] });
  });

  it('decodes UTF-16 BE with its BOM, surrogate pairs included', () => {
    expect(decodeText('u.txt', utf16('a😀b', false)).text).toBe('a😀b');
  });

  it('replaces a lone surrogate in UTF-16 with U+FFFD and says so', () => {
    const result = decodeText('u.txt', utf16('a\uD800b', true));
    expect(result.text).toBe('a\uFFFDb');
    expect(result.notes).toEqual(['u.txt: the UTF-16 text is damaged (a broken character was replaced by "\uFFFD")']);
  });
});
