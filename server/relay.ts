import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from './ws';
import { handleBlobRequest } from './blobs';
import { FileRoomStore } from './fileRoomStore';
import { BLOBS_SEGMENT, CLOSE, CLOSE_REASON, PARAM, parseBlobPath, versionSupported } from '../worker/protocol/syncProtocol';
import { Room, closeConn, type Conn, type RoomCounters } from './room';
import type { RoomStore } from './roomStore';
import { plain, serveStatic } from './static';
import { isWorkspaceId, verifyToken, type Role } from './tokens';
import { WorkspaceRegistry, ensureDataDir } from './workspaces';

export const DEFAULTS = {
  maxPayload: 4 * 1024 * 1024,
  maxDocBytes: 64 * 1024 * 1024,
  maxBlobBytes: 512 * 1024 * 1024,
  compactAfter: 500,
  maxBufferedBytes: 64 * 1024 * 1024,
  shutdownGraceMs: 1000,
  revocationCheckMs: 1000,
} as const;

export interface RelayOptions {
  /** 0 (default) picks a free port; read the real one from the result. */
  port?: number;
  host?: string;
  /** Holds `workspaces.json`, `rooms/<id>.log` and `blobs/<id>/<sha256>`. */
  dataDir: string;
  /** Largest websocket frame, in bytes (`ws` maxPayload); a larger one closes its connection (1009). */
  maxPayload?: number;
  /** Largest stored document per room, in bytes; an update past it closes its connection (4413). */
  maxDocBytes?: number;
  /** Largest blob a PUT may store, in bytes (413 past it). */
  maxBlobBytes?: number;
  /** Compact a room's log to one merged update once it holds more records than this. */
  compactAfter?: number;
  /** Serve this folder (the built app, `dist/`) for GET/HEAD requests that are not blobs. */
  staticDir?: string;
  /** URL path the rooms live under: `${basePath}/<workspaceId>` (default: rooms at the root). */
  basePath?: string;
  /** Room storage; default a `FileRoomStore` in `DATA_DIR/rooms`. */
  store?: RoomStore;
  /** How long `close()` waits for clients to answer the close handshake before cutting them off. */
  shutdownGraceMs?: number;
  /** A connection with more unsent bytes than this is dropped (it resyncs when it reconnects). */
  maxBufferedBytes?: number;
  /**
   * How often `workspaces.json` is checked for replaced secrets while connections are open: a
   * connection whose token no longer verifies is closed with 4401 ("link revoked").
   */
  revocationCheckMs?: number;
}

export interface RelayStats extends RoomCounters {
  /** Rooms loaded in memory (a room is unloaded when its last connection leaves). */
  rooms: number;
  /** Open websocket connections. */
  connections: number;
  /** Authorized upgrades waiting for their room to load. */
  upgrading: number;
  /** Websocket upgrade requests received (every connection attempt of every client). */
  upgradeRequests: number;
  /** Attempts closed right after the handshake for a refused token (4401) or protocol version (4426). */
  upgradesRefused: number;
  /** Open connections closed because their token was revoked (4401). */
  connectionsRevoked: number;
}

export interface Relay {
  port: number;
  host: string;
  /** `ws://host:port${basePath}`: the `serverUrl` for WebsocketProvider. */
  url: string;
  stats(): RelayStats;
  /** Stops accepting, stores every queued update, closes every connection and file. */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = path.resolve(options.dataDir);
  const maxPayload = options.maxPayload ?? DEFAULTS.maxPayload;
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const counters: RoomCounters = { updatesStored: 0, readOnlyUpdatesDropped: 0, connectionsRefused: 0 };
  const roomOptions = {
    counters,
    maxDocBytes: options.maxDocBytes ?? DEFAULTS.maxDocBytes,
    compactAfter: options.compactAfter ?? DEFAULTS.compactAfter,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
  };
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULTS.maxBlobBytes;
  const shutdownGraceMs = options.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs;
  ensureDataDir(dataDir);
  const store = options.store ?? new FileRoomStore(path.join(dataDir, 'rooms'));
  const workspaces = new WorkspaceRegistry(dataDir);

  /** The only global state: the rooms in memory, by workspace id. */
  const rooms = new Map<string, Room>();
  /** Rooms being unloaded, so a reconnect reopens the log only once the old handle is closed. */
  const unloading = new Map<string, Promise<void>>();
  let upgrading = 0;
  let upgradeRequests = 0;
  let upgradesRefused = 0;
  let connectionsRevoked = 0;
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  /**
   * Refusals complete the handshake and then close with a code (4401, 4426): a browser never sees
   * the HTTP status of a failed upgrade (only a 1006 with no reason, the same as "relay down"), so
   * an HTTP 401 would make the app retry a refused link forever. These sockets join no room and
   * receive no byte of any document; they are not counted as connections.
   */
  const refusals = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  const refused = new Set<WebSocket>();
  /** Who connected with which token, to close connections whose token a new secret revoked. */
  const grants = new Map<WebSocket, { workspaceId: string; token: string | null }>();

  function authorize(workspaceId: string, token: string | null): Role | null {
    if (!isWorkspaceId(workspaceId)) return null;
    const secret = workspaces.secretOf(workspaceId);
    return secret === null ? null : verifyToken(secret, workspaceId, token);
  }

  async function acquire(id: string): Promise<Room> {
    for (;;) {
      const pendingUnload = unloading.get(id);
      if (!pendingUnload) break;
      await pendingUnload;
    }
    let room = rooms.get(id);
    if (!room) {
      room = new Room(id, store, roomOptions, forget);
      rooms.set(id, room);
    }
    room.refs++;
    try {
      await room.ready;
    } catch (e) {
      forget(room);
      release(room);
      throw e;
    }
    return room;
  }

  /** Drops a room from the map (failed storage or load): the next connection loads it afresh. */
  function forget(room: Room): void {
    if (rooms.get(room.id) === room) rooms.delete(room.id);
    if (room.refs === 0) void room.destroy();
  }

  function release(room: Room): void {
    room.refs--;
    if (room.refs > 0 || closing) return;
    const done = (async () => {
      await room.settled();
      if (room.refs > 0) return; // someone joined while the last updates were being stored
      if (rooms.get(room.id) === room) rooms.delete(room.id);
      await room.destroy();
    })()
      .catch((e: Error) => console.error(`relay: room ${room.id}: unload failed: ${e.message}`))
      .finally(() => {
        if (unloading.get(room.id) === done) unloading.delete(room.id);
      });
    unloading.set(room.id, done);
  }

  function attach(room: Room, ws: WebSocket, role: Role, token: string | null): void {
    const conn: Conn = room.attach(ws, role);
    grants.set(ws, { workspaceId: room.id, token });
    ws.on('message', (data, isBinary) => {
      // Frames still in flight after we closed this connection (refused, shutting down) are dropped.
      if (closing || ws.readyState !== ws.OPEN) return;
      if (!isBinary) {
        counters.connectionsRefused++;
        closeConn(conn, CLOSE.unsupportedData, 'binary frames only');
        return;
      }
      try {
        room.receive(conn, toBytes(data));
      } catch (e) {
        counters.connectionsRefused++;
        closeConn(conn, CLOSE.malformed, truncateReason(`malformed message: ${(e as Error).message}`));
      }
    });
    ws.on('error', () => {
      /* the 'close' event follows; `ws` already closed over-size frames with 1009 */
    });
    ws.on('close', () => {
      grants.delete(ws);
      room.detach(conn);
      release(room);
    });
  }

  /** Completes the handshake and closes at once with `code`: the one refusal a browser can read. */
  function refuseWithClose(req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void {
    upgradesRefused++;
    refusals.handleUpgrade(req, socket, head, (ws) => {
      refused.add(ws);
      ws.on('error', () => {});
      ws.on('close', () => refused.delete(ws));
      ws.close(code, reason);
    });
  }

  /** Closes open connections whose token no longer verifies (the workspace's secret was replaced or removed). */
  let checkedGeneration = workspaces.generation;
  function closeRevoked(): void {
    if (grants.size === 0) return;
    workspaces.refresh();
    // Upgrades refresh the registry too: compare generations, not "did this call re-read it".
    if (workspaces.generation === checkedGeneration) return;
    checkedGeneration = workspaces.generation;
    for (const [ws, grant] of grants) {
      if (authorize(grant.workspaceId, grant.token) !== null) continue;
      grants.delete(ws);
      connectionsRevoked++;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(CLOSE.unauthorized, CLOSE_REASON.revoked);
    }
  }
  const revocationTimer = setInterval(closeRevoked, options.revocationCheckMs ?? DEFAULTS.revocationCheckMs);
  revocationTimer.unref();

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    upgradeRequests++;
    if (closing) return refuse(socket, 503, 'Service Unavailable');
    const url = new URL(req.url ?? '/', 'http://relay');
    if (basePath && !url.pathname.startsWith(`${basePath}/`)) return refuse(socket, 404, 'Not Found');
    let id: string;
    try {
      id = decodeURIComponent(url.pathname.slice(basePath.length + 1));
    } catch {
      id = ''; // not a workspace id: refused below like any unknown workspace
    }
    // Authorization happens here, before the room is touched: nothing of a document is read for,
    // or sent to, a connection without a valid token for that very workspace.
    const token = url.searchParams.get(PARAM.token);
    const role = authorize(id, token);
    if (role === null) return refuseWithClose(req, socket, head, CLOSE.unauthorized, CLOSE_REASON.unauthorized);
    if (!versionSupported(url.searchParams.get(PARAM.version))) {
      return refuseWithClose(req, socket, head, CLOSE.versionMismatch, CLOSE_REASON.versionMismatch);
    }
    upgrading++;
    let room: Room;
    try {
      room = await acquire(id);
    } catch (e) {
      console.error(`relay: room ${id}: cannot load: ${(e as Error).message}`);
      return refuse(socket, 500, 'Internal Server Error');
    } finally {
      upgrading--;
    }
    if (closing || socket.destroyed || !socket.writable) {
      socket.destroy();
      release(room);
      return;
    }
    let attached = false;
    // `handleUpgrade` answers a malformed handshake itself and never calls back: release then.
    socket.once('close', () => {
      if (!attached) release(room);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      attached = true;
      attach(room, ws, role, token);
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://relay');
    // Blobs live under the base path, like the rooms (the app derives both from one relay URL);
    // at the root too, for relays without one and for older apps.
    const pathname = basePath && url.pathname.startsWith(`${basePath}/${BLOBS_SEGMENT}/`) ? url.pathname.slice(basePath.length) : url.pathname;
    if (pathname.startsWith(`/${BLOBS_SEGMENT}/`)) {
      return handleBlobRequest(req, res, url, parseBlobPath(pathname), { dir: path.join(dataDir, 'blobs'), maxBlobBytes, authorize });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { 'Allow': 'GET, HEAD' });
    if (url.pathname === '/healthz') return plain(res, 200, 'ok');
    if (options.staticDir) return serveStatic(req, res, options.staticDir, url.pathname);
    return plain(res, 404, 'not found');
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((e: Error) => {
      console.error(`relay: ${req.method} ${req.url}: ${e.message}`);
      plain(res, 500, 'internal error');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((e: Error) => {
      console.error(`relay: upgrade ${req.url}: ${e.message}`);
      refuse(socket, 500, 'Internal Server Error');
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // Node's default (5 min for a whole request) would cut a large dataset upload on a slow link;
  // headersTimeout (60 s) still guards against clients that never finish their headers.
  server.requestTimeout = 60 * 60 * 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | null = null;
  async function close(): Promise<void> {
    closing = true;
    clearInterval(revocationTimer);
    for (const ws of refused) ws.terminate();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Store everything already queued, then say goodbye.
    await Promise.all([...rooms.values()].map((room) => room.settled()));
    await Promise.all([...unloading.values()]);
    for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'relay shutting down');
    const deadline = Date.now() + shutdownGraceMs;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const ws of wss.clients) ws.terminate();
    await Promise.all([...rooms.values()].map((room) => room.settled()));
    for (const room of rooms.values()) await room.destroy();
    rooms.clear();
    await store.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await serverClosed;
  }

  return {
    port,
    host,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`,
    stats: () => ({ rooms: rooms.size, connections: wss.clients.size, upgrading, upgradeRequests, upgradesRefused, connectionsRevoked, ...counters }),
    close: () => (closed ??= close()),
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** A close reason may carry at most 123 bytes. */
function truncateReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
