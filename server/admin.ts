/**
 * The relay's admin API (`${basePath}/admin/...`, see ADMIN_SEGMENT in worker/protocol/syncProtocol.ts):
 * Settings creates a shared workspace, mints a link per teammate, lists and revokes them, with the
 * relay's admin key. The key is the only credential: whoever holds it runs the relay's workspaces.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { LinkInfo, NewLink } from '../worker/protocol/syncProtocol';
import { logInfo } from './log';
import { LEGACY_LINK, LEGACY_PERSON, isWorkspaceId, type Role } from './tokens';
import { ensureDataDir, linkInfo, writeFileAtomic, type WorkspaceRegistry } from './workspaces';

export const ADMIN_DEFAULTS = {
  /** Failed admin requests (no or wrong key) an address may make per window before every admin request from it gets 429. */
  maxFailures: 10,
  failureWindowMs: 60_000,
  /** Addresses the failure throttle remembers at most (past it, the oldest is forgotten first). */
  maxThrottledAddresses: 10_000,
  /** Largest admin request body (a NewLink is under 200 bytes). */
  maxBodyBytes: 16 * 1024,
  /** Longest person name. */
  maxPersonChars: 120,
} as const;

export function adminKeyPath(dataDir: string): string {
  return path.join(dataDir, 'admin.key');
}

/** The relay's admin key: read from DATA_DIR/admin.key, or created there on first start (32 random bytes, base64url, mode 600). */
export function ensureAdminKey(dataDir: string): string {
  const file = adminKeyPath(dataDir);
  try {
    const key = fs.readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  ensureDataDir(dataDir);
  const key = randomBytes(32).toString('base64url');
  writeFileAtomic(file, `${key}\n`);
  return key;
}

/** Constant-time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameKey(given: string, key: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(key).digest();
  return timingSafeEqual(a, b) && given.length === key.length;
}

/**
 * Failed admin attempts per address in a fixed window. Past `max`, every admin request from that
 * address is answered 429 until the window ends (a right key too: guessing gets no signal).
 */
export class AdminThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  constructor(
    private readonly max: number = ADMIN_DEFAULTS.maxFailures,
    private readonly windowMs: number = ADMIN_DEFAULTS.failureWindowMs,
    private readonly maxAddresses: number = ADMIN_DEFAULTS.maxThrottledAddresses,
  ) {}

  /** Milliseconds until `address` may try again, 0 when it may now. */
  blockedFor(address: string, now = Date.now()): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    if (now - f.since >= this.windowMs) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= this.max ? f.since + this.windowMs - now : 0;
  }

  fail(address: string, now = Date.now()): void {
    const f = this.failures.get(address);
    if (f && now - f.since < this.windowMs) f.count++;
    else this.failures.set(address, { count: 1, since: now });
    // Bounded: an attacker with many addresses cannot grow this map without limit.
    if (this.failures.size > this.maxAddresses) {
      for (const [a, v] of this.failures) if (now - v.since >= this.windowMs) this.failures.delete(a);
      if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    }
  }

  get size(): number {
    return this.failures.size;
  }
}

export interface AdminContext {
  registry: WorkspaceRegistry;
  adminKey: string;
  throttle: AdminThrottle;
  /** The address the throttle counts (`remoteAddress` in limits.ts: the proxy's `X-Forwarded-For` with `trustProxy`). */
  address(req: IncomingMessage): string;
  /** Open connections per link id of a workspace (the relay's sessions). */
  live(workspaceId: string): Map<string, number>;
  /** A link was revoked or a secret rotated: close the sessions that ended, now. */
  afterRevocation(): void;
  /** Runs one edit of the registry; relays sharing it take turns (a Redis lock). */
  edit<T>(change: () => T): Promise<T>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > ADMIN_DEFAULTS.maxBodyBytes) throw new HttpError(413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ADMIN_DEFAULTS.maxBodyBytes) throw new HttpError(413, 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

/** A `NewLink` from a request body, checked: a name, a role, an expiry in the future or none. */
export function parseNewLink(body: unknown, now = Date.now()): NewLink {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'expected { person, role, expiresAt }');
  const b = body as Record<string, unknown>;
  const person = typeof b.person === 'string' ? b.person.trim() : '';
  // eslint-disable-next-line no-control-regex
  if (person === '' || person.length > ADMIN_DEFAULTS.maxPersonChars || /[\u0000-\u001f\u007f]/.test(person)) {
    throw new HttpError(400, `person must be a name of 1 to ${ADMIN_DEFAULTS.maxPersonChars} characters`);
  }
  if (b.role !== 'rw' && b.role !== 'ro') throw new HttpError(400, 'role must be "rw" or "ro"');
  let expiresAt: string | null = null;
  if (b.expiresAt !== null && b.expiresAt !== undefined) {
    const t = typeof b.expiresAt === 'string' ? Date.parse(b.expiresAt) : NaN;
    if (Number.isNaN(t)) throw new HttpError(400, 'expiresAt must be an ISO date-time or null');
    if (t <= now) throw new HttpError(400, 'expiresAt is in the past');
    expiresAt = new Date(t).toISOString();
  }
  return { person, role: b.role, expiresAt };
}

function listLinks(ctx: AdminContext, workspaceId: string): LinkInfo[] {
  const entry = ctx.registry.get(workspaceId);
  if (!entry) throw new HttpError(404, 'unknown workspace');
  const live = ctx.live(workspaceId);
  const out = Object.entries(entry.links).map(([id, r]) => linkInfo(id, r, live.get(id) ?? 0));
  // The older tokens have no record unless revoked: show them while someone uses one, so they can be revoked.
  for (const role of ['rw', 'ro'] as Role[]) {
    const id = LEGACY_LINK[role];
    const n = live.get(id) ?? 0;
    if (n > 0 && !Object.hasOwn(entry.links, id)) {
      out.push({ linkId: id, person: LEGACY_PERSON, role, expiresAt: null, createdAt: new Date(0).toISOString(), revokedAt: null, live: n });
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.linkId.localeCompare(b.linkId));
}

/**
 * `subpath` is the request path after `${basePath}/admin` (e.g. `/workspaces/<id>/links`). Answers
 * JSON: 401 without the right key, 429 after too many failures from the address, 404 for an
 * unknown route, workspace or link, 400/413 for a bad body.
 */
export async function handleAdminRequest(req: IncomingMessage, res: ServerResponse, subpath: string, ctx: AdminContext): Promise<void> {
  // Settings may run on another origin (a dev server). The key travels in a header, never a cookie,
  // so a page of another origin gets nothing without it.
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST, DELETE', 'Access-Control-Allow-Headers': 'Content-Type, Authorization', 'Access-Control-Max-Age': '600' });
    res.end();
    return;
  }
  const address = ctx.address(req);
  const wait = ctx.throttle.blockedFor(address);
  if (wait > 0) {
    // Closing the connection after the answer: an unauthenticated body is never read.
    return send(res, 429, { error: 'too many failed admin attempts' }, { 'Retry-After': String(Math.ceil(wait / 1000)), Connection: 'close' });
  }
  const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  if (!sameKey(given, ctx.adminKey)) {
    ctx.throttle.fail(address);
    return send(res, 401, { error: 'admin key required' }, { 'WWW-Authenticate': 'Bearer', Connection: 'close' });
  }
  try {
    await route(req, res, subpath, ctx);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    req.resume();
    send(res, e.status, { error: e.message }, e.status === 413 ? { Connection: 'close' } : {});
  }
}

async function route(req: IncomingMessage, res: ServerResponse, subpath: string, ctx: AdminContext): Promise<void> {
  const parts = subpath.split('/').slice(1);
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    throw new HttpError(404, 'not found');
  }
  const [top, id, what, linkId, ...rest] = decoded;
  const method = req.method ?? 'GET';
  const allow = (methods: string) => {
    if (!methods.split(', ').includes(method)) {
      res.setHeader('Allow', methods);
      throw new HttpError(405, `use ${methods}`);
    }
  };
  if (top !== 'workspaces' || rest.length > 0) throw new HttpError(404, 'not found');

  if (id === undefined) {
    allow('POST');
    await readJson(req);
    const workspaceId = await ctx.edit(() => ctx.registry.createWorkspace());
    logInfo(`admin: workspace ${workspaceId} created`);
    return send(res, 201, { workspaceId });
  }
  if (!isWorkspaceId(id) || !ctx.registry.get(id)) throw new HttpError(404, 'unknown workspace');

  if (what === 'links' && linkId === undefined) {
    allow('GET, POST');
    if (method === 'GET') return send(res, 200, { links: listLinks(ctx, id) });
    const link = parseNewLink(await readJson(req));
    const minted = await ctx.edit(() => ctx.registry.mintLink(id, link));
    if (!minted) throw new HttpError(404, 'unknown workspace');
    logInfo(`room ${id}: ${minted.record.person} (${minted.record.role}, link ${minted.linkId}) created`);
    return send(res, 201, { link: linkInfo(minted.linkId, minted.record, 0), token: minted.token });
  }
  if (what === 'links' && linkId !== undefined) {
    allow('DELETE');
    const record = await ctx.edit(() => ctx.registry.revokeLink(id, linkId));
    if (!record) throw new HttpError(404, 'unknown link');
    logInfo(`room ${id}: ${record.person} (${record.role}, link ${linkId}) revoked by the admin`);
    ctx.afterRevocation();
    return send(res, 200, { link: linkInfo(linkId, record, ctx.live(id).get(linkId) ?? 0) });
  }
  if (what === 'rotate' && linkId === undefined) {
    allow('POST');
    const revoked = await ctx.edit(() => ctx.registry.rotate(id));
    if (revoked === null) throw new HttpError(404, 'unknown workspace');
    logInfo(`room ${id}: secret rotated by the admin, ${revoked} links revoked`);
    ctx.afterRevocation();
    return send(res, 200, { revoked });
  }
  throw new HttpError(404, 'not found');
}
