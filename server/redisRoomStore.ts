import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import { logError } from './log';
import { RECORD_HEADER_BYTES, type OpenedRoom, type RoomLog, type RoomStore, type SharedRoomLog } from './roomStore';

export interface RedisRoomStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (REDIS_URL). */
  url: string;
  /** Prefix of every key and channel, so that several deployments can share one Redis (LEDGERLINE_REDIS_PREFIX). */
  prefix?: string;
  /** How long a compaction lock lives if its holder dies before releasing it. */
  lockMs?: number;
  /**
   * Longest wait of the stream reader: also how late, at worst, a process notices updates it
   * missed because another process compacted them away while it was reconnecting.
   */
  blockMs?: number;
}

export const REDIS_DEFAULTS = { prefix: 'ledgerline:', lockMs: 30_000, blockMs: 1000 } as const;

/** Stream entries read per room and call: bounds one reply (a busy room catches up over several). */
const READ_COUNT = 500;

/**
 * Commits a compaction: only while the lock is still ours (it may have expired and been taken),
 * and only if no other process already merged further (the snapshot's `upto` never goes back).
 * The snapshot and the trim are one script, so a reader sees the entries or the snapshot that
 * holds them, never neither. `XTRIM MINID` drops exactly the merged ids: what was appended
 * while the merge ran is above them and stays.
 */
const COMMIT_COMPACTION = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local cur = redis.call('HGET', KEYS[2], 'upto')
if cur then
  local a1, a2 = string.match(cur, '^(%d+)-(%d+)$')
  local b1, b2 = string.match(ARGV[3], '^(%d+)-(%d+)$')
  a1, a2, b1, b2 = tonumber(a1), tonumber(a2), tonumber(b1), tonumber(b2)
  if a1 > b1 or (a1 == b1 and a2 >= b2) then return 0 end
end
redis.call('HSET', KEYS[2], 'data', ARGV[2], 'upto', ARGV[3], 'prev', cur or '0-0')
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[4])
return 1
`;

/** Replaces the whole log by `merged` (a caller that holds everything stored: see `RoomLog.replace`). */
const REPLACE_ALL = `
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local upto = '0-1'
if #last > 0 then upto = last[1][1] end
local cur = redis.call('HGET', KEYS[1], 'upto')
if cur and #last == 0 then upto = cur end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'upto', upto, 'prev', cur or '0-0')
redis.call('DEL', KEYS[2])
return upto
`;

/** Deletes a lock only if it still holds our token (it may have expired and been taken by another process). */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Stream ids `ms-seq`, compared as numbers. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

function nextId(id: string): string {
  const [ms, seq] = id.split('-') as [string, string];
  return `${ms}-${BigInt(seq) + 1n}`;
}

type Entry = [id: Buffer, fields: Buffer[]];

function payloadOf(entry: Entry): Uint8Array {
  const fields = entry[1];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString() === 'u') return new Uint8Array(fields[i + 1]!);
  return new Uint8Array(0);
}

function framed(n: number): number {
  return RECORD_HEADER_BYTES + n;
}

interface Keys {
  log: string;
  snap: string;
  lock: string;
  presence: string;
}

/**
 * A room per Redis stream, shared by every relay process that connects to the same Redis:
 *
 * - `<prefix>room:{<id>}:log`, a stream of the room's updates (one field `u` per entry). `append`
 *   adds a batch with one MULTI of XADDs; with `appendfsync always` Redis answers only after the
 *   AOF is fsynced, so an update is durable before the relay relays it.
 * - `<prefix>room:{<id>}:snap`, a hash `{ data, upto, prev }`: the merged update of every entry up
 *   to stream id `upto`, which compaction has trimmed from the stream (`prev`: the `upto` before).
 * - `open` reads both in one MULTI (a consistent cut), and the room's position is the last id read.
 *   One connection per process then reads every open room's stream from its position with
 *   `XREAD BLOCK`: each entry appended after the cut, by any process, arrives once and in order.
 *   A reader that fell behind a compaction (entries trimmed before it read them) sees the
 *   snapshot's `upto` pass its position and applies the snapshot instead.
 * - Presence goes over pub/sub (`<prefix>room:{<id>}:presence`): ephemeral, lost on a Redis restart
 *   like on a relay restart; clients renew theirs every 15 s.
 *
 * The braces put a room's keys in one slot, should the Redis be a cluster one day.
 */
export class RedisRoomStore implements RoomStore {
  /** Commands (appends, loads, compaction, publishing). */
  readonly redis: Redis;
  /** Blocked in XREAD most of the time: its own connection. */
  private readonly reader: Redis;
  /** Subscribed (pub/sub mode): its own connection. */
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly lockMs: number;
  private readonly blockMs: number;
  /** Tags this process's presence messages, so it drops its own echo. */
  private readonly instance = randomBytes(8);
  private readonly logs = new Map<string, RedisRoomLog>();
  /** Logs being read (a listener is registered), by stream key. */
  private readonly tailed = new Map<string, RedisRoomLog>();
  private readonly channels = new Map<string, (message: Uint8Array) => void>();
  private readerId: number | null = null;
  private readerBlocked = false;
  /** The logs the XREAD in flight reads. */
  private inRead = new Set<RedisRoomLog>();
  private wake: (() => void) | null = null;
  private lastFullCheck = 0;
  private closed = false;
  private readonly reading: Promise<void>;

  constructor(options: RedisRoomStoreOptions) {
    this.prefix = options.prefix ?? REDIS_DEFAULTS.prefix;
    this.lockMs = options.lockMs ?? REDIS_DEFAULTS.lockMs;
    this.blockMs = options.blockMs ?? REDIS_DEFAULTS.blockMs;
    const connect = (name: string) => {
      const r = new Redis(options.url, {
        protocol: 2,
        connectionName: `ledgerline-${name}`,
        // While Redis is down, a command fails after two reconnection attempts: an append that
        // fails closes the room's connections with 1011 and a load answers 500, and clients retry,
        // rather than the relay holding updates it cannot store.
        maxRetriesPerRequest: 2,
        retryStrategy: (times) => Math.min(50 * times, 500),
      });
      let lastLogged = 0;
      r.on('error', (e: Error) => {
        if (Date.now() - lastLogged < 5000) return;
        lastLogged = Date.now();
        logError(`relay: redis (${name}): ${e.message}`);
      });
      return r;
    };
    this.redis = connect('commands');
    this.redis.once('ready', () => void this.checkDurability());
    this.reader = connect('reader');
    this.reader.on('ready', () => {
      this.readerId = null;
    });
    this.subscriber = connect('subscriber');
    // ioredis resubscribes what it had subscribed; a SUBSCRIBE that failed while Redis was down it forgets.
    this.subscriber.on('ready', () => {
      if (this.channels.size > 0) this.subscriber.subscribe(...this.channels.keys()).catch(() => {});
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (message.length < this.instance.length || message.subarray(0, this.instance.length).equals(this.instance)) return;
      this.channels.get(channel.toString())?.(new Uint8Array(message.subarray(this.instance.length)));
    });
    this.reading = this.readLoop();
  }

  /**
   * The relay relays an update once Redis answered its XADD: that is "stored" only with the AOF on
   * and fsynced before every answer, and only if Redis never evicts keys. Said loudly at start,
   * not enforced: a managed Redis may refuse CONFIG, or be durable by other means.
   */
  private async checkDurability(): Promise<void> {
    try {
      const get = async (name: string) => ((await this.redis.config('GET', name)) as string[])[1];
      const [aof, fsync, policy] = await Promise.all([get('appendonly'), get('appendfsync'), get('maxmemory-policy')]);
      if (aof !== 'yes' || fsync !== 'always') {
        logError(`relay: redis has appendonly ${aof}, appendfsync ${fsync}: a Redis crash may lose updates the relay relayed (see server/README.md, "Running several relays")`);
      }
      if (policy !== 'noeviction') logError(`relay: redis maxmemory-policy is ${policy}: Redis may evict rooms; use noeviction`);
    } catch (e) {
      logError(`relay: cannot read the Redis configuration (${(e as Error).message}); make sure it has appendonly yes, appendfsync always, maxmemory-policy noeviction`);
    }
  }

  keysOf(roomId: string): Keys {
    const base = `${this.prefix}room:{${roomId}}`;
    return { log: `${base}:log`, snap: `${base}:snap`, lock: `${base}:lock`, presence: `${base}:presence` };
  }

  async open(roomId: string): Promise<OpenedRoom> {
    if (this.closed) throw new Error('room store is closed');
    const keys = this.keysOf(roomId);
    const { snapshot, upto, entries } = await this.readAll(keys);
    const updates: Uint8Array[] = [];
    let bytes = 0;
    if (snapshot) {
      updates.push(snapshot);
      bytes += framed(snapshot.length);
    }
    for (const e of entries) {
      const u = payloadOf(e);
      updates.push(u);
      bytes += framed(u.length);
    }
    const position = entries.length > 0 ? entries[entries.length - 1]![0].toString() : upto;
    const log = new RedisRoomLog(this, keys, updates.length, bytes, position);
    this.logs.set(keys.log, log);
    return { updates, log };
  }

  /** Snapshot and stream in one MULTI: a consistent cut of the room. */
  async readAll(keys: Keys): Promise<{ snapshot: Uint8Array | null; upto: string; entries: Entry[] }> {
    const replies = await this.redis.multi().hgetallBuffer(keys.snap).xrangeBuffer(keys.log, '-', '+').exec();
    if (!replies) throw new Error('redis transaction aborted');
    for (const [err] of replies) if (err) throw err;
    const snap = replies[0]![1] as Record<string, Buffer>;
    const entries = replies[1]![1] as Entry[];
    return {
      snapshot: snap.data ? new Uint8Array(snap.data) : null,
      upto: snap.upto ? snap.upto.toString() : '0-0',
      entries,
    };
  }

  /** Runs `fn` while holding `name` (SET NX PX, released by token); null when another process holds it. */
  async withLock<T>(key: string, fn: (token: string) => Promise<T>): Promise<T | null> {
    const token = randomBytes(16).toString('hex');
    const ok = await this.redis.set(key, token, 'PX', this.lockMs, 'NX');
    if (ok !== 'OK') return null;
    try {
      return await fn(token);
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, key, token).catch((e: Error) => logError(`relay: releasing ${key}: ${e.message}`));
    }
  }

  /** Like `withLock`, but waits (polling) until the lock is free, for at most `waitMs`. */
  async whileLocked<T>(name: string, fn: () => Promise<T>, waitMs = 5000): Promise<T> {
    const key = `${this.prefix}lock:${name}`;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = await this.withLock(key, async () => ({ value: await fn() }));
      if (got) return got.value;
      if (Date.now() > deadline) throw new Error(`lock ${name} is held by another relay`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async compact(log: RedisRoomLog): Promise<void> {
    const keys = log.keys;
    const ran = await this.withLock(keys.lock, async (token) => {
      const { snapshot, entries } = await this.readAll(keys);
      if (entries.length === 0) return true;
      const parts = entries.map(payloadOf);
      if (snapshot) parts.unshift(snapshot);
      const merged = Y.mergeUpdates(parts);
      const upto = entries[entries.length - 1]![0].toString();
      await this.redis.eval(COMMIT_COMPACTION, 3, keys.lock, keys.snap, keys.log, token, Buffer.from(merged), upto, nextId(upto));
      return true;
    });
    // Another process is compacting: its result shows in our count at the next compaction we run.
    if (ran) await this.recount(log);
  }

  async replace(log: RedisRoomLog, merged: Uint8Array): Promise<void> {
    await this.redis.eval(REPLACE_ALL, 2, log.keys.snap, log.keys.log, Buffer.from(merged));
    await this.recount(log);
  }

  /** Records and bytes as stored now (other processes append and compact too). */
  private async recount(log: RedisRoomLog): Promise<void> {
    const { snapshot, entries } = await this.readAll(log.keys);
    let bytes = snapshot ? framed(snapshot.length) : 0;
    for (const e of entries) bytes += framed(payloadOf(e).length);
    log.counted(entries.length + (snapshot ? 1 : 0), bytes);
  }

  /** Appends a batch atomically; the ids Redis gave its entries. */
  async append(keys: Keys, updates: readonly Uint8Array[]): Promise<string[]> {
    const tx = this.redis.multi();
    for (const u of updates) tx.xadd(keys.log, '*', 'u', Buffer.from(u));
    const replies = await tx.exec();
    if (!replies) throw new Error('redis transaction aborted');
    return replies.map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
  }

  tail(log: RedisRoomLog): void {
    this.tailed.set(log.keys.log, log);
    this.wake?.();
    void this.unblockFor(log);
  }

  /**
   * A blocked XREAD reads only the streams it was given: have it start over with this one. An
   * UNBLOCK that reaches Redis before the XREAD does nothing, so it is repeated until the read
   * includes the log (else the room would hear other relays only after `blockMs`).
   */
  private async unblockFor(log: RedisRoomLog): Promise<void> {
    for (let i = 0; i < 50 && !this.closed && this.tailed.get(log.keys.log) === log; i++) {
      if (this.inRead.has(log)) return;
      if (this.readerBlocked && this.readerId !== null) await this.redis.client('UNBLOCK', this.readerId).catch(() => {});
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async subscribe(channel: string, listener: (message: Uint8Array) => void): Promise<void> {
    this.channels.set(channel, listener);
    try {
      await this.subscriber.subscribe(channel);
    } catch (e) {
      // Presence only: the room is served without it until the subscriber reconnects (and resubscribes).
      logError(`relay: redis subscribe ${channel}: ${(e as Error).message}`);
    }
  }

  publish(channel: string, message: Uint8Array): void {
    this.redis.publish(channel, Buffer.concat([this.instance, message])).catch(() => {
      /* presence is ephemeral: a lost message is renewed by its client */
    });
  }

  /** Workspace links changed on some relay (a revocation, a rotation): every process re-checks its sessions. */
  onRegistryChange(listener: () => void): Promise<void> {
    return this.subscribe(`${this.prefix}registry`, listener);
  }

  publishRegistryChange(): void {
    this.publish(`${this.prefix}registry`, new Uint8Array(0));
  }

  forget(log: RedisRoomLog): void {
    if (this.logs.get(log.keys.log) === log) this.logs.delete(log.keys.log);
    if (this.tailed.get(log.keys.log) === log) this.tailed.delete(log.keys.log);
    if (this.channels.delete(log.keys.presence)) this.subscriber.unsubscribe(log.keys.presence).catch(() => {});
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      if (this.tailed.size === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      const logs = [...this.tailed.values()];
      this.inRead = new Set(logs);
      const before = new Map(logs.map((l) => [l, l.position]));
      let reply: Array<[Buffer, Entry[]]> | null;
      try {
        if (this.readerId === null) this.readerId = Number(await this.reader.client('ID'));
        this.readerBlocked = true;
        reply = (await this.reader.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          ...logs.map((l) => l.keys.log),
          ...logs.map((l) => l.position),
        )) as Array<[Buffer, Entry[]]> | null;
        failures = 0;
      } catch (e) {
        if (this.closed) return;
        if (/UNBLOCKED/.test((e as Error).message)) continue;
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(50 * failures, 500)));
        continue;
      } finally {
        this.readerBlocked = false;
      }
      /** The first id read per log this round. */
      const firstRead = new Map<RedisRoomLog, string>();
      for (const [key, entries] of reply ?? []) {
        const log = this.tailed.get(key.toString());
        if (!log || !before.has(log) || entries.length === 0) continue; // closed, and maybe reopened, while reading
        firstRead.set(log, entries[0]![0].toString());
        log.deliver(entries);
      }
      const full = Date.now() - this.lastFullCheck >= this.blockMs;
      if (full) this.lastFullCheck = Date.now();
      try {
        await this.catchUp(full ? logs : [...firstRead.keys()], before, firstRead);
      } catch {
        // Checked again on the next round.
      }
    }
  }

  /**
   * Entries a log never read (another process compacted them away while this one was behind or
   * reconnecting) are in the snapshot: when its `upto` passed the position this round started
   * from, the snapshot is applied (Yjs skips what the room already has). Unless this round read an
   * entry at or below `upto` and that compaction was the only one past the position (its `prev`
   * is not): then the read ran before the only trim that could matter, so it missed nothing. (The
   * common case: processes read entries as they are appended, before a compaction trims them, and
   * fetch no snapshot.)
   */
  private async catchUp(logs: RedisRoomLog[], before: Map<RedisRoomLog, string>, firstRead: Map<RedisRoomLog, string>): Promise<void> {
    const live = logs.filter((l) => this.tailed.get(l.keys.log) === l);
    if (live.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const l of live) pipe.hmget(l.keys.snap, 'upto', 'prev');
    const replies = (await pipe.exec()) ?? [];
    for (const [i, l] of live.entries()) {
      const [upto, prev] = (replies[i]?.[1] as Array<string | null> | undefined) ?? [];
      const from = before.get(l) ?? l.position;
      if (typeof upto !== 'string' || compareIds(upto, from) <= 0) continue;
      const first = firstRead.get(l);
      if (first !== undefined && compareIds(first, upto) <= 0 && compareIds(prev ?? '0-0', from) <= 0) continue;
      const data = await this.redis.hgetBuffer(l.keys.snap, 'data');
      if (data) l.deliverSnapshot(new Uint8Array(data), upto);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const log of [...this.logs.values()]) await log.close();
    this.closed = true;
    this.wake?.();
    this.reader.disconnect();
    this.subscriber.disconnect();
    await this.reading;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

class RedisRoomLog implements RoomLog, SharedRoomLog {
  private closed = false;
  private remote: ((updates: Uint8Array[]) => void) | null = null;
  /** Ids of this log's own appends not yet passed by the reader: skipped when it reads them. */
  private readonly own = new Set<string>();
  /**
   * Appends whose ids are not known yet, and what the reader read meanwhile: it may read an entry
   * of ours before our MULTI's answer says it is ours, so its entries wait for that answer.
   */
  private appending = 0;
  private held: Entry[] = [];

  constructor(
    private readonly store: RedisRoomStore,
    readonly keys: Keys,
    private records_: number,
    private bytes_: number,
    /** The last stream id this log has applied (its own appends included). */
    public position: string,
  ) {}

  get shared(): SharedRoomLog {
    return this;
  }

  get records(): number {
    return this.records_;
  }

  get bytes(): number {
    return this.bytes_;
  }

  counted(records: number, bytes: number): void {
    this.records_ = records;
    this.bytes_ = bytes;
  }

  private check(): void {
    if (this.closed) throw new Error(`room log ${this.keys.log} is closed`);
  }

  async append(updates: readonly Uint8Array[]): Promise<void> {
    this.check();
    if (updates.length === 0) return;
    this.appending++;
    try {
      const ids = await this.store.append(this.keys, updates);
      for (const id of ids) if (compareIds(id, this.position) > 0) this.own.add(id);
      this.records_ += updates.length;
      for (const u of updates) this.bytes_ += framed(u.length);
    } finally {
      this.appending--;
      if (this.appending === 0 && this.held.length > 0) {
        const held = this.held;
        this.held = [];
        this.deliver(held);
      }
    }
  }

  async replace(merged: Uint8Array): Promise<void> {
    this.check();
    await this.store.replace(this, merged);
  }

  async compact(): Promise<void> {
    this.check();
    await this.store.compact(this);
  }

  onRemoteUpdates(listener: (updates: Uint8Array[]) => void): void {
    this.remote = listener;
    this.store.tail(this);
  }

  publishPresence(message: Uint8Array): void {
    if (!this.closed) this.store.publish(this.keys.presence, message);
  }

  onRemotePresence(listener: (message: Uint8Array) => void): Promise<void> {
    return this.store.subscribe(this.keys.presence, listener);
  }

  /** Entries the reader read past `position`: the other processes' go to the room. */
  deliver(entries: Entry[]): void {
    if (this.appending > 0) {
      this.held.push(...entries);
      return;
    }
    const updates: Uint8Array[] = [];
    for (const e of entries) {
      const id = e[0].toString();
      if (compareIds(id, this.position) <= 0) continue;
      this.position = id;
      if (this.own.delete(id)) continue;
      const u = payloadOf(e);
      updates.push(u);
      this.records_++;
      this.bytes_ += framed(u.length);
    }
    this.dropOwnUpTo(this.position);
    if (updates.length > 0 && !this.closed) this.emit(updates);
  }

  deliverSnapshot(snapshot: Uint8Array, upto: string): void {
    if (compareIds(upto, this.position) > 0) this.position = upto;
    this.dropOwnUpTo(this.position);
    if (!this.closed) this.emit([snapshot]);
  }

  private emit(updates: Uint8Array[]): void {
    try {
      this.remote?.(updates);
    } catch (e) {
      logError(`relay: ${this.keys.log}: applying updates from other relays failed: ${(e as Error).message}`);
    }
  }

  private dropOwnUpTo(id: string): void {
    for (const own of this.own) if (compareIds(own, id) <= 0) this.own.delete(own);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.store.forget(this);
  }
}
