import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { HELD_QUERY, MESSAGE, roomParams, watchProvider, type RelayLink } from '../protocol/syncProtocol';
import { SYNC_OFF, type SyncView } from '../protocol/coreEvents';
import type { LedgerlineDb } from './db';
import { currentDisplayName, ydoc } from './doc';

/**
 * Teammate sync: the workspace document travels through the relay (server/) with the stock
 * y-websocket client, from the core. The link (relay, workspace, token) stays on this device, in
 * IndexedDB; edits are always saved locally first (y-indexeddb), so going offline loses nothing and
 * the next connection sends them.
 */

export type SyncSettings = RelayLink;

let provider: WebsocketProvider | null = null;
let unwatch: (() => void) | null = null;
let view: SyncView = SYNC_OFF;
let report: (view: SyncView) => void = () => undefined;
let db: LedgerlineDb | null = null;

function set(patch: Partial<SyncView>): void {
  view = { ...view, ...patch };
  report(view);
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

export async function connect(link: SyncSettings): Promise<void> {
  disconnect();
  await saveLink(link);
  set({ status: 'connecting', message: '', link, paused: false });
  const p = new WebsocketProvider(link.relayUrl, link.workspaceId, ydoc, { params: roomParams(link.token) });
  provider = p;
  // Reconnect or stop as the protocol says for each close code (a refused link, a document too
  // large for the relay: stop, and say so), and follow the connection's state.
  unwatch = watchProvider(p, ({ state, message }) => set({ status: state, message }));
  p.messageHandlers[MESSAGE.held] = (_encoder, decoder) => compareWithRelay(decoding.readVarUint8Array(decoder));
  p.on('sync', (isSynced) => isSynced && askWhatRelayHolds());
  p.awareness.setLocalStateField('user', { name: currentDisplayName() });
  p.awareness.on('change', () => {
    const others = [...p.awareness.getStates()].filter(([id]) => id !== p.awareness.clientID);
    set({ peers: others.map(([, state]) => ({ name: (state.user as { name?: string } | undefined)?.name ?? 'Someone', where: (state.where as string | undefined) ?? '' })) });
  });
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
  provider?.connect();
  set({ paused: false });
}

/** Closes the connection; the link stays saved (for `resumeSync`). */
export function disconnect(): void {
  unwatch?.();
  unwatch = null;
  provider?.destroy();
  provider = null;
  clearTimeout(savedTimer);
  set({ status: 'off', message: '', peers: [], saved: true });
}

/** Leaves the shared workspace on this device: disconnected, and the link forgotten. */
export async function forgetSync(): Promise<void> {
  disconnect();
  await saveLink(null);
  set({ link: null });
}

/** Keeps a new link for the next start, without connecting now (joining a workspace). */
export async function keepLink(link: RelayLink): Promise<void> {
  disconnect();
  await saveLink(link);
  set({ link });
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
