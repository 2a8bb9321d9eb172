import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { WebSocket } from './ws';
import { RECORD_HEADER_BYTES, type RoomLog, type RoomStore } from './roomStore';
// Message types and close codes: the protocol module the app uses too, so the two ends cannot drift apart.
import { CLOSE, CLOSE_REASON, MESSAGE } from '../worker/protocol/syncProtocol';
import type { Role } from './tokens';

/** A message that does not decode: the connection that sent it is closed with `CLOSE.malformed`. */
export class MalformedMessage extends Error {}

export interface RoomOptions {
  /** Largest stored document (log bytes, framing included) an update may grow the room to. */
  maxDocBytes: number;
  /** Compact the log into one merged update once it holds more records than this. */
  compactAfter: number;
  /** A connection whose unsent output passes this is too slow to follow the room: it is dropped. */
  maxBufferedBytes: number;
  /** Relay-wide counters (they outlive the rooms). */
  counters: RoomCounters;
}

export interface RoomCounters {
  /** Updates written to storage (and then relayed). */
  updatesStored: number;
  /** Updates from read-only connections, dropped unread. */
  readOnlyUpdatesDropped: number;
  /** Connections closed by the relay for a frame it refused (text, malformed, document too large). */
  connectionsRefused: number;
}

export interface Conn {
  readonly ws: WebSocket;
  readonly role: Role;
  /** Awareness client ids this connection announced, removed from the room when it leaves. */
  readonly awarenessIds: Set<number>;
}

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
          console.error(`relay: room ${this.id}: stored update ${i} does not apply, skipped: ${(e as Error).message}`);
        }
      }
    });
    if (log.records > this.options.compactAfter) await this.compact();
  }

  get storedBytes(): number {
    return this.log?.bytes ?? 0;
  }

  get storedRecords(): number {
    return this.log?.records ?? 0;
  }

  get idle(): boolean {
    return this.flushing === null && this.pending.length === 0;
  }

  /** Resolves when every queued update is stored (or storage failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** A new connection: the relay calls this only after `ready`. */
  attach(ws: WebSocket, role: Role): Conn {
    const conn: Conn = { ws, role, awarenessIds: new Set() };
    this.conns.set(ws, conn);
    // Server-initiated half of the sync: our state vector, so the client sends what we lack.
    const sync = encoding.createEncoder();
    encoding.writeVarUint(sync, MESSAGE.sync);
    syncProtocol.writeSyncStep1(sync, this.doc);
    this.send(conn, encoding.toUint8Array(sync));
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
    if (conn.awarenessIds.size > 0 && !this.destroyed) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    }
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
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), conn);
        return;
      }
      case MESSAGE.queryAwareness: {
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
              console.error(`relay: room ${this.id}: an accepted update does not apply: ${(e as Error).message}`);
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
    await this.log!.replace(Y.encodeStateAsUpdate(this.doc));
    this.compactNext = false;
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    console.error(`relay: room ${this.id}: storage failed, closing its connections: ${e.message}`);
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
    if (origin !== null && typeof origin === 'object' && this.conns.get((origin as Conn).ws) === origin) {
      const conn = origin as Conn;
      for (const id of added) conn.awarenessIds.add(id);
      for (const id of removed) conn.awarenessIds.delete(id);
    }
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.awareness);
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    const msg = encoding.toUint8Array(enc);
    for (const conn of this.conns.values()) this.send(conn, msg);
  };

  private send(conn: Conn, msg: Uint8Array): void {
    const ws = conn.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.options.maxBufferedBytes) {
      // It would only fall further behind; on reconnect it syncs from the stored state.
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
