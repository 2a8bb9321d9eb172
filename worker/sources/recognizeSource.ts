import { columnIndex } from './header';
import type { SourceProfile } from './types';

/**
 * Which profile a raw file is, from its header alone. A profile claims a file when every column
 * of its signature is there (loosely, see header.ts). Among claims the longest signature wins,
 * being the more specific: a profile a user saved for a file remembers its whole header, so next
 * month's file with the same header is theirs before any built-in profile's.
 */
export function recognizeSource(header: readonly string[], profiles: readonly SourceProfile[]): SourceProfile | null {
  let best: SourceProfile | null = null;
  for (const profile of profiles) {
    if (profile.signature.length === 0 || !profile.signature.every((column) => columnIndex(profile, header, column) >= 0)) continue;
    if (best === null || profile.signature.length > best.signature.length || (profile.signature.length === best.signature.length && profile.origin === 'saved' && best.origin === 'builtin')) {
      best = profile;
    }
  }
  return best;
}

export interface NearProfile {
  profile: SourceProfile;
  /** Signature columns the header has, and those it lacks. */
  matched: string[];
  missing: string[];
  /** matched / signature size. */
  score: number;
}

/** Profiles closest to a header no profile claims, best first: the wizard's starting point. */
export function nearestProfiles(header: readonly string[], profiles: readonly SourceProfile[], limit = 3): NearProfile[] {
  const near: NearProfile[] = [];
  for (const profile of profiles) {
    if (profile.signature.length === 0) continue;
    const matched = profile.signature.filter((column) => columnIndex(profile, header, column) >= 0);
    if (matched.length === 0) continue;
    const missing = profile.signature.filter((column) => !matched.includes(column));
    near.push({ profile, matched, missing, score: matched.length / profile.signature.length });
  }
  return near.sort((a, b) => b.score - a.score || b.matched.length - a.matched.length || a.profile.name.localeCompare(b.profile.name)).slice(0, limit);
}
