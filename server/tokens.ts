import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LEGACY_PERSON, type LinkIdentity } from '../worker/protocol/syncProtocol';

/** `rw` may read and write the document and blobs; `ro` may only read them. */
export type Role = 'rw' | 'ro';

/** What a valid token grants: its role, and who the link was issued to (sent to the app, named in the audit log). */
export interface Grant {
  role: Role;
  identity: LinkIdentity;
}

/** A link as `workspaces.json` keeps it (the token itself is never stored: it is recomputed from the secret). */
export interface LinkRecord {
  person: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What `authorizeToken` needs of a workspace. */
export interface TokenWorkspace {
  secret: string;
  links: Record<string, LinkRecord>;
}

/**
 * A workspace id is also a room name and a file name (`rooms/<id>.log`, `blobs/<id>/`), so it is kept
 * to URL- and file-safe characters.
 */
const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isWorkspaceId(id: string): boolean {
  return WORKSPACE_ID.test(id);
}

/** Link ids minted by the relay: 12 url-safe characters (72 random bits), never `rw`, `ro` or `legacy-…`. */
const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function newLinkId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * Tokens of the older, unnamed kind (`rw.<mac>`, `ro.<mac>`) are links whose id is the role; they
 * appear (in identities, listings, the registry) under these ids, so they can be revoked one by one too.
 */
export const LEGACY_LINK: Readonly<Record<Role, string>> = { rw: 'legacy-rw', ro: 'legacy-ro' };
export { LEGACY_PERSON };

/** Test hook: called once per HMAC computed, so a test can see that every refusal does the same work. */
export const tokenHooks: { onMac: (() => void) | null } = { onMac: null };

function mac(secret: string, workspaceId: string, linkId: string): Buffer {
  tokenHooks.onMac?.();
  return createHmac('sha256', secret).update(`${workspaceId}:${linkId}`).digest();
}

/** `${linkId}.${base64url(HMAC-SHA256(secret, `${workspaceId}:${linkId}`))}` */
export function signLink(secret: string, workspaceId: string, linkId: string): string {
  return `${linkId}.${mac(secret, workspaceId, linkId).toString('base64url')}`;
}

/** The older token of a role: `${role}.${base64url(HMAC-SHA256(secret, `${workspaceId}:${role}`))}` (a link whose id is the role). */
export function signToken(secret: string, workspaceId: string, role: Role): string {
  return signLink(secret, workspaceId, role);
}

/** The link id a token names (`legacy-rw`/`legacy-ro` for the older kind), without checking it; null when malformed. */
export function linkIdOf(token: string | null | undefined): string | null {
  const parsed = parseToken(token);
  return parsed === null ? null : parsed.registryId;
}

interface ParsedToken {
  /** What the MAC covers: the link id, or the role for the older kind. */
  signedId: string;
  /** Where the link lives in the registry. */
  registryId: string;
  legacy: Role | null;
  given: Buffer;
}

function parseToken(token: string | null | undefined): ParsedToken | null {
  if (typeof token !== 'string' || token.length > 256) return null;
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const signedId = token.slice(0, dot);
  // `legacy-…` ids exist only as the registry's names for `rw`/`ro`: a token spelled with them is forged.
  if (!LINK_ID.test(signedId) || signedId.startsWith('legacy-')) return null;
  const encoded = token.slice(dot + 1);
  const given = Buffer.from(encoded, 'base64url');
  // Buffer's decoder skips characters outside the alphabet: accept only the canonical spelling.
  if (given.toString('base64url') !== encoded || given.length !== 32) return null;
  const legacy = signedId === 'rw' || signedId === 'ro' ? signedId : null;
  return { signedId, registryId: legacy ? LEGACY_LINK[legacy] : signedId, legacy, given };
}

/** Why a token does not (or no longer) work. */
export type Refusal = 'refused' | 'revoked' | 'expired' | 'rotated';

/** Stands in for an unknown workspace's secret, so an unknown id costs the same HMAC and lookups as a known one. */
const DUMMY: TokenWorkspace = { secret: randomBytes(32).toString('base64url'), links: Object.create(null) as Record<string, LinkRecord> };
const ZERO_MAC = Buffer.alloc(32);

/**
 * The grant a token carries on a workspace, or why not:
 * - `refused`: missing, malformed, another workspace's, an unknown link or workspace;
 * - `rotated`: well-formed, but its MAC does not hold under the current secret (issued before a rotation);
 * - `revoked`, `expired`: the link's record says so.
 *
 * Every call computes exactly one HMAC and looks up one link, whether or not the workspace exists
 * and whatever the token looks like, so neither the answer's timing nor its cost tells an unknown
 * workspace id from a known one. The comparison is constant-time.
 */
export function checkToken(
  workspace: TokenWorkspace | null,
  workspaceId: string,
  token: string | null | undefined,
  now: number = Date.now(),
): Grant | Refusal {
  const ws = workspace ?? DUMMY;
  const parsed = parseToken(token);
  const expected = mac(ws.secret, workspaceId, parsed?.signedId ?? '-');
  const macHolds = timingSafeEqual(parsed?.given ?? ZERO_MAC, expected) && parsed !== null;
  const record: LinkRecord | undefined = Object.hasOwn(ws.links, parsed?.registryId ?? '-') ? ws.links[parsed!.registryId] : undefined;
  if (workspace === null || parsed === null) return 'refused';
  if (!macHolds) return parsed.legacy || record ? 'rotated' : 'refused';
  // The older tokens need no record (they predate the registry); a record only ever revokes them.
  if (!record && !parsed.legacy) return 'refused';
  if (record?.revokedAt) return 'revoked';
  const role: Role = parsed.legacy ?? record!.role;
  const expiresAt = record?.expiresAt ?? null;
  if (expiresAt !== null && !(Date.parse(expiresAt) > now)) return 'expired';
  return {
    role,
    identity: { linkId: parsed.registryId, person: record?.person ?? LEGACY_PERSON, role, expiresAt },
  };
}

export function isGrant(result: Grant | Refusal): result is Grant {
  return typeof result === 'object';
}

/**
 * The role an older token (`rw.<mac>`/`ro.<mac>`) grants on a workspace, or null when it is missing,
 * malformed, or signed for another workspace or with another secret. Constant-time in the MAC comparison.
 */
export function verifyToken(secret: string, workspaceId: string, token: string | null | undefined): Role | null {
  const parsed = parseToken(token);
  if (parsed === null || parsed.legacy === null) return null;
  return timingSafeEqual(parsed.given, mac(secret, workspaceId, parsed.signedId)) ? parsed.legacy : null;
}
