import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CLIENT_SILENCE_MS, HELD_QUERY, LEGACY_PERSON, MESSAGE, PARAM, PROTOCOL_VERSION, SUBPROTOCOL, SYNC_MESSAGE, roomProtocols, watchProvider, type LinkIdentity, type RelayLink, type WatchedState } from '../protocol/syncProtocol';
import { SYNC_OFF, type SyncView } from '../protocol/coreEvents';
import type { LedgerlineDb } from './db';
import { currentDisplayName, ydoc } from './doc';

/**
 * Teammate sync: the workspace document travels through the relay (server/) with the stock
 * y-websocket client, from the core. The link (relay, workspace, token) stays on this device, in
 * IndexedDB; edits are always saved locally first (y-indexeddb), so going offline loses nothing and
 * the next connection sends them.
 *
 * The badge must never say "saved" about a connection that is gone. Three things end one: the
 * relay's close (its code says whether to retry), the browser saying it is offline (the tabs tell
 * the core, and the core's own thread hears it too), and silence: a relay of protocol 2 sends
 * something every HEARTBEAT_MS, so CLIENT_SILENCE_MS without a message means the network is gone
 * even when the socket has not noticed (a dead Wi-Fi keeps a TCP socket "open" for minutes).
 */

export type SyncSettings = RelayLink;

let provider: WebsocketProvider | null = null;
let unwatch: (() => void) | null = null;
let view: SyncView = SYNC_OFF;
let report: (view: SyncView) => void = () => undefined;
let db: LedgerlineDb | null = null;
/** The state `watchProvider` last reported, before the browser's offline state is laid over it. */
let watched: WatchedState = { state: 'connecting', message: '', code: 0 };
/** The browser says there is no network: the provider is held disconnected until it says otherwise. */
let networkDown = false;

function set(patch: Partial<SyncView>): void {
  view = { ...view, ...patch };
  report(view);
}

/** States in which the provider stopped for good (until `connect` with a link again). */
const stoppedState = (state: WatchedState['state']) => state === 'refused' || state === 'too-large' || state === 'incompatible' || state === 'rate-limited';

/** What the badge shows: the provider's state, except that a browser without network is offline, whatever the socket believes. */
function showWatched(): void {
  if (networkDown && provider && !stoppedState(watched.state)) set({ status: 'offline', message: SYNC_MESSAGE.offline });
  else set({ status: watched.state, message: watched.message });
}

/** Loads this device's link from IndexedDB; `onChange` hears every change of the sync's state after. */
export async function initSync(database: LedgerlineDb, onChange: (view: SyncView) => void): Promise<void> {
  db = database;
  report = onChange;
  const link = await database.getMeta('relayLink', null);
  view = { ...SYNC_OFF, link: link && link.relayUrl && link.workspaceId && link.token ? link : null };
}

export function savedSyncSettings(): SyncSettings | null {
  return view.link;
}

/** The person the relay says this device's link belongs to (the audit trail's author), or null. */
export function linkPerson(): string | null {
  const identity = view.identity;
  // A token of the older, unnamed kind names no one: the person's own display name is better.
  return identity && identity.person && identity.person !== LEGACY_PERSON ? identity.person : null;
}

async function saveLink(link: RelayLink | null): Promise<void> {
  await db?.setMeta('relayLink', link);
}

let savedTimer: ReturnType<typeof setTimeout> | undefined;

function askWhatRelayHolds(): void {
  const p = provider;
  clearTimeout(savedTimer);
  if (!p || !p.wsconnected || !p.ws) return;
  // Ledgerline's extension of the protocol: "what do you hold?" (answered in compareWithRelay).
  p.ws.send(HELD_QUERY);
  // Ask again until the answer covers everything this device has (an fsync may still be running).
  savedTimer = setTimeout(askWhatRelayHolds, 1000);
}

function compareWithRelay(relayVector: Uint8Array): void {
  const relay = Y.decodeStateVector(relayVector);
  const local = Y.decodeStateVector(Y.encodeStateVector(ydoc));
  const all = [...local].every(([client, clock]) => (relay.get(client) ?? 0) >= clock);
  if (all !== view.saved) set({ saved: all });
  if (all) clearTimeout(savedTimer);
}

ydoc.on('update', (_update: Uint8Array, origin: unknown) => {
  if (!provider || origin === provider) return;
  if (view.saved) set({ saved: false });
  clearTimeout(savedTimer);
  savedTimer = setTimeout(askWhatRelayHolds, 200);
});

/** The relay's `MESSAGE.identity`: JSON of a `LinkIdentity`. Anything else is ignored (the relay's word is only informative). */
function readIdentity(decoder: decoding.Decoder): LinkIdentity | null {
  try {
    const value = JSON.parse(decoding.readVarString(decoder)) as Partial<LinkIdentity>;
    if (typeof value.person !== 'string' || typeof value.linkId !== 'string' || (value.role !== 'rw' && value.role !== 'ro')) return null;
    return { linkId: value.linkId, person: value.person.slice(0, 200), role: value.role, expiresAt: typeof value.expiresAt === 'string' ? value.expiresAt : null };
  } catch {
    return null;
  }
}

/** How often the silence watchdog looks; the offline state then shows within CLIENT_SILENCE_MS + this. */
const SILENCE_CHECK_MS = 100;
let silenceTimer: ReturnType<typeof setInterval> | undefined;

/**
 * y-websocket's own watchdog waits 30 s (a module constant in y-websocket 3, not an option) and
 * looks every 3 s: far too slow for an honest badge. This one drops a connection that has heard
 * nothing for CLIENT_SILENCE_MS and reconnects (with the provider's back-off from then on), but
 * only on a relay that answered our subprotocol: only those heartbeat, and on a relay that does
 * not, a quiet document would look like a dead network.
 */
function watchSilence(p: WebsocketProvider): void {
  clearInterval(silenceTimer);
  silenceTimer = setInterval(() => {
    if (p !== provider || !p.wsconnected || !p.ws || p.ws.protocol !== SUBPROTOCOL) return;
    if (Date.now() - p.wsLastMessageReceived <= CLIENT_SILENCE_MS) return;
    // disconnect() closes the socket without waiting for a close handshake the dead network would never carry.
    p.disconnect();
    if (!networkDown) p.connect();
  }, SILENCE_CHECK_MS);
}

export async function connect(link: SyncSettings): Promise<void> {
  const sameLink = view.link?.relayUrl === link.relayUrl && view.link.workspaceId === link.workspaceId && view.link.token === link.token;
  disconnect();
  await saveLink(link);
  set({ status: 'connecting', message: '', link, paused: false, identity: sameLink ? view.identity : null });
  // The token travels as a subprotocol, not in the URL, so proxies' access logs never hold it.
  const p = new WebsocketProvider(link.relayUrl, link.workspaceId, ydoc, { params: { [PARAM.version]: String(PROTOCOL_VERSION) }, protocols: roomProtocols(link.token), connect: false });
  provider = p;
  // Reconnect or stop as the protocol says for each close code (a refused link, a document too
  // large for the relay: stop, and say so), and follow the connection's state.
  unwatch = watchProvider(p, (state) => {
    watched = state;
    showWatched();
  });
  p.messageHandlers[MESSAGE.held] = (_encoder, decoder) => compareWithRelay(decoding.readVarUint8Array(decoder));
  p.messageHandlers[MESSAGE.identity] = (_encoder, decoder) => {
    const identity = readIdentity(decoder);
    if (p !== provider || !identity || JSON.stringify(identity) === JSON.stringify(view.identity)) return;
    set({ identity });
    // Teammates see the name the link was issued to (the core has made it the author by now).
    p.awareness.setLocalStateField('user', { name: currentDisplayName() });
  };
  p.on('sync', (isSynced) => isSynced && askWhatRelayHolds());
  p.awareness.setLocalStateField('user', { name: currentDisplayName() });
  p.awareness.on('change', () => {
    const others = [...p.awareness.getStates()].filter(([id]) => id !== p.awareness.clientID);
    set({ peers: others.map(([, state]) => ({ name: (state.user as { name?: string } | undefined)?.name ?? 'Someone', where: (state.where as string | undefined) ?? '' })) });
  });
  watchSilence(p);
  if (networkDown) showWatched();
  else p.connect();
}

/** Resolves at the first full sync with the relay, or after `ms` (offline start). */
export function firstSync(ms: number): Promise<boolean> {
  const p = provider;
  if (!p) return Promise.resolve(false);
  if (p.synced) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.once('sync', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stops sending and receiving for a while (the laptop going offline), keeping every local edit. */
export function pauseSync(): void {
  provider?.disconnect();
  set({ paused: true });
}

export function resumeAfterPause(): void {
  set({ paused: false });
  if (!networkDown) reconnectNow();
}

/** Connects again at once: no back-off left over from the attempts that failed while the network was gone. */
function reconnectNow(): void {
  const p = provider;
  if (!p) return;
  p.wsUnsuccessfulReconnects = 0;
  if (p.wsconnected) return;
  // A socket still "connecting" from before may hang on a dead route: start afresh.
  if (p.ws) p.disconnect();
  p.connect();
}

/**
 * The browser's word on the network (the tabs' `online`/`offline` events, and this thread's own).
 * Offline: the connection is dropped and shown offline at once, and no attempt is made until the
 * browser is online again; then one is made at once. A stopped link (refused, too large) stays
 * stopped, and a paused one paused.
 */
export function networkChanged(online: boolean): void {
  if (online !== networkDown) return;
  networkDown = !online;
  const p = provider;
  if (!p || view.paused || stoppedState(watched.state)) {
    if (p) showWatched();
    return;
  }
  if (online) reconnectNow();
  else p.disconnect();
  showWatched();
}

/** Closes the connection; the link stays saved (for `resumeSync`). */
export function disconnect(): void {
  unwatch?.();
  unwatch = null;
  clearInterval(silenceTimer);
  provider?.destroy();
  provider = null;
  watched = { state: 'connecting', message: '', code: 0 };
  clearTimeout(savedTimer);
  set({ status: 'off', message: '', peers: [], saved: true });
}

/** Leaves the shared workspace on this device: disconnected, and the link forgotten. */
export async function forgetSync(): Promise<void> {
  disconnect();
  await saveLink(null);
  set({ link: null, identity: null });
}

/** Keeps a new link for the next start, without connecting now (joining a workspace). */
export async function keepLink(link: RelayLink): Promise<void> {
  disconnect();
  await saveLink(link);
  set({ link, identity: null });
}

/** Tells teammates which screen and row this person is on (presence). */
export function announceWhere(where: string): void {
  provider?.awareness.setLocalStateField('where', where);
  provider?.awareness.setLocalStateField('user', { name: currentDisplayName() });
}

/** Reconnects on start when this device was connected before. */
export async function resumeSync(): Promise<void> {
  if (view.link) await connect(view.link);
}

/** Connects again with the saved link after a stop (the relay cut this device off for its message rate). */
export async function reconnect(): Promise<void> {
  if (view.link) await connect(view.link);
}

// The core's own thread hears the browser's network events too (a SharedWorker may have no tab that is listening).
const scope = globalThis as { addEventListener?: (type: string, listener: () => void) => void };
scope.addEventListener?.('online', () => networkChanged(true));
scope.addEventListener?.('offline', () => networkChanged(false));
