import type { ImportOutcome, ImportProgress, UnknownFile } from '../core/importBatch';
import type { DocTypeName } from '../doc/schema';
import { DEFAULT_APP_SETTINGS, type AppSettings } from '../doc/settings';
import type { ClientRowView, Overview } from '../views/types';
import type { LinkIdentity, LinkInfo, RelayLink, SyncState } from './syncProtocol';

/**
 * What the core (worker/core/) tells the screens. The core owns the workspace; a tab holds no
 * state of its own but the last `CoreState` it was sent, and refetches rows and lists when an
 * event's `changed` names them. Pure, so the screens import it by value (its initial state).
 */

export type LoadState = 'starting' | 'ready' | 'empty';

/** 'off' (not shared), or the connection's state as the protocol module reads it. */
export type SyncStatus = 'off' | SyncState;

export interface SyncView {
  status: SyncStatus;
  /** Why sync stopped or is offline, for people (empty while connecting or online). */
  message: string;
  peers: { name: string; where: string }[];
  /** Whether the relay holds every edit of this device (its state vector covers ours). */
  saved: boolean;
  paused: boolean;
  /** This device's link to a shared workspace (relay, workspace, token), or null. */
  link: RelayLink | null;
  /**
   * Who the relay says this link was issued to (its `MESSAGE.identity`), once it has said so; kept
   * while the link is this device's, so edits made offline are that person's too. Null otherwise.
   */
  identity: LinkIdentity | null;
}

/** A link of the shared workspace as Settings lists it: its state now, worked out by the core. */
export interface SharedLinkView extends LinkInfo {
  status: 'live' | 'revoked' | 'expired';
}

/**
 * Sharing from Settings (worker/core/sharing.ts): the relay whose admin key this device holds (the
 * key itself never leaves the core), and what the relay's admin API last answered.
 */
export interface SharingView {
  /** The relay (ws:// or wss://) this device holds the admin key of, or null. */
  adminRelay: string | null;
  /** The shared workspace's links as last read from the relay; null until read (or not shared there). */
  links: SharedLinkView[] | null;
  /** What went wrong with the last admin call, for people; empty when it worked. */
  error: string;
  /** An admin call is under way. */
  busy: boolean;
}

export const SHARING_OFF: SharingView = { adminRelay: null, links: null, error: '', busy: false };

/** A drop waiting for the wizard: the unknown files, and which one it shows now. */
export interface PendingView {
  unknown: UnknownFile[];
  index: number;
}

export const SYNC_OFF: SyncView = { status: 'off', message: '', peers: [], saved: true, paused: false, link: null, identity: null };

export interface CoreState {
  loadState: LoadState;
  overview: Overview | null;
  isDemo: boolean;
  settings: AppSettings;
  lastTimings: { loadMs: number; reconcileMs: number } | null;
  /**
   * How this core's start went, in ms since its thread started: the first tab's start, the
   * document's lock taken, the document loaded, the kept
   * views shown (null when the inputs had changed), the first reconcile done. Null on a first start.
   */
  opened: { start: number; locked: number; document: number; keptViews: number | null; reconciled: number } | null;
  /**
   * While the engine reads the data back after a start, the opening table kept from the last
   * session (rows by filter key): a tab shows it without asking the busy core. Null otherwise.
   */
  opening: Record<string, ClientRowView[]> | null;
  progress: ImportProgress | null;
  lastImport: ImportOutcome | null;
  pendingImport: PendingView | null;
  canUndo: boolean;
  canRedo: boolean;
  sync: SyncView;
  sharing: SharingView;
  displayName: string;
}

/** What a tab shows before the core's first answer. */
export const INITIAL_CORE_STATE: CoreState = {
  loadState: 'starting',
  overview: null,
  isDemo: false,
  settings: DEFAULT_APP_SETTINGS,
  lastTimings: null,
  opened: null,
  opening: null,
  progress: null,
  lastImport: null,
  pendingImport: null,
  canUndo: false,
  canRedo: false,
  sync: SYNC_OFF,
  sharing: SHARING_OFF,
  displayName: 'Someone',
};

/**
 * What changed: a top-level type of the document (its list on screen refetches), `rows` (the
 * engine's views: every screen refetches its rows), `imports` (the import history), or `state`
 * only (the fields sent with the event).
 */
export type Change = DocTypeName | 'rows' | 'imports' | 'state';

export interface CoreEvent {
  /** Bumped by every event, so a tab can tell it missed none. */
  revision: number;
  changed: Change[];
  state: Partial<CoreState>;
  /** The core is gone for good (this browser joined another workspace): reload the page. */
  reload?: true;
}

export type CoreListener = (event: CoreEvent) => void;

/** The core's state, and the listeners (one per tab) it is sent to on every change. */
export function createCoreEvents(initial: CoreState) {
  const state: CoreState = { ...initial };
  const listeners = new Set<CoreListener>();
  let revision = 0;
  const emit = (changed: Change[], patch: Partial<CoreState>, reload?: true) => {
    revision++;
    const event: CoreEvent = { revision, changed, state: patch, ...(reload ? { reload } : {}) };
    for (const listener of listeners) listener(event);
  };
  return {
    /** The state now (a tab's first picture of it). */
    now: (): CoreState => ({ ...state }),
    revision: () => revision,
    /** Changes fields of the state and tells every tab. */
    set(patch: Partial<CoreState>, changed: Change[] = ['state']): void {
      Object.assign(state, patch);
      emit(changed, patch);
    },
    /** Tells every tab that these parts changed (no field of the state did). */
    changed(changed: Change[]): void {
      if (changed.length > 0) emit(changed, {});
    },
    /** Tells every tab to reload: the core is closing. */
    reload(): void {
      emit([], {}, true);
    },
    listen(listener: CoreListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type CoreEvents = ReturnType<typeof createCoreEvents>;
