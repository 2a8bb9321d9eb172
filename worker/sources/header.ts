import type { SourceProfile } from './types';

/**
 * Loose header matching. Exports rename columns between versions and languages
 * ("Country/Region" vs "CountryOrRegion", "User principal name" vs "UserPrincipalName"), so names
 * are compared by their letters and digits only, lower-cased; what spacing and punctuation cannot
 * explain is listed as an alias in the profile.
 */
export function headerKey(name: string): string {
  return name.replace(/^\uFEFF/, '').toLowerCase().normalize('NFC').replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The keys a profile accepts for one of its column names: the name itself and its aliases. */
export function keysFor(profile: Pick<SourceProfile, 'aliases'>, column: string): string[] {
  return [column, ...(profile.aliases?.[column] ?? [])].map(headerKey);
}

/** Index of a profile's column in a header, through its aliases; -1 when absent. */
export function columnIndex(profile: Pick<SourceProfile, 'aliases'>, header: readonly string[], column: string): number {
  const keys = keysFor(profile, column);
  const headerKeys = header.map(headerKey);
  for (const key of keys) {
    const at = headerKeys.indexOf(key);
    if (at >= 0) return at;
  }
  return -1;
}

/** What a saved profile remembers of its file: the header's keys, in order, blanks left out. */
export function headerSignature(header: readonly string[]): string[] {
  return header.map(headerKey).filter((k) => k !== '');
}
