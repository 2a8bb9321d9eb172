import fs from 'node:fs';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE } from '../../worker/protocol/syncProtocol';
import { startRelay, type Relay } from '../../server/relay';
import { logSink } from '../../server/log';
import { MemoryRoomStore, type OpenedRoom, type RoomStore } from '../../server/roomStore';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { WebSocket } from '../../server/ws';
import { connect, sleep, synced, tempDir, waitFor, type Client } from './helpers';

/** A MemoryRoomStore that can be slowed down, made to fail, and counts its appends. */
class InstrumentedStore implements RoomStore {
  readonly inner = new MemoryRoomStore();
  appendCalls = 0;
  appendedUpdates = 0;
  openDelayMs = 0;
  failAppends = false;

  async open(roomId: string): Promise<OpenedRoom> {
    if (this.openDelayMs) await sleep(this.openDelayMs);
    const opened = await this.inner.open(roomId);
    const log = opened.log;
    return {
      updates: opened.updates,
      log: {
        get records() {
          return log.records;
        },
        get bytes() {
          return log.bytes;
        },
        append: async (updates) => {
          if (this.failAppends) throw new Error('disk on fire');
          this.appendCalls++;
          this.appendedUpdates += updates.length;
          await log.append(updates);
        },
        replace: (merged) => log.replace(merged),
        close: () => log.close(),
      },
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ relay: Relay; store: InstrumentedStore; ws: CreatedWorkspace }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const store = new InstrumentedStore();
  const relay = await startRelay({ dataDir: dir, store });
  cleanups.push(() => relay.close());
  return { relay, store, ws };
}

function client(relay: Relay, room: string, token: string): Client {
  const c = connect(relay.url, room, token);
  cleanups.push(() => c.destroy());
  return c;
}

describe('relay over a RoomStore', () => {
  it('stores updates that arrive together with one append (one fsync), then relays them all', async () => {
    const { relay, store, ws } = await setup();
    const observer = client(relay, ws.workspaceId, ws.roToken);
    await synced(observer);
    // 50 separate update frames written back to back on one socket.
    const doc = new Y.Doc();
    const frames: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      encoding.writeVarUint(enc, 2);
      encoding.writeVarUint8Array(enc, u);
      frames.push(encoding.toUint8Array(enc));
    });
    for (let i = 0; i < 50; i++) doc.getMap('m').set(`k${i}`, i);
    const sock = new WebSocket(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`);
    cleanups.push(() => sock.terminate());
    await new Promise((r) => sock.once('open', r));
    const before = store.appendCalls;
    for (const f of frames) sock.send(f);
    await waitFor(() => observer.doc.getMap('m').size === 50, 'all 50 relayed');
    const calls = store.appendCalls - before;
    console.log(`[relay batching] 50 back-to-back updates stored in ${calls} append(s)`);
    expect(store.appendedUpdates).toBe(50);
    expect(calls).toBeLessThan(10);
  });

  it('does not answer a client before its room is fully loaded: the first state it sees is complete', async () => {
    const { relay, store, ws } = await setup();
    const writer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(writer);
    for (let i = 0; i < 40; i++) writer.doc.getMap('m').set(`k${i}`, i);
    await waitFor(() => store.appendedUpdates >= 40, 'stored');
    writer.destroy();
    await waitFor(() => relay.stats().rooms === 0, 'room unloaded');

    store.openDelayMs = 300;
    const late = client(relay, ws.workspaceId, ws.roToken);
    const sizes: number[] = [];
    late.doc.on('update', () => sizes.push(late.doc.getMap('m').size));
    let syncedEmpty = false;
    late.provider.once('sync', () => (syncedEmpty = late.doc.getMap('m').size === 0));
    await synced(late);
    expect(syncedEmpty).toBe(false);
    expect(sizes[0]).toBe(40);
  });

  it('closes the room’s connections with 1011 when storage fails, relaying nothing unstored', async () => {
    const { relay, store, ws } = await setup();
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(a), synced(b)]);
    const errors: unknown[] = [];
    const original = logSink.error;
    logSink.error = (line: string) => void errors.push(line);
    try {
      store.failAppends = true;
      a.doc.getMap('m').set('lost', true);
      await waitFor(() => a.closes.includes(CLOSE.internalError) && b.closes.includes(CLOSE.internalError), 'both closed with 1011');
    } finally {
      logSink.error = original;
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(b.doc.getMap('m').has('lost')).toBe(false);
    // Storage back: the clients reconnect on their own, and the edit a still holds is stored now.
    store.failAppends = false;
    await waitFor(() => b.doc.getMap('m').get('lost') === true, 'edit stored and relayed after reconnect', 10_000);
  });
});
