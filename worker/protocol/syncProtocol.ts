/**
 * The teammate-sync protocol, once, for both ends: the app's core (worker/core/sync.ts) and the relay
 * (server/). Pure TypeScript with no imports, so it runs in the browser, in Node and in tests.
 *
 * The wire protocol is y-websocket's (lib0 varUint message type, then its payload) plus one
 * extension (`MESSAGE.held`); what is added here is what y-websocket leaves open: which close
 * codes the relay sends and what the client does on each (retry, or stop and say why), how the
 * token and protocol version travel, and where blobs live. See server/README.md, "Protocol".
 */

/**
 * Version of what this module describes. The app sends it as `?v=` with every connection; the
 * relay closes a connection that asks for a version it does not speak with `CLOSE.versionMismatch`
 * (no `v` at all is a stock y-websocket client, and is served).
 */
export const PROTOCOL_VERSION = 2;
/** Oldest app version the relay still serves. */
export const MIN_PROTOCOL_VERSION = 1;

/** Query parameters of a room URL (`${relayUrl}/${workspaceId}?token=…&v=…`). */
export const PARAM = { token: 'token', version: 'v' } as const;

/** y-websocket message types: the first varUint of every frame. */
export const MESSAGE = {
  /** y-protocols/sync: step 1 (state vector), step 2 (missing updates), update. Both ways. */
  sync: 0,
  /** y-protocols/awareness: presence. Both ways. */
  awareness: 1,
  /** y-protocols/auth "permission denied": the relay never sends it (it closes instead), and refuses it from a client (4400). */
  auth: 2,
  /** "Send me every awareness state": client → relay, answered with one awareness message. */
  queryAwareness: 3,
  /**
   * Ledgerline's extension, "what do you hold?": client → relay with no payload; the relay answers
   * type 4 with the state vector (varUint8Array) of its document, which only ever holds fsynced
   * updates. When that vector covers the client's, every local change is stored on the relay.
   * Stock y-websocket clients never send it.
   */
  held: 4,
  /**
   * Relay → client, protocol 2 and up only (stock clients never see it): who this connection's link
   * was issued to, as a varString of JSON `LinkIdentity`, sent once right after the relay's sync step 1.
   * The app writes that person's name into the audit trail.
   */
  identity: 5,
} as const;

/** `LinkIdentity.person` of a token of the older, unnamed kind: it names no one (the app keeps its own display name). */
export const LEGACY_PERSON = 'Legacy link';

/** The `MESSAGE.identity` payload: the link a connection was opened with. */
export interface LinkIdentity {
  linkId: string;
  /** The person the link was issued to (`LEGACY_PERSON` for a token of the older, unnamed kind). */
  person: string;
  role: 'rw' | 'ro';
  /** ISO date-time after which the link stops working, or null for no expiry. */
  expiresAt: string | null;
}

/**
 * Liveness, both ways. The relay sends every connection an empty awareness update (type 1 with no
 * states; every y-websocket client applies it as a no-op) every `HEARTBEAT_MS`; the app treats
 * `CLIENT_SILENCE_MS` without any message as a lost connection (y-websocket's
 * `messageReconnectTimeout`), so a silent network shows "offline" within 2 s. The relay pings
 * (websocket ping frames, which browsers answer on their own) and drops a connection that answered
 * nothing for its idle timeout (server/README.md).
 */
export const HEARTBEAT_MS = 500;
export const CLIENT_SILENCE_MS = 1500;

/**
 * Websocket subprotocols: the app offers `SUBPROTOCOL` and `${TOKEN_SUBPROTOCOL_PREFIX}${token}`, so
 * the token travels in a header a proxy's access log does not record (the URL it does); the relay
 * answers `SUBPROTOCOL`, never the token. `?token=` still works (stock clients, older apps).
 */
export const SUBPROTOCOL = 'ledgerline';
export const TOKEN_SUBPROTOCOL_PREFIX = 'ledgerline.token.';

/** The whole "what do you hold?" query: type 4 and no payload (a varUint below 128 is one byte). */
export const HELD_QUERY: Uint8Array = Uint8Array.of(MESSAGE.held);

/**
 * Close codes of a room connection. 1xxx are RFC 6455's; 44xx mirror HTTP 4xx and mean "a retry
 * cannot help" (the stock y-websocket client stops on 4400–4499 too).
 */
export const CLOSE = {
  /** A normal close (the client's own `disconnect()`; the relay does not send it). */
  normal: 1000,
  /** The relay is shutting down (SIGTERM/SIGINT, `close()`). */
  goingAway: 1001,
  /** A text frame: the protocol is binary only. */
  unsupportedData: 1003,
  /** No close frame at all: network down, relay not running, or an upgrade answered with HTTP (404, 500, 503). Never sent. */
  abnormal: 1006,
  /** Policy violation: not sent by this relay; proxies and other y-websocket servers use it for "not allowed". */
  policyViolation: 1008,
  /** A frame over the relay's `maxPayload` (sent by `ws` itself, before buffering it). */
  messageTooBig: 1009,
  /** The room's storage failed; nothing unstored was relayed; the room reloads on the next connection. */
  internalError: 1011,
  /** Restarting / overloaded (not sent by this relay; understood as "retry"). */
  serviceRestart: 1012,
  tryAgainLater: 1013,
  /** A binary frame that does not decode, an unknown message type, an update that is not a Yjs update. */
  malformed: 4400,
  /** Missing, malformed or wrong token, a token of another workspace, an unknown workspace, or a token revoked while connected. */
  unauthorized: 4401,
  /** A valid token that may not do what it tried (reserved: read-only writes are dropped, not refused). */
  forbidden: 4403,
  /** The update would grow the room's stored document past `maxDocBytes`; it was not stored. */
  documentTooLarge: 4413,
  /** The client asked for a protocol version (`?v=`) the relay does not speak. */
  versionMismatch: 4426,
  /** The connection sent more messages (or presence updates) per second than the relay allows, for longer than a burst. */
  rateLimited: 4429,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** Close reasons the relay sends (at most 123 bytes each); informative only, clients act on the code. */
export const CLOSE_REASON = {
  unauthorized: 'link refused',
  revoked: 'link revoked',
  documentTooLarge: 'document too large',
  versionMismatch: `relay speaks protocol ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`,
  rateLimited: 'too many messages',
  expired: 'link expired',
  rotated: 'workspace secret rotated',
  busy: 'relay at its connection limit',
} as const;

/** What the sync badge says about the connection. */
export type SyncState = 'connecting' | 'online' | 'offline' | 'refused' | 'too-large' | 'incompatible' | 'rate-limited';

export interface CloseAction {
  /** Reconnect (with back-off), or stop until the user connects again. */
  retry: boolean;
  state: SyncState;
  /** For people: what happened and what to do. */
  message: string;
}

export const SYNC_MESSAGE = {
  offline: 'Offline: changes are kept on this device and sent when the relay is back',
  refused: 'Link refused: ask for a new one',
  tooLarge: 'Document too large for the relay: changes are kept on this device, ask the relay’s operator to raise its limit',
  incompatible: 'This app and the relay do not speak the same protocol: update the app or the relay',
  rateLimited: 'The relay cut this device off for sending too many messages: press Reconnect when it has calmed down',
} as const;

const OFFLINE: CloseAction = { retry: true, state: 'offline', message: SYNC_MESSAGE.offline };
const REFUSED: CloseAction = { retry: false, state: 'refused', message: SYNC_MESSAGE.refused };
const TOO_LARGE: CloseAction = { retry: false, state: 'too-large', message: SYNC_MESSAGE.tooLarge };
const INCOMPATIBLE: CloseAction = { retry: false, state: 'incompatible', message: SYNC_MESSAGE.incompatible };
const RATE_LIMITED: CloseAction = { retry: false, state: 'rate-limited', message: SYNC_MESSAGE.rateLimited };

/**
 * What the client does when the relay (or the network) closes its connection with `code`.
 * Stop where a retry would only be refused again — a refused link stays refused, a document that
 * is too large is sent whole again by the next sync step 2 — and retry everything else, including
 * 1006 (no close frame: network, relay down) and codes this module does not know outside 4400–4499.
 */
export function closeAction(code: number): CloseAction {
  switch (code) {
    case CLOSE.unauthorized:
    case CLOSE.forbidden:
    case CLOSE.policyViolation:
      return REFUSED;
    case CLOSE.documentTooLarge:
    case CLOSE.messageTooBig:
      return TOO_LARGE;
    case CLOSE.malformed:
    case CLOSE.unsupportedData:
    case CLOSE.versionMismatch:
      return INCOMPATIBLE;
    case CLOSE.rateLimited:
      return RATE_LIMITED;
    default:
      // The rest of 44xx: a deliberate refusal we do not know in detail (y-websocket's convention).
      return code >= 4400 && code < 4500 ? REFUSED : OFFLINE;
  }
}

/** The room URL parameters: the token (query parameter: browsers cannot set websocket headers) and the protocol version. */
export function roomParams(token: string): Record<string, string> {
  return { [PARAM.token]: token, [PARAM.version]: String(PROTOCOL_VERSION) };
}

/** What the relay makes of a `?v=`: absent (a stock client) and known versions are served. */
export function versionSupported(v: string | null): boolean {
  if (v === null) return true;
  if (!/^[0-9]{1,6}$/.test(v)) return false;
  const n = Number(v);
  return n >= MIN_PROTOCOL_VERSION && n <= PROTOCOL_VERSION;
}

/** The websocket subprotocols the app offers for a token (see `SUBPROTOCOL`). */
export function roomProtocols(token: string): string[] {
  return [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];
}

/**
 * The relay's admin API, under its base path: JSON, `Authorization: Bearer <admin key>` (the key
 * the relay prints at start and keeps in DATA_DIR/admin.key). Settings uses it to share a workspace.
 *
 * - `POST   /admin/workspaces`                        body `{}` → 201 `{ workspaceId }`
 * - `GET    /admin/workspaces/<id>/links`             → 200 `{ links: LinkInfo[] }`
 * - `POST   /admin/workspaces/<id>/links`             body `NewLink` → 201 `{ link: LinkInfo, token }`
 * - `DELETE /admin/workspaces/<id>/links/<linkId>`    → 200 `{ link: LinkInfo }` (its live sessions close within 1 s)
 * - `POST   /admin/workspaces/<id>/rotate`            → 200 `{ revoked: number }` (every link and session ends)
 *
 * Errors: 401 without a valid admin key, 404 unknown workspace or link, 400 with `{ error }` for a bad body.
 */
export const ADMIN_SEGMENT = 'admin';

export interface NewLink {
  person: string;
  role: 'rw' | 'ro';
  /** ISO date-time, or null for a link that does not expire. */
  expiresAt: string | null;
}

export interface LinkInfo extends NewLink {
  linkId: string;
  createdAt: string;
  /** When it was revoked (by revocation or a secret rotation), null while it works. */
  revokedAt: string | null;
  /** Connections open with it right now. */
  live: number;
}

/** Where to reach a relay and a workspace on it. */
export interface RelayLink {
  /** ws:// or wss:// address of the relay (its base path included, if any). */
  relayUrl: string;
  workspaceId: string;
  token: string;
}

/** First path segment of blob URLs, under the relay's base path. */
export const BLOBS_SEGMENT = 'blobs';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `/blobs/<workspaceId>/<sha256>`: a blob's path below the relay's base path. */
export function blobPath(workspaceId: string, hash: string): string {
  return `/${BLOBS_SEGMENT}/${encodeURIComponent(workspaceId)}/${hash}`;
}

/** The relay's HTTP address for a blob (same host and base path as the websocket), token included. */
export function blobUrl(link: RelayLink, hash: string): string {
  const base = link.relayUrl.replace(/^ws/, 'http').replace(/\/+$/, '');
  return `${base}${blobPath(link.workspaceId, hash)}?${PARAM.token}=${encodeURIComponent(link.token)}`;
}

/**
 * The inverse of `blobPath` for the relay: the workspace id and hash of `/blobs/<id>/<hash>`, null
 * when the path is not a blob path at all, `hash: null` when the name is not a SHA-256 in lowercase hex.
 */
export function parseBlobPath(pathname: string): { workspaceId: string; hash: string | null } | null {
  const parts = pathname.split('/');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== BLOBS_SEGMENT) return null;
  let workspaceId: string;
  try {
    workspaceId = decodeURIComponent(parts[2]!);
  } catch {
    return null;
  }
  return { workspaceId, hash: SHA256_HEX.test(parts[3]!) ? parts[3]! : null };
}

/**
 * The part of y-websocket's `WebsocketProvider` the client logic needs (structural, so this module
 * imports nothing): its reconnect predicate and its events.
 */
export interface WatchedProvider {
  shouldReconnect(event: CloseEvent, provider: never): boolean;
  shouldConnect: boolean;
  on(name: 'status', f: (event: { status: ProviderStatus }) => void): unknown;
  on(name: 'connection-close', f: (event: CloseEvent | null) => void): unknown;
  on(name: 'sync', f: (isSynced: boolean) => void): unknown;
  off(name: 'status', f: (event: { status: ProviderStatus }) => void): unknown;
  off(name: 'connection-close', f: (event: CloseEvent | null) => void): unknown;
  off(name: 'sync', f: (isSynced: boolean) => void): unknown;
}

type ProviderStatus = 'connected' | 'connecting' | 'disconnected';

type CloseEvent = { code: number; reason: string };

export interface WatchedState {
  state: SyncState;
  /** What to show; empty while connecting or online. */
  message: string;
  /** The close code that led here (0 when none). */
  code: number;
}

/**
 * The client's side of the close codes, for a `WebsocketProvider`: reconnects only when
 * `closeAction` says so (a stop leaves `provider.shouldConnect` false: no further attempt until
 * someone calls `provider.connect()` again), and reports each state change to `onState`.
 *
 * - online once the relay's first sync answer arrives (not at the socket's open: the relay
 *   completes the handshake of a refused link too, and closes it with 4401 right after);
 * - a close the client made itself (`disconnect()`, the watchdog) or one to retry → offline, and
 *   it stays offline (not "connecting") until it is online again;
 * - a stop → refused / too-large / incompatible, with the message, kept until `provider.connect()`.
 *
 * Returns a function that stops watching.
 */
export function watchProvider(provider: WatchedProvider, onState: (s: WatchedState) => void): () => void {
  let current: WatchedState = { state: 'connecting', message: '', code: 0 };
  let stopped = false;
  const set = (next: WatchedState) => {
    if (next.state === current.state && next.message === current.message) return;
    current = next;
    onState(next);
  };
  provider.shouldReconnect = (event) => closeAction(event.code).retry;
  const onClose = (event: CloseEvent | null) => {
    if (event === null) {
      if (!stopped) set({ state: 'offline', message: SYNC_MESSAGE.offline, code: 0 });
      return;
    }
    const action = closeAction(event.code);
    if (!action.retry) {
      stopped = true;
      // y-websocket does this too when `shouldReconnect` says no; kept here so no retry can slip through.
      provider.shouldConnect = false;
    }
    set({ state: action.state, message: action.message, code: event.code });
  };
  const onSync = (isSynced: boolean) => {
    if (!isSynced) return;
    stopped = false;
    set({ state: 'online', message: '', code: 0 });
  };
  const onStatus = ({ status }: { status: ProviderStatus }) => {
    if (status === 'connected') {
      // Not online yet: wait for the relay's sync answer (see above).
    } else if (status === 'connecting') {
      // A deliberate `connect()` after a stop tries once more; a retry while offline stays "offline".
      if (stopped) stopped = false;
      if (current.state !== 'offline') set({ state: 'connecting', message: '', code: 0 });
    } else if (!stopped && current.state !== 'offline') {
      set({ state: 'offline', message: SYNC_MESSAGE.offline, code: 0 });
    }
  };
  provider.on('connection-close', onClose);
  provider.on('status', onStatus);
  provider.on('sync', onSync);
  onState(current);
  return () => {
    provider.off('connection-close', onClose);
    provider.off('status', onStatus);
    provider.off('sync', onSync);
  };
}

/** A share link: the app's address with the relay, the workspace and a token in the hash. */
export function shareLink(link: RelayLink, appUrl: string): string {
  const q = new URLSearchParams({ relay: link.relayUrl, workspace: link.workspaceId, token: link.token });
  return `${appUrl}#/join?${q.toString()}`;
}

/** The link in a share link's hash query, or null when it is not a complete one. */
export function parseShareLink(hashQuery: string): RelayLink | null {
  const q = new URLSearchParams(hashQuery);
  const relayUrl = q.get('relay') ?? '';
  const workspaceId = q.get('workspace') ?? '';
  const token = q.get('token') ?? '';
  return /^wss?:\/\//.test(relayUrl) && workspaceId && token ? { relayUrl, workspaceId, token } : null;
}
