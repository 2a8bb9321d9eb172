import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from '../../server/ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { afterEach } from 'vitest';
import { FileRoomStore } from '../../server/fileRoomStore';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';

export function tempDir(prefix = 'ledgerline-relay-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close codes of every connection of this provider the server closed. */
  closes: number[];
  destroy(): void;
}

/** A stock y-websocket client, in Node, through the `ws` package; no BroadcastChannel shortcut. */
export function connect(serverUrl: string, room: string, token: string | undefined, opts: { connect?: boolean } = {}): Client {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: token === undefined ? {} : { token },
    // Providers in one process would otherwise sync through BroadcastChannel, around the relay.
    disableBc: true,
    maxBackoffTime: 200,
    connect: opts.connect ?? true,
  });
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  return {
    doc,
    provider,
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export function synced(client: Client, timeoutMs = 5000): Promise<void> {
  if (client.provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not sync')), timeoutMs);
    client.provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RawResult {
  /** HTTP status of a refused upgrade, or 101. */
  status: number;
  /** Frames received, in order. */
  frames: Buffer[];
  /** Close code, if the socket opened and then closed. */
  closeCode: number | null;
}

/**
 * A plain `ws` client: connects, sends the given frames once open, and reports what came back and
 * how it ended (a refused upgrade, or a close code).
 */
export function rawSession(url: string, frames: Array<Uint8Array | string> = [], waitMs = 300): Promise<RawResult> {
  return new Promise((resolve) => {
    const result: RawResult = { status: 0, frames: [], closeCode: null };
    const ws = new WebSocket(url);
    let timer: NodeJS.Timeout | null = null;
    const done = () => {
      if (timer) clearTimeout(timer);
      resolve(result);
    };
    ws.on('unexpected-response', (_req, res) => {
      result.status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => {
        ws.terminate();
      });
    });
    ws.on('upgrade', () => {
      result.status = 101;
    });
    ws.on('message', (data: Buffer) => result.frames.push(data));
    ws.on('error', () => {});
    ws.on('open', () => {
      for (const f of frames) ws.send(f, { binary: typeof f !== 'string' });
      timer = setTimeout(() => ws.close(), waitMs);
    });
    ws.on('close', (code) => {
      if (result.status === 101) result.closeCode = code;
      done();
    });
  });
}

/** The document a room's log file holds, replayed the way the relay replays it. */
export async function storedDoc(dataDir: string, room: string): Promise<Y.Doc> {
  const store = new FileRoomStore(path.join(dataDir, 'rooms'));
  const { updates, log } = await store.open(room);
  await log.close();
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/**
 * A relay per test on a fresh data folder with one workspace, and clients closed after each test:
 * `cleanups` also takes a test's own (raw sockets). Call at the top of a test file.
 */
export function relayPerTest(): {
  cleanups: Array<() => unknown>;
  setup(options?: Partial<RelayOptions>): Promise<{ relay: Relay; ws: CreatedWorkspace; dir: string }>;
  client(relay: Relay, room: string, token: string): Client;
} {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  return {
    cleanups,
    async setup(options = {}) {
      const dir = tempDir();
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      const ws = createWorkspace(dir);
      const relay = await startRelay({ dataDir: dir, ...options });
      cleanups.push(() => relay.close());
      return { relay, ws, dir };
    },
    client(relay, room, token) {
      const c = connect(relay.url, room, token);
      cleanups.push(() => c.destroy());
      return c;
    },
  };
}
