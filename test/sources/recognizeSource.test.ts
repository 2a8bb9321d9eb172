import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import { columnIndex } from '../../worker/sources/header';
import { m365ActiveUsers } from '../../worker/sources/profiles/m365ActiveUsers';
import { nearestProfiles, recognizeSource } from '../../worker/sources/recognizeSource';
import { converted } from './fixtures';

/**
 * Loose header recognition: exports rename columns between versions and languages, and users
 * re-save them, so a header is matched by its letters and digits and by known renames, and a
 * header no profile claims gets the nearest ones for the wizard to start from.
 */

const idOf = (header: string[]) => recognizeSource(header, BUILTIN_PROFILES)?.id ?? null;

describe('recognizeSource', () => {
  it('recognises a header whatever its case, spacing and punctuation', () => {
    expect(idOf(['DISPLAY NAME', '  user principal name ', 'LICENSES'])).toBe('m365-active-users');
    expect(idOf(['display_name', 'User-Principal-Name', 'licenses'])).toBe('m365-active-users');
    expect(idOf(['client name', 'ROLE', 'last  online'])).toBe('ninjaone-devices');
  });

  it('recognises the renamed English Microsoft 365 headers (UserPrincipalName, Block credential, CountryOrRegion)', () => {
    const header = ['DisplayName', 'UserPrincipalName', 'Licenses', 'Block credential', 'CountryOrRegion'];
    expect(idOf(header)).toBe('m365-active-users');
    expect(columnIndex(m365ActiveUsers, header, 'Blocked sign-in')).toBe(3);
    expect(columnIndex(m365ActiveUsers, header, 'Country/Region')).toBe(4);
    expect(columnIndex(m365ActiveUsers, ['Display name', 'Country/Region'], 'Country/Region')).toBe(1);
  });

  it('reads "Block credential" TRUE as a blocked sign-in, as it reads "Blocked sign-in"', async () => {
    const text = 'DisplayName,UserPrincipalName,Licenses,Block credential,CountryOrRegion\nAnn Lee,ann@acme.com,Microsoft 365 Business Premium,TRUE,US\nBob Roe,bob@acme.com,Microsoft 365 Business Premium,FALSE,US\n';
    const c = await converted('renamed.csv', new TextEncoder().encode(text));
    expect(c.usage.map((r) => [r.record_id, r.category])).toEqual([['ann@acme.com', 'Blocked sign-in'], ['bob@acme.com', '']]);
  });

  it('claims no file whose header lacks one of a profile\'s signature columns', () => {
    expect(idOf(['Client Name', 'Role', 'Device Name'])).toBeNull();
  });
});

describe('nearestProfiles', () => {
  it('puts the profile with most of its signature first, naming what matched and what is missing', () => {
    const near = nearestProfiles(['Client Name', 'Role', 'Device Name', 'Serial'], BUILTIN_PROFILES);
    expect(near[0]).toMatchObject({ matched: ['Client Name', 'Role'], missing: ['Last Online'] });
    expect(near[0]!.profile.id).toBe('ninjaone-devices');
    expect(near[0]!.score).toBeCloseTo(2 / 3, 10);
  });

  it('matches loosely too: a header in other case and spacing is as near', () => {
    const near = nearestProfiles(['USAGE  CUSTOMER', 'device id', 'Product'], BUILTIN_PROFILES);
    expect(near[0]).toMatchObject({ matched: ['Usage Customer', 'Device ID', 'Product'], missing: ['Quantity'] });
  });

  it('gives no nearest profile for a header sharing no column with any', () => {
    expect(nearestProfiles(['Tenant', 'Protected machine', 'Plan'], BUILTIN_PROFILES)).toEqual([]);
  });
});
