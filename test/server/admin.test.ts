import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkInfo } from '../../worker/protocol/syncProtocol';
import { AdminThrottle, adminKeyPath, ensureAdminKey } from '../../server/admin';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { WorkspaceRegistry, createWorkspace } from '../../server/workspaces';
import { connect, synced, tempDir, waitFor } from './helpers';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; dir: string; key: string; base: string }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return { relay, dir, key: ensureAdminKey(dir), base: `${relay.url.replace(/^ws/, 'http')}/admin` };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** An admin request through node:http, so a test can choose the local (source) address. */
function request(url: string, method: string, opts: { key?: string; body?: string; localAddress?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...opts.headers };
    if (opts.key !== undefined) headers.Authorization = `Bearer ${opts.key}`;
    // Node sends a DELETE's body without framing unless told its length.
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(url, { method, headers, localAddress: opts.localAddress }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const json = res.headers['content-type']?.startsWith('application/json');
        resolve({ status: res.statusCode ?? 0, body: json ? (JSON.parse(text) as Record<string, unknown>) : { text } });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('admin API', () => {
  it('creates a workspace, mints a link that syncs, lists it and revokes it', async () => {
    const { relay, base, key, dir } = await setup();
    const created = await request(`${base}/workspaces`, 'POST', { key, body: '{}' });
    expect(created.status).toBe(201);
    const workspaceId = created.body.workspaceId as string;
    expect(new WorkspaceRegistry(dir).get(workspaceId)).not.toBeNull();
    const minted = await request(`${base}/workspaces/${workspaceId}/links`, 'POST', {
      key,
      body: JSON.stringify({ person: '  Ana  ', role: 'ro', expiresAt: '2999-01-01T00:00:00Z' }),
    });
    expect(minted.status).toBe(201);
    const link = minted.body.link as LinkInfo;
    expect(link).toMatchObject({ person: 'Ana', role: 'ro', expiresAt: '2999-01-01T00:00:00.000Z', revokedAt: null, live: 0 });
    const c = connect(relay.url, workspaceId, minted.body.token as string);
    cleanups.push(() => c.destroy());
    await synced(c);
    const listed = await request(`${base}/workspaces/${workspaceId}/links`, 'GET', { key });
    expect(listed).toEqual({ status: 200, body: { links: [{ ...link, live: 1 }] } });
    const revoked = await request(`${base}/workspaces/${workspaceId}/links/${link.linkId}`, 'DELETE', { key });
    expect(revoked.status).toBe(200);
    expect((revoked.body.link as LinkInfo).revokedAt).not.toBeNull();
    await waitFor(() => relay.stats().connections === 0, 'the revoked session closed', 3000);
  });

  it('refuses requests without the admin key or with a wrong one (401), whatever the route', async () => {
    const { base, key } = await setup();
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const [method, p, k] of [
      ['POST', '/workspaces', undefined],
      ['POST', '/workspaces', wrong],
      ['POST', '/workspaces', ''],
      ['GET', '/workspaces/x/links', `${key}x`],
      ['DELETE', '/nowhere', wrong],
    ] as const) {
      const r = await request(`${base}${p}`, method, { key: k, body: '{}' });
      expect(r.status, `${method} ${p} ${k === undefined ? 'no key' : 'wrong key'}`).toBe(401);
      expect(typeof r.body.error).toBe('string');
    }
  });

  it('after 10 failed attempts from an address, every admin request from it gets 429 (the right key too); other addresses are not affected', async () => {
    const { base, key } = await setup();
    for (let i = 0; i < 10; i++) expect((await request(`${base}/workspaces`, 'POST', { key: 'guess', body: '{}' })).status).toBe(401);
    expect((await request(`${base}/workspaces`, 'POST', { key: 'guess', body: '{}' })).status).toBe(429);
    expect((await request(`${base}/workspaces`, 'POST', { key, body: '{}' })).status).toBe(429);
    // Linux routes all of 127/8 to loopback: a second local address stands in for another client.
    expect((await request(`${base}/workspaces`, 'POST', { key, body: '{}', localAddress: '127.0.0.2' })).status).toBe(201);
  });

  it('with trustProxy, counts failed admin attempts per X-Forwarded-For address', async () => {
    const { base, key } = await setup({ trustProxy: true });
    const from = (xff: string, k: string) => request(`${base}/workspaces`, 'POST', { key: k, body: '{}', headers: { 'X-Forwarded-For': xff } });
    for (let i = 0; i < 10; i++) expect((await from('203.0.113.1', 'guess')).status).toBe(401);
    expect((await from('203.0.113.1', key)).status).toBe(429);
    // Another client behind the same proxy (the same socket address) is not blocked by the first.
    expect((await from('203.0.113.2', key)).status).toBe(201);
  });

  it('without trustProxy, ignores X-Forwarded-For: naming a new address each time does not escape the throttle', async () => {
    const { base, key } = await setup();
    const from = (xff: string, k: string) => request(`${base}/workspaces`, 'POST', { key: k, body: '{}', headers: { 'X-Forwarded-For': xff } });
    for (let i = 0; i < 10; i++) expect((await from(`203.0.113.${i}`, 'guess')).status).toBe(401);
    expect((await from('203.0.113.99', key)).status).toBe(429);
  });

  it('the failure throttle remembers at most maxAddresses, forgetting the oldest first', () => {
    const t = new AdminThrottle(1, 60_000, 3);
    for (const a of ['a', 'b', 'c', 'd']) t.fail(a, 0);
    expect(t.size).toBe(3);
    expect(t.blockedFor('a', 1)).toBe(0);
    expect(t.blockedFor('d', 1)).toBeGreaterThan(0);
  });

  it('the throttle forgets an address after its window', () => {
    const t = new AdminThrottle(2, 1000);
    t.fail('a', 0);
    t.fail('a', 10);
    expect(t.blockedFor('a', 20)).toBe(980);
    expect(t.blockedFor('b', 20)).toBe(0);
    expect(t.blockedFor('a', 1000)).toBe(0);
    expect(t.size).toBe(0);
  });

  it('answers 404 for an unknown workspace, link or route and 400 with an error for a bad link', async () => {
    const { base, key, dir } = await setup();
    const ws = createWorkspace(dir);
    const links = `${base}/workspaces/${ws.workspaceId}/links`;
    expect((await request(`${base}/workspaces/nope/links`, 'GET', { key })).status).toBe(404);
    expect((await request(`${base}/workspaces/..%2F/links`, 'GET', { key })).status).toBe(404);
    expect((await request(`${links}/nope`, 'DELETE', { key })).status).toBe(404);
    expect((await request(`${base}/workspaces/nope/rotate`, 'POST', { key })).status).toBe(404);
    expect((await request(`${base}/elsewhere`, 'GET', { key })).status).toBe(404);
    for (const body of [
      'not json',
      '[]',
      JSON.stringify({ role: 'rw', expiresAt: null }),
      JSON.stringify({ person: '', role: 'rw', expiresAt: null }),
      JSON.stringify({ person: 'x'.repeat(121), role: 'rw', expiresAt: null }),
      JSON.stringify({ person: 'a\nb', role: 'rw', expiresAt: null }),
      JSON.stringify({ person: 'Al', role: 'admin', expiresAt: null }),
      JSON.stringify({ person: 'Al', role: 'rw', expiresAt: 'tomorrow' }),
      JSON.stringify({ person: 'Al', role: 'rw', expiresAt: '2001-01-01T00:00:00Z' }),
    ]) {
      const r = await request(links, 'POST', { key, body });
      expect(r.status, body).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
    expect((await request(links, 'POST', { key, body: JSON.stringify({ person: 'x'.repeat(20_000), role: 'rw', expiresAt: null }) })).status).toBe(413);
    // Nothing was minted by the refused requests: only the owner's first link.
    expect(((await request(links, 'GET', { key })).body.links as LinkInfo[]).map((l) => l.person)).toEqual(['Owner']);
  });

  it('lives under the base path', async () => {
    const { relay, key } = await setup({ basePath: '/sync' });
    const under = relay.url.replace(/^ws/, 'http');
    expect(under).toMatch(/\/sync$/);
    const created = await request(`${under}/admin/workspaces`, 'POST', { key, body: '{}' });
    expect(created.status).toBe(201);
    expect((await request(`${under.replace(/\/sync$/, '')}/admin/workspaces/${created.body.workspaceId as string}/links`, 'GET', { key })).status).toBe(404);
  });

  it('keeps its key in DATA_DIR/admin.key (mode 600), the same across restarts', async () => {
    const { relay, dir, key } = await setup();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(adminKeyPath(dir)).mode & 0o077).toBe(0);
    await relay.close();
    const again = await startRelay({ dataDir: dir });
    cleanups.push(() => again.close());
    expect(ensureAdminKey(dir)).toBe(key);
    const r = await request(`${again.url.replace(/^ws/, 'http')}/admin/workspaces`, 'POST', { key, body: '{}' });
    expect(r.status).toBe(201);
  });

  it('the relay process prints its admin key once, on stdout only', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    await waitFor(() => /relay admin key: /.test(out), 'the admin key line', 15_000);
    const key = fs.readFileSync(adminKeyPath(dir), 'utf8').trim();
    expect(out).toContain(`relay admin key: ${key} (Settings → Sharing; also in ${adminKeyPath(dir)})`);
    expect(out.split(key).length - 1).toBe(1);
    expect(err).not.toContain(key);
  });
});
