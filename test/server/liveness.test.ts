import { describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { HEARTBEAT_MS, MESSAGE } from '../../worker/protocol/syncProtocol';
import { WebSocket } from '../../server/ws';
import { relayPerTest, sleep, synced, waitFor } from './helpers';

const { cleanups, setup, client } = relayPerTest();

describe('relay: idle timeout', () => {
  it('terminates a client that answers no ping and sends nothing, and unloads its room', async () => {
    const { relay, ws } = await setup({ idleTimeoutMs: 600 });
    // A dead peer: it never answers pings (autoPong off) and never sends a frame.
    const silent = new WebSocket(`${relay.url}/${ws.workspaceId}?token=${ws.roToken}`, { autoPong: false });
    cleanups.push(() => silent.terminate());
    silent.on('error', () => {});
    const closed = new Promise<number>((r) => silent.on('close', (code) => r(code)));
    await new Promise((r) => silent.once('open', r));
    expect(relay.stats()).toMatchObject({ rooms: 1, connections: 1 });
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await closed).toBe(1006);
    await waitFor(() => relay.stats().rooms === 0, 'the room unloaded');
    expect(relay.stats()).toMatchObject({ connections: 0, connectionsIdle: 1 });
  });

  it('keeps a quiet client that answers pings, past several idle timeouts', async () => {
    const { relay, ws } = await setup({ idleTimeoutMs: 600 });
    const quiet = client(relay, ws.workspaceId, ws.rwToken);
    await synced(quiet);
    await sleep(2_500);
    expect(quiet.closes).toEqual([]);
    expect(relay.stats()).toMatchObject({ connections: 1, connectionsIdle: 0 });
  });
});

describe('relay: heartbeat', () => {
  it('sends every connection an empty presence update each HEARTBEAT_MS, which a stock client applies as a no-op', async () => {
    const { relay, ws } = await setup();
    let heartbeats = 0;
    class WatchingSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.on('message', (data: ArrayBuffer | Buffer) => {
          const bytes = new Uint8Array(data);
          // type 1 (awareness), then an update of 1 byte: a count of 0 states.
          if (bytes.length === 3 && bytes[0] === MESSAGE.awareness && bytes[1] === 1 && bytes[2] === 0) heartbeats++;
        });
      }
    }
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(relay.url, ws.workspaceId, doc, {
      WebSocketPolyfill: WatchingSocket as unknown as typeof globalThis.WebSocket,
      params: { token: ws.roToken },
      disableBc: true,
    });
    cleanups.push(() => {
      provider.destroy();
      doc.destroy();
    });
    let awarenessChanges = 0;
    provider.awareness.on('change', () => awarenessChanges++);
    await waitFor(() => heartbeats >= 3, 'three heartbeats', 20 * HEARTBEAT_MS);
    expect(provider.wsconnected).toBe(true);
    expect(awarenessChanges).toBe(0);
    expect([...provider.awareness.getStates().keys()]).toEqual([provider.awareness.clientID]);
  });
});
