import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { WebSocket } from './ws';
import { RECORD_HEADER_BYTES, type RoomLog, type RoomStore } from './roomStore';
// Message types and close codes: the protocol module the app uses too, so the two ends cannot drift apart.
import { CLOSE, CLOSE_REASON, MESSAGE } from '../worker/protocol/syncProtocol';
import { PresenceLimiter, TokenBucket } from './limits';
import { logError } from './log';
import type { Grant, Role } from './tokens';

/** A message that does not decode: the connection that sent it is closed with `CLOSE.malformed`. */
export class MalformedMessage extends Error {}

/** The connection sent more than its limits allow for longer than a burst: closed with `CLOSE.rateLimited`. */
export class RateLimited extends Error {}

/**
 * The empty awareness update the relay sends every `HEARTBEAT_MS` (type 1, an update of 0 states):
 * every y-websocket client applies it as a no-op, and it tells the app the connection is alive.
 */
export const HEARTBEAT: Uint8Array = Uint8Array.of(MESSAGE.awareness, 1, 0);

/**
 * A sync step 1 makes the relay encode the whole document in answer, so it costs this many
 * messages of the connection's budget (a client sends one per connection).
 */
export const SYNC_STEP1_COST = 50;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Presence clocks a room remembers beyond its live states (see `Room.pruneMeta`). */
export const META_LIMIT = 4096;

export interface RoomOptions {
  /** Largest stored document (log bytes, framing included) an update may grow the room to. */
  maxDocBytes: number;
  /** Compact the log into one merged update once it holds more records than this. */
  compactAfter: number;
  /** A connection whose unsent output passes this is too slow to follow the room: it is dropped. */
  maxBufferedBytes: number;
  /** Largest presence (awareness) state, in bytes of its JSON; a bigger one is dropped before it is parsed. */
  maxPresenceBytes: number;
  /** Presence client ids one connection may introduce. */
  maxPresenceStates: number;
  /** Presence bytes one room holds at most (every connection's states together). */
  maxRoomPresenceBytes: number;
  /** Presence updates per second per connection; more are dropped, a sustained flood is closed (4429). */
  presencePerSecond: number;
  /** Messages per second per connection (token bucket), with a burst of `messageBurst`; past it: 4429. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Relay-wide counters (they outlive the rooms). */
  counters: RoomCounters;
}

export interface RoomCounters {
  /** Updates written to storage (and then relayed). */
  updatesStored: number;
  /** Updates from read-only connections, dropped unread. */
  readOnlyUpdatesDropped: number;
  /** Connections closed by the relay for a frame it refused (text, malformed, document too large, rate). */
  connectionsRefused: number;
  /** Presence states dropped: too big, too many for the connection or the room, over the rate. */
  presenceDropped: number;
  /** Presence states dropped because they named a client id another connection introduced. */
  presenceForged: number;
  /** Connections closed with 4429 (messages or presence past their limit). */
  connectionsRateLimited: number;
  /** Connections terminated for reading too slowly (more than `maxBufferedBytes` unsent). */
  connectionsTooSlow: number;
}

export interface Conn {
  readonly ws: WebSocket;
  readonly role: Role;
  /** Who the link was issued to (`MESSAGE.identity`); presence ids may pass between connections of one link. */
  readonly grant: Grant;
  /** Awareness client ids bound to this connection (it introduced them), removed from the room when it leaves. */
  readonly awarenessIds: Set<number>;
  readonly messages: TokenBucket;
  readonly presence: PresenceLimiter;
  /** When a frame or a pong last arrived (the relay's idle timeout). */
  lastSeen: number;
}

/**
 * Who introduced a presence client id on another relay process: only its link id matters (another
 * connection of the same link may take the id over, as on one process).
 */
type PresenceOwner = Pick<Conn, 'grant' | 'awarenessIds'>;

/** The origin of what another relay process relayed: applied here, never published back. */
const REMOTE = Symbol('remote');

/** Presence messages between relay processes (`SharedRoomLog.publishPresence`). */
const PRESENCE_KIND = { update: 0, hello: 1 } as const;

interface Pending {
  conn: Conn;
  update: Uint8Array;
}

/**
 * One workspace's document while at least one connection uses it. The in-memory `doc` only ever
 * holds what the log holds: an update is validated, queued, written and fsynced (several together
 * when they arrive in the same turn of the event loop), and only then applied to `doc` and relayed.
 * So a sync step 2 answered from `doc` never hands out anything a crash could lose.
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly conns = new Map<WebSocket, Conn>();
  /** Connections plus upgrades in progress that will become connections. */
  refs = 0;
  /** Resolves once the log is replayed into `doc`. */
  readonly ready: Promise<void>;

  private log: RoomLog | null = null;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | null = null;
  private compactNext = false;
  private failed = false;
  private destroyed = false;
  /** Which connection introduced each presence client id: only it may set or remove that id. */
  private readonly presenceOwners = new Map<number, PresenceOwner>();
  /** Stand-ins for the connections of other relay processes, one per link id. */
  private readonly remoteOwners = new Map<string, PresenceOwner>();
  /** Bytes of each presence state held, and their sum. */
  private readonly presenceSizes = new Map<number, number>();
  private presenceTotal = 0;
  /** Sizes of the states being applied right now, for `onAwarenessUpdate` to record. */
  private incomingSizes: Map<number, number> | null = null;

  constructor(
    readonly id: string,
    store: RoomStore,
    private readonly options: RoomOptions,
    /** Called once when storage fails: the relay forgets the room so the next connection reloads it. */
    private readonly onFailure: (room: Room) => void,
  ) {
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.doc.on('update', this.onDocUpdate);
    this.ready = this.load(store);
  }

  private async load(store: RoomStore): Promise<void> {
    const { updates, log } = await store.open(this.id);
    this.log = log;
    if (this.destroyed) {
      await log.close();
      return;
    }
    this.doc.transact(() => {
      for (const [i, u] of updates.entries()) {
        try {
          Y.applyUpdate(this.doc, u);
        } catch (e) {
          logError(`relay: room ${this.id}: stored update ${i} does not apply, skipped: ${(e as Error).message}`);
        }
      }
    });
    if (log.shared) {
      log.shared.onRemoteUpdates(this.applyRemote);
      await log.shared.onRemotePresence(this.applyRemotePresence);
      // Ask the other processes serving this room for the presence they hold.
      log.shared.publishPresence(Uint8Array.of(PRESENCE_KIND.hello));
    }
    if (log.records > this.options.compactAfter) await this.compact();
  }

  /** Updates another relay process stored: durable already, so applied and relayed at once. */
  private readonly applyRemote = (updates: Uint8Array[]): void => {
    if (this.destroyed || this.failed) return;
    this.doc.transact(() => {
      for (const u of updates) {
        try {
          Y.applyUpdate(this.doc, u, REMOTE);
        } catch (e) {
          logError(`relay: room ${this.id}: an update from another relay does not apply: ${(e as Error).message}`);
        }
      }
    }, REMOTE);
  };

  /**
   * Presence from another relay process: its own checks (size, rate, states per connection)
   * already passed there; here the ids are bound to that link, so that a connection of another
   * link on this process cannot overwrite them either.
   */
  private readonly applyRemotePresence = (message: Uint8Array): void => {
    if (this.destroyed) return;
    try {
      const decoder = decoding.createDecoder(message);
      const kind = decoding.readVarUint(decoder);
      if (kind === PRESENCE_KIND.hello) {
        for (const conn of this.conns.values()) this.publishPresence(conn, [...conn.awarenessIds]);
        return;
      }
      if (kind !== PRESENCE_KIND.update) return;
      const linkId = decoding.readVarString(decoder);
      const update = decoding.readVarUint8Array(decoder);
      let owner = this.remoteOwners.get(linkId);
      if (!owner) {
        owner = { grant: { role: 'rw', identity: { linkId, person: '', role: 'rw', expiresAt: null } }, awarenessIds: new Set() };
        this.remoteOwners.set(linkId, owner);
      }
      const entries = decoding.createDecoder(update);
      const sizes = new Map<number, number>();
      for (let i = decoding.readVarUint(entries); i > 0; i--) {
        const clientId = decoding.readVarUint(entries);
        decoding.readVarUint(entries); // clock: awareness itself skips stale ones
        const json = decoding.readVarString(entries);
        const current = this.presenceOwners.get(clientId);
        if (json === 'null') {
          if (current === owner) {
            this.presenceOwners.delete(clientId);
            owner.awarenessIds.delete(clientId);
          }
        } else if (current !== owner) {
          current?.awarenessIds.delete(clientId);
          this.presenceOwners.set(clientId, owner);
          owner.awarenessIds.add(clientId);
        }
        sizes.set(clientId, json === 'null' ? 0 : Buffer.byteLength(json));
      }
      this.incomingSizes = sizes;
      try {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, update, REMOTE);
      } finally {
        this.incomingSizes = null;
      }
      this.pruneMeta();
    } catch (e) {
      logError(`relay: room ${this.id}: presence from another relay does not decode: ${(e as Error).message}`);
    }
  };

  /** The states `ids` of a local connection, to the other relay processes serving this room. */
  private publishPresence(conn: Conn, ids: number[]): void {
    const shared = this.log?.shared;
    if (!shared || ids.length === 0) return;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, PRESENCE_KIND.update);
    encoding.writeVarString(enc, conn.grant.identity.linkId);
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
    shared.publishPresence(encoding.toUint8Array(enc));
  }

  get storedBytes(): number {
    return this.log?.bytes ?? 0;
  }

  get storedRecords(): number {
    return this.log?.records ?? 0;
  }

  /** Bytes of presence (awareness) state this room holds. */
  get presenceBytes(): number {
    return this.presenceTotal;
  }

  get presenceStates(): number {
    return this.awareness.getStates().size;
  }

  get idle(): boolean {
    return this.flushing === null && this.pending.length === 0;
  }

  /** Resolves when every queued update is stored (or storage failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * A new connection: the relay calls this only after `ready`. `sendIdentity` (protocol 2 and up):
   * tell it whose link it uses, right after the sync step 1.
   */
  attach(ws: WebSocket, grant: Grant, sendIdentity = false): Conn {
    const o = this.options;
    const conn: Conn = {
      ws,
      role: grant.role,
      grant,
      awarenessIds: new Set(),
      messages: new TokenBucket(o.messagesPerSecond, o.messageBurst),
      presence: new PresenceLimiter(o.presencePerSecond),
      lastSeen: Date.now(),
    };
    this.conns.set(ws, conn);
    // Server-initiated half of the sync: our state vector, so the client sends what we lack.
    const sync = encoding.createEncoder();
    encoding.writeVarUint(sync, MESSAGE.sync);
    syncProtocol.writeSyncStep1(sync, this.doc);
    this.send(conn, encoding.toUint8Array(sync));
    if (sendIdentity) {
      const id = encoding.createEncoder();
      encoding.writeVarUint(id, MESSAGE.identity);
      encoding.writeVarString(id, JSON.stringify(grant.identity));
      this.send(conn, encoding.toUint8Array(id));
    }
    const states = this.awareness.getStates();
    if (states.size > 0) {
      const aw = encoding.createEncoder();
      encoding.writeVarUint(aw, MESSAGE.awareness);
      encoding.writeVarUint8Array(aw, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]));
      this.send(conn, encoding.toUint8Array(aw));
    }
    return conn;
  }

  detach(conn: Conn): void {
    if (!this.conns.delete(conn.ws)) return;
    const ids = [...conn.awarenessIds];
    conn.awarenessIds.clear();
    for (const id of ids) if (this.presenceOwners.get(id) === conn) this.presenceOwners.delete(id);
    if (ids.length > 0 && !this.destroyed) {
      // With the connection as origin, so that other relay processes drop these states too.
      awarenessProtocol.removeAwarenessStates(this.awareness, ids, conn);
      this.pruneMeta();
    }
  }

  /**
   * Awareness keeps the clock of every id it ever saw (so late echoes of a removed state stay
   * stale); a client that reconnects over and over with fresh ids would grow that without bound.
   * Past `META_LIMIT`, the oldest ids that hold no state and no binding are forgotten.
   */
  private pruneMeta(): void {
    const meta = this.awareness.meta;
    if (meta.size <= META_LIMIT) return;
    for (const id of meta.keys()) {
      if (meta.size <= META_LIMIT / 2) break;
      if (!this.awareness.states.has(id) && !this.presenceOwners.has(id)) meta.delete(id);
    }
  }

  /** Sends the heartbeat (an empty presence update) to every connection. */
  heartbeat(): void {
    for (const conn of this.conns.values()) this.send(conn, HEARTBEAT);
  }

  /**
   * One binary frame from a connection. Throws `MalformedMessage` (or whatever lib0/Yjs throw on
   * garbage) for the relay to close that connection; nothing of a bad frame is stored.
   */
  receive(conn: Conn, data: Uint8Array): void {
    if (this.destroyed || this.failed) return;
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE.sync: {
        const step = decoding.readVarUint(decoder);
        if (step === syncProtocol.messageYjsSyncStep1) {
          // The frame itself was counted by the relay; the whole-document answer costs the rest.
          if (!conn.messages.take(Math.max(0, Math.min(SYNC_STEP1_COST, Math.floor(conn.messages.burst / 4)) - 1))) throw new RateLimited('too many sync requests');
          const stateVector = decoding.readVarUint8Array(decoder);
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE.sync);
          syncProtocol.writeSyncStep2(reply, this.doc, stateVector);
          this.send(conn, encoding.toUint8Array(reply));
        } else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(decoder);
          if (conn.role !== 'rw') {
            this.options.counters.readOnlyUpdatesDropped++;
            return;
          }
          this.submit(conn, update);
        } else {
          throw new MalformedMessage(`unknown sync message type ${step}`);
        }
        return;
      }
      case MESSAGE.awareness: {
        this.applyPresence(conn, decoding.readVarUint8Array(decoder));
        return;
      }
      case MESSAGE.queryAwareness: {
        // Answered with every state of the room: as costly as a presence update, limited alike.
        const verdict = conn.presence.offer();
        if (verdict === 'close') throw new RateLimited('too many presence queries');
        if (verdict === 'drop') return;
        const states = this.awareness.getStates();
        const aw = encoding.createEncoder();
        encoding.writeVarUint(aw, MESSAGE.awareness);
        encoding.writeVarUint8Array(aw, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]));
        this.send(conn, encoding.toUint8Array(aw));
        return;
      }
      case MESSAGE.held: {
        const reply = encoding.createEncoder();
        encoding.writeVarUint(reply, MESSAGE.held);
        encoding.writeVarUint8Array(reply, Y.encodeStateVector(this.doc));
        this.send(conn, encoding.toUint8Array(reply));
        return;
      }
      default:
        throw new MalformedMessage(`unknown message type ${type}`);
    }
  }

  /**
   * A presence (awareness) update from `conn`, decoded here rather than by y-protocols so that each
   * state is checked before it is parsed or applied (y-protocols/awareness encoding: varUint count,
   * then per state varUint client id, varUint clock, varString JSON).
   *
   * - Stale entries (a clock the room already has) are skipped unread: stock y-websocket clients
   *   echo every teammate's change back to the relay, so these are normal and cost nothing.
   * - A newer state for a client id another connection introduced is a forgery: dropped, counted.
   *   (Another connection of the same link may take an id over: a client that reconnects before
   *   the relay noticed its old socket was gone.)
   * - States over `maxPresenceBytes` are dropped before they are parsed.
   * - What is left counts once against the connection's presence rate; then first sight binds an
   *   id to this connection (up to `maxPresenceStates`), the room's total stays within
   *   `maxRoomPresenceBytes`, and the kept states are re-encoded and applied with `conn` as origin.
   */
  private applyPresence(conn: Conn, payload: Uint8Array): void {
    const o = this.options;
    const counters = o.counters;
    const decoder = decoding.createDecoder(payload);
    const count = decoding.readVarUint(decoder);
    const fresh: Array<{ clientId: number; clock: number; json: Uint8Array }> = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarUint8Array(decoder);
      const current = this.awareness.meta.get(clientId)?.clock ?? 0;
      const removal = json.length === 4 && json[0] === 0x6e && json[1] === 0x75 && json[2] === 0x6c && json[3] === 0x6c; // "null"
      // y-protocols applies only a newer clock, or a removal of a state still held at the same clock.
      if (clock < current || (clock === current && !(removal && this.awareness.states.has(clientId)))) continue;
      const owner = this.presenceOwners.get(clientId);
      if (owner !== undefined && owner !== conn && owner.grant.identity.linkId !== conn.grant.identity.linkId) {
        counters.presenceForged++;
        continue;
      }
      if (json.length > o.maxPresenceBytes) {
        counters.presenceDropped++;
        continue;
      }
      fresh.push({ clientId, clock, json });
    }
    if (fresh.length === 0) return;
    const verdict = conn.presence.offer();
    if (verdict === 'close') throw new RateLimited('too many presence updates');
    if (verdict === 'drop') {
      counters.presenceDropped += fresh.length;
      return;
    }
    const kept = encoding.createEncoder();
    const sizes = new Map<number, number>();
    for (const { clientId, clock, json } of fresh) {
      let state: unknown;
      try {
        state = JSON.parse(utf8.decode(json));
      } catch (e) {
        throw new MalformedMessage(`presence state is not JSON: ${(e as Error).message}`);
      }
      const owner = this.presenceOwners.get(clientId);
      const size = state === null ? 0 : json.length;
      const held = this.presenceSizes.get(clientId) ?? 0;
      const bindsNew = owner !== conn;
      if (bindsNew && state === null) continue; // removing what nobody holds: nothing to do
      if ((bindsNew && conn.awarenessIds.size >= o.maxPresenceStates) || this.presenceTotal - held + size > o.maxRoomPresenceBytes) {
        counters.presenceDropped++;
        continue;
      }
      if (bindsNew) {
        owner?.awarenessIds.delete(clientId);
        this.presenceOwners.set(clientId, conn);
        conn.awarenessIds.add(clientId);
      }
      encoding.writeVarUint(kept, clientId);
      encoding.writeVarUint(kept, clock);
      encoding.writeVarUint8Array(kept, json); // the same bytes as writeVarString of its text
      sizes.set(clientId, size);
    }
    if (sizes.size === 0) return;
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, sizes.size);
    encoding.writeUint8Array(update, encoding.toUint8Array(kept));
    this.incomingSizes = sizes;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(update), conn);
    } finally {
      this.incomingSizes = null;
    }
  }

  private submit(conn: Conn, update: Uint8Array): void {
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (e) {
      throw new MalformedMessage(`update does not decode: ${(e as Error).message}`);
    }
    // Every connect sends a sync step 2 that is usually empty: nothing to store.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    const recordBytes = RECORD_HEADER_BYTES + update.length;
    const log = this.log!;
    if (log.bytes + this.pendingBytes + recordBytes > this.options.maxDocBytes) {
      // The log may hold history that compaction folds away: measure the merged document instead.
      const merged = RECORD_HEADER_BYTES + Y.encodeStateAsUpdate(this.doc).length;
      if (merged + this.pendingBytes + recordBytes > this.options.maxDocBytes) {
        this.options.counters.connectionsRefused++;
        closeConn(conn, CLOSE.documentTooLarge, CLOSE_REASON.documentTooLarge);
        return;
      }
      this.compactNext = true;
    }
    this.pending.push({ conn, update });
    this.pendingBytes += recordBytes;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing) return; // the running flush loops until the queue is empty
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
    });
  }

  private async flush(): Promise<void> {
    // Let every frame that already arrived queue up: one write and one fsync for all of them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0 && !this.failed) {
        const batch = this.pending;
        this.pending = [];
        this.pendingBytes = 0;
        if (this.compactNext) await this.compact();
        await this.log!.append(batch.map((p) => p.update));
        // Durable: now apply and relay (one relayed update for the whole batch, via onDocUpdate).
        this.doc.transact(() => {
          for (const p of batch) {
            try {
              Y.applyUpdate(this.doc, p.update, p.conn);
            } catch (e) {
              logError(`relay: room ${this.id}: an accepted update does not apply: ${(e as Error).message}`);
            }
          }
        });
        this.options.counters.updatesStored += batch.length;
        if (this.log!.records > this.options.compactAfter) await this.compact();
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private async compact(): Promise<void> {
    const log = this.log!;
    if (log.shared) await log.shared.compact();
    else await log.replace(Y.encodeStateAsUpdate(this.doc));
    this.compactNext = false;
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    logError(`relay: room ${this.id}: storage failed, closing its connections: ${e.message}`);
    this.pending = [];
    this.pendingBytes = 0;
    for (const conn of this.conns.values()) closeConn(conn, CLOSE.internalError, 'storage failed');
    this.onFailure(this);
  }

  /** Releases the document and the log; the room must have no connections and be settled. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.awareness.off('update', this.onAwarenessUpdate);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    try {
      await this.ready;
    } catch {
      return; // never opened
    }
    await this.log?.close();
  }

  private readonly onDocUpdate = (update: Uint8Array): void => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.sync);
    syncProtocol.writeUpdate(enc, update);
    const msg = encoding.toUint8Array(enc);
    // The sender gets its own update back too: that is its acknowledgement that it is stored.
    for (const conn of this.conns.values()) this.send(conn, msg);
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = added.concat(updated, removed);
    // Bindings are made in applyPresence; here only the bytes held are accounted.
    for (const id of added.concat(updated)) {
      const size = this.incomingSizes?.get(id);
      if (size === undefined) continue;
      this.presenceTotal += size - (this.presenceSizes.get(id) ?? 0);
      this.presenceSizes.set(id, size);
    }
    for (const id of removed) {
      this.presenceTotal -= this.presenceSizes.get(id) ?? 0;
      this.presenceSizes.delete(id);
      // A state of another relay's connection timed out (that relay may be gone): unbind it.
      const owner = this.presenceOwners.get(id);
      if (owner && !('ws' in owner)) {
        owner.awarenessIds.delete(id);
        this.presenceOwners.delete(id);
      }
    }
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.awareness);
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    const msg = encoding.toUint8Array(enc);
    for (const conn of this.conns.values()) this.send(conn, msg);
    // A local connection's change goes to the other relay processes; their changes and the
    // awareness timeout's removals (each process times out on its own) do not come back.
    if (typeof origin === 'object' && origin !== null && 'ws' in origin) this.publishPresence(origin as Conn, changed);
  };

  private send(conn: Conn, msg: Uint8Array): void {
    const ws = conn.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.options.maxBufferedBytes) {
      // It would only fall further behind; on reconnect it syncs from the stored state.
      this.options.counters.connectionsTooSlow++;
      ws.terminate();
      return;
    }
    ws.send(msg, (err) => {
      if (err) ws.terminate();
    });
  }
}

export function closeConn(conn: Conn, code: number, reason: string): void {
  const ws = conn.ws;
  if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
}
