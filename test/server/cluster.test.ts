import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ensureAdminKey } from '../../server/admin';
import { RedisRoomStore } from '../../server/redisRoomStore';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { CLOSE, CLOSE_REASON, MESSAGE, type LinkInfo } from '../../worker/protocol/syncProtocol';
import { WebSocket } from '../../server/ws';
import { connect, synced, tempDir, waitFor, type Client } from './helpers';
import { freePort, redisAvailable, redisForFile } from './redisServer';
import { spawnRelay, type RelayProcess } from './relayProcess';
import { mulberry32 } from '../../worker/demo/prng';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const redisServer = redisForFile();
let prefixes = 0;

function client(url: string, room: string, token: string): Client {
  const c = connect(url, room, token);
  cleanups.push(() => c.destroy());
  return c;
}

/** Two relays in this process, as two deployments' processes would be: one Redis, one shared data folder. */
async function twoRelays(options: Partial<RelayOptions> = {}): Promise<{ dir: string; ws: CreatedWorkspace; a: Relay; b: Relay }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const redisPrefix = `c${++prefixes}:`;
  const a = await startRelay({ dataDir: dir, redisUrl: redisServer.server().url, redisPrefix, ...options });
  cleanups.push(() => a.close());
  const b = await startRelay({ dataDir: dir, redisUrl: redisServer.server().url, redisPrefix, ...options });
  cleanups.push(() => b.close());
  return { dir, ws, a, b };
}

const http = (relay: Relay) => relay.url.replace(/^ws/, 'http');

describe.skipIf(!redisAvailable)('relays sharing one Redis', () => {
  it('an edit made through one relay reaches a client of another, both ways', async () => {
    const { ws, a, b } = await twoRelays();
    const ana = client(a.url, ws.workspaceId, ws.rwToken);
    const bea = client(b.url, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(ana), synced(bea)]);
    ana.doc.getMap('m').set('from-a', 1);
    await waitFor(() => bea.doc.getMap('m').get('from-a') === 1, 'A’s edit at B');
    bea.doc.getMap('m').set('from-b', 2);
    await waitFor(() => ana.doc.getMap('m').get('from-b') === 2, 'B’s edit at A');
  });

  it('a room opened later on another relay loads what the first one stored', async () => {
    const { ws, a, b } = await twoRelays({ compactAfter: 10 });
    const ana = client(a.url, ws.workspaceId, ws.rwToken);
    await synced(ana);
    for (let i = 0; i < 50; i++) ana.doc.getMap('m').set(`k${i}`, i);
    await waitFor(() => a.stats().updatesStored >= 50, 'all stored');
    const bea = client(b.url, ws.workspaceId, ws.roToken);
    await synced(bea);
    await waitFor(() => bea.doc.getMap('m').size === 50, 'the whole room at B');
  });

  it('presence set through one relay shows on another and goes when its client leaves', async () => {
    const { ws, a, b } = await twoRelays();
    const ana = client(a.url, ws.workspaceId, ws.rwToken);
    const bea = client(b.url, ws.workspaceId, ws.roToken);
    await Promise.all([synced(ana), synced(bea)]);
    ana.provider.awareness.setLocalState({ name: 'Ana' });
    const anaId = ana.doc.clientID;
    await waitFor(() => (bea.provider.awareness.getStates().get(anaId) as { name?: string } | undefined)?.name === 'Ana', 'Ana’s presence at B');
    ana.destroy();
    await waitFor(() => !bea.provider.awareness.getStates().has(anaId), 'Ana gone at B');
  });

  it('a presence id introduced through one relay cannot be overwritten by another link through another relay', async () => {
    const { ws, a, b } = await twoRelays();
    const ana = client(a.url, ws.workspaceId, ws.link.token);
    const observer = client(a.url, ws.workspaceId, ws.roToken);
    await Promise.all([synced(ana), synced(observer)]);
    ana.provider.awareness.setLocalState({ name: 'Ana' });
    const anaId = ana.doc.clientID;
    const mallory = connect(b.url, ws.workspaceId, ws.roToken);
    cleanups.push(() => mallory.destroy());
    // Mallory must know Ana's clock, or her forgery would be an old state, skipped unread.
    await waitFor(() => mallory.provider.awareness.getStates().has(anaId), 'Ana’s presence at Mallory, through B');
    mallory.provider.awareness.clientID = anaId;
    mallory.provider.awareness.setLocalState({ name: 'Mallory' });
    await waitFor(() => b.stats().presenceForged > 0, 'the forgery refused at B');
    expect((observer.provider.awareness.getStates().get(anaId) as { name: string }).name).toBe('Ana');
  });

  it('revoking a link through one relay closes its session on another at once', async () => {
    // The file check is slowed down: only the revocation event can close it in time.
    const { dir, ws, a, b } = await twoRelays({ revocationCheckMs: 600_000 });
    const key = ensureAdminKey(dir);
    const minted = (await (
      await fetch(`${http(a)}/admin/workspaces/${ws.workspaceId}/links`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}` },
        body: JSON.stringify({ person: 'Bea', role: 'rw', expiresAt: null }),
      })
    ).json()) as { link: LinkInfo; token: string };
    const bea = client(b.url, ws.workspaceId, minted.token);
    const closed: Array<{ code: number; reason: string }> = [];
    bea.provider.on('connection-close', (e) => {
      if (e) closed.push({ code: e.code, reason: e.reason });
    });
    await synced(bea);
    const res = await fetch(`${http(a)}/admin/workspaces/${ws.workspaceId}/links/${minted.link.linkId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    await waitFor(() => closed.length > 0, 'Bea’s session at B closed');
    expect(closed[0]).toEqual({ code: CLOSE.unauthorized, reason: CLOSE_REASON.revoked });
  });

  it('a blob stored through one relay is served by another (one blob folder)', async () => {
    const { ws, a, b } = await twoRelays();
    const body = Buffer.from('usage,rows\n1,2\n');
    const sha = createHash('sha256').update(body).digest('hex');
    const put = await fetch(`${http(a)}/blobs/${ws.workspaceId}/${sha}?token=${ws.rwToken}`, { method: 'PUT', body });
    expect(put.status).toBe(201);
    const got = await fetch(`${http(b)}/blobs/${ws.workspaceId}/${sha}?token=${ws.roToken}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
  });
});


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection (no y-websocket client: it sends what the test says), open, with its close code to come. */
function openRaw(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    cleanups.push(() => ws.terminate());
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('error', () => {});
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('unexpected-response', () => reject(new Error('upgrade refused with HTTP')));
  });
}

describe.skipIf(!redisAvailable)('per-connection limits on every relay of a deployment', () => {
  // Two relay processes started as a deployment starts them: one Redis, one folder, the same
  // environment (limits small enough to reach in a test). Started once for the tests below.
  let ws: CreatedWorkspace;
  let urls: string[] = [];
  const relays: RelayProcess[] = [];
  let dir = '';
  beforeAll(async () => {
    dir = tempDir();
    ws = createWorkspace(dir);
    const env = {
      REDIS_URL: redisServer.server().url,
      LEDGERLINE_REDIS_PREFIX: `limits${++prefixes}:`,
      LEDGERLINE_MESSAGES_PER_SECOND: '50',
      LEDGERLINE_MESSAGE_BURST: '100',
      LEDGERLINE_MAX_MESSAGE_BYTES: String(64 * 1024),
      LEDGERLINE_MAX_PRESENCE_BYTES: '200',
    };
    relays.push(...(await Promise.all([spawnRelay(dir, env), spawnRelay(dir, env)])));
    urls = relays.map((r) => r.url);
  }, 30_000);
  afterAll(() => {
    for (const r of relays) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a message flood is closed with 4429 through either relay', async () => {
    const codes: number[] = [];
    for (const url of urls) {
      const { ws: flooder, closed } = await openRaw(`${url}/${ws.workspaceId}?token=${ws.roToken}`);
      for (let i = 0; i < 2000 && flooder.readyState === flooder.OPEN; i++) flooder.send(Uint8Array.of(MESSAGE.held));
      codes.push(await closed);
    }
    expect(codes).toEqual([CLOSE.rateLimited, CLOSE.rateLimited]);
  });

  it('a frame over the message size limit is refused (1009) by either relay', async () => {
    const codes: number[] = [];
    for (const url of urls) {
      const { ws: raw, closed } = await openRaw(`${url}/${ws.workspaceId}?token=${ws.rwToken}`);
      raw.send(new Uint8Array(100 * 1024));
      codes.push(await closed);
    }
    expect(codes).toEqual([CLOSE.messageTooBig, CLOSE.messageTooBig]);
  });

  it('a presence state over the size limit sent through one relay never shows on the other', async () => {
    const [atA, atB] = [client(urls[0]!, ws.workspaceId, ws.rwToken), client(urls[1]!, ws.workspaceId, ws.rwToken)];
    await Promise.all([synced(atA, 15_000), synced(atB, 15_000)]);
    const presenceNames = (c: Client) => [...c.provider.awareness.getStates().values()].map((st) => (st as { name?: string }).name).filter(Boolean);
    atB.provider.awareness.setLocalState({ name: 'Big', pad: 'p'.repeat(500) });
    // A state within the limit, sent after: once it arrives at A, the big one was handled before it.
    const small = connect(urls[1]!, ws.workspaceId, ws.roToken);
    cleanups.push(() => small.destroy());
    await synced(small, 15_000);
    small.provider.awareness.setLocalState({ name: 'Small' });
    await waitFor(() => presenceNames(atA).includes('Small'), 'the small state at A', 15_000);
    expect(presenceNames(atA)).not.toContain('Big');
  });
});

describe.skipIf(!redisAvailable)('a deployment of three relay processes under SIGKILL', () => {
  const SEED = Number(process.env.LEDGERLINE_CLUSTER_SEED ?? 20261130);

  it(`converges with nothing relayed missing, relays and Redis killed at random (seed ${SEED})`, async () => {
    // Every WebsocketProvider adds a process 'exit' listener; this test holds a dozen at once.
    process.setMaxListeners(32);
    cleanups.push(() => process.setMaxListeners(10));
    const random = mulberry32(SEED);
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const ws = createWorkspace(dir);
    const room = ws.workspaceId;
    const redisPrefix = `chaos${++prefixes}:`;
    const env = {
      REDIS_URL: redisServer.server().url,
      LEDGERLINE_REDIS_PREFIX: redisPrefix,
      // Small, so that compaction runs often, from several processes at once.
      LEDGERLINE_COMPACT_AFTER: '40',
      // Every client reconnects from one address, many times.
      LEDGERLINE_CONNECT_ATTEMPTS_PER_10S: '100000',
    };
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const relays: RelayProcess[] = [];
    const start = async (i: number) => {
      relays[i] = await spawnRelay(dir, { ...env, PORT: String(ports[i]) });
    };
    cleanups.push(() => {
      for (const r of relays) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    });
    await Promise.all([0, 1, 2].map(start));
    const urls = ports.map((p) => `ws://127.0.0.1:${p}`);

    // Two writers and one read-only observer per relay. What an observer receives was relayed,
    // hence stored in Redis first: none of it may ever be missing.
    const writers = [0, 1, 2, 3, 4, 5].map((i) => client(urls[i % 3]!, room, ws.rwToken));
    const observers = [0, 1, 2].map((i) => client(urls[i]!, room, ws.roToken));
    await Promise.all([...writers, ...observers].map((c) => synced(c, 15_000)));
    const seenByObservers = new Set<string>();
    for (const o of observers) o.doc.getMap('m').observe((e) => e.keysChanged.forEach((k) => seenByObservers.add(k)));
    const written = writers.map(() => new Set<string>());

    let editing = true;
    const edits = writers.map(async (w, i) => {
      let n = 0;
      while (editing) {
        const key = `w${i}-${n++}`;
        w.doc.transact(() => {
          w.doc.getMap('m').set(key, n);
          const t = w.doc.getText('t');
          t.insert(Math.floor(random() * (t.length + 1)), String.fromCharCode(97 + (n % 26)));
        });
        written[i]!.add(key);
        await sleep(10 + Math.floor(random() * 30));
      }
    });

    const redisKill = 2;
    for (let round = 0; round < 5; round++) {
      await sleep(400 + Math.floor(random() * 400));
      if (round === redisKill) {
        await redisServer.server().kill();
        const relayedBefore = new Set(seenByObservers);
        await sleep(200 + Math.floor(random() * 300));
        await redisServer.server().restart();
        // Read straight from Redis: everything relayed before the crash must have survived it.
        const store = new RedisRoomStore({ url: redisServer.server().url, prefix: redisPrefix });
        const { updates, log } = await store.open(room);
        await log.close();
        await store.close();
        const stored = new Y.Doc();
        for (const u of updates) Y.applyUpdate(stored, u);
        const missing = [...relayedBefore].filter((k) => !stored.getMap('m').has(k));
        expect(missing, 'relayed before the Redis crash, missing after it').toEqual([]);
      } else {
        const victim = Math.floor(random() * 3);
        relays[victim]!.child.kill('SIGKILL');
        await relays[victim]!.exited;
        await sleep(100 + Math.floor(random() * 300));
        await start(victim);
      }
    }
    editing = false;
    await Promise.all(edits);

    const everyone = [...writers, ...observers];
    const same = () => {
      const first = everyone[0]!.doc;
      const sv = Buffer.from(Y.encodeStateVector(first));
      const text = first.getText('t').toString();
      return everyone.every((c) => Buffer.from(Y.encodeStateVector(c.doc)).equals(sv) && c.doc.getText('t').toString() === text);
    };
    await waitFor(same, 'every client holds the same state', 30_000);

    // Every relay serves that state to a fresh client, and so does a fresh reading of Redis.
    const fresh = urls.map((u) => client(u, room, ws.roToken));
    await Promise.all(fresh.map((c) => synced(c, 15_000)));
    const expected = everyone[0]!.doc;
    for (const c of fresh) {
      expect(c.doc.getMap('m').toJSON()).toEqual(expected.getMap('m').toJSON());
      expect(c.doc.getText('t').toString()).toBe(expected.getText('t').toString());
    }
    const keys = expected.getMap('m');
    for (const [i, set] of written.entries()) {
      const lost = [...set].filter((k) => !keys.has(k));
      expect(lost, `writer ${i}'s edits missing`).toEqual([]);
    }
    expect([...seenByObservers].filter((k) => !keys.has(k)), 'relayed updates missing').toEqual([]);
    expect(keys.size).toBe(written.reduce((n, s) => n + s.size, 0));
    // Redis itself holds that document, and the relays compacted it along the way.
    const probe = new RedisRoomStore({ url: redisServer.server().url, prefix: redisPrefix });
    cleanups.push(() => probe.close());
    const stored = await probe.open(room);
    await stored.log.close();
    const storedDoc = new Y.Doc();
    for (const u of stored.updates) Y.applyUpdate(storedDoc, u);
    expect(storedDoc.getMap('m').toJSON()).toEqual(keys.toJSON());
    expect(storedDoc.getText('t').toString()).toBe(expected.getText('t').toString());
    expect(await probe.redis.hexists(probe.keysOf(room).snap, 'data')).toBe(1);
    for (const r of relays) expect(r.output()).not.toMatch(/does not apply/);
  }, 60_000);
});
