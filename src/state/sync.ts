import { createSignal } from 'solid-js';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { HELD_QUERY, MESSAGE, blobUrl as protocolBlobUrl, roomParams, watchProvider, type RelayLink, type SyncState } from '../../worker/protocol/syncProtocol';
import { clearLocalDoc, currentDisplayName, ydoc } from './doc';
import { FIRST_START_LOCK, activeTabLink, setActiveTabLink, withLock } from './tabs';

/**
 * Teammate sync: the workspace document travels through the relay (server/) with the stock
 * y-websocket client. Connection settings stay on this device; edits are always saved locally
 * first (y-indexeddb), so going offline loses nothing and the next connection sends them.
 */

/** ws:// or wss:// address of the relay, the workspace, and a token for it. */
export type SyncSettings = RelayLink;

/**
 * 'off' (not shared), or the connection's state as the protocol module reads it: a refused link,
 * a document too large for the relay and a protocol mismatch stop reconnecting (worker/protocol/syncProtocol.ts).
 */
export type SyncStatus = 'off' | SyncState;

const SETTINGS_KEY = 'ledgerline.sync';
const [status, setStatus] = createSignal<SyncStatus>('off');
/** Why sync stopped or is offline, for people (empty while connecting or online). */
const [statusMessage, setStatusMessage] = createSignal('');
const [peers, setPeers] = createSignal<{ name: string; where: string }[]>([]);
export { status as syncStatus, statusMessage as syncMessage, peers };

let provider: WebsocketProvider | null = null;
let unwatch: (() => void) | null = null;

export function savedSyncSettings(): SyncSettings | null {
  try {
    const value = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? 'null') as SyncSettings | null;
    return value && value.relayUrl && value.workspaceId && value.token ? value : null;
  } catch {
    return null;
  }
}

/** A share link: the app's address with the relay, the workspace and a token in the hash. */
export function shareLink(settings: SyncSettings, appUrl = `${location.origin}${location.pathname}`): string {
  const q = new URLSearchParams({ relay: settings.relayUrl, workspace: settings.workspaceId, token: settings.token });
  return `${appUrl}#/join?${q.toString()}`;
}

export function parseShareLink(hashQuery: string): SyncSettings | null {
  const q = new URLSearchParams(hashQuery);
  const relayUrl = q.get('relay') ?? '';
  const workspaceId = q.get('workspace') ?? '';
  const token = q.get('token') ?? '';
  return /^wss?:\/\//.test(relayUrl) && workspaceId && token ? { relayUrl, workspaceId, token } : null;
}

const [saved, setSaved] = createSignal(true);
export { saved as savedOnRelay };
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
  setSaved(all);
  if (all) clearTimeout(savedTimer);
}

ydoc.on('update', (_update: Uint8Array, origin: unknown) => {
  if (!provider || origin === provider) return;
  setSaved(false);
  clearTimeout(savedTimer);
  savedTimer = setTimeout(askWhatRelayHolds, 200);
});

export function connect(settings: SyncSettings): void {
  disconnect();
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  setStatus('connecting');
  const p = new WebsocketProvider(settings.relayUrl, settings.workspaceId, ydoc, { params: roomParams(settings.token) });
  provider = p;
  // Reconnect or stop as the protocol says for each close code (a refused link, a document too
  // large for the relay: stop, and say so), and follow the connection's state.
  unwatch = watchProvider(p, ({ state, message }) => {
    setStatus(state);
    setStatusMessage(message);
  });
  p.messageHandlers[MESSAGE.held] = (_encoder, decoder) => compareWithRelay(decoding.readVarUint8Array(decoder));
  p.on('sync', (isSynced) => isSynced && askWhatRelayHolds());
  p.awareness.setLocalStateField('user', { name: currentDisplayName() });
  p.awareness.on('change', () => {
    const others = [...p.awareness.getStates()].filter(([id]) => id !== p.awareness.clientID);
    setPeers(others.map(([, state]) => ({ name: (state.user as { name?: string } | undefined)?.name ?? 'Someone', where: (state.where as string | undefined) ?? '' })));
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
  setPaused(true);
}

export function resumeAfterPause(): void {
  provider?.connect();
  setPaused(false);
}

const [paused, setPaused] = createSignal(false);
export { paused };

/**
 * Joins a shared workspace: this device's document is replaced by the shared one (its imported
 * data stays), then the page reloads and connects before anything local is written.
 */
export async function joinWorkspace(settings: SyncSettings): Promise<void> {
  disconnect();
  // Holding the lock every tab's start takes to open the document: this browser's other tabs
  // reload (their document is the old workspace's) and open the new one only once it is cleared.
  await withLock(FIRST_START_LOCK, async () => {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    const tabs = activeTabLink();
    tabs?.workspaceChanged();
    tabs?.close();
    setActiveTabLink(null);
    await clearLocalDoc();
  });
  location.hash = '#/';
  location.reload();
}

export function disconnect(): void {
  unwatch?.();
  unwatch = null;
  provider?.destroy();
  provider = null;
  setStatus('off');
  setStatusMessage('');
  setPeers([]);
}

export function forgetSync(): void {
  disconnect();
  localStorage.removeItem(SETTINGS_KEY);
}

/** Tells teammates which screen and row this person is on (presence). */
export function announceWhere(where: string): void {
  provider?.awareness.setLocalStateField('where', where);
  provider?.awareness.setLocalStateField('user', { name: currentDisplayName() });
}

/** Reconnects on start when this device was connected before. */
export function resumeSync(): void {
  const saved = savedSyncSettings();
  if (saved) connect(saved);
}

/** The relay's HTTP address for a blob (same host and base path as the websocket): see worker/protocol/syncProtocol.ts. */
export const blobUrl: (settings: SyncSettings, hash: string) => string = protocolBlobUrl;
