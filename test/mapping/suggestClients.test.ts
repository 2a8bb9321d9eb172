import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../worker/mapping/normalizeName';
import { compareNames, createClientMatcher, displayScore, explain, suggestClients } from '../../worker/mapping/suggestClients';
import type { ClientLike, Suggestion } from '../../worker/mapping/suggestClients';

const clients = (...names: string[]): ClientLike[] => names.map((clientName, i) => ({ clientId: `C${i + 1}`, clientName }));
/** The one suggestion for `external` among a single PSA client, or undefined below 0.30. */
const against = (external: string, psa: string): Suggestion | undefined => suggestClients(external, clients(psa))[0];
const score = (a: string, b: string): number => displayScore(compareNames(normalizeName(a), normalizeName(b)).score);

describe('suggestClients', () => {
  it('scores 1 and explains why when the names are the same after normalising', () => {
    expect(against('ACME, Inc.', 'Acme Inc')).toEqual({
      clientId: 'C1',
      clientName: 'Acme Inc',
      score: 1,
      why: '"ACME, Inc." ~ "Acme Inc": same name after folding case and dropping punctuation and the suffix (Inc)',
    });
  });

  it('says "same name" for identical names', () => {
    expect(against('Acme Dental', 'Acme Dental')?.why).toBe('"Acme Dental" ~ "Acme Dental": same name');
  });

  it('matches Müller GmbH with Mueller through the spelled-out umlaut', () => {
    const s = against('Müller GmbH', 'Mueller')!;
    expect(s.score).toBeGreaterThanOrEqual(0.9);
    expect(s.why).toBe('"Müller GmbH" ~ "Mueller": same name after folding case, spelling out umlauts (ü → ue), and dropping the suffix (GmbH)');
  });

  it('matches "Smith, Jones & Co" with "Smith & Jones" on their words', () => {
    const s = against('Smith, Jones & Co', 'Smith & Jones')!;
    expect(s.score).toBeGreaterThanOrEqual(0.9);
    expect(s.why).toBe('"Smith, Jones & Co" ~ "Smith & Jones": 2 of 2 words in common');
  });

  it('matches a Japanese name with and without 株式会社 exactly', () => {
    expect(against('日本商事', '日本商事株式会社')).toMatchObject({ score: 1, why: '"日本商事" ~ "日本商事株式会社": same name after dropping the legal form (株式会社)' });
    expect(score('(株)日本商事', '日本商事株式会社')).toBe(1);
  });

  it('matches O\'Brien & Sons Plumbing with OBrien and Sons Plumbing LLC', () => {
    expect(against("O'Brien & Sons Plumbing", 'OBrien and Sons Plumbing LLC')).toMatchObject({
      score: 1,
      why: '"O\'Brien & Sons Plumbing" ~ "OBrien and Sons Plumbing LLC": same name after folding case, reading & as and, and dropping punctuation and the suffix (LLC)',
    });
  });

  it('scores unrelated names below 0.4 and does not suggest them', () => {
    expect(score('Blue Sky Dental', 'Ironclad Manufacturing')).toBeLessThan(0.4);
    expect(against('Blue Sky Dental', 'Ironclad Manufacturing')).toBeUndefined();
  });

  it('ranks Acme Incorporated above Acme Industrial Supply for "Acme Inc"', () => {
    const s = suggestClients('Acme Inc', clients('Acme Industrial Supply', 'Zenith Bakery', 'Acme Incorporated'));
    expect(s.map((x) => x.clientName)).toEqual(['Acme Incorporated', 'Acme Industrial Supply']);
    expect(s[0]!.score).toBe(1);
    expect(s[1]!.why).toBe('"Acme Inc" ~ "Acme Industrial Supply": 1 of 3 words in common');
  });

  it('explains a near miss by the letters that differ', () => {
    expect(against('Mueller', 'Muller')).toMatchObject({ score: 0.86, why: '"Mueller" ~ "Muller": similar after normalising (1 letter differs)' });
    expect(against('Acme Dentl', 'Acme Dental')?.why).toBe('"Acme Dentl" ~ "Acme Dental": similar after normalising (1 letter differs)');
    expect(against('Northwind Traders', 'Northwynd Tradrs')?.why).toBe('"Northwind Traders" ~ "Northwynd Tradrs": similar after normalising (2 letters differ)');
  });

  it('explains a partial match by the words in common', () => {
    expect(against('Acme Dental', 'Acme Dental Group')).toMatchObject({ score: 0.67, why: '"Acme Dental" ~ "Acme Dental Group": 2 of 3 words in common' });
  });

  it('never shows 1.00 unless the names are the same after normalising', () => {
    expect(against('Jones & Smith', 'Smith & Jones')?.score).toBe(0.99);
  });

  it('compares CJK names letter by letter', () => {
    expect(score('日本商事', '日本商会')).toBe(0.75);
  });

  it('breaks equal scores by client name, then id', () => {
    const s = suggestClients('Acme', [
      { clientId: 'C3', clientName: 'Acme South' },
      { clientId: 'C2', clientName: 'Acme North' },
      { clientId: 'C1', clientName: 'Acme North' },
    ]);
    expect(s.map((x) => [x.clientId, x.score])).toEqual([['C1', 0.5], ['C2', 0.5], ['C3', 0.5]]);
  });

  it('returns at most `limit` suggestions (3 by default), best first', () => {
    const psa = clients('Acme Dental', 'Acme Dental Group', 'Acme Dental Care', 'Acme Dental Lab', 'Acme Dentistry');
    expect(suggestClients('Acme Dental', psa)).toHaveLength(3);
    expect(suggestClients('Acme Dental', psa, 1).map((x) => x.clientName)).toEqual(['Acme Dental']);
    expect(suggestClients('Acme Dental', psa, 0)).toEqual([]);
    const scores = suggestClients('Acme Dental', psa, 5).map((x) => x.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('suggests nothing for an empty or blank name, and never a PSA client without a name', () => {
    const psa = clients('', '   ', 'Acme');
    expect(suggestClients('', psa)).toEqual([]);
    expect(suggestClients('   ', psa)).toEqual([]);
    expect(suggestClients('Acme', psa).map((x) => x.clientId)).toEqual(['C3']);
  });

  it('suggests exactly what comparing against every client one by one suggests (the pruning loses nothing)', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const words = ['Acme', 'Blue', 'Sky', 'Dental', 'Müller', 'Mueller', 'North', 'Nord', 'Star', 'Smith', 'Jones', '&', 'Plumbing', 'Group', 'Care', 'Søndergaard', '日本商事'];
    const suffixes = ['', ' Inc', ', LLC', ' GmbH', ' & Co', ' Ltd.', ' 株式会社'];
    const name = (): string => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words)).join(' ') + pick(suffixes);
    const psa = Array.from({ length: 300 }, (_, i) => ({ clientId: `P${i}`, clientName: name() }));
    const matcher = createClientMatcher(psa);
    const normalized = psa.map((c) => normalizeName(c.clientName));
    const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
    for (let n = 0; n < 60; n++) {
      const external = name();
      const ext = normalizeName(external);
      const expected = psa
        .map((c, i) => ({ c, cmp: compareNames(ext, normalized[i]!) }))
        .map(({ c, cmp }) => ({ clientId: c.clientId, clientName: c.clientName, score: displayScore(cmp.score), why: explain(external, c.clientName, cmp) }))
        .filter((s) => s.score >= 0.3)
        .sort((a, b) => b.score - a.score || collator.compare(a.clientName, b.clientName) || (a.clientId < b.clientId ? -1 : 1))
        .slice(0, 4);
      expect(matcher.suggest(external, 4)).toEqual(expected);
    }
  });
});

describe('suggestClients for a client named by its domain (a Microsoft 365 tenant)', () => {
  const psa = clients('Acme Dental Group, LLC', 'Contoso Ltd', 'Acme Industrial Supply', 'Blue Sky Dental');

  it('matches acmedental.com with "Acme Dental Group, LLC": the domain spells its first words', () => {
    // 0.70 + 0.25 × 10 of the 15 letters of "acme dental group" = 0.8667.
    expect(suggestClients('acmedental.com', psa)[0]).toEqual({
      clientId: 'C1',
      clientName: 'Acme Dental Group, LLC',
      score: 0.87,
      why: 'domain acmedental.com ~ "Acme Dental Group, LLC": the domain spells its first words (acme dental)',
    });
  });

  it('matches a hyphenated domain under a country registry the same way', () => {
    expect(suggestClients('acme-dental.co.uk', psa)[0]).toMatchObject({ clientId: 'C1', score: 0.87 });
  });

  it('matches contoso.onmicrosoft.com with "Contoso Ltd" at 0.95: the domain spells the whole name, yet is not the name', () => {
    expect(suggestClients('contoso.onmicrosoft.com', psa)).toEqual([
      { clientId: 'C2', clientName: 'Contoso Ltd', score: 0.95, why: 'domain contoso.onmicrosoft.com ~ "Contoso Ltd": the domain spells its name (contoso)' },
    ]);
  });

  it('prefers the name the domain spells more of', () => {
    // acme.com: 0.70 + 0.25 × 4/15 = 0.77 for Acme Dental Group, 0.70 + 0.25 × 4/20 = 0.75 for Acme Industrial Supply.
    expect(suggestClients('acme.com', psa).map((s) => [s.clientId, s.score])).toEqual([['C1', 0.77], ['C3', 0.75]]);
  });

  it('still compares the label\'s words as a name when they are not the first words in order', () => {
    expect(suggestClients('dental-acme.com', psa)[0]).toMatchObject({ clientId: 'C1', score: 0.67, why: 'domain dental-acme.com ~ "Acme Dental Group, LLC": 2 of 3 words in common' });
  });

  it('never scores a domain above 0.95, even when its words are the name', () => {
    expect(suggestClients('blue-sky-dental.com', psa)[0]).toMatchObject({ clientId: 'C4', score: 0.95 });
  });

  it('suggests exactly what comparing against every client one by one suggests, for domains too', () => {
    const names = ['Acme Dental Group, LLC', 'Acme Dental', 'Acme Industrial Supply', 'Contoso Ltd', 'Smith & Jones', 'The Northwind Group', 'Müller GmbH', 'Blue Sky Dental', 'Acme'];
    const many = names.flatMap((n, i) => [{ clientId: `P${i}`, clientName: n }, { clientId: `Q${i}`, clientName: `${n} West` }]);
    const matcher = createClientMatcher(many);
    const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
    for (const external of ['acmedental.com', 'acme.com', 'acme-dental-group.co.uk', 'contoso.onmicrosoft.com', 'smithjones.com', 'northwindgroup.net', 'mueller.de', 'bluesky.org', 'acmewest.com']) {
      const expected = many
        .map((c) => suggestClients(external, [c], 1)[0])
        .filter((s): s is Suggestion => s !== undefined)
        .sort((a, b) => b.score - a.score || collator.compare(a.clientName, b.clientName) || (a.clientId < b.clientId ? -1 : 1))
        .slice(0, 4);
      expect(matcher.suggest(external, 4)).toEqual(expected);
    }
  });
});
