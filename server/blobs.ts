import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PARAM } from '../worker/protocol/syncProtocol';
import { pipeFile, plain } from './static';
import type { KeyedThrottle } from './limits';
import type { Grant } from './tokens';
import { fsyncDir } from './workspaces';

export interface BlobContext {
  /** `DATA_DIR/blobs`: one folder per workspace, one file per blob named by its SHA-256. */
  dir: string;
  maxBlobBytes: number;
  /** What the request's token grants on the workspace (the relay's one check, as for websockets), or null. */
  authorize(workspaceId: string, token: string | null): Grant | null;
  /** The relay's per-address attempt throttle (the one upgrades take from). */
  throttle: KeyedThrottle;
  /** The address it counts (`remoteAddress` in limits.ts). */
  address(req: IncomingMessage): string;
  /** A request answered 429 (for the relay's stats). */
  onThrottled(): void;
}

class TooLarge extends Error {}

/**
 * `GET|HEAD|PUT /blobs/<workspaceId>/<sha256-hex>?token=...`. Blobs are content-addressed, so a
 * stored one never changes: a PUT of an existing name is a no-op, a GET may be cached forever.
 */
export async function handleBlobRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  /** From the protocol module's `parseBlobPath` (null: not `/blobs/<id>/<name>`). */
  blob: { workspaceId: string; hash: string | null } | null,
  ctx: BlobContext,
): Promise<void> {
  // The app may be served from another origin than the relay (a dev server); the token is in the
  // URL, never in a cookie, so any origin may ask, and only a valid token gets anything.
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD, PUT', 'Access-Control-Allow-Headers': 'Content-Type, Authorization', 'Access-Control-Max-Age': '600' });
    res.end();
    return;
  }
  if (blob === null) return plain(res, 404, 'not found');
  const { workspaceId } = blob;
  // Token guessing through blobs: an address over its attempts is answered before any HMAC. Only a
  // refused token is charged, so a teammate fetching a long list of datasets is never throttled
  // (each of its requests is one HMAC it is entitled to), while guesses share the budget of
  // websocket attempts from that address.
  const address = ctx.address(req);
  if (!ctx.throttle.wouldAllow(address)) {
    ctx.onThrottled();
    req.resume();
    return plain(res, 429, 'too many requests', { 'Connection': 'close', 'Retry-After': String(Math.ceil(ctx.throttle.windowMs / 1000)) });
  }
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
  const grant = ctx.authorize(workspaceId, url.searchParams.get(PARAM.token) ?? bearer);
  if (grant === null) {
    ctx.throttle.allow(address);
    return plain(res, 401, 'unauthorized', { 'Connection': 'close' });
  }
  if (blob.hash === null) return plain(res, 400, 'the name must be the SHA-256 of the body in lowercase hex');
  const sha = blob.hash;
  const folder = path.join(ctx.dir, workspaceId);
  const file = path.join(folder, sha);

  if (req.method === 'GET' || req.method === 'HEAD') {
    let size: number;
    try {
      size = (await fs.promises.stat(file)).size;
    } catch {
      return plain(res, 404, 'not found');
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'private, max-age=31536000, immutable',
      'ETag': `"${sha}"`,
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    return pipeFile(file, res);
  }

  if (req.method !== 'PUT') return plain(res, 405, 'method not allowed', { 'Allow': 'GET, HEAD, PUT' });
  if (grant.role !== 'rw') return plain(res, 403, 'read-only token', { 'Connection': 'close' });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > ctx.maxBlobBytes) return plain(res, 413, `blob larger than ${ctx.maxBlobBytes} bytes`, { 'Connection': 'close' });
  if (fs.existsSync(file)) {
    req.resume();
    await new Promise((resolve) => req.on('end', resolve).on('error', resolve));
    return plain(res, 200, 'stored');
  }

  await fs.promises.mkdir(folder, { recursive: true });
  const tmp = path.join(folder, `.tmp-${randomBytes(8).toString('hex')}`);
  const fh = await fs.promises.open(tmp, 'w', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  // Decide, clean up, then answer: a client that sees the answer never sees a temp file left.
  let status: number;
  let text: string;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > ctx.maxBlobBytes) throw new TooLarge();
      hash.update(chunk);
      await fh.write(chunk);
    }
    const digest = hash.digest('hex');
    if (digest === sha) {
      await fh.sync();
      await fh.close();
      await fs.promises.rename(tmp, file);
      fsyncDir(folder);
      [status, text] = [201, 'stored'];
    } else {
      [status, text] = [400, `body SHA-256 is ${digest}, not ${sha}`];
    }
  } catch (e) {
    [status, text] = e instanceof TooLarge ? [413, `blob larger than ${ctx.maxBlobBytes} bytes`] : [500, 'could not store the blob'];
  }
  await fh.close().catch(() => {});
  if (status !== 201) await fs.promises.rm(tmp, { force: true });
  if (req.destroyed && status === 500) return; // the client went away mid-upload
  plain(res, status, text, status === 413 ? { 'Connection': 'close' } : {});
}
