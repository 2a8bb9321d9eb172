import { createHmac, timingSafeEqual } from 'node:crypto';

/** `rw` may read and write the document and blobs; `ro` may only read them. */
export type Role = 'rw' | 'ro';

/**
 * A workspace id is also a room name and a file name (`rooms/<id>.log`, `blobs/<id>/`), so it is kept
 * to URL- and file-safe characters.
 */
const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isWorkspaceId(id: string): boolean {
  return WORKSPACE_ID.test(id);
}

function mac(secret: string, workspaceId: string, role: Role): Buffer {
  return createHmac('sha256', secret).update(`${workspaceId}:${role}`).digest();
}

/** `${role}.${base64url(HMAC-SHA256(secret, `${workspaceId}:${role}`))}` */
export function signToken(secret: string, workspaceId: string, role: Role): string {
  return `${role}.${mac(secret, workspaceId, role).toString('base64url')}`;
}

/**
 * The role a token grants on a workspace, or null when it is missing, malformed, or signed for
 * another workspace or with another secret. Constant-time in the MAC comparison.
 */
export function verifyToken(secret: string, workspaceId: string, token: string | null | undefined): Role | null {
  if (typeof token !== 'string') return null;
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const role = token.slice(0, dot);
  if (role !== 'rw' && role !== 'ro') return null;
  const encoded = token.slice(dot + 1);
  const given = Buffer.from(encoded, 'base64url');
  // Buffer's decoder skips characters outside the alphabet: accept only the canonical spelling.
  if (given.toString('base64url') !== encoded) return null;
  const expected = mac(secret, workspaceId, role);
  if (given.length !== expected.length) return null;
  return timingSafeEqual(given, expected) ? role : null;
}
