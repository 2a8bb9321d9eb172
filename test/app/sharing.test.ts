/**
 * Sharing from Settings and the core's side of the relay connection, against a real relay started
 * in-process on loopback: worker/core/sharing.ts (the admin API client and its state) and
 * worker/core/sync.ts itself (the token in a subprotocol, the link's identity, offline on the
 * browser's word or on silence, a revoked link stopping for good). Sockets are real; where the
 * network has to fail, a TCP proxy in the test stops carrying bytes.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ensureAdminKey } from '../../server/admin';
import { startRelay, type Relay } from '../../server/relay';
import { WebSocket } from '../../server/ws';
import type { SharingView } from '../../worker/protocol/coreEvents';
import type { SyncView } from '../../worker/protocol/coreEvents';
import { CLOSE, SYNC_MESSAGE, type RelayLink } from '../../worker/protocol/syncProtocol';
import type { LedgerlineDb } from '../../worker/core/db';
import { SharingError, createSharing, linkStatus, listLinks, mintLink, revokeLink, type AdminCredentials } from '../../worker/core/sharing';
import * as sync from '../../worker/core/sync';
import { ydoc } from '../../worker/core/doc';
import { createWorkspace } from '../../server/workspaces';
import { connect as stockClient, sleep, synced, tempDir, waitFor } from '../server/helpers';

// The core runs in a browser worker, whose WebSocket is global; Node 20 has none.
Object.assign(globalThis, { WebSocket });

interface RelayUnderTest {
  relay: Relay;
  dir: string;
  admin: AdminCredentials;
}

async function relayWithAdmin(options: { basePath?: string } = {}): Promise<RelayUnderTest> {
  const dir = tempDir();
  const key = ensureAdminKey(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  return { relay, dir, admin: { relayUrl: relay.url, key } };
}

async function stop(r: RelayUnderTest): Promise<void> {
  await r.relay.close();
  fs.rmSync(r.dir, { recursive: true, force: true });
}

/** The sharing commands with a host that records what they asked of the core. */
function sharingWith(admin: AdminCredentials | null, name = 'Ann') {
  let stored = admin;
  let link: RelayLink | null = null;
  const views: SharingView[] = [];
  const connected: RelayLink[] = [];
  const sharing = createSharing({
    loadAdmin: async () => stored,
    saveAdmin: async (a) => void (stored = a),
    syncLink: () => link,
    connect: async (l) => {
      link = l;
      connected.push(l);
    },
    displayName: () => name,
    onChange: (v) => views.push(v),
  });
  return { sharing, views, connected, stored: () => stored, setLink: (l: RelayLink | null) => (link = l) };
}

const nextYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

describe('sharing a workspace through the relay’s admin API (worker/core/sharing.ts)', () => {
  let r: RelayUnderTest;
  beforeAll(async () => {
    r = await relayWithAdmin();
  });
  afterAll(() => stop(r));

  it('creates a shared workspace with a read-write link for the person, connects with it, and the link opens the room', async (t) => {
    const s = sharingWith(r.admin, 'Ann');
    await s.sharing.init();
    expect(await s.sharing.createSharedWorkspace()).toBe(true);
    expect(s.connected).toHaveLength(1);
    const link = s.connected[0]!;
    expect(link.relayUrl).toBe(r.relay.url);
    const view = s.sharing.view();
    expect(view.error).toBe('');
    expect(view.links).toEqual([expect.objectContaining({ person: 'Ann', role: 'rw', expiresAt: null, revokedAt: null, status: 'live' })]);
    const client = stockClient(r.relay.url, link.workspaceId, link.token);
    t.onTestFinished(() => client.destroy());
    await synced(client);
  });

  it('a wrong admin key is said plainly, and nothing is created or connected', async () => {
    const s = sharingWith({ relayUrl: r.relay.url, key: 'x'.repeat(43) });
    await s.sharing.init();
    expect(await s.sharing.createSharedWorkspace()).toBe(false);
    expect(s.connected).toEqual([]);
    expect(s.sharing.view().error).toMatch(/did not accept this admin key/);
    expect(s.sharing.view().busy).toBe(false);
  });

  it('an unreachable relay is said plainly', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const s = sharingWith({ relayUrl: `ws://127.0.0.1:${port}`, key: r.admin.key });
    await s.sharing.init();
    expect(await s.sharing.createSharedWorkspace()).toBe(false);
    expect(s.sharing.view().error).toMatch(/Could not reach the relay at ws:\/\/127\.0\.0\.1:/);
  });

  it('a teammate’s link carries its role and expiry, counts its live session, and revoking it closes that session with 4401', async (t) => {
    const s = sharingWith(r.admin, 'Ann');
    await s.sharing.init();
    await s.sharing.createSharedWorkspace();
    const expiresAt = nextYear();
    const bea = await s.sharing.createLink({ person: 'Bea', role: 'ro', expiresAt });
    expect(bea).not.toBeNull();
    expect(bea!.workspaceId).toBe(s.connected[0]!.workspaceId);
    const client = stockClient(r.relay.url, bea!.workspaceId, bea!.token);
    t.onTestFinished(() => client.destroy());
    await synced(client);
    await s.sharing.refreshLinks();
    const listed = s.sharing.view().links!.find((l) => l.person === 'Bea')!;
    expect(listed).toMatchObject({ role: 'ro', expiresAt: new Date(expiresAt).toISOString(), status: 'live', live: 1 });

    await s.sharing.revokeLink(listed.linkId);
    await waitFor(() => client.closes.includes(CLOSE.unauthorized), 'Bea’s session closed with 4401', 5000);
    expect(s.sharing.view().links!.find((l) => l.person === 'Bea')).toMatchObject({ status: 'revoked' });
    expect(s.sharing.view().links!.find((l) => l.person === 'Ann')).toMatchObject({ status: 'live' });
  });

  it('an expiry in the past is refused by the relay, and the reason shown', async () => {
    const s = sharingWith(r.admin);
    await s.sharing.init();
    await s.sharing.createSharedWorkspace();
    expect(await s.sharing.createLink({ person: 'Cal', role: 'rw', expiresAt: '2000-01-01T00:00:00.000Z' })).toBeNull();
    expect(s.sharing.view().error).toMatch(/400: expiresAt is in the past/);
  });

  it('the admin key stays in the core: no state sent to the tabs holds it', async () => {
    const s = sharingWith(null);
    await s.sharing.init();
    await s.sharing.saveAdminKey(`${r.relay.url}/`, ` ${r.admin.key} `);
    await s.sharing.createSharedWorkspace();
    await s.sharing.createLink({ person: 'Dee', role: 'rw', expiresAt: null });
    expect(s.stored()).toEqual({ relayUrl: r.relay.url, key: r.admin.key });
    expect(s.views.length).toBeGreaterThan(3);
    for (const v of s.views) expect(JSON.stringify(v)).not.toContain(r.admin.key);
    await s.sharing.forgetAdminKey();
    expect(s.stored()).toBeNull();
    expect(s.sharing.view().adminRelay).toBeNull();
  });

  it('a link of another relay is not managed with this key: no list, and no link minted', async () => {
    const s = sharingWith(r.admin);
    await s.sharing.init();
    s.setLink({ relayUrl: 'ws://127.0.0.1:1', workspaceId: 'elsewhere', token: 'rw.x' });
    await s.sharing.refreshLinks();
    expect(s.sharing.view().links).toBeNull();
    expect(await s.sharing.createLink({ person: 'Eve', role: 'rw', expiresAt: null })).toBeNull();
    expect(s.sharing.view().error).toMatch(/not shared on the relay of this admin key/);
  });

  it('tells a link’s state from its dates', () => {
    const base = { linkId: 'l', person: 'P', role: 'rw' as const, createdAt: '2024-01-01T00:00:00Z', live: 0 };
    const now = Date.parse('2025-06-01T00:00:00Z');
    expect(linkStatus({ ...base, expiresAt: null, revokedAt: null }, now)).toBe('live');
    expect(linkStatus({ ...base, expiresAt: '2025-05-31T23:59:59Z', revokedAt: null }, now)).toBe('expired');
    expect(linkStatus({ ...base, expiresAt: '2025-07-01T00:00:00Z', revokedAt: '2025-05-01T00:00:00Z' }, now)).toBe('revoked');
  });
});

describe('the admin API under a relay’s base path', () => {
  it('creates, lists and revokes under the base path', async () => {
    const r = await relayWithAdmin({ basePath: '/sync' });
    try {
      expect(r.relay.url).toMatch(/\/sync$/);
      const s = sharingWith(r.admin);
      await s.sharing.init();
      expect(await s.sharing.createSharedWorkspace()).toBe(true);
      const id = s.connected[0]!.workspaceId;
      const { link } = await mintLink(r.admin, id, { person: 'Fay', role: 'rw', expiresAt: null });
      expect((await revokeLink(r.admin, id, link.linkId)).revokedAt).not.toBeNull();
      expect((await listLinks(r.admin, id)).map((l) => l.person).sort()).toEqual(['Ann', 'Fay']);
      await expect(listLinks(r.admin, 'no-such-workspace')).rejects.toBeInstanceOf(SharingError);
    } finally {
      await stop(r);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// worker/core/sync.ts: one connection per core, so these run one after another.

/**
 * A TCP hop between the core and the relay that can stop carrying bytes, as a dead Wi-Fi does:
 * the sockets stay open and nothing arrives. It also keeps the head of each upgrade request.
 */
async function startProxy(target: number): Promise<{ url: string; heads: string[]; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const heads: string[] = [];
  const held = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    held.add(client);
    client.on('close', () => held.delete(client));
    client.on('error', () => undefined);
    if (frozen) return;
    const upstream = net.connect(target, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.once('data', (first) => heads.push(first.toString('latin1').split('\r\n\r\n')[0]!));
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    heads,
    freeze() {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
      // What was held is dead (as after a real outage): its ends find out now.
      for (const socket of held) socket.destroy();
      for (const [, upstream] of pairs) upstream.destroy();
    },
    async close() {
      for (const socket of held) socket.destroy();
      for (const [, upstream] of pairs) upstream.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const fakeDb = { getMeta: async (_key: string, fallback: unknown) => fallback, setMeta: async () => undefined } as unknown as LedgerlineDb;

describe('the core’s connection to the relay (worker/core/sync.ts)', () => {
  let r: RelayUnderTest;
  let workspaceId: string;
  let views: SyncView[] = [];
  const now = () => views.at(-1)!;
  beforeAll(async () => {
    r = await relayWithAdmin();
    const s = sharingWith(r.admin);
    await s.sharing.init();
    await s.sharing.createSharedWorkspace();
    workspaceId = s.connected[0]!.workspaceId;
    await sync.initSync(fakeDb, (v) => views.push(v));
  });
  afterAll(async () => {
    sync.disconnect();
    await stop(r);
  });

  async function linkFor(t: TestContext, person: string, relayUrl = r.relay.url): Promise<RelayLink> {
    const { token } = await mintLink(r.admin, workspaceId, { person, role: 'ro', expiresAt: null });
    t.onTestFinished(() => {
      sync.disconnect();
      sync.networkChanged(true);
      views = [];
    });
    return { relayUrl, workspaceId, token };
  }

  it('sends the token as a subprotocol, never in the URL, and takes the person the relay names as the author', async (t) => {
    const proxy = await startProxy(r.relay.port);
    t.onTestFinished(() => proxy.close());
    const link = await linkFor(t, 'Bea', proxy.url);
    await sync.connect(link);
    await waitFor(() => now().status === 'online' && now().identity !== null, 'online with an identity', 5000);
    expect(now().identity).toMatchObject({ person: 'Bea', role: 'ro', expiresAt: null });
    expect(sync.linkPerson()).toBe('Bea');
    const head = proxy.heads[0]!;
    expect(head.split('\r\n')[0]).not.toContain(link.token);
    expect(head.split('\r\n')[0]).toMatch(/[?&]v=2/);
    const offered = /^sec-websocket-protocol:(.*)$/im.exec(head)?.[1]?.split(',').map((p) => p.trim());
    expect(offered).toEqual(['ledgerline', `ledgerline.token.${link.token}`]);
  });

  it('a relay that goes silent shows offline, and syncs again when the network carries bytes again', async (t) => {
    const proxy = await startProxy(r.relay.port);
    t.onTestFinished(() => proxy.close());
    await sync.connect(await linkFor(t, 'Cal', proxy.url));
    await waitFor(() => now().status === 'online', 'online', 5000);
    const frozenAt = Date.now();
    proxy.freeze();
    // The contract: offline within 2 s of losing the network. Waited for generously (a loaded box); the time is logged, not asserted.
    await waitFor(() => now().status === 'offline', 'offline after silence', 10_000);
    console.info(`silent relay → offline after ${Date.now() - frozenAt} ms`);
    expect(now().message).toBe(SYNC_MESSAGE.offline);
    proxy.thaw();
    await waitFor(() => now().status === 'online', 'online again', 10_000);
  });

  it('the browser going offline shows offline and holds every attempt; online again reconnects', async (t) => {
    await sync.connect(await linkFor(t, 'Dee'));
    await waitFor(() => now().status === 'online', 'online', 5000);
    sync.networkChanged(false);
    expect(now().status).toBe('offline');
    expect(now().message).toBe(SYNC_MESSAGE.offline);
    const attempts = r.relay.stats().upgradeRequests;
    await sleep(1500);
    expect(r.relay.stats().upgradeRequests).toBe(attempts);
    expect(now().status).toBe('offline');
    sync.networkChanged(true);
    await waitFor(() => now().status === 'online', 'online again', 5000);
    expect(r.relay.stats().upgradeRequests).toBe(attempts + 1);
  });

  it('a revoked link shows refused, and neither the network coming back nor time makes it retry', async (t) => {
    const link = await linkFor(t, 'Eve');
    await sync.connect(link);
    await waitFor(() => now().status === 'online', 'online', 5000);
    const eve = (await listLinks(r.admin, workspaceId)).find((l) => l.person === 'Eve')!;
    await revokeLink(r.admin, workspaceId, eve.linkId);
    await waitFor(() => now().status === 'refused', 'refused', 5000);
    expect(now().message).toBe(SYNC_MESSAGE.refused);
    const attempts = r.relay.stats().upgradeRequests;
    sync.networkChanged(false);
    sync.networkChanged(true);
    await sleep(3000);
    expect(r.relay.stats().upgradeRequests).toBe(attempts);
    expect(now().status).toBe('refused');
    // Still the person the link named, for what was edited with it.
    expect(now().identity?.person).toBe('Eve');
  });

  it('a relay that cuts the device off for its message rate (4429) shows rate-limited with its message, and nothing makes it retry', async (t) => {
    const dir = tempDir();
    const strict = await startRelay({ dataDir: dir, messagesPerSecond: 1, messageBurst: 40 });
    t.onTestFinished(async () => {
      sync.disconnect();
      sync.networkChanged(true);
      views = [];
      await strict.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const room = createWorkspace(dir);
    await sync.connect({ relayUrl: strict.url, workspaceId: room.workspaceId, token: room.rwToken });
    await waitFor(() => now().status === 'online', 'online', 5000);
    // A runaway loop in the app: one message per edit, far past one a second.
    for (let i = 0; i < 100; i++) ydoc.getMap('rate-limit test').set(`k${i}`, i);
    await waitFor(() => now().status === 'rate-limited', 'rate-limited', 5000);
    expect(now().message).toBe(SYNC_MESSAGE.rateLimited);
    expect(strict.stats().connectionsRateLimited).toBe(1);
    const attempts = strict.stats().upgradeRequests;
    sync.networkChanged(false);
    sync.networkChanged(true);
    await sleep(2000);
    expect(strict.stats().upgradeRequests).toBe(attempts);
    expect(now().status).toBe('rate-limited');
  });
});
