/**
 * Where a room's document lives between connections. The relay only ever appends accepted updates
 * and, now and then, replaces them all by one merged update; a single-process store is never read
 * while a room is open. Three implementations: `MemoryRoomStore` (tests, throwaway relays),
 * `FileRoomStore` (an append-only log file per room) and `RedisRoomStore` (a Redis stream per room,
 * shared by several relay processes, see `SharedRoomLog`). All pass the shared suite in
 * test/server/roomStore.test.ts.
 */
export interface RoomLog {
  /** How many records the log holds (updates appended since the last replace, plus the merged one). */
  readonly records: number;
  /** Stored size in bytes, record framing included: what `maxDocBytes` is measured against. */
  readonly bytes: number;
  /** Stores the updates, in order. Durable when the promise resolves (the relay relays only then). */
  append(updates: readonly Uint8Array[]): Promise<void>;
  /** Replaces every record by one (compaction), atomically: a crash leaves the old log or the new one. */
  replace(merged: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /**
   * Shared stores only (several relay processes serve one room): what other processes append and
   * publish. A store without it is owned by one process, and `replace` is its compaction.
   */
  readonly shared?: SharedRoomLog;
}

/**
 * The part of a room log that other processes write to. The room's document then holds its own
 * appends plus the other processes' appends, in no particular interleaving, so it is not a prefix
 * of the log and cannot be the merged record: a shared store compacts from what it stores.
 */
export interface SharedRoomLog {
  /**
   * Updates other processes appended after this log was opened, each delivered once, in log order
   * (never this log's own appends). Already durable: the room applies and relays them at once.
   */
  onRemoteUpdates(listener: (updates: Uint8Array[]) => void): void;
  /** Presence for the same room on other processes: ephemeral, at most once, never stored. */
  publishPresence(message: Uint8Array): void;
  /** Resolves once other processes' presence reaches `listener` (a publish before that is not heard). */
  onRemotePresence(listener: (message: Uint8Array) => void): Promise<void>;
  /**
   * Merges the stored log into one record, if no other process is compacting it right now (then
   * this call does nothing: the other one will). Updates appended meanwhile are kept.
   */
  compact(): Promise<void>;
}

export interface OpenedRoom {
  /** Every stored update in the order appended (a record torn by a crash is not among them). */
  updates: Uint8Array[];
  log: RoomLog;
}

export interface RoomStore {
  /** Opens one room; the relay holds at most one open log per room id at a time. */
  open(roomId: string): Promise<OpenedRoom>;
  close(): Promise<void>;
}

/** Bytes a record takes in the file format: u32 length + u32 CRC-32 + payload. */
export const RECORD_HEADER_BYTES = 8;

export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, Uint8Array[]>();

  async open(roomId: string): Promise<OpenedRoom> {
    let records = this.rooms.get(roomId);
    if (!records) {
      records = [];
      this.rooms.set(roomId, records);
    }
    return { updates: records.slice(), log: new MemoryRoomLog(this.rooms, roomId) };
  }

  async close(): Promise<void> {}
}

class MemoryRoomLog implements RoomLog {
  private closed = false;
  constructor(
    private readonly rooms: Map<string, Uint8Array[]>,
    private readonly roomId: string,
  ) {}

  private get list(): Uint8Array[] {
    if (this.closed) throw new Error(`room log ${this.roomId} is closed`);
    return this.rooms.get(this.roomId)!;
  }

  get records(): number {
    return this.rooms.get(this.roomId)?.length ?? 0;
  }

  get bytes(): number {
    let n = 0;
    for (const r of this.rooms.get(this.roomId) ?? []) n += RECORD_HEADER_BYTES + r.length;
    return n;
  }

  async append(updates: readonly Uint8Array[]): Promise<void> {
    const list = this.list;
    for (const u of updates) list.push(u.slice());
  }

  async replace(merged: Uint8Array): Promise<void> {
    const list = this.list;
    list.length = 0;
    list.push(merged.slice());
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Bytes of a log that could not be read as records: `[from, to)`, and what was wrong at `from`. */
export interface LostRange {
  from: number;
  to: number;
  /** What the record at `from` got wrong: a short header, a length past the end, a checksum. */
  why: string;
}

/**
 * A room whose stored log is damaged in a way that may have lost acknowledged updates: the store
 * refuses to open it rather than serve less than it acknowledged. The relay answers the upgrade with
 * HTTP 500 (every client stays "offline" and keeps its own copy) until an operator looks at `copy`
 * and restarts with salvage on.
 */
export class RoomDamaged extends Error {
  override readonly name = 'RoomDamaged';

  constructor(
    readonly roomId: string,
    /** Byte-for-byte copy of the damaged log, kept before anything is changed. */
    readonly copy: string,
    readonly lost: readonly LostRange[],
    /** Valid records found, before and after the damage: what a salvage would serve. */
    readonly salvageable: number,
    message: string,
  ) {
    super(message);
  }
}
