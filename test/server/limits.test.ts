import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE, CLOSE_REASON, MESSAGE } from '../../worker/protocol/syncProtocol';
import { KeyedThrottle, PresenceLimiter, TokenBucket } from '../../server/limits';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { WebSocket } from '../../server/ws';
import { tokenHooks } from '../../server/tokens';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { connect, rawSession, synced, tempDir, waitFor, type Client } from './helpers';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('limits: TokenBucket', () => {
  it('allows a burst, then refuses until time refills it at the given rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(100); // one token at 10 per second
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(60_000); // never more than the burst, however long the pause
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('takes a multi-token cost only when all of it is there', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 10, clock.now);
    expect(bucket.take(8)).toBe(true);
    expect(bucket.take(3)).toBe(false);
    expect(bucket.take(2)).toBe(true);
  });

  it('does not drain when the clock steps back', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 2, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(-5_000);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});

describe('limits: KeyedThrottle', () => {
  it('limits each address on its own to `limit` per window', () => {
    const clock = fakeClock();
    const throttle = new KeyedThrottle(3, 10_000, clock.now);
    for (let i = 0; i < 3; i++) expect(throttle.allow('10.0.0.1')).toBe(true);
    expect(throttle.allow('10.0.0.1')).toBe(false);
    expect(throttle.allow('10.0.0.2')).toBe(true);
    clock.advance(10_000);
    for (let i = 0; i < 3; i++) expect(throttle.allow('10.0.0.1')).toBe(true);
    expect(throttle.allow('10.0.0.1')).toBe(false);
  });

  it('forgets addresses that went quiet, so its memory follows the active ones', () => {
    const clock = fakeClock();
    const throttle = new KeyedThrottle(5, 1_000, clock.now);
    for (let i = 0; i < 100; i++) throttle.allow(`10.0.${i >> 8}.${i & 255}`);
    expect(throttle.size).toBe(100);
    clock.advance(2_000);
    throttle.allow('192.168.0.1');
    expect(throttle.size).toBe(1);
  });

  it('tells whether an address is within its limit without counting an attempt', () => {
    const clock = fakeClock();
    const throttle = new KeyedThrottle(2, 10_000, clock.now);
    expect(throttle.wouldAllow('a')).toBe(true);
    expect(throttle.size).toBe(0);
    throttle.allow('a');
    throttle.allow('a');
    expect(throttle.wouldAllow('a')).toBe(false);
    clock.advance(5_000);
    expect(throttle.wouldAllow('a')).toBe(true);
    expect(throttle.wouldAllow('a')).toBe(true);
  });

  it('refuses new addresses past maxKeys instead of growing', () => {
    const clock = fakeClock();
    const throttle = new KeyedThrottle(5, 1_000, clock.now, 2);
    expect(throttle.allow('a')).toBe(true);
    expect(throttle.allow('b')).toBe(true);
    expect(throttle.allow('c')).toBe(false);
    expect(throttle.allow('a')).toBe(true);
  });
});

describe('limits: PresenceLimiter', () => {
  it('applies up to its rate, drops the excess, and closes only a sustained flood', () => {
    const clock = fakeClock();
    const limiter = new PresenceLimiter(20, 10, clock.now);
    const verdicts = Array.from({ length: 25 }, () => limiter.offer());
    expect(verdicts.filter((v) => v === 'apply')).toHaveLength(20);
    expect(verdicts.filter((v) => v === 'drop')).toHaveLength(5);
    // 100 per second against 20 allowed: the flood bucket (200) is gone within a few seconds.
    let closedAfter = -1;
    for (let i = 0; i < 1000 && closedAfter < 0; i++) {
      clock.advance(10);
      if (limiter.offer() === 'close') closedAfter = i;
    }
    expect(closedAfter).toBeGreaterThan(100);
    expect(closedAfter).toBeLessThan(1000);
  });

  it('never closes a client that stays at its rate', () => {
    const clock = fakeClock();
    const limiter = new PresenceLimiter(20, 10, clock.now);
    for (let i = 0; i < 10_000; i++) {
      clock.advance(50);
      expect(limiter.offer()).toBe('apply');
    }
  });
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; ws: CreatedWorkspace; other: CreatedWorkspace }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const other = createWorkspace(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return { relay, ws, other };
}

function client(relay: Relay, room: string, token: string): Client {
  const c = connect(relay.url, room, token);
  cleanups.push(() => c.destroy());
  return c;
}

/** The HTTP status an upgrade attempt with `headers` gets (101 when the handshake completes). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('upgrade', () => {
      ws.terminate();
      resolve(101);
    });
  });
}

/** Opens a raw connection and resolves once it is open (or with its close code if it never opens). */
function openRaw(url: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    cleanups.push(() => ws.terminate());
    ws.on('error', () => {});
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('unexpected-response', () => reject(new Error('upgrade refused with HTTP')));
  });
}

describe('relay: message rate', () => {
  it('closes a connection that floods messages with 4429, and the room carries on', async () => {
    const { relay, ws } = await setup({ messagesPerSecond: 50, messageBurst: 100 });
    const bystander = client(relay, ws.workspaceId, ws.rwToken);
    await synced(bystander);
    const { ws: flooder, closed } = await openRaw(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    // "What do you hold?" queries: cheap, valid, and a message each.
    for (let i = 0; i < 2000 && flooder.readyState === flooder.OPEN; i++) flooder.send(Uint8Array.of(MESSAGE.held));
    expect(await closed).toEqual({ code: CLOSE.rateLimited, reason: CLOSE_REASON.rateLimited });
    expect(relay.stats().connectionsRateLimited).toBe(1);
    bystander.doc.getMap('m').set('after', 1);
    await waitFor(() => relay.stats().updatesStored === 1, 'the bystander still writes');
    expect(bystander.closes).toEqual([]);
  });

  it('counts a sync step 1 (answered with the whole document) as many messages', async () => {
    const { relay, ws } = await setup({ messagesPerSecond: 10, messageBurst: 200 });
    const { ws: flooder, closed } = await openRaw(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    // 10 step-1 requests (type 0, step 0, a state vector of no clients) fit a burst of 200 plain messages only if each cost 1.
    for (let i = 0; i < 10; i++) flooder.send(Uint8Array.of(MESSAGE.sync, 0, 1, 0));
    expect((await closed).code).toBe(CLOSE.rateLimited);
  });
});

describe('relay: connection attempts', () => {
  it('answers HTTP 429 past the per-address attempts, before any token check', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 5 });
    let macs = 0;
    tokenHooks.onMac = () => void macs++;
    cleanups.push(() => (tokenHooks.onMac = null));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await rawSession(`${relay.url}/${ws.workspaceId}?token=nope`, [], 0)).status);
    expect(statuses).toEqual([101, 101, 101, 101, 101, 429, 429, 429]);
    expect(relay.stats()).toMatchObject({ upgradesThrottled: 3, upgradesRefused: 5 });
    // One HMAC per attempt let through, none for the three throttled ones.
    expect(macs).toBe(5);
  });

  it('with trustProxy, counts upgrade attempts per X-Forwarded-For address (the last one, which the proxy appended)', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 2, trustProxy: true });
    const from = (xff: string) => upgradeStatus(`${relay.url}/${ws.workspaceId}?token=nope`, { 'X-Forwarded-For': xff });
    expect([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')]).toEqual([101, 101, 429]);
    // Another client behind the same proxy; and a first entry chosen by the client changes nothing.
    expect(await from('203.0.113.2')).toBe(101);
    expect(await from('198.51.100.9, 203.0.113.1')).toBe(429);
  });

  it('without trustProxy, ignores X-Forwarded-For: a client cannot escape the throttle by naming another address', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await upgradeStatus(`${relay.url}/${ws.workspaceId}?token=nope`, { 'X-Forwarded-For': `203.0.113.${i}` }));
    expect(statuses).toEqual([101, 101, 429]);
  });

  it('closes attempts past the relay-wide connection cap with 1013 and sends no document byte', async () => {
    const { relay, ws, other } = await setup({ maxConnections: 2 });
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, other.workspaceId, other.rwToken);
    await Promise.all([synced(a), synced(b)]);
    const r = await rawSession(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`);
    expect({ status: r.status, closeCode: r.closeCode, frames: r.frames.length }).toEqual({ status: 101, closeCode: CLOSE.tryAgainLater, frames: 0 });
    expect(relay.stats()).toMatchObject({ connections: 2, upgradesBusy: 1 });
  });

  it('closes attempts past the per-room cap with 1013 while other rooms still connect', async () => {
    const { relay, ws, other } = await setup({ maxRoomConnections: 2 });
    const clients = [client(relay, ws.workspaceId, ws.rwToken), client(relay, ws.workspaceId, ws.roToken)];
    await Promise.all(clients.map((c) => synced(c)));
    const r = await rawSession(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`);
    expect(r.closeCode).toBe(CLOSE.tryAgainLater);
    const elsewhere = client(relay, other.workspaceId, other.rwToken);
    await synced(elsewhere);
    expect(relay.stats()).toMatchObject({ connections: 3, upgradesBusy: 1 });
  });
});

describe('relay: blob requests and the per-address throttle', () => {
  const blobUrlOf = (relay: Relay, ws: CreatedWorkspace, token: string) => `${relay.url.replace(/^ws/, 'http')}/blobs/${ws.workspaceId}/${'0'.repeat(64)}?token=${encodeURIComponent(token)}`;

  it('answers 429 to blob requests once an address spent its attempts on wrong tokens, with no HMAC for them', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 3 });
    let macs = 0;
    tokenHooks.onMac = () => void macs++;
    cleanups.push(() => (tokenHooks.onMac = null));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(blobUrlOf(relay, ws, `guess${i}`))).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    expect(macs).toBe(3);
    expect(relay.stats().blobRequestsThrottled).toBe(3);
    // The guesses and the websocket attempts share one budget per address.
    expect((await rawSession(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`, [], 0)).status).toBe(429);
  });

  it('never throttles blob requests with a valid token, however many', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 3 });
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) statuses.add((await fetch(blobUrlOf(relay, ws, ws.roToken))).status);
    expect([...statuses]).toEqual([404]); // let in every time; there is no such blob
  });

  it('with trustProxy, counts blob token failures per X-Forwarded-For address', async () => {
    const { relay, ws } = await setup({ connectAttemptsPer10s: 2, trustProxy: true });
    const from = async (xff: string) => (await fetch(blobUrlOf(relay, ws, 'guess'), { headers: { 'X-Forwarded-For': xff } })).status;
    expect([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')]).toEqual([401, 401, 429]);
    expect(await from('203.0.113.2')).toBe(401);
  });
});

describe('relay: a connection that reads too slowly', () => {
  it('is terminated once more than maxBufferedBytes wait for it, and the room carries on', async () => {
    const { relay, ws } = await setup({ maxBufferedBytes: 64 * 1024 });
    const writer = client(relay, ws.workspaceId, ws.rwToken);
    const reader = new WebSocket(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    cleanups.push(() => reader.terminate());
    reader.on('error', () => {});
    const readerClosed = new Promise<void>((r) => reader.on('close', () => r()));
    await new Promise<void>((r) => reader.once('open', () => r()));
    await synced(writer);
    // A reader that stopped reading: the kernel buffers fill, then the relay's queue for it grows.
    (reader as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'z'.repeat(256 * 1024);
    // Up to 50 MiB, well past what loopback socket buffers usually absorb; it stops once the reader is dropped.
    for (let i = 0; i < 200 && relay.stats().connectionsTooSlow === 0; i++) {
      writer.doc.getMap('m').set(`k${i}`, `${i}${chunk}`);
      await waitFor(() => relay.stats().updatesStored > i, `update ${i} stored`, 20_000);
    }
    await waitFor(() => relay.stats().connectionsTooSlow === 1, 'the slow reader dropped', 20_000);
    (reader as unknown as { _socket: { resume(): void } })._socket.resume();
    await readerClosed;
    expect(relay.stats().connections).toBe(1);
    writer.doc.getMap('m').set('after', 1);
    const stored = relay.stats().updatesStored;
    await waitFor(() => relay.stats().updatesStored === stored + 1, 'the writer still writes');
    expect(writer.closes).toEqual([]);
  });
});
