import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { RECORD_HEADER_BYTES, type OpenedRoom, type RoomLog, type RoomStore } from './roomStore';
import { fsyncDir } from './workspaces';

/**
 * One append-only log file per room, `<dir>/<roomId>.log`, a sequence of records:
 *
 *   u32 LE payload length | u32 LE CRC-32 of the payload | payload (one Yjs update, v1 encoding)
 *
 * `append` writes all its records with one `write` and makes them durable with one `fsync` before it
 * returns. A `kill -9` can only leave a torn last record (a short header, a short payload, or a
 * payload whose CRC does not match); `open` replays every whole record before it and truncates the
 * tail away, so the next append starts on a record boundary. `replace` (compaction) writes the
 * merged update to `<roomId>.log.compact`, fsyncs it, renames it over the log and fsyncs the folder:
 * a crash at any point leaves either the old log or the new one, both complete.
 */
export class FileRoomStore implements RoomStore {
  private readonly open_ = new Set<FileRoomLog>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  fileOf(roomId: string): string {
    return path.join(this.dir, `${roomId}.log`);
  }

  async open(roomId: string): Promise<OpenedRoom> {
    const file = this.fileOf(roomId);
    // A compaction that crashed before its rename leaves this behind; the log itself is intact.
    fs.rmSync(`${file}.compact`, { force: true });
    let data: Buffer;
    let existed = true;
    try {
      data = await fs.promises.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      data = Buffer.alloc(0);
      existed = false;
    }
    const { updates, end, damaged } = parseLog(data);
    if (end < data.length) {
      if (damaged) {
        // A whole record with a wrong checksum is not what a crash leaves: keep a copy to look at.
        const copy = `${file}.damaged-${Date.now()}`;
        fs.copyFileSync(file, copy);
        console.error(`relay: ${file}: record at byte ${end} fails its checksum; replayed ${updates.length} records, copy kept in ${copy}`);
      }
      const fd = fs.openSync(file, 'r+');
      try {
        fs.ftruncateSync(fd, end);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    const fd = fs.openSync(file, 'a', 0o600);
    if (!existed) fsyncDir(this.dir);
    const log = new FileRoomLog(file, fd, updates.length, end, (l) => this.open_.delete(l));
    this.open_.add(log);
    return { updates, log };
  }

  async close(): Promise<void> {
    for (const log of [...this.open_]) await log.close();
  }
}

/** The whole records at the start of a log file, and where they end. */
export function parseLog(data: Uint8Array): { updates: Uint8Array[]; end: number; damaged: boolean } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const updates: Uint8Array[] = [];
  let at = 0;
  while (data.length - at >= RECORD_HEADER_BYTES) {
    const len = view.getUint32(at, true);
    const crc = view.getUint32(at + 4, true);
    if (data.length - at - RECORD_HEADER_BYTES < len) break; // torn payload
    const payload = data.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + len);
    if (crc32(payload) !== crc) return { updates, end: at, damaged: true };
    updates.push(payload);
    at += RECORD_HEADER_BYTES + len;
  }
  return { updates, end: at, damaged: false };
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
    const tmp = `${this.file}.compact`;
    const buf = encodeRecords([merged]);
    const tfd = fs.openSync(tmp, 'w', 0o600);
    try {
      writeAll(tfd, buf);
      fs.fsyncSync(tfd);
    } finally {
      fs.closeSync(tfd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(path.dirname(this.file));
    // The old descriptor points at the replaced file: append from now on to the new one.
    this.fd = fs.openSync(this.file, 'a', 0o600);
    fs.closeSync(fd);
    this.records = 1;
    this.bytes = buf.length;
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.onClose(this);
    fs.closeSync(fd);
  }
}
