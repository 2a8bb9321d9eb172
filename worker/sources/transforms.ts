import type { Transform } from './types';

/**
 * The named text transforms a profile may chain. Each is a plain function of one cell, so a
 * profile stays data (it can be saved in the shared document, copied and edited) and its effect
 * can be previewed row by row.
 */
const TRANSFORMS: Record<Transform, (value: string) => string> = {
  // Pax8 appends the term: "Microsoft 365 Business Premium - Monthly Commitment".
  beforeDash: (value) => {
    const at = value.indexOf(' - ');
    return at < 0 ? value : value.slice(0, at);
  },
  // "[Deprecated] Exchange Online (Plan 1) [options: 50 GB]" → "Exchange Online (Plan 1)".
  stripBracketTags: (value) => value.replace(/\[(?:deprecated|options:[^\]]*)\]/gi, ' ').replace(/\s+/g, ' ').trim(),
  emailDomain: (value) => emailDomain(value) ?? value,
  lowercase: (value) => value.toLowerCase(),
};

export function applyTransforms(value: string, transforms: readonly Transform[] | undefined): string {
  let out = value;
  for (const t of transforms ?? []) out = TRANSFORMS[t](out);
  return out.trim();
}

/**
 * The domain of a user principal name, lower-cased. A guest's UPN ("bob_fabrikam.com#EXT#@acme.onmicrosoft.com")
 * carries the host tenant's domain, which is what the part after "@" gives.
 */
export function emailDomain(upn: string): string | null {
  const at = upn.lastIndexOf('@');
  if (at < 0 || at === upn.length - 1) return null;
  return upn.slice(at + 1).trim().toLowerCase();
}

export function isGuestUpn(upn: string): boolean {
  return /#EXT#@/i.test(upn);
}

export const TRANSFORM_LABELS: Record<Transform, string> = {
  beforeDash: 'text before " - "',
  stripBracketTags: 'without [Deprecated] / [options: …]',
  emailDomain: 'domain of the e-mail address',
  lowercase: 'lower-cased',
};
