import * as Comlink from 'comlink';
import { createEffect, createResource, createRoot, createSignal, type Accessor } from 'solid-js';
import { afterPaint } from '../components/afterPaint';
import type { RowsChange } from '../components/DataGrid';
import { INITIAL_CORE_STATE, type Change, type CoreEvent, type CoreState } from '../../worker/protocol/coreEvents';
import type { CoreSession } from '../../worker/core/core';
import { filterKey } from '../../worker/views/billingFilter';
import { applyRowChange, type RowFeedAnswer } from '../../worker/views/rowFeed';
import type { BillingFilter, ClientRowView } from '../../worker/views/types';

/**
 * This tab's window on the core (worker/threads/core.worker.ts), which owns the workspace: the
 * document, the imported data, the engine and the relay connection. The tab sends commands
 * (`core.decide(…)`, `core.importFiles(…)`), hears events, and keeps only what they said: the
 * core's state as signals, and a stamp per changed part so the screens refetch what they show.
 */

function openCore(): Worker | MessagePort {
  // One core for every tab of this profile; a dedicated one per tab where SharedWorker is missing.
  // The URL is written inside each constructor: that is how the bundler finds and builds the worker.
  if (typeof SharedWorker === 'function') {
    const shared = new SharedWorker(new URL('../../worker/threads/core.worker.ts', import.meta.url), { type: 'module', name: 'ledgerline-core' });
    shared.onerror = (e) => console.error('Ledgerline core failed to start', e);
    return shared.port;
  }
  return new Worker(new URL('../../worker/threads/core.worker.ts', import.meta.url), { type: 'module', name: 'ledgerline-core' });
}

export const core = Comlink.wrap<CoreSession>(openCore());

const [state, setState] = createSignal<CoreState>(INITIAL_CORE_STATE);
/** Bumped when the engine's views changed (a reconcile, a review, notes): screens refetch their rows. */
const [revision, setRevision] = createSignal(0);
const [persisted, setPersisted] = createSignal<boolean | null>(null);

const field =
  <K extends keyof CoreState>(key: K): Accessor<CoreState[K]> =>
  () =>
    state()[key];
export const overview = field('overview');
export const loadState = field('loadState');
export const progress = field('progress');
export const lastImport = field('lastImport');
export const settings = field('settings');
export const lastTimings = field('lastTimings');
export const opened = field('opened');
export const isDemo = field('isDemo');
export const pendingImport = field('pendingImport');
export const canUndo = field('canUndo');
export const canRedo = field('canRedo');
export const sync = field('sync');
export const sharing = field('sharing');
export const displayName = field('displayName');
export { revision, persisted };

/** One stamp per part of the workspace a screen may list (rules, notes, the audit trail…), bumped when it changes. */
const stamps = new Map<Change, ReturnType<typeof createSignal<number>>>();
function stampOf(change: Change) {
  let s = stamps.get(change);
  if (!s) stamps.set(change, (s = createSignal(0)));
  return s;
}
/** A signal that changes whenever `change` does: read it in a resource's source to refetch. */
export function changed(change: Change): Accessor<number> {
  return stampOf(change)[0];
}

/**
 * What events said before the subscription's answer came: they come on the listener's own port,
 * so one may overtake that answer, and the answer (the state as it was) must not undo it.
 */
let heardBeforeAnswer: Partial<CoreState> | null = {};

function onEvent(event: CoreEvent): void {
  if (event.reload) {
    location.hash = '#/';
    location.reload();
    return;
  }
  if (heardBeforeAnswer) Object.assign(heardBeforeAnswer, event.state);
  if (Object.keys(event.state).length > 0) setState((s) => ({ ...s, ...event.state }));
  for (const change of event.changed) {
    if (change === 'rows') setRevision((r) => r + 1);
    const [, set] = stampOf(change);
    set((n) => n + 1);
  }
}

/** Who edits, for the audit trail: kept per device, in this browser. */
export const DISPLAY_NAME_KEY = 'ledgerline.displayName';
/** What versions before the core kept in localStorage: handed to the core once, then removed. */
const LEGACY_KEYS = { relayLink: 'ledgerline.sync', appliedBatches: 'ledgerline.appliedBatches' } as const;

/** Holds a Web Lock for the life of this tab, so the core can tell when it is gone. */
function holdTabLock(): Promise<string> {
  const name = `ledgerline-tab:${crypto.randomUUID()}`;
  if (!navigator.locks?.request) return Promise.resolve(name);
  return new Promise((held) => {
    void navigator.locks.request(name, () => {
      held(name);
      return new Promise<never>(() => undefined);
    });
  });
}

let markConnected: () => void = () => undefined;
/**
 * Resolves once the core has answered this tab. Until then the tab's main thread stays free for
 * the core's start: Chromium hands a shared worker its connection through the page's main thread
 * (measured on a reopen: the core's `connect` event came 130–380 ms after the core had loaded while
 * the page ran a long task, 2–6 ms when it did not), so work that can wait (ICU's warm-up) waits
 * for this.
 */
export const coreConnected = new Promise<void>((resolve) => (markConnected = resolve));

/** Opens the workspace in the core; main.tsx calls it once, before the screens have loaded. */
export async function start(): Promise<void> {
  void requestPersistence();
  const lock = await holdTabLock();
  // Both asked at once: the start does not wait for the subscription's answer to come back first
  // (an event that overtakes that answer is kept, see heardBeforeAnswer).
  const subscribed = core.subscribe(Comlink.proxy(onEvent), lock);
  const started = core.start({
    displayName: localStorage.getItem(DISPLAY_NAME_KEY) ?? 'Someone',
    legacy: { relayLink: localStorage.getItem(LEGACY_KEYS.relayLink), appliedBatches: localStorage.getItem(LEGACY_KEYS.appliedBatches) },
  });
  const answer = await subscribed;
  setState({ ...answer, ...heardBeforeAnswer });
  heardBeforeAnswer = null;
  markConnected();
  await started;
  localStorage.removeItem(LEGACY_KEYS.relayLink);
  localStorage.removeItem(LEGACY_KEYS.appliedBatches);
  followNetwork();
  // A tab that joined a core already running missed no event but may have started after its start.
  setState(await core.state());
  setRevision((r) => r + 1);
}

/** The longest the deferred start-up work waits for a first view (a start stuck on the relay, say). */
const FIRST_VIEW_WAIT_MS = 10_000;

/**
 * Runs `work` once the first screen with the workspace in it has been drawn (its state no longer
 * "starting", then two frames), or after FIRST_VIEW_WAIT_MS: start-up work the first screen does
 * not need (the service worker, the charts' library) stays off the main thread until then.
 */
export function afterFirstView(work: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    work();
  };
  const timer = setTimeout(run, FIRST_VIEW_WAIT_MS);
  const painted = () => requestAnimationFrame(() => afterPaint(() => (clearTimeout(timer), run())));
  createRoot((dispose) => {
    createEffect(() => {
      if (state().loadState === 'starting') return;
      dispose();
      painted();
    });
  });
}

/**
 * The reconciled invoices table's rows: while the core reads the data back after a start, the
 * table kept from the last session comes with the state, so the table shows without waiting.
 */
export function clientRows(filter: BillingFilter): Promise<ClientRowView[]> {
  const kept = state().opening?.[filterKey(filter)];
  return kept ? Promise.resolve(kept) : core.clientRows(filter);
}

/** A long list as this tab holds it: the core's last answer, the rows, and how they changed from the rows before. */
export interface FollowedRows<T, A extends RowFeedAnswer<T>> {
  answer: A;
  rows: T[];
  /** For the grid (DataGrid's `change`); null when the answer brought the whole list. */
  change: RowsChange<T> | null;
}

/**
 * A list the core sends as changes (worker/views/rowFeed.ts), refetched when the engine's views
 * change: the first fetch brings the whole list, each later one what changed since the version
 * this tab holds, so an edit clones and shows only the rows it changed.
 */
export function followRows<T, A extends RowFeedAnswer<T>>(fetch: (since: string | null) => Promise<A>, key: (row: T) => string): Accessor<FollowedRows<T, A> | undefined> {
  const [data] = createResource(revision, async (_revision, { value: before }: { value: FollowedRows<T, A> | undefined }) => {
    const answer = await fetch(before?.answer.version ?? null);
    if (answer.rows || !before) return { answer, rows: answer.rows ?? [], change: null };
    const rows = applyRowChange(before.rows, answer, key);
    return { answer, rows, change: { from: before.rows, to: rows, removed: answer.removed, upserts: answer.upserts } };
  });
  return () => data.latest;
}

/**
 * The browser's word on the network, for the core: a SharedWorker's own \`offline\` event cannot be
 * relied on (an emulated or per-page offline state never reaches it), and the badge must say
 * "offline" at once rather than after the relay's silence.
 */
function followNetwork(): void {
  const tell = () => void core.networkChanged(navigator.onLine);
  addEventListener('online', tell);
  addEventListener('offline', tell);
  if (!navigator.onLine) tell();
}

/** Sets who edits (audit trail, presence) for this device. */
export function setDisplayName(name: string): Promise<void> {
  localStorage.setItem(DISPLAY_NAME_KEY, name);
  return core.setDisplayName(name);
}

/** What the core ran since it started (reconciles, review-only and notes-only updates). */
export function engineStats() {
  return core.stats();
}
// The browser tests read it (the dev server, and the build test/browser/globalSetup.ts makes): an approval must cost no reconcile.
if (import.meta.env.DEV || import.meta.env.VITE_LEDGERLINE_TEST_HOOKS) Object.assign(globalThis, { __ledgerlineEngineStats: engineStats });

async function requestPersistence(): Promise<void> {
  if (!navigator.storage?.persist) {
    setPersisted(false);
    return;
  }
  setPersisted((await navigator.storage.persisted()) || (await navigator.storage.persist()));
}
