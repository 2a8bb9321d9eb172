import { describe, expect, it } from 'vitest';
import { describeSteps, normalizeName } from '../../worker/mapping/normalizeName';

const key = (name: string): string => normalizeName(name).key;

describe('normalizeName', () => {
  it('folds case, drops punctuation and a trailing legal suffix, and says so', () => {
    expect(normalizeName('ACME, Inc.')).toMatchObject({
      key: 'acme',
      tokens: ['acme'],
      steps: ['case folded', 'punctuation dropped', 'suffix dropped (Inc)'],
    });
  });

  it('records no step when nothing changed', () => {
    expect(normalizeName('acme dental')).toMatchObject({ key: 'acme dental', tokens: ['acme', 'dental'], steps: [], keys: ['acme dental'] });
  });

  it('gives a name with an umlaut a second key with it spelled out, so Müller meets Mueller and Muller', () => {
    const n = normalizeName('Müller GmbH');
    expect(n.key).toBe('muller');
    expect(n.keys).toEqual(['muller', 'mueller']);
    expect(n.steps).toEqual(['case folded', 'accents folded', 'suffix dropped (GmbH)']);
    expect(n.variants[1]!.steps.map((s) => s.text)).toContain('umlauts spelled out (ü → ue)');
    expect(key('Mueller')).toBe('mueller');
    expect(key('Muller')).toBe('muller');
    expect(normalizeName('Blue Sky').keys).toEqual(['blue sky']);
  });

  it('reads ß as ss', () => {
    expect(normalizeName('Straße')).toMatchObject({ key: 'strasse', steps: ['case folded', 'ß read as ss'] });
    expect(key('STRASSE')).toBe('strasse');
  });

  it('removes other accents, including letters that do not decompose (ø, æ)', () => {
    expect(key('Café René S.A.')).toBe('cafe rene');
    expect(key('Søndergaard Arkitekter ApS')).toBe('sondergaard arkitekter');
    expect(key('Ærø Fisk')).toBe('aero fisk');
    expect(normalizeName('Café').steps).toEqual(['case folded', 'accents folded']);
  });

  it('reads & as and, and drops a trailing "& Co"', () => {
    expect(normalizeName('Smith & Jones')).toMatchObject({ key: 'smith and jones', steps: ['case folded', '& read as and'] });
    expect(key('Smith, Jones & Co')).toBe('smith jones');
    expect(key('Smith, Jones and Co.')).toBe('smith jones');
  });

  it('deletes apostrophes and dots inside words, so O\'Brien is OBrien and L.L.C. is LLC', () => {
    expect(key("O'Brien & Sons Plumbing")).toBe('obrien and sons plumbing');
    expect(key('OBrien and Sons Plumbing LLC')).toBe('obrien and sons plumbing');
    expect(key('Foo L.L.C.')).toBe('foo');
    expect(key('Bar P.C.')).toBe('bar');
    expect(key('Smith-Jones')).toBe('smith jones');
  });

  it('drops stacked suffixes one after the other', () => {
    expect(normalizeName('Hansen GmbH & Co. KG').steps).toContain('suffix dropped (GmbH & Co KG)');
    expect(key('Hansen GmbH & Co. KG')).toBe('hansen');
    expect(key('Acme Pty Ltd')).toBe('acme');
    expect(key('Blue Sky Holdings Limited')).toBe('blue sky holdings');
  });

  it('drops suffixes only at the end, and never the last word', () => {
    expect(key('AB Volvo')).toBe('ab volvo');
    expect(key('Inc Ventures')).toBe('inc ventures');
    expect(key('Co-operative Bank')).toBe('co operative bank');
    expect(key('Inc.')).toBe('inc');
    expect(key('The Company')).toBe('the');
  });

  it('drops Japanese legal forms wherever they are, and keeps CJK text whole', () => {
    for (const name of ['日本商事株式会社', '株式会社日本商事', '株式会社 日本商事', '(株)日本商事', '（株）日本商事', '㈱日本商事', '有限会社日本商事', '日本商事']) {
      expect(key(name)).toBe('日本商事');
    }
    expect(normalizeName('日本商事株式会社').steps).toEqual(['legal form dropped (株式会社)']);
    expect(normalizeName('(株)日本商事').steps).toEqual(['legal form dropped (株)']);
    expect(key('株式会社')).toBe('株式会社');
  });

  it('keeps letters of every script: kana with dakuten, hangul, Greek, Cyrillic', () => {
    expect(key('がぎ工業')).toBe('がぎ工業');
    expect(key('삼성전자')).toBe('삼성전자');
    expect(key('Ελληνική Εταιρεία')).toBe('ελληνικη εταιρεια');
    expect(key('Ромашка ООО')).toBe('ромашка ооо');
  });

  it('folds full-width letters and spaces (NFKC)', () => {
    expect(normalizeName('ＡＣＭＥ　Ｉｎｃ')).toMatchObject({ key: 'acme', steps: ['compatibility characters unified', 'case folded', 'suffix dropped (Inc)'] });
  });

  it('collapses whitespace', () => {
    expect(normalizeName('  Acme \t  Dental ')).toMatchObject({ key: 'acme dental', steps: ['case folded', 'spaces collapsed'] });
  });

  it('gives an empty or blank name an empty key', () => {
    expect(normalizeName('')).toMatchObject({ key: '', tokens: [], steps: [], keys: [''] });
    expect(normalizeName(' \t ')).toMatchObject({ key: '', tokens: [] });
  });

  it('keeps the case-folded form of a name that would normalise to nothing', () => {
    expect(normalizeName('!!!')).toMatchObject({ key: '!!!', tokens: ['!!!'] });
    expect(normalizeName(' -- ** ')).toMatchObject({ key: '-- **', tokens: ['--', '**'] });
  });

  it('leaves legal suffixes alone when asked (product and service names)', () => {
    expect(normalizeName('Backup per PC', { legalForms: false }).key).toBe('backup per pc');
    expect(normalizeName('Backup per PC').key).toBe('backup per');
  });

  it('describes the steps of two names as one phrase, each once, drops sharing a verb', () => {
    expect(describeSteps(normalizeName('ACME, Inc.').variants[0]!.steps, normalizeName('Acme Inc').variants[0]!.steps))
      .toBe('folding case and dropping punctuation and the suffix (Inc)');
    expect(describeSteps(normalizeName('Acme Inc').variants[0]!.steps, normalizeName('Acme Incorporated').variants[0]!.steps))
      .toBe('folding case and dropping the suffixes (Inc, Incorporated)');
    expect(describeSteps()).toBe('');
  });
});
