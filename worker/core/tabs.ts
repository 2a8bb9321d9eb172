import * as Y from 'yjs';

/**
 * Tabs of one workspace in one browser, kept in step over a BroadcastChannel (see ARCHITECTURE.md,
 * "Tabs"). y-indexeddb stores every tab's edits in the same database but never tells the other
 * tabs, and each tab has its own engine and import workers; so:
 *
 * - every Yjs update of this tab's document (except those it received from another tab) goes to the
 *   other tabs, which apply it with the origin `TAB`: recompute.ts then classifies it like a
 *   teammate's edit, and the undo manager (which tracks only `local-edit`) leaves it out;
 * - a tab that opens asks the others for what it lacks (its state vector → their diff), so it
 *   converges even before y-indexeddb has loaded, and answers with what they lack;
 * - an import, a clear or saved settings change the datasets in IndexedDB (Dexie), which every tab
 *   reads: `dataChanged()` tells the other tabs to reconcile once;
 * - joining another workspace replaces the document: `workspaceChanged()` makes the other tabs reload.
 */

/** The transaction origin of an update that came from another tab of this browser. */
export const TAB = 'tab';

export type TabMessage =
  | { type: 'update'; update: Uint8Array }
  | { type: 'hello'; from: string; sv: Uint8Array }
  | { type: 'welcome'; from: string; to: string; sv: Uint8Array; update: Uint8Array }
  | { type: 'data-changed'; from: string }
  | { type: 'workspace-changed'; from: string };

/** What a BroadcastChannel offers that this module uses (Node's and the browser's alike). */
export interface ChannelLike {
  postMessage(message: TabMessage): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

export interface TabLinkOptions {
  /** The channel's name: one per workspace. */
  name: string;
  /** Another tab changed the datasets in IndexedDB: reconcile. */
  onDataChanged?: () => void;
  /** Another tab joined another workspace: this tab's document is stale (reload). */
  onWorkspaceChanged?: () => void;
  /** Updates of these origins are not sent (y-indexeddb's load: every tab reads the same database). */
  quiet?: (origin: unknown) => boolean;
  /** For tests: the channel to use instead of a BroadcastChannel. */
  channel?: ChannelLike;
}

export interface TabLink {
  /** Tells the other tabs that this tab changed the datasets in IndexedDB. */
  dataChanged(): void;
  /** Tells the other tabs that this browser now holds another workspace. */
  workspaceChanged(): void;
  /** Asks the other tabs for what this tab lacks; resolves true at the first answer, false after `ms`. */
  catchUp(ms: number): Promise<boolean>;
  close(): void;
}

/** Whether `vector` lacks anything of `doc` (then the diff is worth sending). */
function hasMoreThan(doc: Y.Doc, vector: Uint8Array): boolean {
  const theirs = Y.decodeStateVector(vector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) if ((theirs.get(client) ?? 0) < clock) return true;
  return false;
}

/** Links `doc` with the same workspace's document in the browser's other tabs. Without BroadcastChannel, does nothing. */
export function linkTabs(doc: Y.Doc, options: TabLinkOptions): TabLink {
  const channel: ChannelLike | null = options.channel ?? (typeof BroadcastChannel === 'function' ? (new BroadcastChannel(options.name) as unknown as ChannelLike) : null);
  const id = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : String(Math.random());
  let closed = false;
  const post = (message: TabMessage) => {
    if (!closed) channel?.postMessage(message);
  };
  const answered = new Set<() => void>();

  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === TAB || options.quiet?.(origin)) return;
    post({ type: 'update', update });
  };
  doc.on('update', onUpdate);

  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      const message = event.data as TabMessage;
      switch (message.type) {
        case 'update':
          Y.applyUpdate(doc, message.update, TAB);
          break;
        case 'hello':
          post({ type: 'welcome', from: id, to: message.from, sv: Y.encodeStateVector(doc), update: Y.encodeStateAsUpdate(doc, message.sv) });
          break;
        case 'welcome':
          if (message.to !== id) break;
          Y.applyUpdate(doc, message.update, TAB);
          // What this tab has and that one lacks (edits made before the channel opened).
          if (hasMoreThan(doc, message.sv)) post({ type: 'update', update: Y.encodeStateAsUpdate(doc, message.sv) });
          for (const resolve of answered) resolve();
          answered.clear();
          break;
        case 'data-changed':
          options.onDataChanged?.();
          break;
        case 'workspace-changed':
          options.onWorkspaceChanged?.();
          break;
      }
    };
  }

  const hello = () => post({ type: 'hello', from: id, sv: Y.encodeStateVector(doc) });
  hello();

  return {
    dataChanged: () => post({ type: 'data-changed', from: id }),
    workspaceChanged: () => post({ type: 'workspace-changed', from: id }),
    catchUp(ms: number) {
      if (!channel) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          answered.delete(done);
          resolve(false);
        }, ms);
        answered.add(done);
        hello();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      doc.off('update', onUpdate);
      if (channel) {
        channel.onmessage = null;
        channel.close();
      }
      for (const resolve of answered) resolve();
      answered.clear();
    },
  };
}

/** The channel of a workspace: the local one, or a shared workspace by its id. */
export function tabChannelName(workspaceId: string | null): string {
  return `ledgerline-tabs:${workspaceId ?? 'local'}`;
}

/** The lock every tab takes to open the document and, on a profile's first start, import the demo. */
export const FIRST_START_LOCK = 'ledgerline-first-start';
/** The lock around importing teammates' shared batches, so two tabs never import one twice. */
export const SHARED_BATCHES_LOCK = 'ledgerline-shared-batches';

/**
 * Runs `body` holding the named Web Lock (exclusive across this origin's tabs and workers), or
 * directly where the Web Locks API is missing.
 */
export function withLock<T>(name: string, body: () => Promise<T>): Promise<T> {
  if (typeof navigator === 'undefined' || !navigator.locks?.request) return body();
  return navigator.locks.request(name, body) as Promise<T>;
}
