import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CLOSE, MESSAGE } from '../../worker/protocol/syncProtocol';
import type { Relay } from '../../server/relay';
import { WebSocket } from '../../server/ws';
import { createWorkspace } from '../../server/workspaces';
import { DEFAULTS } from '../../server/relay';
import { META_LIMIT, Room, type RoomCounters } from '../../server/room';
import { MemoryRoomStore } from '../../server/roomStore';
import type { Grant } from '../../server/tokens';
import { relayPerTest, sleep, synced, waitFor, type Client } from './helpers';

const { cleanups, setup, client } = relayPerTest();

interface PresenceEntry {
  id: number;
  clock: number;
  /** The state's JSON text as sent (so a test controls its exact size). */
  json: string;
}

/** A y-websocket awareness message: type 1, then the update (count, then id, clock, JSON per state). */
function presenceFrame(entries: PresenceEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(update, e.id);
    encoding.writeVarUint(update, e.clock);
    encoding.writeVarString(update, e.json);
  }
  const msg = encoding.createEncoder();
  encoding.writeVarUint(msg, MESSAGE.awareness);
  encoding.writeVarUint8Array(msg, encoding.toUint8Array(update));
  return encoding.toUint8Array(msg);
}

/** A raw `ws` connection (an attacker needs no y-websocket client), open and ready to send. */
async function rawClient(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  cleanups.push(() => ws.terminate());
  ws.on('error', () => {});
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  return { ws, closed };
}

/** A stock client whose socket counts every byte the relay sent it. */
function countingClient(relay: Relay, room: string, token: string): Client & { received: { bytes: number } } {
  const received = { bytes: 0 };
  class CountingSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      // binaryType is 'arraybuffer' under y-websocket: count byteLength, which Buffers have too.
      this.on('message', (data: ArrayBuffer | Buffer) => {
        received.bytes += data.byteLength;
      });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(relay.url, room, doc, {
    WebSocketPolyfill: CountingSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
    maxBackoffTime: 200,
  });
  const c: Client & { received: { bytes: number } } = {
    doc,
    provider,
    closes: [],
    received,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
  cleanups.push(() => c.destroy());
  return c;
}

const names = (c: Client) => [...c.provider.awareness.getStates().values()].map((s) => (s as { name?: string }).name).filter(Boolean);

describe('relay: presence flood from a read-only link', () => {
  it('while a read-only link floods 1 MiB states, a new client gets the whole document, another room’s writes arrive, and presence memory stays bounded', async () => {
    const { relay, ws, dir } = await setup();
    const writer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(writer);
    const text = 'x'.repeat(200_000);
    writer.doc.getText('notes').insert(0, text);
    writer.provider.awareness.setLocalState({ name: 'Writer' });
    await waitFor(() => relay.stats().updatesStored === 1, 'the document stored');
    const observer = countingClient(relay, ws.workspaceId, ws.rwToken);
    await synced(observer);
    await waitFor(() => names(observer).includes('Writer'), 'the observer sees the writer');
    const observerBytesBefore = observer.received.bytes;
    // Another team's room on the same relay: its writes must not stall behind the flood.
    const otherRoom = createWorkspace(dir);
    const otherWriter = client(relay, otherRoom.workspaceId, otherRoom.rwToken);
    const otherObserver = client(relay, otherRoom.workspaceId, otherRoom.rwToken);
    await Promise.all([synced(otherWriter), synced(otherObserver)]);

    const { ws: flooder } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    const big = JSON.stringify({ name: 'Flood', pad: 'y'.repeat(1024 * 1024) });
    const send = (frame: Uint8Array) => new Promise<void>((resolve, reject) => flooder.send(frame, (e) => (e ? reject(e) : resolve())));
    // The flood runs until the join and the other room's writes are done: at least the 70 states
    // of the audit, paced by the socket, and within the message burst so that only the presence
    // limits, not a 4429, can be what protects the others.
    let busy = true;
    let sent = 0;
    const flood = (async () => {
      while ((busy || sent < 70) && sent < 900 && flooder.readyState === flooder.OPEN) await send(presenceFrame([{ id: 900_000 + sent, clock: 1, json: big }])).then(() => void sent++);
    })();
    await waitFor(() => relay.stats().presenceDropped > 0, 'the flood reaching the relay', 20_000);

    const fresh = countingClient(relay, ws.workspaceId, ws.roToken);
    const joined = (async () => {
      await synced(fresh, 20_000);
      await waitFor(() => fresh.doc.getText('notes').length === text.length, 'the whole document at the new client', 20_000);
    })();
    const otherWrites = (async () => {
      for (let i = 0; i < 20; i++) {
        otherWriter.doc.getMap('m').set(`k${i}`, i);
        await waitFor(() => otherObserver.doc.getMap('m').get(`k${i}`) === i, `write ${i} in the other room`, 20_000);
      }
    })();
    await Promise.all([joined, otherWrites]);
    const floodStillRunning = flooder.readyState === flooder.OPEN && sent < 900;
    busy = false;
    await flood;
    await waitFor(() => relay.stats().presenceDropped >= sent, 'every flood state dropped', 20_000);

    // Everything above happened during the flood, not after it.
    expect(floodStillRunning).toBe(true);
    expect(sent).toBeGreaterThanOrEqual(70);
    expect(flooder.readyState).toBe(flooder.OPEN);
    // The document (200 kB) and a little protocol, not megabytes of someone's presence.
    expect(fresh.received.bytes).toBeLessThan(text.length + 64 * 1024);
    expect(observer.received.bytes - observerBytesBefore).toBeLessThan(64 * 1024);
    expect(names(fresh)).not.toContain('Flood');
    expect(names(observer)).not.toContain('Flood');
    const stats = relay.stats();
    expect(stats.presenceBytes).toBeLessThan(4 * 1024 * stats.connections);
    expect(stats.presenceStates).toBe(1); // the writer's
    expect(stats.connectionsRateLimited).toBe(0);
    expect(otherWriter.closes.concat(otherObserver.closes, observer.closes)).toEqual([]);
  });
});

describe('relay: presence is bound to the connection that introduced it', () => {
  it('drops a forged update for another connection’s client id: the observer still sees the real name', async () => {
    const { relay, ws } = await setup();
    const ada = client(relay, ws.workspaceId, ws.rwToken);
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(ada), synced(observer)]);
    ada.provider.awareness.setLocalState({ name: 'Ada' });
    await waitFor(() => names(observer).includes('Ada'), 'the observer sees Ada');

    const { ws: mallory } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    const adaId = ada.provider.awareness.clientID;
    mallory.send(presenceFrame([{ id: adaId, clock: 1_000_000, json: JSON.stringify({ name: 'Mallory as Ada' }) }]));
    // Frames are handled in order: once Mallory's own state arrives, the forged one was seen.
    mallory.send(presenceFrame([{ id: 777_777, clock: 1, json: JSON.stringify({ name: 'Mallory' }) }]));
    await waitFor(() => names(observer).includes('Mallory'), 'the observer sees Mallory’s own presence');

    expect((observer.provider.awareness.getStates().get(adaId) as { name: string }).name).toBe('Ada');
    expect(relay.stats().presenceForged).toBe(1);
  });

  it('lets another connection of the same link take a client id over (a reconnect before the old socket is gone), and keeps it when the old one leaves', async () => {
    const { relay, ws } = await setup();
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(observer);
    const url = `${relay.url}/${ws.workspaceId}?token=${ws.roToken}`;
    const { ws: before } = await rawClient(url);
    before.send(presenceFrame([{ id: 4242, clock: 1, json: JSON.stringify({ name: 'Bea' }) }]));
    await waitFor(() => names(observer).includes('Bea'), 'the observer sees Bea');
    // The same person's new socket (same link), while the old one is still open.
    const { ws: after } = await rawClient(url);
    after.send(presenceFrame([{ id: 4242, clock: 2, json: JSON.stringify({ name: 'Bea again' }) }]));
    await waitFor(() => names(observer).includes('Bea again'), 'the observer sees the new state');
    expect(relay.stats().presenceForged).toBe(0);
    before.close();
    await waitFor(() => relay.stats().connections === 2, 'the old socket gone');
    // The id now belongs to the new socket: the old one leaving does not remove it.
    expect(names(observer)).toEqual(['Bea again']);
    expect(relay.stats().presenceStates).toBe(1);
  });

  it('does not count stock clients echoing a teammate’s state back as forgeries', async () => {
    const { relay, ws } = await setup();
    const ada = client(relay, ws.workspaceId, ws.rwToken);
    const bea = client(relay, ws.workspaceId, ws.roToken);
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(ada), synced(bea), synced(observer)]);
    for (let i = 0; i < 5; i++) {
      ada.provider.awareness.setLocalState({ name: `Ada ${i}` });
      await waitFor(() => names(bea).includes(`Ada ${i}`), `Bea sees Ada ${i}`);
    }
    // y-websocket sends every change it applies back to the relay (Bea, on another link, echoes
    // Ada's states at the clock the relay already has); a frame of Bea's own comes after the echoes.
    bea.provider.awareness.setLocalState({ name: 'Bea' });
    await waitFor(() => names(observer).includes('Bea'), 'the observer sees Bea');
    expect(relay.stats()).toMatchObject({ presenceForged: 0, presenceDropped: 0 });
    expect(names(observer).sort()).toEqual(['Ada 4', 'Bea']);
  });

  it('relays a read-only connection’s own presence, so teammates see who is looking', async () => {
    const { relay, ws } = await setup();
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    const viewer = client(relay, ws.workspaceId, ws.roToken);
    await Promise.all([synced(observer), synced(viewer)]);
    viewer.provider.awareness.setLocalState({ name: 'Viewer' });
    await waitFor(() => names(observer).includes('Viewer'), 'the observer sees the read-only viewer');
  });

  it('lets a connection hold at most maxPresenceStates client ids', async () => {
    const { relay, ws } = await setup({ maxPresenceStates: 4 });
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(observer);
    const { ws: raw } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    for (let i = 0; i < 6; i++) raw.send(presenceFrame([{ id: 500 + i, clock: 1, json: JSON.stringify({ name: `tab ${i}` }) }]));
    await waitFor(() => relay.stats().presenceDropped === 2, 'two ids refused');
    expect(relay.stats().presenceStates).toBe(4);
    await waitFor(() => names(observer).length === 4, 'the observer sees four');
    expect(names(observer).sort()).toEqual(['tab 0', 'tab 1', 'tab 2', 'tab 3']);
  });

  it('releases a connection’s presence (states and bytes) when it leaves', async () => {
    const { relay, ws } = await setup();
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    const leaver = client(relay, ws.workspaceId, ws.roToken);
    await Promise.all([synced(observer), synced(leaver)]);
    leaver.provider.awareness.setLocalState({ name: 'Leaver' });
    await waitFor(() => relay.stats().presenceStates === 1, 'the state held');
    expect(relay.stats().presenceBytes).toBe(JSON.stringify({ name: 'Leaver' }).length);
    leaver.destroy();
    await waitFor(() => relay.stats().presenceStates === 0 && !names(observer).includes('Leaver'), 'the state gone');
    expect(relay.stats().presenceBytes).toBe(0);
  });
});

describe('relay: presence size and rate', () => {
  it('drops a state over maxPresenceBytes without parsing it, and keeps the connection', async () => {
    const { relay, ws } = await setup({ maxPresenceBytes: 100 });
    const observer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(observer);
    const { ws: raw } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    // Not even JSON: a parse would close the connection as malformed (4400); a size check drops it first.
    raw.send(presenceFrame([{ id: 41, clock: 1, json: `{${'z'.repeat(200)}` }]));
    raw.send(presenceFrame([{ id: 42, clock: 1, json: JSON.stringify({ name: 'small' }) }]));
    await waitFor(() => names(observer).includes('small'), 'the small state relayed');
    expect(relay.stats()).toMatchObject({ presenceDropped: 1, presenceStates: 1, connectionsRefused: 0 });
    expect(raw.readyState).toBe(raw.OPEN);
  });

  it('bounds the presence bytes a room holds, all connections together', async () => {
    const { relay, ws } = await setup({ maxPresenceBytes: 400, maxRoomPresenceBytes: 1000 });
    const state = JSON.stringify({ name: 'n', pad: 'p'.repeat(350) });
    for (let i = 0; i < 4; i++) {
      const { ws: raw } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
      raw.send(presenceFrame([{ id: 100 + i, clock: 1, json: state }]));
    }
    await waitFor(() => relay.stats().presenceStates + relay.stats().presenceDropped === 4, 'all four seen');
    const stats = relay.stats();
    expect(stats.presenceStates).toBe(Math.floor(1000 / state.length));
    expect(stats.presenceBytes).toBeLessThanOrEqual(1000);
  });

  it('drops presence updates past the per-second rate and keeps the connection open', async () => {
    const { relay, ws } = await setup({ presencePerSecond: 20 });
    const { ws: raw } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    for (let i = 1; i <= 60; i++) raw.send(presenceFrame([{ id: 9, clock: i, json: JSON.stringify({ n: i }) }]));
    await waitFor(() => relay.stats().presenceDropped >= 20, 'the excess dropped');
    await sleep(100);
    expect(raw.readyState).toBe(raw.OPEN);
    expect(relay.stats().connectionsRateLimited).toBe(0);
  });

  it('counts presence queries (queryAwareness, type 3) against the presence rate: a flood of them is closed with 4429', async () => {
    const { relay, ws } = await setup({ presencePerSecond: 20 });
    const ada = client(relay, ws.workspaceId, ws.rwToken);
    await synced(ada);
    ada.provider.awareness.setLocalState({ name: 'Ada' });
    await waitFor(() => relay.stats().presenceStates === 1, 'Ada’s state held');
    const { ws: raw, closed } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    // Frames carrying Ada's state (heartbeats are empty updates): the join's, then one per answered query.
    let answers = 0;
    raw.on('message', (data: Buffer) => {
      if (data[0] === MESSAGE.awareness && data.length > 3) answers++;
    });
    // 500 queries: within the message burst (1000), far past 10 s worth of presence (200).
    for (let i = 0; i < 500 && raw.readyState === raw.OPEN; i++) raw.send(Uint8Array.of(MESSAGE.queryAwareness));
    expect(await closed).toBe(CLOSE.rateLimited);
    expect(relay.stats().connectionsRateLimited).toBe(1);
    // The queries within the rate were answered with the room's states, the rest dropped unanswered.
    expect(answers).toBeGreaterThan(1);
    expect(answers).toBeLessThan(1 + 20 + 20);
  });

  it('closes a sustained presence flood with 4429, below the message rate limit', async () => {
    const { relay, ws } = await setup({ presencePerSecond: 20 });
    const { ws: raw, closed } = await rawClient(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`);
    // 500 presence updates: within the message burst (1000), far past 10 s worth of presence (200).
    for (let i = 1; i <= 500 && raw.readyState === raw.OPEN; i++) raw.send(presenceFrame([{ id: 9, clock: i, json: '{}' }]));
    expect(await closed).toBe(CLOSE.rateLimited);
    expect(relay.stats().connectionsRateLimited).toBe(1);
  });
});

describe('room: presence memory of clients that come and go', () => {
  it('remembers the clocks of at most META_LIMIT client ids, however many connections brought fresh ones', async () => {
    const counters: RoomCounters = { updatesStored: 0, readOnlyUpdatesDropped: 0, connectionsRefused: 0, presenceDropped: 0, presenceForged: 0, connectionsRateLimited: 0, connectionsTooSlow: 0 };
    const room = new Room('r', new MemoryRoomStore(), { ...DEFAULTS, counters }, () => {});
    cleanups.push(() => room.destroy());
    await room.ready;
    const grant: Grant = { role: 'ro', identity: { linkId: 'l', person: 'P', role: 'ro', expiresAt: null } };
    // A socket stand-in: the room only sends to it.
    const socket = () => ({ readyState: 1, OPEN: 1, bufferedAmount: 0, send() {}, close() {}, terminate() {} }) as unknown as WebSocket;
    // A client that reconnects again and again, with a fresh client id each time.
    for (let i = 0; i < 2 * META_LIMIT + 1; i++) {
      const conn = room.attach(socket(), grant);
      room.receive(conn, presenceFrame([{ id: 10_000 + i, clock: 1, json: '{}' }]));
      room.detach(conn);
    }
    expect(room.awareness.meta.size).toBeLessThanOrEqual(META_LIMIT);
    expect(room.presenceStates).toBe(0);
  });
});
