import type { ClientMapEntry, ServiceRule } from '../engine/model';
import type { PresetId } from '../mapping/presets';
import { blobUrl, type RelayLink } from '../protocol/syncProtocol';
import { DEFAULT_OUTLIER_AMOUNT } from '../review/reviewState';
import type { SnapshotMeta } from '../review/snapshots';
import type { FileOverrides, SourceProfile } from '../sources/types';
import type { BillingFilter, GroupBy, Overview, ReviewInput, ReviewQuery } from '../views/types';
import { INITIAL_CORE_STATE, createCoreEvents, type CoreListener, type CoreState, type PendingView } from '../protocol/coreEvents';
import { DEFAULT_APP_SETTINGS, openDb, type AppSettings } from './db';
import * as doc from './doc';
import { BATCH, IMPORT, LOCAL, batch, isPersistenceOrigin, yDatasets, ydoc, yProfiles } from './doc';
import { createEngineHost } from './engineHost';
import type { ImportInput, ImportOutcome, ImportProgress, UnknownFile } from './importBatch';
import type { Importer } from './importer';
import { changedTypeNames } from '../doc/schema';
import { createScheduler, followDoc, larger, type Recompute } from './recompute';
import { OPENING_FILTER, filterKey } from '../views/billingFilter';
import { monthCloseChart } from '../views/charts';
import { monthComparison } from '../views/monthComparison';
import { asOfKey, readKeptViews, readViewCache, viewKey, worthShowingEarly, writeViewCache, type ViewCacheRecord, type ViewInputs } from './viewCache';
import * as sync from './sync';
import { createSharing } from './sharing';
import { FIRST_START_LOCK, SHARED_BATCHES_LOCK, linkTabs, tabChannelName, withLock, type TabLink } from './tabs';

/**
 * The core: the one owner of a workspace in this browser. It holds the Yjs document (with
 * y-indexeddb and the relay's provider), the imported datasets (Dexie) and the engine, all on one
 * thread off the main thread (worker/threads/core.worker.ts). Screens send it typed commands (the
 * functions of `coreApi`), hear `{revision, changed}` events (./coreEvents.ts) and read views.
 */

const db = openDb();
const CORE_ID = crypto.randomUUID();
const engine = createEngineHost(db);
/**
 * The importer (readers of every export format, xlsx included) loads on the first import: a start
 * that only reopens the workspace does not compile it.
 */
let importerLoading: Promise<Importer> | null = null;
const importer = (): Promise<Importer> => (importerLoading ??= import('./importer').then((m) => m.createImporter(db)));

const events = createCoreEvents(INITIAL_CORE_STATE);
export { events };

/**
 * The engine work the document's changes need (./recompute.ts): a reconcile for mappings,
 * settings and data; review states and adjustments only for decisions; new notes only for notes.
 * Requests that arrive while one runs coalesce into one more run of the largest kind asked.
 */
const recompute = createScheduler(async (what) => {
  const started = performance.now();
  await (what === 'reconcile' ? refreshOnce() : what === 'review' ? reviewOnce() : notesOnce());
  noteTime(`recompute:${what}`, performance.now() - started);
});

function refresh(): Promise<void> {
  return recompute.request('reconcile');
}

/** The shared settings' as-of time when fixed: the month a PSA export is billed for (else now). */
function fixedAsOf(): string | null {
  const s = doc.settingsNow();
  return s?.asOfMode === 'fixed' && s.asOf ? s.asOf : null;
}

const reviewNow = (): ReviewInput => ({ entries: doc.decisionsNow(), notes: doc.notesNow(), outlierAmount: DEFAULT_OUTLIER_AMOUNT });

async function refreshOnce(): Promise<void> {
  const shared = doc.settingsNow();
  const { overview, timings } = await engine.refresh({ ...doc.mappingSnapshot(), settings: shared, review: reviewNow() });
  const isDemo = (await db.getMeta('source', 'files')) === 'demo';
  events.set({ settings: shared ?? DEFAULT_APP_SETTINGS, isDemo, overview, lastTimings: timings, loadState: loadStateOf(overview) }, ['rows']);
  markLoaded();
  rememberViewSoon();
  await stampNewDismissals();
}

const loadStateOf = (overview: Overview) => (overview.clients === 0 && overview.usageRows === 0 ? 'empty' : 'ready');

/** Decisions changed: review states and adjustments from the last reconciliation, no reconcile. */
async function reviewOnce(): Promise<void> {
  const overview = engine.review(reviewNow());
  if (!overview) return refreshOnce();
  events.set({ overview, settings: doc.settingsNow() ?? DEFAULT_APP_SETTINGS }, ['rows']);
  rememberViewSoon();
  await stampNewDismissals();
}

/**
 * Notes, or settings no number depends on, changed: the tabs get the settings and refetch their
 * rows, which carry the notes (and "Accept N" at the threshold); nothing is recomputed.
 */
async function notesOnce(): Promise<void> {
  if (!engine.notes(doc.notesNow())) return refreshOnce();
  events.set({ settings: doc.settingsNow() ?? DEFAULT_APP_SETTINGS }, ['rows']);
  rememberViewSoon();
}

/** Resolves when the engine has reconciled once: its queries wait for it. */
let markLoaded: () => void = () => undefined;
const loaded = new Promise<void>((resolve) => (markLoaded = resolve));

/** Every input the numbers read, for the key of the views kept for the next opening (./viewCache.ts). */
async function viewInputs(): Promise<ViewInputs> {
  return { dataVersion: await db.getMeta('dataVersion', 0), document: { ...doc.mappingSnapshot(), settings: doc.settingsNow(), review: reviewNow() }, asOf: asOfKey(fixedAsOf(), new Date()) };
}

let rememberTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * Keeps the opening views for the next start, a moment after the last change: after the tabs'
 * refetches (which wait behind it on this thread otherwise), and soon enough that a tab closed
 * right after an import still leaves them.
 */
function rememberViewSoon(): void {
  clearTimeout(rememberTimer);
  rememberTimer = setTimeout(() => void rememberView(), 200);
}

async function rememberView(): Promise<void> {
  const { overview, isDemo } = events.now();
  if (!overview) return;
  const inputs = await viewInputs();
  const clientRows = { [filterKey(OPENING_FILTER)]: engine.clientRows(OPENING_FILTER) };
  await writeViewCache(db, { key: viewKey(inputs), dataVersion: inputs.dataVersion, asOf: inputs.asOf, settings: doc.settingsNow(), isDemo, overview, clientRows });
}

/** When this core's start reached each step, in ms since the core's thread started (Settings shows it). */
const opened: NonNullable<CoreState['opened']> = { start: 0, locked: 0, document: 0, keptViews: null, reconciled: 0 };

async function showKeptViews(): Promise<boolean> {
  const kept = await readViewCache(db, viewKey(await viewInputs()));
  if (!kept) return false;
  showViews(kept);
  return true;
}

function showViews(kept: ViewCacheRecord): void {
  // Until the engine has reconciled once after a start, the table kept for exactly these inputs
  // shows at once, and the reconcile that follows gives the same numbers. The rows go with the event: the tabs' own query would wait behind the reconcile that follows.
  events.set({ overview: kept.overview, opening: kept.clientRows, settings: { ...DEFAULT_APP_SETTINGS, ...kept.settings }, isDemo: kept.isDemo, loadState: loadStateOf(kept.overview) }, ['rows']);
}

/**
 * Before the document has loaded (y-indexeddb takes a while on a large one), the kept views when
 * what can be checked without it holds; returns their key, to check the rest once it has loaded.
 * Only a start that finds the workspace initialised shows them (a first start imports the demo).
 */
async function showKeptViewsEarly(): Promise<string | null> {
  const [initialised, kept, dataVersion] = await Promise.all([db.getMeta('initialised', false), readKeptViews(db), db.getMeta('dataVersion', 0)]);
  if (!initialised || !kept || !worthShowingEarly(kept, dataVersion, new Date())) return null;
  showViews(kept);
  return kept.key;
}

/** The document says the views shown early are not this workspace's now: back to "Opening…" until the reconcile. */
function takeBackKeptViews(): void {
  events.set({ overview: null, opening: null, loadState: 'starting' }, ['rows']);
}

/** An engine query, answered once the engine has reconciled (a tab may ask while it starts). */
const afterLoad =
  <A extends unknown[], R>(query: (...args: A) => R) =>
  async (...args: A): Promise<Awaited<R>> => {
    await loaded;
    return await query(...args);
  };

/** Dismissals that came without their numbers (an import, a teammate's old version) take the current ones. */
async function stampNewDismissals(): Promise<void> {
  if (doc.decisionsNow().some((d) => d.decision === 'dismiss' && d.dismissedQtyDelta === undefined)) doc.stampDismissals(engine.discrepancies({}));
}

const onProgress = (progress: ImportProgress) => events.set({ progress });

async function runImport(run: () => Promise<ImportOutcome>, announce = true, takeMappings = true): Promise<ImportOutcome> {
  events.set({ progress: { fileName: '', phase: 'reading', fraction: 0 } });
  try {
    const outcome = await run();
    if (announce || !outcome.ok) events.set({ lastImport: outcome });
    if (outcome.ok && takeMappings) {
      // A bundle sets the workspace's settings (its asOf): for every teammate alike.
      // One transaction, which reconciles nothing by itself: the refresh below is the import's one reconcile.
      doc.takeImport(outcome.mappings, outcome.mappings.settings ?? null, outcome.files.find((f) => f.kind === 'decisions')?.fileName ?? 'a bundle');
    }
    // A failed import stores nothing, but may record a failed sync (integration health).
    // A core of another version of the app reads the same IndexedDB: it reconciles too.
    tabs?.dataChanged();
    await refresh();
    // After the reconcile: what a screen refetches on `imports` (the history, the PSA's clients) is new by then.
    events.changed(['imports']);
    return outcome;
  } finally {
    events.set({ progress: null });
  }
}

/**
 * A drop with files no profile knows waits here while the wizard maps them one by one (or the user
 * skips them); nothing of it is written until then. Then the whole drop is imported again, with
 * the new profiles, as one all-or-nothing import.
 */
interface PendingImport extends PendingView {
  inputs: ImportInput[];
  skip: string[];
  overrides: Record<string, FileOverrides>;
}

let pending: PendingImport | null = null;
function setPending(next: PendingImport | null): void {
  pending = next;
  events.set({ pendingImport: next && { unknown: next.unknown, index: next.index } });
}

/** What the user chose for a drop's files in the wizard: files to skip, and per-file overrides. */
export type DropChoices = { skip?: string[]; overrides?: Record<string, FileOverrides> };

/**
 * The drop the import report on screen belongs to, so its buttons (adjust a file in the wizard,
 * rename a tenant) work without dropping the files again.
 */
let lastDrop: { inputs: ImportInput[]; choices: DropChoices } | null = null;

async function importFiles(inputs: ImportInput[], choices: DropChoices = {}): Promise<ImportOutcome> {
  setPending(null);
  lastDrop = { inputs, choices };
  const outcome = await runImport(async () => (await importer()).importFiles(inputs, onProgress, { profiles: doc.profilesNow(), tenantNames: doc.tenantNamesNow(), asOf: fixedAsOf(), ...choices }));
  if (!outcome.ok && outcome.unknown.length > 0 && outcome.errors.length === 0) {
    setPending({ inputs, unknown: outcome.unknown, index: 0, skip: choices.skip ?? [], overrides: choices.overrides ?? {} });
  }
  if (outcome.ok) {
    // A tenant named in the wizard keeps its name next month (its file is then recognised by the profile).
    for (const r of outcome.report) {
      const name = choices.overrides?.[r.file]?.clientName;
      if (r.tenant && name && name !== r.tenant.foundName) doc.setTenantName(r.tenant.integrationId, r.tenant.foundName, name);
    }
    // Teammates get the files this import read (not those skipped), and the profiles are in the document already.
    const skipped = new Set(outcome.report.filter((r) => r.status === 'skipped').map((r) => r.file));
    void shareImport(inputs.filter((i) => !skipped.has(i.name)), choices.overrides ?? {});
  }
  return outcome;
}

/**
 * Opens the wizard on a file a profile recognised but whose values did not read (dates in another
 * order, a decimal comma): starting from that profile, the user adjusts and saves a profile of the
 * file's own, and the drop is imported again.
 */
function adjustFile(file: string): boolean {
  const outcome = events.now().lastImport;
  const target = outcome && !outcome.ok ? outcome.adjustable.find((f) => f.file === file) : undefined;
  if (!target || !lastDrop) return false;
  setPending({ inputs: lastDrop.inputs, unknown: [target], index: 0, skip: lastDrop.choices.skip ?? [], overrides: lastDrop.choices.overrides ?? {} });
  return true;
}

/**
 * Renames the client of a per-client export (a Microsoft 365 tenant named after its domain): the
 * name is kept in the shared document for every later file of that tenant, and the file is
 * imported again at once under the new name, replacing its rows under the old one.
 */
async function renameTenant(file: string, tenant: { integrationId: string; foundName: string }, currentName: string, name: string): Promise<string | null> {
  const input = lastDrop?.inputs.find((i) => i.name === file || file.startsWith(`${i.name}/`));
  if (!input || !lastDrop) return 'Drop the file again to rename its client: this page no longer holds it.';
  const problem = doc.setTenantName(tenant.integrationId, tenant.foundName, name);
  if (problem) return problem;
  const overrides = { ...lastDrop.choices.overrides, [file]: { ...lastDrop.choices.overrides?.[file], clientName: undefined, replacesClient: currentName } };
  const outcome = await importFiles([input], { skip: lastDrop.choices.skip, overrides });
  return outcome.ok ? null : outcome.messages[0] ?? 'The file could not be imported again.';
}

/**
 * The wizard's answer for the file it shows: a profile saved for it (with a client name for a
 * per-client export), or skip it. After the last unknown file the drop is imported again.
 */
async function resolveUnknown(answer: { profile: SourceProfile; clientName?: string } | 'skip'): Promise<string | null> {
  if (!pending) return null;
  const file = pending.unknown[pending.index]!.file;
  const next: PendingImport = { ...pending, index: pending.index + 1, skip: [...pending.skip], overrides: { ...pending.overrides } };
  if (answer === 'skip') next.skip.push(file);
  else {
    const problem = doc.saveProfile(answer.profile);
    if (problem) return problem;
    next.overrides[file] = { profileId: answer.profile.id, ...(answer.clientName ? { clientName: answer.clientName } : {}) };
  }
  if (next.index < next.unknown.length) {
    setPending(next);
    return null;
  }
  await importFiles(next.inputs, { skip: next.skip, overrides: next.overrides });
  return null;
}

/** In a shared workspace, an import goes to the relay as blobs, and the document lists it for teammates. */
async function shareImport(inputs: ImportInput[], overrides: Record<string, FileOverrides>): Promise<void> {
  const link = sync.savedSyncSettings();
  if (!link) return;
  const packed = await (await importer()).packForSharing(inputs);
  for (const file of packed) {
    const response = await fetch(blobUrl(link, file.hash), { method: 'PUT', body: file.bytes as BlobPart });
    if (!response.ok) throw new Error(`the relay refused ${file.name}: ${response.status}`);
  }
  const names = new Set(packed.map((f) => f.name));
  const mine = Object.fromEntries(Object.entries(overrides).filter(([file]) => names.has(file) || [...names].some((n) => file.startsWith(`${n}/`))));
  const shared = { id: crypto.randomUUID(), at: new Date().toISOString(), by: doc.currentDisplayName(), files: packed.map((f) => ({ name: f.name, hash: f.hash, size: f.bytes.length })), ...(Object.keys(mine).length > 0 ? { overrides: mine } : {}) };
  await markApplied(shared.id);
  doc.announceBatch(shared);
}

async function applied(): Promise<Set<string>> {
  return new Set(await db.getMeta('appliedBatches', []));
}
async function markApplied(id: string): Promise<void> {
  await db.setMeta('appliedBatches', [...(await applied()), id]);
}

let applying = false;
/** Imports, in order, every shared batch this device has not applied yet (a teammate's import). */
async function applySharedBatches(): Promise<void> {
  const link = sync.savedSyncSettings();
  if (!link || applying) return;
  applying = true;
  try {
    // One core at a time (each re-reads what is applied), so two never import one batch twice.
    await withLock(SHARED_BATCHES_LOCK, () => applyUnapplied(link));
  } finally {
    applying = false;
  }
}

async function applyUnapplied(link: RelayLink): Promise<void> {
  for (const shared of yDatasets.toArray()) {
    if ((await applied()).has(shared.id)) continue;
    const files: { name: string; gzipped: Uint8Array }[] = [];
    for (const f of shared.files) {
      const response = await fetch(blobUrl(link, f.hash));
      if (!response.ok) return; // not there yet, or offline: try again on the next change
      files.push({ name: f.name, gzipped: new Uint8Array(await response.arrayBuffer()) });
    }
    // The teammate's mappings are already in the document: take only the data.
    // A batch that fails here failed for its sender too (same validation): applied either way.
    const outcome = await runImport(async () => (await importer()).importShared(files, onProgress, { profiles: doc.profilesNow(), tenantNames: doc.tenantNamesNow(), asOf: fixedAsOf(), overrides: shared.overrides ?? {} }), false, false);
    // A file no profile knows yet: the sender's profile is on its way in the document.
    if (!outcome.ok && outcome.errors.length === 0 && outcome.unknown.length > 0) return;
    await markApplied(shared.id);
  }
}

function loadDemo(announce = true): Promise<ImportOutcome> {
  return runImport(async () => (await importer()).importDemo(onProgress), announce);
}

async function clearWorkspace(): Promise<void> {
  await (await importer()).clearWorkspace();
  doc.takeImport({ clientMap: [], serviceMap: [], decisions: [] }, DEFAULT_APP_SETTINGS, 'clearing the workspace');
  tabs?.dataChanged();
  events.set({ lastImport: null });
  await refresh();
  events.changed(['imports']);
}

async function saveSettings(next: AppSettings): Promise<void> {
  batch(() => doc.setSharedSettings(next, LOCAL));
  await refresh();
}

/** The workspace's threshold for suggested client matches (AppSettings.suggestionThreshold). */
const suggestionThreshold = (): number => (doc.settingsNow() ?? DEFAULT_APP_SETTINGS).suggestionThreshold;

/**
 * Sets the workspace's suggestion threshold. No number depends on it: the recompute follower
 * rates it a `notes` run (VIEW_ONLY_SETTINGS), here and on a teammate's device alike, which sends
 * the tabs the new settings and has them refetch their rows, whose "Accept N" count follows.
 */
function setSuggestionThreshold(value: number): string | null {
  return doc.setSuggestionThreshold(value);
}

/**
 * Cores of this browser that do not share one thread (a browser without SharedWorker, two versions
 * of the app open at once) keep their documents in step over a BroadcastChannel (./tabs.ts).
 */
let tabs: TabLink | null = null;

/**
 * Until the first reconciliation has run, what others ask for (their edits, their imports) is
 * kept here and run once afterwards: the screens stay on "Opening your workspace…" meanwhile.
 */
let startDone = false;
let missedAtStart: Recompute = 'none';
function fromElsewhere(what: Recompute): void {
  if (startDone) void recompute.request(what);
  else missedAtStart = larger(missedAtStart, what);
}

/**
 * Settings once lived in IndexedDB beside the document; the document is their one home now. A
 * workspace from before keeps its settings: moved over once, then removed from IndexedDB.
 */
async function moveSettingsToDocument(): Promise<void> {
  const legacy = (await db.meta.get('settings'))?.value as AppSettings | undefined;
  if (legacy === undefined) return;
  if (doc.settingsNow() === null) doc.setSharedSettings(legacy, IMPORT);
  await db.meta.delete('settings');
}

/** What a tab brings to the start: who is editing, and what older versions kept in its localStorage. */
export interface StartInput {
  displayName: string;
  /** The relay link and applied shares an older version kept in localStorage (JSON), moved to IndexedDB once. */
  legacy?: { relayLink: string | null; appliedBatches: string | null };
}

async function moveLegacyDeviceState(legacy: StartInput['legacy']): Promise<void> {
  const parse = <T>(text: string | null): T | null => {
    try {
      return text ? (JSON.parse(text) as T) : null;
    } catch {
      return null;
    }
  };
  const link = parse<RelayLink>(legacy?.relayLink ?? null);
  if (link && (await db.getMeta('relayLink', null)) === null) await db.setMeta('relayLink', link);
  const batches = parse<string[]>(legacy?.appliedBatches ?? null);
  if (batches) await db.setMeta('appliedBatches', [...new Set([...(await db.getMeta('appliedBatches', [])), ...batches])]);
}

let started: Promise<void> | null = null;
/** Opens the workspace (once per core; every tab asks, the first one starts it). */
function start(input: StartInput): Promise<void> {
  setDisplayName(input.displayName);
  started ??= startOnce(input);
  return started;
}

async function startOnce(input: StartInput): Promise<void> {
  opened.start = Math.round(performance.now());
  // The table first: nothing below changes what it shows (the document's part of its key is checked
  // once the document has loaded), and a reopen's first screen waits for nothing else.
  const early = await showKeptViewsEarly();
  if (early !== null) opened.keptViews = Math.round(performance.now());
  await moveLegacyDeviceState(input.legacy);
  await sync.initSync(db, (view) => {
    events.set({ sync: view });
    // The relay names the person a link was issued to: edits made with it are that person's.
    applyAuthor();
  });
  await sharing.init();
  const link = sync.savedSyncSettings();
  // Linked before the document loads: the other cores' answer may come before y-indexeddb's.
  tabs = linkTabs(ydoc, {
    name: tabChannelName(link?.workspaceId ?? null),
    quiet: isPersistenceOrigin,
    onDataChanged: () => fromElsewhere('reconcile'),
    onWorkspaceChanged: () => closeForGood(),
  });
  const initialisedBefore = await db.getMeta('initialised', false);
  // One core at a time opens the document and decides on the demo: two opened at once on a fresh
  // profile import it once, and the second one waits for it (never showing an empty workspace).
  const firstStart = await withLock(FIRST_START_LOCK, async () => {
    opened.locked = Math.round(performance.now());
    await doc.openDoc();
    opened.document = Math.round(performance.now());
    // Every edit (and every teammate's) recomputes what it changed: see ./recompute.ts. Edits from
    // elsewhere during the start are run once after it; the start's own writes (the demo's stamps,
    // y-indexeddb's load) are in its first run.
    followDoc(ydoc, (what, origin) => (startDone || !(origin === IMPORT || isPersistenceOrigin(origin)) ? fromElsewhere(what) : undefined), new Set([BATCH]));
    // A shared workspace: its document comes from the relay, never from a local demo.
    if (sync.savedSyncSettings()) await db.setMeta('initialised', true);
    await moveSettingsToDocument();
    if (await db.getMeta('initialised', false)) return false;
    await loadDemo(false);
    return true;
  });
  // The views shown before the document loaded: checked against it now, before any teammate's edit.
  if (early !== null && viewKey(await viewInputs()) !== early) {
    takeBackKeptViews();
    opened.keptViews = null;
  }
  await sync.resumeSync();
  if (sync.savedSyncSettings()) await sync.firstSync(3000);
  if (!firstStart) {
    // Another core imported the demo while this one waited: take its document before the first numbers.
    if (!initialisedBefore && !sync.savedSyncSettings()) await tabs.catchUp(1000);
    if (opened.keptViews === null && (await showKeptViews())) opened.keptViews = Math.round(performance.now());
    await refresh();
    opened.reconciled = Math.round(performance.now());
    events.set({ opened: { ...opened }, opening: null });
  }
  startDone = true;
  if (missedAtStart !== 'none') void recompute.request(missedAtStart);
  missedAtStart = 'none';
  // Lists on screen (rules, notes, the audit trail, closed months, profiles) refetch when their type changes.
  ydoc.on('afterTransaction', (transaction) => events.changed([...changedTypeNames(transaction)]));
  yDatasets.observe(() => void applySharedBatches());
  yProfiles.observe(() => void applySharedBatches());
  void applySharedBatches();
}

/** The name this person gave in Settings (what Settings shows; the author too, unless the link names someone). */
let chosenName = 'Someone';

function setDisplayName(name: string): void {
  chosenName = name.trim() || 'Someone';
  applyAuthor();
  events.set({ displayName: chosenName });
}

/**
 * Who the audit trail and presence name: the person the relay says this device's link was issued
 * to, so a teammate cannot sign edits with someone else's name; else the name chosen in Settings.
 */
function applyAuthor(): void {
  doc.setDisplayName(sync.linkPerson() ?? chosenName);
}

/** Sharing from Settings with the relay's admin key (./sharing.ts). */
const sharing = createSharing({
  loadAdmin: () => db.getMeta('relayAdmin', null),
  saveAdmin: (admin) => db.setMeta('relayAdmin', admin),
  syncLink: () => sync.savedSyncSettings(),
  connect: (link) => sync.connect(link),
  displayName: () => chosenName,
  onChange: (view) => events.set({ sharing: view }),
});

/**
 * This browser now holds another workspace (joined here or in another core): the document in
 * memory is the old one's. Tabs reload; a shared core closes, so they start a fresh one.
 */
let closeHook: () => void = () => undefined;
function closeForGood(): void {
  sync.disconnect();
  tabs?.close();
  events.reload();
  closeHook();
}

/**
 * Joins a shared workspace: this device's document is replaced by the shared one (its imported
 * data stays), then the tabs reload and connect before anything local is written.
 */
async function joinWorkspace(link: RelayLink): Promise<void> {
  // Holding the lock every core's start takes to open the document: other cores close (their
  // document is the old workspace's) and open the new one only once it is cleared.
  await withLock(FIRST_START_LOCK, async () => {
    await sync.keepLink(link);
    tabs?.workspaceChanged();
    await doc.clearLocalDoc();
  });
  closeForGood();
}

/**
 * Everything a screen may ask of the core but its own edits: imports, sync, and queries (the
 * engine's views, the document's lists). Every command's effect comes back as an event.
 */
const sharedApi = {
  start,
  setDisplayName,
  /**
   * What the engine ran since this core started, which core this is (tabs sharing one core see one
   * id), and the time its commands and queries took here (the benchmark's breakdown of an edit).
   */
  stats: () => ({ ...engine.stats(), core: CORE_ID, calls: Object.fromEntries(callTimes) }),
  /** Closes a month: its snapshot is computed here and kept in the document. */
  closeMonth(meta: SnapshotMeta): void {
    doc.addSnapshot(engine.snapshot(meta));
  },
  saveSettings,
  setSuggestionThreshold,

  // Commands: imports
  importFiles,
  adjustFile,
  renameTenant,
  resolveUnknown,
  /** Abandons a drop waiting for the wizard: nothing of it was written. */
  cancelPendingImport(): void {
    setPending(null);
    events.set({ lastImport: null });
  },
  loadDemo: (): Promise<ImportOutcome> => loadDemo(),
  clearWorkspace,
  /** The wizard's live preview of the unknown file it shows, on the whole file. */
  previewProfile: async (file: string, profile: SourceProfile, overrides: FileOverrides = {}) => (await importer()).previewProfile(file, profile, overrides, fixedAsOf()),

  // Commands: teammate sync
  connect: sync.connect,
  forgetSync: sync.forgetSync,
  pauseSync: sync.pauseSync,
  resumeAfterPause: sync.resumeAfterPause,
  announceWhere: sync.announceWhere,
  joinWorkspace,
  /** The browser's online/offline events, from the tabs: offline shows at once, online reconnects at once. */
  networkChanged: sync.networkChanged,
  /** Connects again with the saved link after a stop (e.g. cut off for its message rate). */
  reconnect: sync.reconnect,

  // Commands: sharing with the relay's admin key (errors come back in `sharing.error`)
  saveAdminKey: sharing.saveAdminKey,
  forgetAdminKey: sharing.forgetAdminKey,
  createSharedWorkspace: sharing.createSharedWorkspace,
  refreshLinks: sharing.refreshLinks,
  createLink: sharing.createLink,
  revokeLink: sharing.revokeLink,

  // Queries: the document
  rules: () => doc.rulesNow(),
  notes: () => doc.notesNow(),
  audit: (clientId?: string) => doc.auditNow(clientId),
  snapshots: () => doc.snapshotsNow(),
  /** History's chart: the closed months, oldest first. */
  monthCloseChart: () => monthCloseChart(doc.snapshotsNow()),
  /** History's comparison of two closed months, in exact cents here: the screen only renders it. */
  monthComparison: (olderId: string, newerId: string) => monthComparison(doc.snapshotsNow(), olderId, newerId),
  profiles: () => doc.profilesNow(),
  importHistory: () => db.imports.orderBy('importedAt').reverse().toArray(),

  // Queries: the engine's views (answered once it has reconciled; before, a tab has the kept table in its state)
  overview: afterLoad(() => engine.overview()),
  clientRows: afterLoad((filter: BillingFilter) => engine.clientRows(filter)),
  discrepancyCharts: afterLoad(() => engine.discrepancyCharts()),
  clientChart: afterLoad((clientId: string) => engine.clientChart(clientId)),
  discrepancies: afterLoad((filter: BillingFilter) => engine.discrepancies(filter)),
  groups: afterLoad((groupBy: GroupBy, filter: BillingFilter) => engine.groups(groupBy, filter)),
  reviewPage: afterLoad((query: ReviewQuery, limit: number) => engine.reviewPage(query, limit)),
  reviewSpotCheck: afterLoad((query: ReviewQuery, limit: number) => engine.reviewSpotCheck(query, limit)),
  clientDetail: afterLoad((clientId: string) => engine.clientDetail(clientId)),
  seats: afterLoad((clientId: string, offset: number, limit: number) => engine.seats(clientId, offset, limit)),
  flags: afterLoad(() => engine.flags()),
  inactiveSeats: afterLoad(() => engine.inactiveSeats()),
  inactiveSeatPage: afterLoad((search: string, limit: number) => engine.inactiveSeatPage(search, limit)),
  unmappedClients: afterLoad(() => engine.unmappedClients()),
  unaccounted: afterLoad(() => engine.unaccounted()),
  adjustments: afterLoad(() => engine.adjustments()),
  clientMap: afterLoad(() => engine.clientMap()),
  serviceMap: afterLoad(() => engine.serviceMap()),
  psaClients: afterLoad(() => engine.psaClients()),
  report: afterLoad(() => engine.report()),
  previewRules: afterLoad((rules: ServiceRule[]) => engine.previewRules(rules)),
  externalClients: afterLoad(() => engine.externalClients()),
  /** The client mapping screen's rows and counts, "Accept N" counted at the workspace's threshold. */
  clientMapping: afterLoad((since: string | null = null) => engine.clientMapping(since, suggestionThreshold())),
  integrationsWithoutRules: afterLoad(() => engine.integrationsWithoutRules()),
  mappingEffect: afterLoad((integrationId: string, externalClientId: string, psaClientId: string) => engine.mappingEffect(integrationId, externalClientId, psaClientId)),
  psaServices: afterLoad(() => engine.psaServices()),
  unaccountedProducts: afterLoad(() => engine.unaccountedProducts()),
  integrationProducts: afterLoad((integrationId: string) => engine.integrationProducts(integrationId)),
  presetRules: afterLoad((presetId: PresetId, integrationId: string) => engine.presetRules(presetId, integrationId)),
  exportBundleZip: afterLoad(() => engine.exportBundleZip()),
  exportCsv: afterLoad((which: 'clients' | 'discrepancies' | 'adjustments') => engine.exportCsv(which)),
};

/**
 * One tab's session with the core: the shared commands and queries, plus the tab's own edits,
 * made under its own transaction origin so that its undo stack holds its edits only (another tab's
 * edit shows at once, but is not this tab's to undo).
 */
/** Per command or query of the sessions: how often it ran and how long it took on this thread. */
const callTimes = new Map<string, { count: number; totalMs: number; lastMs: number }>();

function noteTime(name: string, ms: number): void {
  const entry = callTimes.get(name) ?? { count: 0, totalMs: 0, lastMs: 0 };
  callTimes.set(name, { count: entry.count + 1, totalMs: Math.round((entry.totalMs + ms) * 10) / 10, lastMs: Math.round(ms * 10) / 10 });
}

function timed<T extends Record<string, unknown>>(api: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function' || name === 'stats') {
      out[name] = value;
      continue;
    }
    out[name] = (...args: unknown[]) => {
      const started = performance.now();
      const note = () => noteTime(name, performance.now() - started);
      const result = (value as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) void result.then(note, note);
      else note();
      return result;
    };
  }
  return out as T;
}

export function openSession() {
  const origin = `tab:${crypto.randomUUID()}`;
  const undo = doc.createUndoManager(origin);
  let listener: CoreListener | null = null;
  const undoState = () => ({ canUndo: undo.canUndo(), canRedo: undo.canRedo() });
  const tellUndo = () => listener?.({ revision: events.revision(), changed: ['state'], state: undoState() });
  undo.on('stack-item-added', tellUndo);
  undo.on('stack-item-popped', tellUndo);
  undo.on('stack-cleared', tellUndo);
  const edit =
    <A extends unknown[]>(f: (...args: A) => doc.EditResult) =>
    (...args: A): doc.EditResult =>
      doc.asEditsOf(origin, () => f(...args));
  return timed({
    ...sharedApi,
    /** The state now, as this tab sees it (its own undo stack included). */
    state: (): CoreState => ({ ...events.now(), ...undoState() }),
    /**
     * Sends every event to `onEvent` and answers with the state now. The tab holds the Web Lock
     * `tabLock` for its whole life: when the core is granted it, the tab is gone and its session ends.
     */
    subscribe(onEvent: CoreListener, tabLock: string): CoreState {
      listener = onEvent;
      const stop = events.listen((event) => onEvent(event));
      // Without Web Locks a tab's session lasts as long as the core (a few dead listeners at most).
      void navigator.locks?.request(tabLock, () => {
        stop();
        listener = null;
        doc.dropUndoManager(undo);
      });
      return { ...events.now(), ...undoState() };
    },
    setClientMapping: edit(doc.setClientMapping),
    setClientMappings: edit((entries: ClientMapEntry[]) => doc.setClientMappings(entries)),
    /** "Accept N": every unmapped client to its best suggestion at or above the workspace's threshold, resolved here as counted. */
    acceptConfidentSuggestions: afterLoad(edit(() => doc.setClientMappings(engine.confidentMappings(suggestionThreshold())))),
    addRule: edit((rule: ServiceRule, index?: number) => doc.addRule(rule, index)),
    addRules: edit((rules: ServiceRule[]) => doc.addRules(rules)),
    updateRule: edit((index: number, patch: Partial<ServiceRule>) => doc.updateRule(index, patch)),
    deleteRule: edit((index: number) => doc.deleteRule(index)),
    moveRule: edit((from: number, to: number) => doc.moveRule(from, to)),
    decide: edit((pairs: doc.PairNumbers[], decision: 'approve' | 'dismiss' | null) => doc.decide(pairs, decision)),
    setEffectiveDate: edit((pairs: doc.PairNumbers[], date: string | null) => doc.setEffectiveDate(pairs, date)),
    /** The same edits on every discrepancy a review query lists, resolved here: a tab never sends thousands of rows back. */
    decideMatching: afterLoad(edit((query: ReviewQuery, decision: 'approve' | 'dismiss' | null) => doc.decide(engine.reviewSelection(query), decision))),
    setEffectiveDateMatching: afterLoad(edit((query: ReviewQuery, date: string | null) => doc.setEffectiveDate(engine.reviewSelection(query), date))),
    setNote: edit((clientId: string, serviceId: string | null, text: string) => doc.setNote(clientId, serviceId, text)),
    saveProfile: edit((profile: SourceProfile) => doc.saveProfile(profile)),
    deleteProfile: edit((id: string) => doc.deleteProfile(id)),
    undo: () => void undo.undo(),
    redo: () => void undo.redo(),
  });
}

export type CoreSession = ReturnType<typeof openSession>;
export type { CoreState, UnknownFile };

/** The thread entry's way to close the core for good (a shared worker closes itself). */
export function onCloseForGood(hook: () => void): void {
  closeHook = hook;
}
