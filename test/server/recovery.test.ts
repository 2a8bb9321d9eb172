/**
 * A damaged room log is never cut silently: the relay keeps a byte-for-byte copy, salvages every
 * valid record after the damage, logs what was lost, and refuses to serve a room that may have lost
 * acknowledged updates unless salvage is on. The logs here are written by a real relay from a real
 * client's acknowledged updates, then damaged the way a disk or a person would.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { FileRoomStore, encodeRecords, scanLog } from '../../server/fileRoomStore';
import { logSink } from '../../server/log';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { RECORD_HEADER_BYTES, RoomDamaged } from '../../server/roomStore';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { connect, rawSession, synced, tempDir, waitFor, type Client } from './helpers';

const UPDATES = 100;
/** Record 50 of 100, counting from 1, as the run damaged it. */
const DAMAGED = 49;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Every error line the relay would have logged during the test. */
function captureErrors(): string[] {
  const lines: string[] = [];
  const original = logSink.error;
  logSink.error = (line) => void lines.push(line);
  cleanups.push(() => {
    logSink.error = original;
  });
  return lines;
}

async function relayOn(dir: string, options: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return relay;
}

function client(relay: Relay, ws: CreatedWorkspace): Client {
  const c = connect(relay.url, ws.workspaceId, ws.rwToken);
  cleanups.push(() => c.destroy());
  return c;
}

const keysOf = (c: Client) => [...c.doc.getMap('m').keys()].sort();
const key = (i: number) => `k${String(i).padStart(3, '0')}`;
const allKeys = Array.from({ length: UPDATES }, (_, i) => key(i));

/**
 * A relay's log of 100 acknowledged updates, one record each. Each update comes from its own Yjs
 * client (as edits from many people do), so losing one leaves the other 99 visible; a chain of
 * edits by one client would hold the rest back as pending until the lost one came back.
 */
async function acknowledgedLog(): Promise<{ dir: string; ws: CreatedWorkspace; file: string }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const file = path.join(dir, 'rooms', `${ws.workspaceId}.log`);
  const relay = await startRelay({ dataDir: dir });
  const writer = connect(relay.url, ws.workspaceId, ws.rwToken);
  try {
    await synced(writer);
    for (let i = 0; i < UPDATES; i++) {
      const author = new Y.Doc();
      author.getMap('m').set(key(i), i);
      Y.applyUpdate(writer.doc, Y.encodeStateAsUpdate(author));
      author.destroy();
    }
    await waitFor(() => fs.existsSync(file) && scanLog(fs.readFileSync(file)).updates.length === UPDATES, '100 records stored', 10_000);
  } finally {
    writer.destroy();
    await relay.close();
  }
  return { dir, ws, file };
}

/** Where each record of a log starts, and where the last one ends. */
function recordOffsets(data: Buffer): number[] {
  const offsets: number[] = [];
  let at = 0;
  while (at < data.length) {
    offsets.push(at);
    at += RECORD_HEADER_BYTES + data.readUInt32LE(at);
  }
  offsets.push(at);
  return offsets;
}

function copiesOf(file: string): string[] {
  const prefix = `${path.basename(file)}.damaged-`;
  return fs
    .readdirSync(path.dirname(file))
    .filter((f) => f.startsWith(prefix))
    .map((f) => path.join(path.dirname(file), f));
}

/** Damages record DAMAGED in place and returns the byte range it took (what is lost). */
function damage(file: string, how: 'length' | 'checksum'): { damaged: Buffer; from: number; to: number } {
  const data = fs.readFileSync(file);
  const offsets = recordOffsets(data);
  const from = offsets[DAMAGED]!;
  const to = offsets[DAMAGED + 1]!;
  if (how === 'length') data.writeUInt32LE(0x7fffffff, from);
  else data[from + 4] ^= 0x01; // one bit of the stored CRC-32
  fs.writeFileSync(file, data);
  return { damaged: data, from, to };
}

describe('recovery: damage in the middle of a log', () => {
  it('refuses to open a room whose record 50 has an impossible length, keeping a byte-identical copy and logging what was lost', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const { damaged, from, to } = damage(file, 'length');
    const errors = captureErrors();
    const relay = await relayOn(dir);

    const first = await rawSession(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`);
    expect(first.status).toBe(500);
    expect(first.frames.length).toBe(0);

    const copies = copiesOf(file);
    expect(copies.length).toBe(1);
    expect(fs.readFileSync(copies[0]!).equals(damaged)).toBe(true);
    const line = errors.find((l) => l.includes('refusing to open the room'));
    expect(line).toBeDefined();
    expect(line).toContain(`bytes ${from}-${to - 1} (${to - from} bytes, starting with a length field of 2147483647 bytes`);
    expect(line).toContain(`${DAMAGED} valid records before the damage, ${UPDATES - DAMAGED - 1} salvaged after it`);
    expect(line).toContain(copies[0]);
    // Nothing was cut, nothing was written onto the damaged log.
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    expect(relay.stats().rooms).toBe(0);
  });

  it('keeps refusing on every retry without a second copy, and a restart reuses the copy', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const { damaged } = damage(file, 'length');
    const errors = captureErrors();
    const url = (relay: Relay) => `${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`;
    const relay = await relayOn(dir);
    for (let i = 0; i < 3; i++) expect((await rawSession(url(relay))).status).toBe(500);
    await relay.close();
    const again = await relayOn(dir);
    expect((await rawSession(url(again))).status).toBe(500);
    expect(copiesOf(file).length).toBe(1);
    // Every refusal is logged by the relay; the store's full account once per relay process.
    expect(errors.filter((l) => l.includes('cannot load')).length).toBe(4);
    expect(errors.filter((l) => l.startsWith('relay: room log')).length).toBe(2);
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
  });

  it('with salvage on, serves the 99 records around an impossible length and a client sees them', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const { damaged } = damage(file, 'length');
    const errors = captureErrors();
    const relay = await relayOn(dir, { salvage: true });
    const reader = client(relay, ws);
    await synced(reader);
    expect(keysOf(reader)).toEqual(allKeys.filter((_, i) => i !== DAMAGED));
    expect(copiesOf(file).map((c) => fs.readFileSync(c).equals(damaged))).toEqual([true]);
    expect(errors.some((l) => l.includes(`Salvage on: wrote the ${UPDATES - 1} valid records to a fresh log`))).toBe(true);
    const fresh = scanLog(fs.readFileSync(file));
    expect(fresh.lost).toEqual([]);
    expect(fresh.updates.length).toBe(UPDATES - 1);
  });

  it('refuses a room whose record 50 fails its checksum, and with salvage on serves the other 99', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const { damaged, from, to } = damage(file, 'checksum');
    const errors = captureErrors();
    const refusing = await relayOn(dir);
    expect((await rawSession(`${refusing.url}/${ws.workspaceId}?token=${ws.rwToken}`)).status).toBe(500);
    expect(errors.find((l) => l.includes('refusing to open the room'))).toContain(`bytes ${from}-${to - 1} (${to - from} bytes, starting with a record of`);
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    await refusing.close();

    const salvaging = await relayOn(dir, { salvage: true });
    const reader = client(salvaging, ws);
    await synced(reader);
    expect(keysOf(reader)).toEqual(allKeys.filter((_, i) => i !== DAMAGED));
    expect(copiesOf(file).length).toBe(1);
  });

  it('after a salvage, new writes go to the fresh log and a restart without salvage serves everything', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const { damaged } = damage(file, 'length');
    captureErrors();
    const salvaging = await relayOn(dir, { salvage: true });
    const writer = client(salvaging, ws);
    await synced(writer);
    writer.doc.getMap('m').set('after', 1);
    await waitFor(() => scanLog(fs.readFileSync(file)).updates.length === UPDATES, 'the new write stored', 10_000);
    const fresh = fs.readFileSync(file);
    expect(scanLog(fresh).lost).toEqual([]);
    // The damaged bytes live only in the copy; the log itself never received a write after them.
    expect(fresh.equals(damaged)).toBe(false);
    expect(fs.readFileSync(copiesOf(file)[0]!).equals(damaged)).toBe(true);
    writer.destroy();
    await salvaging.close();

    const errors = captureErrors();
    const plain = await relayOn(dir);
    const reader = client(plain, ws);
    await synced(reader);
    expect(keysOf(reader)).toEqual([...allKeys.filter((_, i) => i !== DAMAGED), 'after'].sort());
    expect(errors).toEqual([]);
  });
});

describe('recovery: a torn last write', () => {
  it('serves every acknowledged record, cuts the torn tail, keeps a copy and logs it', async () => {
    const { dir, ws, file } = await acknowledgedLog();
    const whole = fs.readFileSync(file);
    // A write the crash tore: a header promising 200 bytes, and 17 of them.
    const torn = Buffer.concat([whole, encodeRecords([randomBytes(200)]).subarray(0, RECORD_HEADER_BYTES + 17)]);
    fs.writeFileSync(file, torn);
    const errors = captureErrors();
    const relay = await relayOn(dir);
    const reader = client(relay, ws);
    await synced(reader);
    expect(keysOf(reader)).toEqual(allKeys);
    expect(copiesOf(file).map((c) => fs.readFileSync(c).equals(torn))).toEqual([true]);
    expect(errors.find((l) => l.includes('A torn last write'))).toContain(`bytes ${whole.length}-${torn.length - 1} (25 bytes`);
    expect(fs.readFileSync(file).equals(whole)).toBe(true);

    reader.doc.getMap('m').set('after', 1);
    await waitFor(() => scanLog(fs.readFileSync(file)).updates.length === UPDATES + 1, 'the next write stored', 10_000);
    expect(scanLog(fs.readFileSync(file)).lost).toEqual([]);
  });
});

describe('recovery: the scan', () => {
  it('salvages every valid record around two damaged places, large records included', async () => {
    // Records larger than the scan's checkpoints (1, 4, 7, 10) exercise its range checksums, not
    // just zlib's: record 4 is found right after the first damage, record 7 holds the second.
    const records = Array.from({ length: 12 }, (_, i) => randomBytes(i % 3 === 1 ? 30_000 + i : 50 + i));
    const data = encodeRecords(records);
    const offsets = recordOffsets(data);
    data.writeUInt32LE(0xffffffff, offsets[3]!);
    data[offsets[7]! + RECORD_HEADER_BYTES + 10_000] ^= 0x40;
    const scan = scanLog(data);
    expect(scan.lost.map((r) => [r.from, r.to])).toEqual([
      [offsets[3], offsets[4]],
      [offsets[7], offsets[8]],
    ]);
    expect(scan.before).toBe(3);
    expect(scan.tornTail).toBe(false);
    const expected = records.filter((_, i) => i !== 3 && i !== 7);
    expect(scan.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(expected.map((r) => r.toString('hex')));

    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'room.log'), data);
    const errors = captureErrors();
    const refused = await new FileRoomStore(dir).open('room').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RoomDamaged);
    expect((refused as RoomDamaged).salvageable).toBe(10);
    expect((refused as RoomDamaged).lost.length).toBe(2);
    const { updates, log } = await new FileRoomStore(dir, { salvage: true }).open('room');
    await log.close();
    expect(updates.length).toBe(10);
    expect(log.records).toBe(10);
    expect(errors.length).toBe(2);
  });

  it('does not take eight zero bytes for a record when resynchronising', () => {
    const records = [randomBytes(40), randomBytes(40)];
    const zeros = Buffer.alloc(64);
    // Damage (zeros, as a lost page reads back) followed by a valid record: the zeros are lost bytes.
    const data = Buffer.concat([encodeRecords(records.slice(0, 1)), Buffer.from([0xff, 0xff, 0xff, 0x7f]), zeros, encodeRecords(records.slice(1))]);
    const scan = scanLog(data);
    expect(scan.updates.length).toBe(2);
    expect(scan.lost).toEqual([{ from: 48, to: 48 + 4 + 64, why: expect.stringContaining('length field') }]);
  });
});
