import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { FileRoomStore, encodeRecords, parseLog } from '../../server/fileRoomStore';
import { logSink } from '../../server/log';
import { RedisRoomStore } from '../../server/redisRoomStore';
import { MemoryRoomStore, RECORD_HEADER_BYTES, RoomDamaged, type RoomStore, type SharedRoomLog } from '../../server/roomStore';
import { sleep, tempDir, waitFor } from './helpers';
import { redisAvailable, redisForFile } from './redisServer';

const bytes = (...xs: number[]) => new Uint8Array(xs);
const framed = (updates: Uint8Array[]) => updates.reduce((n, u) => n + RECORD_HEADER_BYTES + u.length, 0);

/** Real Yjs updates: a doc edited a few times, one update per edit. */
function yjsUpdates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i}`, i);
  doc.destroy();
  return out;
}

function replay(updates: Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getMap('m').toJSON();
}

const dirs: string[] = [];
const stores: RoomStore[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  for (const s of stores.splice(0)) await s.close();
});

/** One redis-server for the file; each test its own key prefix, so tests share nothing. */
const redisServer = redisForFile();
let prefixes = 0;

/** A Redis store as a relay process would hold it: `blockMs` short so that catch-up tests stay short. */
function redisStore(prefix: string, lockMs?: number): RedisRoomStore {
  const store = new RedisRoomStore({ url: redisServer.server().url, prefix, blockMs: 100, lockMs });
  stores.push(store);
  return store;
}

/**
 * One suite, both implementations: reopening a store stands in for a relay restart (the memory
 * store is "reopened" by opening the same instance again; the file store by a new instance on the
 * same folder).
 */
const implementations: Array<[string, () => { store: RoomStore; reopen: () => RoomStore }]> = [
  [
    'MemoryRoomStore',
    () => {
      const store = new MemoryRoomStore();
      return { store, reopen: () => store };
    },
  ],
  [
    'FileRoomStore',
    () => {
      const dir = tempDir();
      dirs.push(dir);
      return { store: new FileRoomStore(dir), reopen: () => new FileRoomStore(dir) };
    },
  ],
  // A restarted relay process is a new store on the same Redis.
  ...(redisAvailable
    ? [
        [
          'RedisRoomStore',
          () => {
            const prefix = `t${++prefixes}:`;
            return { store: redisStore(prefix) as RoomStore, reopen: (): RoomStore => redisStore(prefix) };
          },
        ] satisfies [string, () => { store: RoomStore; reopen: () => RoomStore }],
      ]
    : []),
];

describe.each(implementations)('RoomStore contract: %s', (_name, make) => {
  it('opens an unknown room empty', async () => {
    const { store } = make();
    const { updates, log } = await store.open('new-room');
    expect(updates).toEqual([]);
    expect(log.records).toBe(0);
    expect(log.bytes).toBe(0);
    await log.close();
  });

  it('returns appended updates in order after reopening, batches and all', async () => {
    const { store, reopen } = make();
    const { log } = await store.open('r1');
    const a = [bytes(1), bytes(2, 2)];
    const b = [bytes(3, 3, 3)];
    await log.append(a);
    await log.append(b);
    await log.append([]);
    expect(log.records).toBe(3);
    expect(log.bytes).toBe(framed([...a, ...b]));
    await log.close();
    const again = await reopen().open('r1');
    expect(again.updates.map((u) => [...u])).toEqual([[1], [2, 2], [3, 3, 3]]);
    expect(again.log.records).toBe(3);
    expect(again.log.bytes).toBe(framed([...a, ...b]));
    await again.log.close();
  });

  it('stores a copy: changing the caller’s buffer later changes nothing', async () => {
    const { store, reopen } = make();
    const { log } = await store.open('r1');
    const u = bytes(7, 7);
    await log.append([u]);
    u[0] = 9;
    await log.close();
    const again = await reopen().open('r1');
    expect([...again.updates[0]!]).toEqual([7, 7]);
    await again.log.close();
  });

  it('replace leaves one record, and appends continue after it', async () => {
    const { store, reopen } = make();
    const { log } = await store.open('r1');
    const all = yjsUpdates(25);
    const updates = all.slice(0, 20);
    await log.append(updates);
    const merged = Y.mergeUpdates(updates);
    await log.replace(merged);
    expect(log.records).toBe(1);
    expect(log.bytes).toBe(RECORD_HEADER_BYTES + merged.length);
    const more = all.slice(20);
    await log.append(more);
    expect(log.records).toBe(1 + more.length);
    await log.close();
    const again = await reopen().open('r1');
    expect(again.updates.length).toBe(1 + more.length);
    expect(replay(again.updates)).toEqual(replay(all));
    expect(Object.keys(replay(again.updates)).length).toBe(25);
    await again.log.close();
  });

  it('keeps rooms apart', async () => {
    const { store, reopen } = make();
    const one = await store.open('one');
    const two = await store.open('two');
    await one.log.append([bytes(1)]);
    await two.log.append([bytes(2), bytes(2)]);
    await one.log.close();
    await two.log.close();
    const s = reopen();
    const a = await s.open('one');
    const b = await s.open('two');
    expect(a.updates.length).toBe(1);
    expect(b.updates.length).toBe(2);
    await a.log.close();
    await b.log.close();
  });

  it('refuses to append through a closed log', async () => {
    const { store } = make();
    const { log } = await store.open('r1');
    await log.close();
    await expect(log.append([bytes(1)])).rejects.toThrow(/closed/);
  });

  it('replays a Yjs document exactly', async () => {
    const { store, reopen } = make();
    const { log } = await store.open('doc');
    const updates = yjsUpdates(50);
    for (let i = 0; i < updates.length; i += 7) await log.append(updates.slice(i, i + 7));
    await log.close();
    const again = await reopen().open('doc');
    expect(replay(again.updates)).toEqual(replay(updates));
    await again.log.close();
    await store.close();
  });
});

describe('FileRoomStore on disk', () => {
  function setup() {
    const dir = tempDir();
    dirs.push(dir);
    return { dir, file: path.join(dir, 'room.log') };
  }

  it('writes length-prefixed records with a CRC-32', async () => {
    const { dir, file } = setup();
    const { log } = await new FileRoomStore(dir).open('room');
    await log.append([bytes(0xaa, 0xbb)]);
    await log.close();
    const data = fs.readFileSync(file);
    expect(data.length).toBe(RECORD_HEADER_BYTES + 2);
    expect(data.readUInt32LE(0)).toBe(2);
    expect([...data.subarray(8)]).toEqual([0xaa, 0xbb]);
    expect(parseLog(data)).toMatchObject({ end: data.length, damaged: false });
  });

  it('ignores a record torn by a crash at every possible byte, and appends after it cleanly', async () => {
    const { dir, file } = setup();
    const updates = yjsUpdates(3);
    const whole = encodeRecords(updates);
    const firstTwo = encodeRecords(updates.slice(0, 2)).length;
    const errors: string[] = [];
    const original = logSink.error;
    logSink.error = (line) => void errors.push(line);
    onTestFinished(() => {
      logSink.error = original;
    });
    for (let cut = firstTwo + 1; cut < whole.length; cut++) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const { updates: got, log } = await new FileRoomStore(dir).open('room');
      // A torn write is still logged, with its copy: never a silent cut.
      expect(errors.pop()).toContain(`cut the log at byte ${firstTwo}`);
      expect(got.length).toBe(2);
      expect(log.bytes).toBe(firstTwo);
      await log.append([updates[2]!]);
      await log.close();
      const again = await new FileRoomStore(dir).open('room');
      expect(again.updates.length).toBe(3);
      expect(replay(again.updates)).toEqual(replay(updates));
      await again.log.close();
    }
  });

  it('refuses a log whose checksum fails before a valid record, keeping a copy of the damaged file', async () => {
    const { dir, file } = setup();
    const data = encodeRecords([bytes(1, 1), bytes(2, 2), bytes(3, 3)]);
    data[RECORD_HEADER_BYTES * 2 + 2] ^= 0xff; // flip a payload byte of the second record
    fs.writeFileSync(file, data);
    const errors: string[] = [];
    const original = logSink.error;
    logSink.error = (line) => void errors.push(line);
    try {
      await expect(new FileRoomStore(dir).open('room')).rejects.toBeInstanceOf(RoomDamaged);
    } finally {
      logSink.error = original;
    }
    expect(errors.length).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('room.log.damaged-')).length).toBe(1);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
  });

  it('ignores the temp file of a compaction that crashed before its rename', async () => {
    const { dir, file } = setup();
    fs.writeFileSync(file, encodeRecords([bytes(1)]));
    fs.writeFileSync(`${file}.compact`, encodeRecords([bytes(9, 9)]).subarray(0, 5));
    const { updates, log } = await new FileRoomStore(dir).open('room');
    expect(updates.map((u) => [...u])).toEqual([[1]]);
    await log.close();
    expect(fs.existsSync(`${file}.compact`)).toBe(false);
  });
});

describe.skipIf(!redisAvailable)('RedisRoomStore: one room served by several processes', () => {
  /** Two relay processes' stores on one Redis, and the same room open in both. */
  async function twoProcesses(room = 'shared', lockMs?: number) {
    const prefix = `p${++prefixes}:`;
    const a = redisStore(prefix, lockMs);
    const b = redisStore(prefix, lockMs);
    const openA = await a.open(room);
    const openB = await b.open(room);
    return { prefix, a, b, logA: openA.log, logB: openB.log, sharedA: openA.log.shared!, sharedB: openB.log.shared! };
  }

  function collect(shared: SharedRoomLog): Uint8Array[] {
    const got: Uint8Array[] = [];
    shared.onRemoteUpdates((updates) => got.push(...updates));
    return got;
  }

  it('delivers what another process appends to every open log, once and in order, never back to its writer', async () => {
    const { logA, logB, sharedA, sharedB } = await twoProcesses();
    const atA = collect(sharedA);
    const atB = collect(sharedB);
    const updates = yjsUpdates(30);
    for (let i = 0; i < 30; i += 3) await logA.append(updates.slice(i, i + 3));
    await waitFor(() => atB.length === 30, 'B received all 30');
    expect(atB.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
    await logB.append([bytes(1)]);
    await waitFor(() => atA.length === 1, 'A received B’s update');
    await sleep(150);
    expect(atA.length).toBe(1);
    expect(atB.length).toBe(30);
  });

  it('loads a room with what every process appended, compacted or not', async () => {
    const { prefix, logA, logB, sharedA } = await twoProcesses();
    const updates = yjsUpdates(12);
    await logA.append(updates.slice(0, 5));
    await logB.append(updates.slice(5, 9));
    await sharedA.compact();
    await logB.append(updates.slice(9));
    const again = await redisStore(prefix).open('shared');
    expect(again.updates.length).toBe(1 + 3);
    expect(replay(again.updates)).toEqual(replay(updates));
  });

  it('compaction keeps every update appended while it merges', async () => {
    const { prefix, logA, logB, sharedA } = await twoProcesses();
    const updates = yjsUpdates(200);
    await logA.append(updates.slice(0, 100));
    // B keeps appending, one update per call, while A compacts again and again.
    const appending = (async () => {
      for (const u of updates.slice(100)) await logB.append([u]);
    })();
    for (let i = 0; i < 5; i++) await sharedA.compact();
    await appending;
    await sharedA.compact();
    const again = await redisStore(prefix).open('shared');
    expect(again.updates.length).toBe(1);
    expect(replay(again.updates)).toEqual(replay(updates));
  });

  it('a compaction whose lock another process holds changes nothing', async () => {
    const { a, logA, sharedA } = await twoProcesses();
    await logA.append(yjsUpdates(10));
    await a.redis.set(a.keysOf('shared').lock, 'someone-else', 'PX', 10_000);
    await sharedA.compact();
    expect(logA.records).toBe(10);
    expect(await a.redis.xlen(a.keysOf('shared').log)).toBe(10);
  });

  /** Resolves once `key` is gone from Redis (a lock's PX ran out). */
  async function expired(store: RedisRoomStore, key: string): Promise<void> {
    for (let i = 0; (await store.redis.exists(key)) === 1; i++) {
      if (i > 500) throw new Error(`${key} never expired`);
      await sleep(20);
    }
  }

  it('a compaction lock whose holder died expires, and then another process compacts', async () => {
    const { prefix, b, logA, logB, sharedB } = await twoProcesses('shared', 200);
    const updates = yjsUpdates(10);
    await logA.append(updates);
    const lock = b.keysOf('shared').lock;
    // What a relay killed mid-compaction leaves: its lock, never released.
    await b.redis.set(lock, 'token-of-a-dead-relay', 'PX', 200);
    await sharedB.compact();
    expect(await b.redis.xlen(b.keysOf('shared').log)).toBe(10);
    await expired(b, lock);
    await sharedB.compact();
    expect(await b.redis.xlen(b.keysOf('shared').log)).toBe(0);
    expect(logB.records).toBe(1);
    const again = await redisStore(prefix).open('shared');
    expect(replay(again.updates)).toEqual(replay(updates));
  });

  it('a slow compaction whose lock expired and was taken over is not committed, and nothing is lost', async () => {
    const { prefix, a, b, logA, logB, sharedA } = await twoProcesses('shared', 200);
    const keys = a.keysOf('shared');
    const updates = yjsUpdates(15);
    await logA.append(updates.slice(0, 10));
    // A reads the room, then stalls (a long GC pause, a slow network) past its lock's life.
    const read = a.readAll.bind(a);
    let stalled: () => void = () => {};
    let reached: () => void = () => {};
    const atStall = new Promise<void>((r) => (reached = r));
    const resume = new Promise<void>((r) => (stalled = r));
    let first = true;
    a.readAll = async (k) => {
      const result = await read(k);
      if (first) {
        first = false;
        reached();
        await resume;
      }
      return result;
    };
    const slow = sharedA.compact();
    await atStall;
    await expired(a, keys.lock);
    // B stores more and takes the lock over for a compaction of its own (still running).
    await logB.append(updates.slice(10));
    await b.redis.set(keys.lock, 'token-of-b', 'PX', 10_000);
    stalled();
    await slow;
    // A's merge was not committed (no snapshot, no trim), and its release left B's lock alone.
    expect(await b.redis.hget(keys.snap, 'upto')).toBeNull();
    expect(await b.redis.xlen(keys.log)).toBe(15);
    expect(await b.redis.get(keys.lock)).toBe('token-of-b');
    const again = await redisStore(prefix).open('shared');
    expect(replay(again.updates)).toEqual(replay(updates));
  });

  it('a process that fell behind a compaction receives the merged snapshot instead of the trimmed entries', async () => {
    const { logA, sharedA, sharedB } = await twoProcesses();
    const updates = yjsUpdates(8);
    // B has the room open but is not reading yet (as while it reconnects to Redis).
    await logA.append(updates);
    await sharedA.compact();
    const atB = collect(sharedB);
    await waitFor(() => atB.length > 0, 'B caught up');
    expect(replay(atB)).toEqual(replay(updates));
  });

  it('fans presence out to the other processes of the room, not back to its publisher', async () => {
    const { sharedA, sharedB } = await twoProcesses();
    const atA: Uint8Array[] = [];
    const atB: Uint8Array[] = [];
    await sharedA.onRemotePresence((m) => atA.push(m));
    await sharedB.onRemotePresence((m) => atB.push(m));
    sharedA.publishPresence(bytes(0, 1, 2));
    await waitFor(() => atB.length === 1, 'B received A’s presence');
    expect([...atB[0]!]).toEqual([0, 1, 2]);
    await sleep(50);
    expect(atA.length).toBe(0);
  });
});
