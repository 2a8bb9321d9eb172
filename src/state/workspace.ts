import * as Comlink from 'comlink';
import { createSignal } from 'solid-js';
import type { Overview } from '../../worker/views/types';
import type { EngineApi } from '../workers/engine.worker';
import type { ImportApi } from '../workers/import.worker';
import type { ImportInput, ImportOutcome, ImportProgress, UnknownFile } from '../workers/importBatch';
import type { FileOverrides, SourceProfile } from '../../worker/sources/types';
import { DEFAULT_APP_SETTINGS, openDb, type AppSettings } from './db';
import { blobUrl, firstSync, resumeSync, savedSyncSettings } from './sync';
import { DEFAULT_OUTLIER_AMOUNT } from '../../worker/review/reviewState';
import type { ReviewInput } from '../../worker/views/types';
import { createScheduler, followDoc, larger, type Recompute } from './recompute';
import { FIRST_START_LOCK, SHARED_BATCHES_LOCK, linkTabs, setActiveTabLink, tabChannelName, withLock, type TabLink } from './tabs';
import { BATCH, IMPORT, LOCAL, announceBatch, batch, isPersistenceOrigin, takeImport, profilesNow, saveProfile, setTenantName, tenantNamesNow, yProfiles, currentDisplayName, decisionsNow, mappingSnapshot, notesNow, openDoc, setDisplayName, setSharedSettings, settingsNow, stampDismissals, undoManager, yDatasets, ydoc } from './doc';

/**
 * The app's one place of state: the two worker threads, the overview the engine last produced,
 * and the import in progress. Screens read signals from here and ask the engine for their rows.
 */

export const engine = Comlink.wrap<EngineApi>(new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module' }));
const importer = Comlink.wrap<ImportApi>(new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module' }));
const db = openDb();

export type LoadState = 'starting' | 'ready' | 'empty';

const [overview, setOverview] = createSignal<Overview | null>(null);
const [loadState, setLoadState] = createSignal<LoadState>('starting');
/** Bumped after every reconciliation, so screens refetch their rows. */
const [revision, setRevision] = createSignal(0);
const [progress, setProgress] = createSignal<ImportProgress | null>(null);
const [lastImport, setLastImport] = createSignal<ImportOutcome | null>(null);
const [persisted, setPersisted] = createSignal<boolean | null>(null);
const [settings, setSettingsSignal] = createSignal<AppSettings>(DEFAULT_APP_SETTINGS);
const [lastTimings, setLastTimings] = createSignal<{ loadMs: number; reconcileMs: number } | null>(null);
const [isDemo, setIsDemo] = createSignal(false);

export { overview, loadState, revision, progress, lastImport, persisted, settings, lastTimings, isDemo };

/**
 * The engine work the document's changes need (src/state/recompute.ts): a reconcile for mappings,
 * settings and data; review states and adjustments only for decisions; new notes only for notes.
 * Requests that arrive while one runs coalesce into one more run of the largest kind asked.
 */
const recompute = createScheduler((what) => (what === 'reconcile' ? refreshOnce() : what === 'review' ? reviewOnce() : notesOnce()));

/** Reconciles again with the current data, settings and mappings. */
export function refresh(): Promise<void> {
  return recompute.request('reconcile');
}

/** What the engine ran since it started (reconciles, review-only and notes-only updates). */
export function engineStats() {
  return engine.stats();
}
// The browser tests read it (dev server only): an approval must cost no reconcile.
if (import.meta.env.DEV) Object.assign(globalThis, { __ledgerlineEngineStats: engineStats });

/** The shared settings' as-of time when fixed: the month a PSA export is billed for (else now). */
function fixedAsOf(): string | null {
  const s = settingsNow();
  return s?.asOfMode === 'fixed' && s.asOf ? s.asOf : null;
}

const reviewNow = (): ReviewInput => ({ entries: decisionsNow(), notes: notesNow(), outlierAmount: DEFAULT_OUTLIER_AMOUNT });

async function refreshOnce(): Promise<void> {
  const shared = settingsNow();
  const { overview: next, timings } = await engine.refresh({ ...mappingSnapshot(), settings: shared, review: reviewNow() });
  setSettingsSignal(shared ?? DEFAULT_APP_SETTINGS);
  setIsDemo((await db.getMeta('source', 'files')) === 'demo');
  setOverview(next);
  setLastTimings(timings);
  setLoadState(next.clients === 0 && next.usageRows === 0 ? 'empty' : 'ready');
  setRevision((r) => r + 1);
  await stampNewDismissals();
}

/** Decisions changed: review states and adjustments from the last reconciliation, no reconcile. */
async function reviewOnce(): Promise<void> {
  const next = await engine.review(reviewNow());
  if (!next) return refreshOnce();
  setOverview(next);
  setRevision((r) => r + 1);
  await stampNewDismissals();
}

/** Notes changed: the screens refetch their rows, which carry the notes; nothing is recomputed. */
async function notesOnce(): Promise<void> {
  if (!(await engine.notes(notesNow()))) return refreshOnce();
  setRevision((r) => r + 1);
}

/** Dismissals that came without their numbers (an import, a teammate's old version) take the current ones. */
async function stampNewDismissals(): Promise<void> {
  if (decisionsNow().some((d) => d.decision === 'dismiss' && d.dismissedQtyDelta === undefined)) stampDismissals(await engine.discrepancies({}));
}

const onProgress = Comlink.proxy((p: ImportProgress) => setProgress(p));

async function runImport(run: () => Promise<ImportOutcome>, announce = true, takeMappings = true): Promise<ImportOutcome> {
  setProgress({ fileName: '', phase: 'reading', fraction: 0 });
  try {
    const outcome = await run();
    if (announce || !outcome.ok) setLastImport(outcome);
    if (outcome.ok && takeMappings) {
      // A bundle sets the workspace's settings (its asOf): for every teammate alike.
      // One transaction, which reconciles nothing by itself: the refresh below is the import's one reconcile.
      takeImport(outcome.mappings, outcome.mappings.settings ?? null, outcome.files.find((f) => f.kind === 'decisions')?.fileName ?? 'a bundle');
    }
    // A failed import stores nothing, but may record a failed sync (integration health).
    // The other tabs of this workspace read the same IndexedDB: they reconcile too.
    tabs?.dataChanged();
    await refresh();
    return outcome;
  } finally {
    setProgress(null);
  }
}

/**
 * A drop with files no profile knows waits here while the wizard maps them one by one (or the user
 * skips them); nothing of it is written until then. Then the whole drop is imported again, with
 * the new profiles, as one all-or-nothing import.
 */
export interface PendingImport {
  inputs: ImportInput[];
  unknown: UnknownFile[];
  /** The unknown file the wizard shows now. */
  index: number;
  skip: string[];
  overrides: Record<string, FileOverrides>;
}

const [pendingImport, setPendingImport] = createSignal<PendingImport | null>(null);
export { pendingImport };

/** What the user chose for a drop's files in the wizard: files to skip, and per-file overrides. */
export type DropChoices = { skip?: string[]; overrides?: Record<string, FileOverrides> };

/**
 * The drop the import report on screen belongs to, so its buttons (adjust a file in the wizard,
 * rename a tenant) work without dropping the files again.
 */
let lastDrop: { inputs: ImportInput[]; choices: DropChoices } | null = null;

export async function importFiles(inputs: ImportInput[], choices: DropChoices = {}): Promise<ImportOutcome> {
  setPendingImport(null);
  lastDrop = { inputs, choices };
  const outcome = await runImport(() => importer.importFiles(inputs, onProgress, { profiles: profilesNow(), tenantNames: tenantNamesNow(), asOf: fixedAsOf(), ...choices }));
  if (!outcome.ok && outcome.unknown.length > 0 && outcome.errors.length === 0) {
    setPendingImport({ inputs, unknown: outcome.unknown, index: 0, skip: choices.skip ?? [], overrides: choices.overrides ?? {} });
  }
  if (outcome.ok) {
    // A tenant named in the wizard keeps its name next month (its file is then recognised by the profile).
    for (const r of outcome.report) {
      const name = choices.overrides?.[r.file]?.clientName;
      if (r.tenant && name && name !== r.tenant.foundName) setTenantName(r.tenant.integrationId, r.tenant.foundName, name);
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
export function adjustFile(file: string): boolean {
  const outcome = lastImport();
  const target = outcome && !outcome.ok ? outcome.adjustable.find((f) => f.file === file) : undefined;
  if (!target || !lastDrop) return false;
  setPendingImport({ inputs: lastDrop.inputs, unknown: [target], index: 0, skip: lastDrop.choices.skip ?? [], overrides: lastDrop.choices.overrides ?? {} });
  return true;
}

/**
 * Renames the client of a per-client export (a Microsoft 365 tenant named after its domain): the
 * name is kept in the shared document for every later file of that tenant, and the file is
 * imported again at once under the new name, replacing its rows under the old one.
 */
export async function renameTenant(file: string, tenant: { integrationId: string; foundName: string }, currentName: string, name: string): Promise<string | null> {
  const input = lastDrop?.inputs.find((i) => i.name === file || file.startsWith(`${i.name}/`));
  if (!input || !lastDrop) return 'Drop the file again to rename its client: this page no longer holds it.';
  const problem = setTenantName(tenant.integrationId, tenant.foundName, name);
  if (problem) return problem;
  const overrides = { ...lastDrop.choices.overrides, [file]: { ...lastDrop.choices.overrides?.[file], clientName: undefined, replacesClient: currentName } };
  const outcome = await importFiles([input], { skip: lastDrop.choices.skip, overrides });
  return outcome.ok ? null : outcome.messages[0] ?? 'The file could not be imported again.';
}

/** The wizard's live preview (runs in the import worker, on the whole file). */
export function previewProfile(file: string, profile: SourceProfile, overrides: FileOverrides = {}) {
  return importer.previewProfile(file, profile, overrides, fixedAsOf());
}

/**
 * The wizard's answer for the file it shows: a profile saved for it (with a client name for a
 * per-client export), or skip it. After the last unknown file the drop is imported again.
 */
export async function resolveUnknown(answer: { profile: SourceProfile; clientName?: string } | 'skip'): Promise<string | null> {
  const pending = pendingImport();
  if (!pending) return null;
  const file = pending.unknown[pending.index]!.file;
  const next: PendingImport = { ...pending, index: pending.index + 1, skip: [...pending.skip], overrides: { ...pending.overrides } };
  if (answer === 'skip') next.skip.push(file);
  else {
    const problem = saveProfile(answer.profile);
    if (problem) return problem;
    next.overrides[file] = { profileId: answer.profile.id, ...(answer.clientName ? { clientName: answer.clientName } : {}) };
  }
  if (next.index < next.unknown.length) {
    setPendingImport(next);
    return null;
  }
  await importFiles(next.inputs, { skip: next.skip, overrides: next.overrides });
  return null;
}

/** Abandons a drop waiting for the wizard: nothing of it was written. */
export function cancelPendingImport(): void {
  setPendingImport(null);
  setLastImport(null);
}

/** In a shared workspace, an import goes to the relay as blobs, and the document lists it for teammates. */
async function shareImport(inputs: ImportInput[], overrides: Record<string, FileOverrides>): Promise<void> {
  const settings = savedSyncSettings();
  if (!settings) return;
  const packed = await importer.packForSharing(inputs);
  for (const file of packed) {
    const response = await fetch(blobUrl(settings, file.hash), { method: 'PUT', body: file.bytes as BlobPart });
    if (!response.ok) throw new Error(`the relay refused ${file.name}: ${response.status}`);
  }
  const names = new Set(packed.map((f) => f.name));
  const mine = Object.fromEntries(Object.entries(overrides).filter(([file]) => names.has(file) || [...names].some((n) => file.startsWith(`${n}/`))));
  const batch = { id: crypto.randomUUID(), at: new Date().toISOString(), by: currentDisplayName(), files: packed.map((f) => ({ name: f.name, hash: f.hash, size: f.bytes.length })), ...(Object.keys(mine).length > 0 ? { overrides: mine } : {}) };
  markApplied(batch.id);
  announceBatch(batch);
}

const APPLIED_KEY = 'ledgerline.appliedBatches';
const applied = () => new Set<string>(JSON.parse(localStorage.getItem(APPLIED_KEY) ?? '[]') as string[]);
function markApplied(id: string): void {
  localStorage.setItem(APPLIED_KEY, JSON.stringify([...applied(), id]));
}

let applying = false;
/** Imports, in order, every shared batch this device has not applied yet (a teammate's import). */
async function applySharedBatches(): Promise<void> {
  const settings = savedSyncSettings();
  if (!settings || applying) return;
  applying = true;
  try {
    // One tab at a time (each re-reads what is applied), so two tabs never import one batch twice.
    await withLock(SHARED_BATCHES_LOCK, () => applyUnapplied(settings));
  } finally {
    applying = false;
  }
}

async function applyUnapplied(settings: NonNullable<ReturnType<typeof savedSyncSettings>>): Promise<void> {
  for (const batch of yDatasets.toArray()) {
    if (applied().has(batch.id)) continue;
    const files: { name: string; gzipped: Uint8Array }[] = [];
    for (const f of batch.files) {
      const response = await fetch(blobUrl(settings, f.hash));
      if (!response.ok) return; // not there yet, or offline: try again on the next change
      files.push({ name: f.name, gzipped: new Uint8Array(await response.arrayBuffer()) });
    }
    // The teammate's mappings are already in the document: take only the data.
    // A batch that fails here failed for its sender too (same validation): applied either way.
    const outcome = await runImport(() => importer.importShared(files, onProgress, { profiles: profilesNow(), tenantNames: tenantNamesNow(), asOf: fixedAsOf(), overrides: batch.overrides ?? {} }), false, false);
    // A file no profile knows yet: the sender's profile is on its way in the document.
    if (!outcome.ok && outcome.errors.length === 0 && outcome.unknown.length > 0) return;
    markApplied(batch.id);
  }
}

export function loadDemo(announce = true): Promise<ImportOutcome> {
  return runImport(() => importer.importDemo(onProgress), announce);
}

export async function clearWorkspace(): Promise<void> {
  await importer.clearWorkspace();
  takeImport({ clientMap: [], serviceMap: [], decisions: [] }, DEFAULT_APP_SETTINGS, 'clearing the workspace');
  tabs?.dataChanged();
  setLastImport(null);
  await refresh();
}

export async function saveSettings(next: AppSettings): Promise<void> {
  batch(() => setSharedSettings(next, LOCAL));
  tabs?.dataChanged();
  await refresh();
}

/** First start loads the demo, so a newcomer sees real numbers at once. */
export const DISPLAY_NAME_KEY = 'ledgerline.displayName';

/** The other tabs of this workspace in this browser (src/state/tabs.ts); null before start. */
let tabs: TabLink | null = null;

/**
 * Until the first reconciliation has run, what other tabs ask for (their edits, their imports) is
 * kept here and run once afterwards: the screens stay on "Opening your workspace…" meanwhile.
 */
let startDone = false;
let missedAtStart: Recompute = 'none';
function fromOtherTab(what: Recompute): void {
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
  if (settingsNow() === null) setSharedSettings(legacy, IMPORT);
  await db.meta.delete('settings');
}

export async function start(): Promise<void> {
  void requestPersistence();
  setDisplayName(localStorage.getItem(DISPLAY_NAME_KEY) ?? 'Someone');
  const shared = savedSyncSettings();
  // Linked before the document loads: the other tabs' answer may come before y-indexeddb's.
  tabs = linkTabs(ydoc, {
    name: tabChannelName(shared?.workspaceId ?? null),
    quiet: isPersistenceOrigin,
    onDataChanged: () => fromOtherTab('reconcile'),
    onWorkspaceChanged: () => location.reload(),
  });
  setActiveTabLink(tabs);
  const initialisedBefore = await db.getMeta('initialised', false);
  // One tab at a time opens the document and decides on the demo: two tabs opened at once on a
  // fresh profile import it once, and the second one waits for it (never showing an empty workspace).
  const firstStart = await withLock(FIRST_START_LOCK, async () => {
    await openDoc();
    // Every edit (and every teammate's) recomputes what it changed: see src/state/recompute.ts.
    // Other tabs' and the relay's edits during the start are run once after it; the start's own
    // writes (the demo's stamps, y-indexeddb's load) are in its first run.
    followDoc(ydoc, (what, origin) => (startDone || !(origin === IMPORT || isPersistenceOrigin(origin)) ? fromOtherTab(what) : undefined), new Set([BATCH]));
    // A shared workspace: its document comes from the relay, never from a local demo.
    if (savedSyncSettings()) await db.setMeta('initialised', true);
    await moveSettingsToDocument();
    if (await db.getMeta('initialised', false)) return false;
    await loadDemo(false);
    return true;
  });
  resumeSync();
  if (savedSyncSettings()) await firstSync(3000);
  if (!firstStart) {
    // Another tab imported the demo while this one waited: take its document before the first numbers.
    if (!initialisedBefore && !savedSyncSettings()) await tabs.catchUp(1000);
    await refresh();
  }
  startDone = true;
  if (missedAtStart !== 'none') void recompute.request(missedAtStart);
  missedAtStart = 'none';
  yDatasets.observe(() => void applySharedBatches());
  yProfiles.observe(() => void applySharedBatches());
  void applySharedBatches();
  undoManager.on('stack-item-added', syncUndoState);
  undoManager.on('stack-item-popped', syncUndoState);
  undoManager.on('stack-cleared', syncUndoState);
}

const [canUndo, setCanUndo] = createSignal(false);
const [canRedo, setCanRedo] = createSignal(false);
export { canUndo, canRedo };

function syncUndoState(): void {
  setCanUndo(undoManager.canUndo());
  setCanRedo(undoManager.canRedo());
}

export function undo(): void {
  undoManager.undo();
}

export function redo(): void {
  undoManager.redo();
}

async function requestPersistence(): Promise<void> {
  if (!navigator.storage?.persist) {
    setPersisted(false);
    return;
  }
  setPersisted((await navigator.storage.persisted()) || (await navigator.storage.persist()));
}

export function importHistory() {
  return db.imports.orderBy('importedAt').reverse().toArray();
}
