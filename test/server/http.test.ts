import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { blobUrl as protocolBlobUrl } from '../../worker/protocol/syncProtocol';
import { tempDir } from './helpers';

let relay: Relay;
let dir: string;
let appDir: string;
let ws: CreatedWorkspace;
let other: CreatedWorkspace;
let base: string;

beforeAll(async () => {
  dir = tempDir();
  appDir = tempDir('ledgerline-app-');
  fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html><title>Ledgerline</title>');
  fs.mkdirSync(path.join(appDir, 'assets'));
  fs.writeFileSync(path.join(appDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  ws = createWorkspace(dir);
  other = createWorkspace(dir);
  relay = await startRelay({ dataDir: dir, staticDir: appDir, maxBlobBytes: 64 * 1024 });
  base = `http://127.0.0.1:${relay.port}`;
});

afterAll(async () => {
  await relay.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(appDir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const blobUrl = (workspace: string, name: string, token?: string) =>
  `${base}/blobs/${workspace}/${name}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

/** A raw request (fetch would normalise `..` away before sending). */
function rawGet(pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: relay.port, path: pathname }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('blob store', () => {
  const body = new TextEncoder().encode('client_id,seat\nC1,alice\n'.repeat(100));
  const name = sha(body);

  it('stores a PUT whose body matches its SHA-256 name and serves it back, to read-only tokens too', async () => {
    const put = await fetch(blobUrl(ws.workspaceId, name, ws.rwToken), { method: 'PUT', body });
    expect(put.status).toBe(201);
    const get = await fetch(blobUrl(ws.workspaceId, name, ws.roToken));
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(body);
    const bearer = await fetch(blobUrl(ws.workspaceId, name), { headers: { Authorization: `Bearer ${ws.roToken}` } });
    expect(bearer.status).toBe(200);
    await bearer.arrayBuffer();
    // Content-addressed: putting it again is a no-op.
    expect((await fetch(blobUrl(ws.workspaceId, name, ws.rwToken), { method: 'PUT', body })).status).toBe(200);
    expect(fs.readdirSync(path.join(dir, 'blobs', ws.workspaceId))).toEqual([name]);
  });

  it('refuses a body that does not match its name, keeping nothing', async () => {
    const wrong = sha(new Uint8Array([1, 2, 3]));
    const put = await fetch(blobUrl(ws.workspaceId, wrong, ws.rwToken), { method: 'PUT', body });
    expect(put.status).toBe(400);
    expect((await fetch(blobUrl(ws.workspaceId, wrong, ws.rwToken))).status).toBe(404);
    expect(fs.readdirSync(path.join(dir, 'blobs', ws.workspaceId)).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('lets a read-only token read but not write', async () => {
    const b = new Uint8Array([9, 9, 9]);
    const put = await fetch(blobUrl(ws.workspaceId, sha(b), ws.roToken), { method: 'PUT', body: b });
    expect(put.status).toBe(403);
  });

  it('refuses missing, wrong and other-workspace tokens with 401', async () => {
    expect((await fetch(blobUrl(ws.workspaceId, name))).status).toBe(401);
    expect((await fetch(blobUrl(ws.workspaceId, name, 'rw.AAAA'))).status).toBe(401);
    expect((await fetch(blobUrl(ws.workspaceId, name, other.rwToken))).status).toBe(401);
    expect((await fetch(blobUrl(other.workspaceId, name, ws.rwToken))).status).toBe(401);
    const b = new Uint8Array([4]);
    expect((await fetch(blobUrl(ws.workspaceId, sha(b), other.rwToken), { method: 'PUT', body: b })).status).toBe(401);
  });

  it('refuses a blob over maxBlobBytes (413), declared or streamed', async () => {
    const big = new Uint8Array(64 * 1024 + 1);
    const declared = await fetch(blobUrl(ws.workspaceId, sha(big), ws.rwToken), { method: 'PUT', body: big });
    expect(declared.status).toBe(413);
    // Chunked, no Content-Length: counted while streaming.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(16 * 1024));
        controller.close();
      },
    });
    const chunked = await fetch(blobUrl(ws.workspaceId, sha(new Uint8Array(80 * 1024)), ws.rwToken), {
      method: 'PUT',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(fs.readdirSync(path.join(dir, 'blobs', ws.workspaceId)).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('answers 400 for a name that is not a SHA-256 and 404 for an unknown one', async () => {
    expect((await fetch(blobUrl(ws.workspaceId, 'not-a-hash', ws.rwToken))).status).toBe(400);
    expect((await fetch(blobUrl(ws.workspaceId, 'A'.repeat(64), ws.rwToken))).status).toBe(400);
    expect((await fetch(blobUrl(ws.workspaceId, '0'.repeat(64), ws.rwToken))).status).toBe(404);
  });
});

describe('static app', () => {
  it('serves index.html at / and hashed assets cached for good', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('Ledgerline');
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await asset.text();
  });

  it('never serves outside the folder, nor the data folder', async () => {
    expect(await rawGet('/../workspaces.json')).toBe(404);
    expect(await rawGet('/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
    expect(await rawGet('/assets/../../')).toBe(200); // normalised to the app's own index
    expect(await rawGet('/workspaces.json')).toBe(404);
    expect(await rawGet('/nope.js')).toBe(404);
  });

  it('answers health checks and refuses other methods', async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(405);
  });
});

describe('blob URLs from the protocol module', () => {
  it('reach the blob store under the relay’s base path, as the app builds them from its relay URL', async () => {
    const d = tempDir();
    const w = createWorkspace(d);
    const r = await startRelay({ dataDir: d, basePath: '/sync' });
    try {
      const body = new TextEncoder().encode('a,b\n1,2\n');
      const link = { relayUrl: r.url, workspaceId: w.workspaceId, token: w.rwToken };
      expect(link.relayUrl.endsWith('/sync')).toBe(true);
      expect((await fetch(protocolBlobUrl(link, sha(body)), { method: 'PUT', body })).status).toBe(201);
      const get = await fetch(protocolBlobUrl({ ...link, token: w.roToken }, sha(body)));
      expect(new Uint8Array(await get.arrayBuffer())).toEqual(body);
      expect((await fetch(protocolBlobUrl({ ...link, token: 'ro.nope' }, sha(body)))).status).toBe(401);
    } finally {
      await r.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
