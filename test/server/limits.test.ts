import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE, CLOSE_REASON, MESSAGE } from '../../worker/protocol/syncProtocol';
import { KeyedThrottle, PresenceLimiter, TokenBucket } from '../../server/limits';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { WebSocket } from '../../server/ws';
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
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await rawSession(`${relay.url}/${ws.workspaceId}?token=nope`, [], 0)).status);
    expect(statuses).toEqual([101, 101, 101, 101, 101, 429, 429, 429]);
    expect(relay.stats()).toMatchObject({ upgradesThrottled: 3, upgradesRefused: 5 });
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
