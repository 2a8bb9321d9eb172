import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { logError } from './log';
import { RECORD_HEADER_BYTES, RoomDamaged, type LostRange, type OpenedRoom, type RoomLog, type RoomStore } from './roomStore';
import { fsyncDir } from './workspaces';

export interface FileRoomStoreOptions {
  /**
   * Serve a room whose log lost records in the middle (LEDGERLINE_SALVAGE=1): the valid records
   * before and after the damage are written to a fresh log and served. Off (the default), such a
   * room refuses to open, since serving it would hand out less than the relay acknowledged.
   */
  salvage?: boolean;
}

/**
 * One append-only log file per room, `<dir>/<roomId>.log`, a sequence of records:
 *
 *   u32 LE payload length | u32 LE CRC-32 of the payload | payload (one Yjs update, v1 encoding)
 *
 * `append` writes all its records with one `write` and makes them durable with one `fsync` before it
 * returns. `replace` (compaction) writes the merged update to `<roomId>.log.compact`, fsyncs it,
 * renames it over the log and fsyncs the folder: a crash at any point leaves either the old log or
 * the new one, both complete.
 *
 * Damage is never cut away silently. When `open` meets a record it cannot read (a short header, a
 * length past the end of the file, a checksum that fails) it first keeps a byte-for-byte copy of the
 * file (`<roomId>.log.damaged-<UTC time>`, fsynced), scans forward byte by byte for the next offset
 * where a whole record with a valid checksum starts, reads on from there, and logs the byte ranges
 * it could not read and how many records it salvaged. Then:
 * - damage only at the end, nothing valid after it: a torn last write. The relay acknowledges an
 *   update only after its fsync, so nothing acknowledged is lost: the tail is cut and the room served.
 * - valid records after the damage: acknowledged updates may be lost. `open` throws `RoomDamaged`
 *   unless `salvage` is on; then the valid records go atomically into a fresh log (temp file, fsync,
 *   rename, fsync of the folder) and the room is served. Nothing is ever appended to a damaged log.
 */
export class FileRoomStore implements RoomStore {
  private readonly open_ = new Set<FileRoomLog>();
  /**
   * Rooms refused for damage, by the identity of the file refused: clients retry every few seconds,
   * and each retry must not read the whole log again or add one more copy.
   */
  private readonly refused = new Map<string, { stamp: string; error: RoomDamaged }>();
  private readonly salvage: boolean;

  constructor(
    private readonly dir: string,
    options: FileRoomStoreOptions = {},
  ) {
    this.salvage = options.salvage ?? false;
    fs.mkdirSync(dir, { recursive: true });
  }

  fileOf(roomId: string): string {
    return path.join(this.dir, `${roomId}.log`);
  }

  async open(roomId: string): Promise<OpenedRoom> {
    const file = this.fileOf(roomId);
    // A compaction or salvage that crashed before its rename leaves these behind; the log itself is intact.
    fs.rmSync(`${file}.compact`, { force: true });
    fs.rmSync(`${file}.salvage`, { force: true });
    let data: Buffer;
    let existed = true;
    try {
      const known = this.refused.get(roomId);
      if (known && known.stamp === stampOf(await fs.promises.stat(file))) throw known.error;
      data = await fs.promises.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      data = Buffer.alloc(0);
      existed = false;
    }
    this.refused.delete(roomId);
    const scan = await scanLogAsync(data);
    let records = scan.updates.length;
    let bytes = data.length;
    if (scan.lost.length > 0) {
      const copy = keepCopy(file, data);
      const what = `room log ${file}: ${describeLoss(scan, data.length)}; copy of the damaged file kept in ${copy}`;
      if (scan.tornTail) {
        // Only the last write was torn, and it was never acknowledged: cut it off and carry on.
        const cut = scan.lost[0]!.from;
        truncate(file, cut);
        bytes = cut;
        logError(`relay: ${what}. A torn last write (never acknowledged): cut the log at byte ${cut}, serving ${records} records.`);
      } else if (!this.salvage) {
        const error = new RoomDamaged(
          roomId,
          copy,
          scan.lost,
          records,
          `${what}. Acknowledged updates may be lost: refusing to open the room. Look at the copy; ` +
            `LEDGERLINE_SALVAGE=1 serves the ${records} valid records that remain.`,
        );
        logError(`relay: ${error.message}`);
        this.refused.set(roomId, { stamp: stampOf(await fs.promises.stat(file)), error });
        throw error;
      } else {
        bytes = writeFresh(file, scan.updates);
        records = scan.updates.length;
        logError(`relay: ${what}. Salvage on: wrote the ${records} valid records to a fresh log and serving them; the unreadable bytes are lost.`);
      }
    }
    const fd = fs.openSync(file, 'a', 0o600);
    if (!existed) fsyncDir(this.dir);
    const log = new FileRoomLog(file, fd, records, bytes, (l) => this.open_.delete(l));
    this.open_.add(log);
    return { updates: scan.updates, log };
  }

  async close(): Promise<void> {
    for (const log of [...this.open_]) await log.close();
  }
}

/** What a log file holds: every valid record, and the byte ranges that could not be read. */
export interface ScannedLog {
  /** Every record with a valid checksum, in file order, before and after any damage. */
  updates: Uint8Array[];
  /** Unreadable byte ranges, in file order; empty for a clean log. */
  lost: LostRange[];
  /** Valid records before the first damaged byte. */
  before: number;
  /** The only damage runs to the end of the file with no valid record in it (a torn last write). */
  tornTail: boolean;
}

/**
 * Reads a log, resynchronising after damage: from a bad record, every later offset is tried until a
 * whole record with a valid checksum starts there. A resync never accepts an empty record (eight
 * zero bytes would pass: the CRC-32 of nothing is 0, and the relay never stores an empty update).
 */
export function scanLog(data: Uint8Array): ScannedLog {
  const steps = scanSteps(data);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `scanLog` that lets the event loop run between slices of a long resync (other rooms carry on). */
export async function scanLogAsync(data: Uint8Array): Promise<ScannedLog> {
  const steps = scanSteps(data);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** How long a resync runs before it lets the event loop have a turn. */
const SLICE_MS = 20;

function* scanSteps(data: Uint8Array): Generator<void, ScannedLog, void> {
  let sliceStart = Date.now();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  const updates: Uint8Array[] = [];
  const lost: LostRange[] = [];
  let before = -1;
  let at = 0;
  let ranges: RangeCrc | undefined;
  while (at < n) {
    const end = recordEnd(data, view, at, true);
    if (end >= 0) {
      updates.push(data.subarray(at + RECORD_HEADER_BYTES, end));
      at = end;
      continue;
    }
    if (before < 0) before = updates.length;
    ranges ??= new RangeCrc(data);
    let next = -1;
    for (let o = at + 1; o + RECORD_HEADER_BYTES < n; o++) {
      if (recordEnd(data, view, o, false, ranges) >= 0) {
        next = o;
        break;
      }
      if ((o & 0xffff) === 0 && Date.now() - sliceStart > SLICE_MS) {
        yield;
        sliceStart = Date.now();
      }
    }
    lost.push({ from: at, to: next < 0 ? n : next, why: whatIsWrong(data, view, at) });
    if (next < 0) break;
    at = next;
  }
  return {
    updates,
    lost,
    before: before < 0 ? updates.length : before,
    tornTail: lost.length === 1 && lost[0]!.to === n && before === updates.length,
  };
}

/** Where the record starting at `at` ends, or -1 if no whole record with a valid checksum starts there. */
function recordEnd(data: Uint8Array, view: DataView, at: number, allowEmpty: boolean, ranges?: RangeCrc): number {
  if (data.length - at < RECORD_HEADER_BYTES) return -1;
  const len = view.getUint32(at, true);
  if (len === 0 && !allowEmpty) return -1;
  if (data.length - at - RECORD_HEADER_BYTES < len) return -1;
  const start = at + RECORD_HEADER_BYTES;
  const end = start + len;
  const crc = ranges && len > 2 * CHECKPOINT_BYTES ? ranges.of(start, end) : crc32(data.subarray(start, end));
  return crc === view.getUint32(at + 4, true) ? end : -1;
}

/**
 * CRC-32 of any byte range in O(checkpoint) rather than O(length). A resync tries every offset, and
 * inside a large record many offsets read as a length of megabytes: hashing each of those directly
 * costs gigabytes for a log of a few MiB (measured: 3 s for 4 MiB, quadratic beyond), all of it on
 * the relay's event loop. With prefix CRCs P(i) of data[0, i), crc(data[a, b)) = P(b) xor
 * shift(P(a), b - a), where shift is multiplication by x^(8(b-a)) modulo the CRC polynomial (what
 * zlib's crc32_combine does); P comes from a checkpoint every CHECKPOINT_BYTES.
 */
const CHECKPOINT_BYTES = 64;

class RangeCrc {
  private readonly checkpoints: Uint32Array;

  constructor(private readonly data: Uint8Array) {
    const count = Math.floor(data.length / CHECKPOINT_BYTES) + 1;
    this.checkpoints = new Uint32Array(count);
    let crc = 0;
    for (let k = 0; k < count; k++) {
      this.checkpoints[k] = crc;
      crc = crc32(data.subarray(k * CHECKPOINT_BYTES, (k + 1) * CHECKPOINT_BYTES), crc);
    }
  }

  private prefix(i: number): number {
    const k = Math.floor(i / CHECKPOINT_BYTES);
    // A few dozen bytes: a table loop here beats a call into zlib plus a subarray (measured).
    const data = this.data;
    let c = ~this.checkpoints[k]!;
    for (let at = k * CHECKPOINT_BYTES; at < i; at++) c = CRC_TABLE[(c ^ data[at]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  }

  of(from: number, to: number): number {
    return (this.prefix(to) ^ multModP(xPow8n(to - from), this.prefix(from))) >>> 0;
  }
}

/** The reflected CRC-32 polynomial (zlib's). */
const POLY = 0xedb88320;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** a * b modulo the polynomial, both in zlib's reflected bit order. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(8 * b * 256^j) modulo the polynomial for every byte value b, j = 0..3: a shift by any u32 count of bytes in 3 products. */
const SHIFT = (() => {
  const tables = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let unit = 0x800000; // x^8: one zero byte
  for (const table of tables) {
    let p = 0x80000000; // x^0
    for (let b = 0; b < 256; b++) {
      table[b] = p;
      p = multModP(p, unit);
    }
    unit = p; // x^(8 * 256^(j+1))
  }
  return tables;
})();

/** x^(8n) modulo the polynomial: shifting a CRC by n zero bytes. */
function xPow8n(n: number): number {
  const [t0, t1, t2, t3] = SHIFT as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  return multModP(multModP(t0[n & 0xff]!, t1[(n >>> 8) & 0xff]!), multModP(t2[(n >>> 16) & 0xff]!, t3[n >>> 24]!));
}

function whatIsWrong(data: Uint8Array, view: DataView, at: number): string {
  const left = data.length - at;
  if (left < RECORD_HEADER_BYTES) return `a short header (${left} of ${RECORD_HEADER_BYTES} bytes)`;
  const len = view.getUint32(at, true);
  if (left - RECORD_HEADER_BYTES < len) return `a length field of ${len} bytes, past the end of the file`;
  return `a record of ${len} bytes whose checksum fails`;
}

function describeLoss(scan: ScannedLog, size: number): string {
  const ranges = scan.lost.map((r) => `bytes ${r.from}-${r.to - 1} (${r.to - r.from} bytes, starting with ${r.why})`).join(', ');
  const after = scan.updates.length - scan.before;
  return `${size} bytes, unreadable: ${ranges}; ${scan.before} valid records before the damage, ${after} salvaged after it`;
}

/** The whole records at the start of a log file, and where they end (the first damage, if any). */
export function parseLog(data: Uint8Array): { updates: Uint8Array[]; end: number; damaged: boolean } {
  const scan = scanLog(data);
  const updates = scan.updates.slice(0, scan.before);
  return { updates, end: scan.lost[0]?.from ?? data.length, damaged: scan.lost.length > 0 };
}

/** Identity of a file's current content, as far as a retry needs to know it has not changed. */
function stampOf(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * Keeps `<file>.damaged-<UTC time>`, durable before the log is touched. A copy already holding
 * exactly these bytes (a restart meeting the same damage) is reused rather than made again.
 */
function keepCopy(file: string, data: Uint8Array): string {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.damaged-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const other = path.join(dir, name);
    try {
      if (fs.statSync(other).size === data.length && Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(fs.readFileSync(other))) return other;
    } catch {
      /* gone or unreadable: not a copy we can rely on */
    }
  }
  // ISO 8601 basic format (no colons), so the name is valid on every file system.
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  for (let i = 1; ; i++) {
    const copy = path.join(dir, `${prefix}${stamp}${i > 1 ? `-${i}` : ''}`);
    let fd: number;
    try {
      fd = fs.openSync(copy, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    try {
      writeAll(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fsyncDir(dir);
    return copy;
  }
}

function truncate(file: string, at: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.ftruncateSync(fd, at);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces the log by these records atomically (a temp file named `file` + `suffix`, fsync, rename,
 * fsync the folder): a crash leaves the old log or the new one, both whole. Returns the new size.
 */
function writeFresh(file: string, updates: readonly Uint8Array[], suffix = '.salvage'): number {
  const tmp = `${file}${suffix}`;
  const buf = encodeRecords(updates);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    writeAll(fd, buf);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
  return buf.length;
}

export function encodeRecords(updates: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const u of updates) total += RECORD_HEADER_BYTES + u.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const u of updates) {
    out.writeUInt32LE(u.length, at);
    out.writeUInt32LE(crc32(u), at + 4);
    out.set(u, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + u.length;
  }
  return out;
}

function writeAll(fd: number, buf: Uint8Array): void {
  let at = 0;
  while (at < buf.length) at += fs.writeSync(fd, buf, at, buf.length - at);
}

class FileRoomLog implements RoomLog {
  private fd: number | null;

  constructor(
    private readonly file: string,
    fd: number,
    public records: number,
    public bytes: number,
    private readonly onClose: (log: FileRoomLog) => void,
  ) {
    this.fd = fd;
  }

  private get handle(): number {
    if (this.fd === null) throw new Error(`room log ${this.file} is closed`);
    return this.fd;
  }

  async append(updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    const fd = this.handle;
    const buf = encodeRecords(updates);
    try {
      writeAll(fd, buf);
      fs.fsyncSync(fd);
    } catch (e) {
      // Never leave half a record for the next append to follow (ENOSPC, EIO): cut back to the last
      // durable boundary. If even that fails, open() cuts the torn tail on the next load.
      try {
        fs.ftruncateSync(fd, this.bytes);
      } catch {
        /* reported by the rethrow below */
      }
      throw e;
    }
    this.records += updates.length;
    this.bytes += buf.length;
  }

  async replace(merged: Uint8Array): Promise<void> {
    const fd = this.handle;
    const bytes = writeFresh(this.file, [merged], '.compact');
    // The old descriptor points at the replaced file: append from now on to the new one.
    this.fd = fs.openSync(this.file, 'a', 0o600);
    fs.closeSync(fd);
    this.records = 1;
    this.bytes = bytes;
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.onClose(this);
    fs.closeSync(fd);
  }
}
