import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from './ws';
import { handleBlobRequest } from './blobs';
import { FileRoomStore } from './fileRoomStore';
import { RedisRoomStore } from './redisRoomStore';
import {
  ADMIN_SEGMENT,
  BLOBS_SEGMENT,
  CLOSE,
  CLOSE_REASON,
  HEARTBEAT_MS,
  PARAM,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  parseBlobPath,
  versionSupported,
} from '../worker/protocol/syncProtocol';
import { KeyedThrottle, remoteAddress } from './limits';
import { RateLimited, Room, closeConn, type Conn, type RoomCounters } from './room';
import type { RoomStore } from './roomStore';
import { plain, serveStatic } from './static';
import { checkToken, isGrant, isWorkspaceId, type Grant, type Refusal } from './tokens';
import { AdminThrottle, ensureAdminKey, handleAdminRequest, type AdminContext } from './admin';
import { logError, logInfo } from './log';
import { WorkspaceRegistry, ensureDataDir } from './workspaces';

export const DEFAULTS = {
  maxPayload: 4 * 1024 * 1024,
  maxDocBytes: 64 * 1024 * 1024,
  maxBlobBytes: 512 * 1024 * 1024,
  compactAfter: 500,
  maxBufferedBytes: 64 * 1024 * 1024,
  shutdownGraceMs: 1000,
  revocationCheckMs: 1000,
  maxPresenceBytes: 4 * 1024,
  maxPresenceStates: 4,
  maxRoomPresenceBytes: 1024 * 1024,
  presencePerSecond: 20,
  messagesPerSecond: 200,
  messageBurst: 1000,
  connectAttemptsPer10s: 60,
  maxConnections: 1000,
  maxRoomConnections: 100,
  idleTimeoutMs: 45_000,
  pingIntervalMs: 15_000,
  heartbeatMs: HEARTBEAT_MS,
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
  /** Room storage; default a `RedisRoomStore` when `redisUrl` is set, else a `FileRoomStore` in `DATA_DIR/rooms`. */
  store?: RoomStore;
  /**
   * Redis shared by several relay processes (REDIS_URL): rooms live there, every process serves
   * every room, and link changes reach every process at once. `dataDir` must then be one folder
   * every relay reaches (workspaces.json, admin.key, blobs). Unset: a file store of this process.
   */
  redisUrl?: string;
  /** Prefix of the relay's Redis keys and channels (LEDGERLINE_REDIS_PREFIX). */
  redisPrefix?: string;
  /** Where blobs live (LEDGERLINE_BLOB_DIR); default `DATA_DIR/blobs`. Every relay of a deployment needs the same one. */
  blobDir?: string;
  /**
   * Serve a room whose log lost records in the middle, from the valid records around the damage
   * (LEDGERLINE_SALVAGE=1). Off: such a room answers HTTP 500 until an operator decides. Default store only.
   */
  salvage?: boolean;
  /** How long `close()` waits for clients to answer the close handshake before cutting them off. */
  shutdownGraceMs?: number;
  /** A connection with more unsent bytes than this is dropped (it resyncs when it reconnects). */
  maxBufferedBytes?: number;
  /**
   * How often `workspaces.json` is checked for replaced secrets while connections are open: a
   * connection whose token no longer verifies is closed with 4401 ("link revoked").
   */
  revocationCheckMs?: number;
  /** Largest presence (awareness) state in bytes of JSON; a bigger one is dropped unparsed. */
  maxPresenceBytes?: number;
  /** Presence client ids one connection may introduce (a tab has one). */
  maxPresenceStates?: number;
  /** Presence bytes one room holds at most, all connections together. */
  maxRoomPresenceBytes?: number;
  /** Presence updates per second per connection: more are dropped; 10 s worth of excess closes it (4429). */
  presencePerSecond?: number;
  /** Messages per second per connection (token bucket) and its burst; past them the connection is closed (4429). */
  messagesPerSecond?: number;
  messageBurst?: number;
  /** Websocket upgrade attempts per remote address per 10 s; more are answered HTTP 429 before any token check. */
  connectAttemptsPer10s?: number;
  /** Open connections, relay-wide and per room; past them an attempt is closed with 1013 ("busy") after the handshake. */
  maxConnections?: number;
  maxRoomConnections?: number;
  /** A connection that sent no frame and answered no ping for this long is terminated. */
  idleTimeoutMs?: number;
  /** How often the relay pings (capped at a third of `idleTimeoutMs`). */
  pingIntervalMs?: number;
  /** How often every connection gets the heartbeat (an empty presence update); 0 turns it off. */
  heartbeatMs?: number;
  /**
   * Throttle by the last `X-Forwarded-For` address instead of the socket's: set it behind a reverse
   * proxy (which otherwise makes every client one address), never when clients reach the relay directly.
   */
  trustProxy?: boolean;
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
  /** Upgrade attempts answered HTTP 429 (too many from one address). */
  upgradesThrottled: number;
  /** Blob requests answered HTTP 429 (too many refused tokens from one address). */
  blobRequestsThrottled: number;
  /** Attempts closed with 1013 because the relay or the room was at its connection limit. */
  upgradesBusy: number;
  /** Connections terminated for silence (no frame, no pong, for the idle timeout). */
  connectionsIdle: number;
  /** Presence bytes held, all rooms together (each room is bounded by `maxRoomPresenceBytes`). */
  presenceBytes: number;
  /** Presence states held, all rooms together. */
  presenceStates: number;
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
  const counters: RoomCounters = {
    updatesStored: 0,
    readOnlyUpdatesDropped: 0,
    connectionsRefused: 0,
    presenceDropped: 0,
    presenceForged: 0,
    connectionsRateLimited: 0,
    connectionsTooSlow: 0,
  };
  const roomOptions = {
    counters,
    maxDocBytes: options.maxDocBytes ?? DEFAULTS.maxDocBytes,
    compactAfter: options.compactAfter ?? DEFAULTS.compactAfter,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    maxPresenceBytes: options.maxPresenceBytes ?? DEFAULTS.maxPresenceBytes,
    maxPresenceStates: options.maxPresenceStates ?? DEFAULTS.maxPresenceStates,
    maxRoomPresenceBytes: options.maxRoomPresenceBytes ?? DEFAULTS.maxRoomPresenceBytes,
    presencePerSecond: options.presencePerSecond ?? DEFAULTS.presencePerSecond,
    messagesPerSecond: options.messagesPerSecond ?? DEFAULTS.messagesPerSecond,
    messageBurst: options.messageBurst ?? DEFAULTS.messageBurst,
  };
  const maxConnections = options.maxConnections ?? DEFAULTS.maxConnections;
  const maxRoomConnections = options.maxRoomConnections ?? DEFAULTS.maxRoomConnections;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
  const throttle = new KeyedThrottle(options.connectAttemptsPer10s ?? DEFAULTS.connectAttemptsPer10s, 10_000);
  const addressOf = (req: IncomingMessage) => remoteAddress(req, options.trustProxy ?? false);
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULTS.maxBlobBytes;
  const shutdownGraceMs = options.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs;
  ensureDataDir(dataDir);
  const store =
    options.store ??
    (options.redisUrl ? new RedisRoomStore({ url: options.redisUrl, prefix: options.redisPrefix }) : new FileRoomStore(path.join(dataDir, 'rooms'), { salvage: options.salvage }));
  /** Several relay processes share rooms and links through it; null for a relay on its own. */
  const cluster = store instanceof RedisRoomStore ? store : null;
  const blobDir = path.resolve(options.blobDir ?? path.join(dataDir, 'blobs'));
  const workspaces = new WorkspaceRegistry(dataDir);

  /** The only global state: the rooms in memory, by workspace id. */
  const rooms = new Map<string, Room>();
  /** Rooms being unloaded, so a reconnect reopens the log only once the old handle is closed. */
  const unloading = new Map<string, Promise<void>>();
  let upgrading = 0;
  let upgradeRequests = 0;
  let upgradesRefused = 0;
  let connectionsRevoked = 0;
  let upgradesThrottled = 0;
  let blobRequestsThrottled = 0;
  let upgradesBusy = 0;
  let connectionsIdle = 0;
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, handleProtocols });
  /**
   * Refusals complete the handshake and then close with a code (4401, 4426): a browser never sees
   * the HTTP status of a failed upgrade (only a 1006 with no reason, the same as "relay down"), so
   * an HTTP 401 would make the app retry a refused link forever. These sockets join no room and
   * receive no byte of any document; they are not counted as connections.
   */
  const refusals = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, handleProtocols });
  const refused = new Set<WebSocket>();
  /** Open connections, for the idle sweep. */
  const conns = new Map<WebSocket, Conn>();
  /** Who connected with which link: to close a link's sessions when it is revoked or expires, and to count them. */
  const grants = new Map<WebSocket, { workspaceId: string; token: string | null; grant: Grant }>();

  /** What `token` grants on `workspaceId`, or why not; an unknown or malformed id costs the same HMAC and lookups (tokens.ts). */
  function check(workspaceId: string, token: string | null, now = Date.now()): Grant | Refusal {
    const entry = workspaces.get(workspaceId);
    return checkToken(isWorkspaceId(workspaceId) ? entry : null, workspaceId, token, now);
  }

  function authorize(workspaceId: string, token: string | null): Grant | null {
    const result = check(workspaceId, token);
    return isGrant(result) ? result : null;
  }

  /** Open connections per link id of a workspace (LinkInfo.live in the admin API). */
  function liveLinks(workspaceId: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const g of grants.values()) {
      if (g.workspaceId === workspaceId) out.set(g.grant.identity.linkId, (out.get(g.grant.identity.linkId) ?? 0) + 1);
    }
    return out;
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
      .catch((e: Error) => logError(`relay: room ${room.id}: unload failed: ${e.message}`))
      .finally(() => {
        if (unloading.get(room.id) === done) unloading.delete(room.id);
      });
    unloading.set(room.id, done);
  }

  function attach(room: Room, ws: WebSocket, grant: Grant, token: string | null, version: number): void {
    const conn: Conn = room.attach(ws, grant, version >= 2);
    conns.set(ws, conn);
    grants.set(ws, { workspaceId: room.id, token, grant });
    logInfo(`room ${room.id}: ${who(grant)} connected`);
    ws.on('message', (data, isBinary) => {
      // Frames still in flight after we closed this connection (refused, shutting down) are dropped.
      if (closing || ws.readyState !== ws.OPEN) return;
      conn.lastSeen = Date.now();
      if (!conn.messages.take()) {
        rateLimit(room, conn);
        return;
      }
      if (!isBinary) {
        counters.connectionsRefused++;
        closeConn(conn, CLOSE.unsupportedData, 'binary frames only');
        return;
      }
      try {
        room.receive(conn, toBytes(data));
      } catch (e) {
        if (e instanceof RateLimited) {
          rateLimit(room, conn);
          return;
        }
        counters.connectionsRefused++;
        closeConn(conn, CLOSE.malformed, truncateReason(`malformed message: ${(e as Error).message}`));
      }
    });
    ws.on('error', () => {
      /* the 'close' event follows; `ws` already closed over-size frames with 1009 */
    });
    ws.on('pong', () => {
      conn.lastSeen = Date.now();
    });
    ws.on('close', () => {
      conns.delete(ws);
      grants.delete(ws);
      logInfo(`room ${room.id}: ${who(grant)} disconnected`);
      room.detach(conn);
      release(room);
    });
  }

  function rateLimit(room: Room, conn: Conn): void {
    counters.connectionsRefused++;
    counters.connectionsRateLimited++;
    logInfo(`room ${room.id}: ${who(conn.grant)} closed: too many messages`);
    closeConn(conn, CLOSE.rateLimited, CLOSE_REASON.rateLimited);
  }

  /**
   * Liveness: every connection that sent no frame and answered no ping for `idleTimeoutMs` is
   * terminated (its room unloads once empty); the others are pinged. Browsers and `ws` answer pings
   * on their own, so only a dead network or a client that stopped reading falls silent.
   */
  const pingIntervalMs = Math.max(10, Math.min(options.pingIntervalMs ?? DEFAULTS.pingIntervalMs, Math.floor(idleTimeoutMs / 3)));
  function sweepIdle(): void {
    const now = Date.now();
    for (const [ws, conn] of conns) {
      if (now - conn.lastSeen > idleTimeoutMs) {
        connectionsIdle++;
        logInfo(`relay: ${who(conn.grant)} silent for ${idleTimeoutMs} ms, dropped`);
        conns.delete(ws);
        ws.terminate();
      } else if (ws.readyState === ws.OPEN) {
        ws.ping();
      }
    }
  }
  const pingTimer = setInterval(sweepIdle, pingIntervalMs);
  pingTimer.unref();
  const heartbeatMs = options.heartbeatMs ?? DEFAULTS.heartbeatMs;
  const heartbeatTimer = heartbeatMs > 0 ? setInterval(() => {
    for (const room of rooms.values()) room.heartbeat();
  }, heartbeatMs) : null;
  heartbeatTimer?.unref();

  function refuseBusy(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    upgradesBusy++;
    refuseWithClose(req, socket, head, CLOSE.tryAgainLater, CLOSE_REASON.busy);
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

  /**
   * Closes open connections whose link no longer works: revoked (admin API, CLI), expired, or its
   * workspace's secret rotated or removed. Every connection is re-checked when workspaces.json
   * changed; otherwise only those whose link's expiry has passed.
   */
  let checkedGeneration = workspaces.generation;
  function closeRevoked(): void {
    if (grants.size === 0) return;
    workspaces.refresh();
    // Upgrades refresh the registry too: compare generations, not "did this call re-read it".
    const changed = workspaces.generation !== checkedGeneration;
    checkedGeneration = workspaces.generation;
    const now = Date.now();
    for (const [ws, g] of grants) {
      const expiresAt = g.grant.identity.expiresAt;
      if (!changed && (expiresAt === null || Date.parse(expiresAt) > now)) continue;
      const result = check(g.workspaceId, g.token, now);
      if (isGrant(result)) continue;
      grants.delete(ws);
      connectionsRevoked++;
      logInfo(`room ${g.workspaceId}: ${who(g.grant)} ${result === 'expired' ? 'expired' : 'revoked'}`);
      const reason = result === 'expired' ? CLOSE_REASON.expired : result === 'rotated' ? CLOSE_REASON.rotated : CLOSE_REASON.revoked;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(CLOSE.unauthorized, reason);
    }
  }

  const admin: AdminContext = {
    registry: workspaces,
    adminKey: ensureAdminKey(dataDir),
    throttle: new AdminThrottle(),
    address: addressOf,
    live: liveLinks,
    // Relays sharing workspaces.json take turns editing it (one read-modify-write at a time), and
    // tell the others to re-read it now: a shared folder's file attributes may be cached for
    // seconds, and a revocation must close its sessions on every relay at once.
    edit: cluster
      ? async (change) => {
          const result = await cluster.whileLocked('workspaces', async () => change());
          cluster.publishRegistryChange();
          return result;
        }
      : async (change) => change(),
    // A revocation through the admin API closes its sessions now, not at the next check.
    afterRevocation: closeRevoked,
  };
  await cluster?.onRegistryChange(() => {
    workspaces.refresh(true);
    closeRevoked();
  });
  const revocationTimer = setInterval(closeRevoked, options.revocationCheckMs ?? DEFAULTS.revocationCheckMs);
  revocationTimer.unref();

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    upgradeRequests++;
    if (closing) return refuse(socket, 503, 'Service Unavailable');
    // Before anything costs work (no HMAC, no room): a plain HTTP answer, as a flood needs no close code.
    if (!throttle.allow(addressOf(req))) {
      upgradesThrottled++;
      return refuse(socket, 429, 'Too Many Requests');
    }
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
    const token = tokenOf(req, url);
    const grant = token === undefined ? null : authorize(id, token);
    if (grant === null) return refuseWithClose(req, socket, head, CLOSE.unauthorized, CLOSE_REASON.unauthorized);
    const v = url.searchParams.get(PARAM.version);
    if (!versionSupported(v)) {
      return refuseWithClose(req, socket, head, CLOSE.versionMismatch, CLOSE_REASON.versionMismatch);
    }
    if (wss.clients.size + upgrading >= maxConnections) return refuseBusy(req, socket, head);
    upgrading++;
    let room: Room;
    try {
      room = await acquire(id);
    } catch (e) {
      logError(`relay: room ${id}: cannot load: ${(e as Error).message}`);
      return refuse(socket, 500, 'Internal Server Error');
    } finally {
      upgrading--;
    }
    if (closing || socket.destroyed || !socket.writable) {
      socket.destroy();
      release(room);
      return;
    }
    // `refs` counts this attempt, the room's connections and the attempts loading alongside it.
    if (room.refs > maxRoomConnections) {
      release(room);
      return refuseBusy(req, socket, head);
    }
    let attached = false;
    // `handleUpgrade` answers a malformed handshake itself and never calls back: release then.
    socket.once('close', () => {
      if (!attached) release(room);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      attached = true;
      attach(room, ws, grant, token ?? null, v === null ? 0 : Number(v));
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://relay');
    // Blobs live under the base path, like the rooms (the app derives both from one relay URL);
    // at the root too, for relays without one and for older apps.
    const pathname = basePath && url.pathname.startsWith(`${basePath}/${BLOBS_SEGMENT}/`) ? url.pathname.slice(basePath.length) : url.pathname;
    if (pathname.startsWith(`/${BLOBS_SEGMENT}/`)) {
      return handleBlobRequest(req, res, url, parseBlobPath(pathname), {
        dir: blobDir,
        maxBlobBytes,
        authorize,
        throttle,
        address: addressOf,
        onThrottled: () => void blobRequestsThrottled++,
      });
    }
    const adminPrefix = `${basePath}/${ADMIN_SEGMENT}`;
    if (url.pathname === adminPrefix || url.pathname.startsWith(`${adminPrefix}/`)) {
      return handleAdminRequest(req, res, url.pathname.slice(adminPrefix.length), admin);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { 'Allow': 'GET, HEAD' });
    if (url.pathname === '/healthz') return plain(res, 200, 'ok');
    if (options.staticDir) return serveStatic(req, res, options.staticDir, url.pathname);
    return plain(res, 404, 'not found');
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((e: Error) => {
      logError(`relay: ${req.method} ${req.url}: ${e.message}`);
      plain(res, 500, 'internal error');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((e: Error) => {
      logError(`relay: upgrade ${req.url}: ${e.message}`);
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
    clearInterval(pingTimer);
    if (heartbeatTimer) clearInterval(heartbeatTimer);
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
    stats: () => {
      let presenceBytes = 0;
      let presenceStates = 0;
      for (const room of rooms.values()) {
        presenceBytes += room.presenceBytes;
        presenceStates += room.presenceStates;
      }
      return {
        rooms: rooms.size,
        connections: wss.clients.size,
        upgrading,
        upgradeRequests,
        upgradesRefused,
        connectionsRevoked,
        upgradesThrottled,
        blobRequestsThrottled,
        upgradesBusy,
        connectionsIdle,
        presenceBytes,
        presenceStates,
        ...counters,
      };
    },
    close: () => (closed ??= close()),
  };
}

/** A link in the audit log: the person it was issued to, its role and id; never the token. */
function who(grant: Grant): string {
  // eslint-disable-next-line no-control-regex
  const person = grant.identity.person.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `${person} (${grant.role}, link ${grant.identity.linkId})`;
}

/**
 * The token of an upgrade: `?token=`, a `ledgerline.token.<token>` subprotocol, or
 * `Authorization: Bearer <token>` (the last two keep it out of proxies' access logs). Null when
 * none is given; undefined when several are given and they differ (refused: which one would count?).
 */
function tokenOf(req: IncomingMessage, url: URL): string | null | undefined {
  const given = new Set<string>();
  const query = url.searchParams.get(PARAM.token);
  if (query !== null) given.add(query);
  for (const p of (req.headers['sec-websocket-protocol'] ?? '').split(',')) {
    const protocol = p.trim();
    if (protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) given.add(protocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length));
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (bearer) given.add(bearer[1]!);
  if (given.size > 1) return undefined;
  return given.size === 1 ? [...given][0]! : null;
}

/** The subprotocol the relay answers: `ledgerline` when offered (never the token one), else none. */
function handleProtocols(protocols: Set<string>): string | false {
  return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
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
