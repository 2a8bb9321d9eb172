import { Zip, ZipPassThrough, strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unzipBundle, zipBundle } from '../../worker/bundle/zip';

const BUNDLE = {
  'workspace.json': '{ "currency": "USD", "asOf": "2026-11-28T12:00:00Z" }\n',
  'psa_clients.csv': 'client_id,client_name\nC1,Acme\nC2,"Smith, Jones & Co"\n',
  'usage.csv': 'integration_id,external_client_id,record_id,product\nm365,T1,u1,E3\n',
};

/** A zip as another tool would make it, names exactly as given. */
const zipOf = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [n, strToU8(t)])));

/** fflate's streaming Zip does not dedupe names, so it can write what a careless tool writes. */
function zipWithRepeatedName(name: string, first: string, second: string): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  for (const text of [first, second]) {
    const entry = new ZipPassThrough(name);
    zip.add(entry);
    entry.push(strToU8(text), true);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('zipBundle', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
    vi.useRealTimers();
  });

  it('round-trips the files through unzipBundle', () => {
    expect(unzipBundle(zipBundle(BUNDLE))).toEqual(BUNDLE);
  });

  it('gives the same bytes for the same files in any insertion order', () => {
    const reversed = Object.fromEntries(Object.entries(BUNDLE).reverse());
    expect(zipBundle(reversed)).toEqual(zipBundle(BUNDLE));
  });

  it('gives the same bytes at a later time', () => {
    vi.useFakeTimers({ now: new Date('2026-11-28T12:00:00Z') });
    const first = zipBundle(BUNDLE);
    vi.setSystemTime(new Date('2027-03-01T08:30:00Z'));
    expect(zipBundle(BUNDLE)).toEqual(first);
  });

  it('gives the same bytes in another time zone', () => {
    process.env.TZ = 'UTC';
    const utc = zipBundle(BUNDLE);
    process.env.TZ = 'Pacific/Kiritimati';
    expect(zipBundle(BUNDLE)).toEqual(utc);
  });

  it('stores the entries sorted by name', () => {
    expect(Object.keys(unzipBundle(zipBundle(BUNDLE)))).toEqual(['psa_clients.csv', 'usage.csv', 'workspace.json']);
  });

  it('keeps accents, CJK and emoji intact', () => {
    const files = { 'psa_clients.csv': 'client_id,client_name\nC1,Søndergaard Arkitekter ApS\nC2,Café Müller\nC3,株式会社サンプル\nC4,🚀 Rocket Ltd\n' };
    expect(unzipBundle(zipBundle(files))).toEqual(files);
  });

  it('round-trips an empty bundle', () => {
    expect(unzipBundle(zipBundle({}))).toEqual({});
  });
});

describe('unzipBundle', () => {
  it('takes the files out of one top-level folder', () => {
    const bytes = zipOf({ 'march-bundle/': '', 'march-bundle/usage.csv': BUNDLE['usage.csv'], 'march-bundle/psa_clients.csv': BUNDLE['psa_clients.csv'] });
    expect(unzipBundle(bytes)).toEqual({ 'usage.csv': BUNDLE['usage.csv'], 'psa_clients.csv': BUNDLE['psa_clients.csv'] });
  });

  it('skips __MACOSX, dotfiles, dot-folders and Thumbs.db', () => {
    const bytes = zipOf({
      'march/usage.csv': 'a\n',
      '__MACOSX/march/._usage.csv': 'junk',
      'march/.DS_Store': 'junk',
      '.git/config': 'junk',
      'march/Thumbs.db': 'junk',
    });
    expect(unzipBundle(bytes)).toEqual({ 'usage.csv': 'a\n' });
  });

  it('accepts Windows backslashes and a leading ./ in entry names', () => {
    expect(unzipBundle(zipOf({ 'march\\usage.csv': 'a\n', './decisions.csv': 'b\n' }))).toEqual({ 'usage.csv': 'a\n', 'decisions.csv': 'b\n' });
  });

  it('decodes a UTF-8 file with a BOM, keeping or dropping the BOM but nothing else', () => {
    const out = unzipBundle(zipOf({ 'psa_clients.csv': '\uFEFFclient_id,client_name\nC1,Ørsted\n' }));
    expect(out['psa_clients.csv']?.replace(/^\uFEFF/, '')).toBe('client_id,client_name\nC1,Ørsted\n');
  });

  it('keeps a literal U+FFFD that was really in the file', () => {
    expect(unzipBundle(zipOf({ 'a.csv': 'x,\uFFFD\n' }))).toEqual({ 'a.csv': 'x,\uFFFD\n' });
  });

  it('refuses a file that is not UTF-8, naming it', () => {
    const latin1 = new Uint8Array([0x43, 0x31, 0x2c, 0xf8, 0x0a]); // "C1,ø\n" in Windows-1252
    expect(() => unzipBundle(zipSync({ 'psa_clients.csv': latin1 }))).toThrow(/psa_clients\.csv is not UTF-8/);
  });

  it('refuses bytes that are not a zip', () => {
    expect(() => unzipBundle(strToU8('client_id,client_name\nC1,Acme\n'))).toThrow(/not a readable zip file/);
  });

  it('refuses an empty input', () => {
    expect(() => unzipBundle(new Uint8Array(0))).toThrow(/not a readable zip file/);
  });

  it('refuses a truncated zip', () => {
    const bytes = zipBundle(BUNDLE);
    expect(() => unzipBundle(bytes.subarray(0, bytes.length - 30))).toThrow(/not a readable zip file/);
  });

  it('refuses two entries with the same name', () => {
    expect(() => unzipBundle(zipWithRepeatedName('usage.csv', 'a\n', 'b\n'))).toThrow('the zip holds two files named usage.csv');
  });

  it('refuses a root file and a folder file of the same name', () => {
    expect(() => unzipBundle(zipOf({ 'usage.csv': 'a\n', 'march/usage.csv': 'b\n' }))).toThrow('the zip holds two files named usage.csv');
  });

  it('refuses files spread over several top-level folders', () => {
    expect(() => unzipBundle(zipOf({ 'march/usage.csv': 'a\n', 'april/usage.csv': 'b\n' }))).toThrow(/several folders \(april, march\)/);
  });

  it('refuses files nested deeper than one folder', () => {
    expect(() => unzipBundle(zipOf({ 'export/march/usage.csv': 'a\n' }))).toThrow(/export\/march\/usage\.csv: bundle files must be at the top/);
  });
});
