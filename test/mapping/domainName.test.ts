import { describe, expect, it } from 'vitest';
import { DomainIndex, parseDomain } from '../../worker/mapping/domainName';

describe('parseDomain', () => {
  it('reads a plain domain down to its main label', () => {
    expect(parseDomain('acmedental.com')).toEqual({ domain: 'acmedental.com', label: 'acmedental', words: ['acmedental'], joined: 'acmedental' });
  });

  it('drops a country registry\'s second level ("co.uk") and splits the label on hyphens', () => {
    expect(parseDomain('Acme-Dental.co.uk')).toEqual({ domain: 'acme-dental.co.uk', label: 'acme-dental', words: ['acme', 'dental'], joined: 'acmedental' });
    expect(parseDomain('acme_dental.com.au')?.words).toEqual(['acme', 'dental']);
  });

  it('drops Microsoft\'s hosted suffixes: contoso.onmicrosoft.com is contoso', () => {
    expect(parseDomain('contoso.onmicrosoft.com')?.label).toBe('contoso');
    expect(parseDomain('contoso.mail.onmicrosoft.com')?.label).toBe('contoso');
  });

  it('takes the label next to the suffix, not a subdomain, and the domain of an address', () => {
    expect(parseDomain('mail.acmedental.com')?.label).toBe('acmedental');
    expect(parseDomain('www.acmedental.de')?.domain).toBe('acmedental.de');
    expect(parseDomain('ann@acmedental.com')?.domain).toBe('acmedental.com');
  });

  it('is null for ordinary names, even with dots: spaces, a legal form after the dot, no letters at the end', () => {
    expect(parseDomain('Acme Dental Group, LLC')).toBeNull();
    expect(parseDomain('J.P. Morgan')).toBeNull();
    expect(parseDomain('Acme.Inc')).toBeNull();
    expect(parseDomain('L.L.C')).toBeNull();
    expect(parseDomain('10.0.0.1')).toBeNull();
    expect(parseDomain('')).toBeNull();
  });
});

describe('DomainIndex', () => {
  it('indexes the first words of each name run together, all of them scoring 0.95', () => {
    const index = new DomainIndex(['Acme Dental Group, LLC']);
    expect(index.lookup('acmedentalgroup')).toEqual([{ client: 0, words: ['acme', 'dental', 'group'], whole: true, score: 0.95 }]);
    // The first two of 15 letters' worth of words: 0.70 + 0.25 × 10/15.
    expect(index.lookup('acmedental')[0]!.score).toBeCloseTo(0.7 + 0.25 * 10 / 15, 10);
    expect(index.lookup('acmedentalgroupllc')[0]!.whole).toBe(true);
  });

  it('does not index initials or words from the middle of a name', () => {
    const index = new DomainIndex(['Acme Dental Group']);
    expect(index.lookup('adg')).toEqual([]);
    expect(index.lookup('dentalgroup')).toEqual([]);
  });

  it('leaves out "and" and "the" as a domain would', () => {
    const index = new DomainIndex(['Smith & Jones', 'The Northwind Group']);
    expect(index.lookup('smithjones').map((e) => e.client)).toEqual([0]);
    expect(index.lookup('smithandjones').map((e) => e.client)).toEqual([0]);
    expect(index.lookup('northwindgroup').map((e) => e.client)).toEqual([1]);
  });

  it('spells an umlaut both ways and skips blank names', () => {
    const index = new DomainIndex(['', 'Müller GmbH']);
    expect(index.lookup('mueller').map((e) => e.client)).toEqual([1]);
    expect(index.lookup('muller').map((e) => e.client)).toEqual([1]);
  });
});
