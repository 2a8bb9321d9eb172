import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import type { ClientMapEntry, ServiceRule } from '../engine/model';
import { DEFAULT_APP_SETTINGS, thresholdProblem, type AppSettings } from '../doc/settings';
import type { MonthSnapshot } from '../review/snapshots';
import { clientMappingProblem, ruleProblem } from '../mapping/validateRule';
import type { SourceProfile } from '../sources/types';
import { clientMapKey, clientNoteKey, newRuleId, pairKey, tenantNameKey } from '../doc/keys';
import { RULE_FIELDS, docTypes, type AuditEntry, type DecisionEntry, type SharedBatch } from '../doc/schema';

export type { AuditEntry, DecisionEntry, NoteEntry, SharedBatch } from '../doc/schema';
export { clientMapKey, clientNoteKey, pairKey } from '../doc/keys';

/**
 * The workspace's editable state, as a Yjs document: mappings, decisions, notes, the audit trail,
 * closed months, shared settings, profiles and the list of shared imports. It is persisted in this
 * browser by y-indexeddb, so no edit is lost offline, and it is what teammate sync shares. Bulk
 * imported rows never go in here. The layout and the key formats are in worker/doc/ (schema.ts,
 * keys.ts); this module holds the edits.
 */

export const ydoc = new Y.Doc();
const types = docTypes(ydoc);
export const yClientMap = types.clientMap;
export const yRules = types.serviceRules;

/**
 * Transaction origins: only a person's own edits go on the undo stack. `LOCAL` is the origin of
 * edits made outside any tab's command (and the tests'); each tab's commands run under the tab's
 * own origin (`asEditsOf`), so each tab undoes its own edits only.
 */
export const LOCAL = 'local-edit';
export const IMPORT = 'import';

let editOrigin: unknown = LOCAL;
/** Runs `edit` (synchronous edits of this module) with `origin` as their transactions' origin. */
export function asEditsOf<T>(origin: unknown, edit: () => T): T {
  const before = editOrigin;
  editOrigin = origin;
  try {
    return edit();
  } finally {
    editOrigin = before;
  }
}

/**
 * Several writes as one transaction whose caller recomputes by itself afterwards (an import writes
 * mappings, settings and decisions, then reconciles once): `followDoc` skips this origin.
 */
export const BATCH = 'batch';
export function batch(write: () => void): void {
  ydoc.transact(write, BATCH);
}

const undoManagers = new Set<Y.UndoManager>();
/** An undo stack of the edits made under `origin`: mappings, rules, decisions and notes. */
export function createUndoManager(origin: unknown): Y.UndoManager {
  const manager = new Y.UndoManager([yClientMap, yRules, types.decisions, types.notes], { trackedOrigins: new Set([origin]), captureTimeout: 0 });
  undoManagers.add(manager);
  return manager;
}

/** Ends an undo stack (its tab is gone). */
export function dropUndoManager(manager: Y.UndoManager): void {
  undoManagers.delete(manager);
  manager.destroy();
}

/** The undo stack of `LOCAL` edits. */
export const undoManager = createUndoManager(LOCAL);

let persistence: IndexeddbPersistence | null = null;

/** Opens the local copy of the document; resolves when every saved edit is loaded. */
export async function openDoc(name = 'ledgerline-doc'): Promise<void> {
  persistence ??= new IndexeddbPersistence(name, ydoc);
  await persistence.whenSynced;
}

/** Whether a transaction is y-indexeddb loading the saved document (every tab reads the same database). */
export function isPersistenceOrigin(origin: unknown): boolean {
  return origin instanceof IndexeddbPersistence;
}

/**
 * Forgets this device's copy of the document (before joining a shared workspace, whose document
 * replaces it: two independently created documents would otherwise merge into duplicates).
 */
export async function clearLocalDoc(): Promise<void> {
  await persistence?.clearData();
  persistence = null;
}


function ruleOf(map: Y.Map<string>): ServiceRule {
  return {
    ruleId: map.get('ruleId') ?? '',
    integrationId: map.get('integrationId') ?? '',
    product: map.get('product') ?? '',
    category: map.get('category') ?? '',
    action: (map.get('action') ?? 'map') as ServiceRule['action'],
    psaServiceId: map.get('psaServiceId') ?? '',
    count: (map.get('count') ?? 'records') as ServiceRule['count'],
  };
}

function describeRule(r: ServiceRule): string {
  return `${r.ruleId} (${r.integrationId}: "${r.product}"${r.category ? ` [${r.category}]` : ''} → ${r.action === 'map' ? `${r.psaServiceId} by ${r.count}` : 'exclude'})`;
}

function ruleMap(rule: ServiceRule): Y.Map<string> {
  const map = new Y.Map<string>();
  for (const field of RULE_FIELDS) map.set(field, rule[field]);
  return map;
}

export function rulesNow(): ServiceRule[] {
  return yRules.toArray().map(ruleOf);
}

export function clientMapNow(): ClientMapEntry[] {
  return [...yClientMap.values()];
}

/** What the engine needs from the document for a reconciliation. */
export function mappingSnapshot(): { clientMap: ClientMapEntry[]; serviceMap: ServiceRule[] } {
  return { clientMap: clientMapNow(), serviceMap: rulesNow() };
}

/** Result of an edit: null when applied, else why it was refused (nothing changed then). */
export type EditResult = string | null;

export function setClientMapping(integrationId: string, externalClientId: string, change: { status: 'mapped'; psaClientId: string } | { status: 'excluded' } | { status: 'unmapped' }): EditResult {
  const key = clientMapKey(integrationId, externalClientId);
  if (change.status === 'unmapped') {
    const before = yClientMap.get(key);
    ydoc.transact(() => {
      yClientMap.delete(key);
      audit('mapping', before?.psaClientId ?? '', `${integrationId} client ${externalClientId} unmapped`);
    }, editOrigin);
    return null;
  }
  const entry: ClientMapEntry = { integrationId, externalClientId, status: change.status, psaClientId: change.status === 'mapped' ? change.psaClientId : '' };
  const problem = clientMappingProblem(entry);
  if (problem) return problem;
  ydoc.transact(() => {
    yClientMap.set(key, entry);
    audit('mapping', entry.psaClientId, `${integrationId} client ${externalClientId} ${entry.status === 'mapped' ? `mapped to ${entry.psaClientId}` : 'excluded'}`);
  }, editOrigin);
  return null;
}

/** Several mappings as one edit (one undo step), e.g. "accept all suggestions above 0.9". */
export function setClientMappings(entries: readonly ClientMapEntry[]): EditResult {
  for (const entry of entries) {
    const problem = clientMappingProblem(entry);
    if (problem) return `${entry.externalClientId}: ${problem}`;
  }
  ydoc.transact(() => {
    for (const e of entries) {
      yClientMap.set(clientMapKey(e.integrationId, e.externalClientId), e);
      audit('mapping', e.psaClientId, `${e.integrationId} client ${e.externalClientId} mapped to ${e.psaClientId} (accepted suggestion)`);
    }
  }, editOrigin);
  return null;
}

/** Adds a rule at `index` (the end by default); a blank id gets a new one. */
export function addRule(given: ServiceRule, index = yRules.length): EditResult {
  const rule = given.ruleId ? given : { ...given, ruleId: nextRuleIds(1)[0]! };
  const problem = ruleProblem(rule, rulesNow());
  if (problem) return problem;
  ydoc.transact(() => {
    yRules.insert(Math.min(index, yRules.length), [ruleMap(rule)]);
    audit('mapping', '', `added rule ${describeRule(rule)}`);
  }, editOrigin);
  return null;
}

/** Adds rules at the end as one edit (a preset); blank ids get new ones. */
export function addRules(given: readonly ServiceRule[]): EditResult {
  const ids = nextRuleIds(given.filter((r) => !r.ruleId).length);
  const rules = given.map((r) => (r.ruleId ? r : { ...r, ruleId: ids.shift()! }));
  const all = [...rulesNow(), ...rules];
  for (const rule of rules) {
    const problem = ruleProblem(rule, all);
    if (problem) return `${rule.ruleId}: ${problem}`;
  }
  ydoc.transact(() => {
    yRules.push(rules.map(ruleMap));
    audit('mapping', '', `added ${rules.length} rules from a preset`);
  }, editOrigin);
  return null;
}

export function updateRule(index: number, patch: Partial<ServiceRule>): EditResult {
  const map = yRules.get(index);
  if (!map) return 'That rule no longer exists.';
  const next = { ...ruleOf(map), ...patch };
  const problem = ruleProblem(next, rulesNow().map((r, i) => (i === index ? next : r)));
  if (problem) return problem;
  ydoc.transact(() => {
    for (const field of RULE_FIELDS) {
      if (patch[field] === undefined || map.get(field) === next[field]) continue;
      audit('mapping', '', `rule ${next.ruleId}: ${field} ${JSON.stringify(map.get(field) ?? '')} → ${JSON.stringify(next[field])}`);
      map.set(field, next[field]);
    }
  }, editOrigin);
  return null;
}

export function deleteRule(index: number): EditResult {
  if (index < 0 || index >= yRules.length) return 'That rule no longer exists.';
  const rule = ruleOf(yRules.get(index)!);
  ydoc.transact(() => {
    yRules.delete(index, 1);
    audit('mapping', '', `deleted rule ${describeRule(rule)}`);
  }, editOrigin);
  return null;
}

/** Moves a rule to a new position (the order decides which rule takes a row, spec §2). */
export function moveRule(from: number, to: number): EditResult {
  if (from === to) return null;
  const map = yRules.get(from);
  if (!map) return 'That rule no longer exists.';
  const rule = ruleOf(map);
  ydoc.transact(() => {
    yRules.delete(from, 1);
    yRules.insert(Math.min(to, yRules.length), [ruleMap(rule)]);
    audit('mapping', '', `moved rule ${rule.ruleId} from position ${from + 1} to ${to + 1}`);
  }, editOrigin);
  return null;
}

/** An import of client_map.csv / service_map.csv replaces that part of the document (not undoable: it is a new import). */
export function replaceMappings(mappings: { clientMap?: readonly ClientMapEntry[]; serviceMap?: readonly ServiceRule[] }): void {
  ydoc.transact(() => {
    if (mappings.clientMap) {
      yClientMap.clear();
      for (const e of mappings.clientMap) yClientMap.set(clientMapKey(e.integrationId, e.externalClientId), e);
    }
    if (mappings.serviceMap) {
      yRules.delete(0, yRules.length);
      yRules.push(mappings.serviceMap.map(ruleMap));
    }
  }, IMPORT);
  if (mappings.clientMap || mappings.serviceMap) for (const manager of undoManagers) manager.clear();
}

/**
 * New rule ids: "R-" and a random part, unique even when two teammates add rules offline at the
 * same time (a counter would give both "R-13", and a bundle with a repeated rule_id breaks §9).
 * The order of rules is the array's, never the id's.
 */
export function nextRuleIds(count: number): string[] {
  const used = new Set(rulesNow().map((r) => r.ruleId));
  const ids: string[] = [];
  while (ids.length < count) {
    const id = newRuleId();
    if (!used.has(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Review: decisions, notes, and the audit trail (spec §7)

export const yDecisions = types.decisions;
export const yNotes = types.notes;
export const yAudit = types.audit;

let displayName = 'Someone';
/** Who is editing, for the audit trail (set in Settings, kept per device). */
export function setDisplayName(name: string): void {
  displayName = name.trim() || 'Someone';
}
export function currentDisplayName(): string {
  return displayName;
}

/** Records an edit in the audit trail, inside the edit's own transaction. */
function audit(kind: AuditEntry['kind'], clientId: string, what: string): void {
  yAudit.push([{ at: new Date().toISOString(), by: displayName, kind, clientId, what }]);
}

/** The audit trail, oldest first; of one client when `clientId` is given. */
export function auditNow(clientId?: string): AuditEntry[] {
  const all = yAudit.toArray();
  return clientId === undefined ? all : all.filter((e) => e.clientId === clientId);
}

export function decisionsNow(): DecisionEntry[] {
  return [...yDecisions.values()];
}

export function notesNow(): Record<string, string> {
  return Object.fromEntries([...yNotes.entries()].map(([k, v]) => [k, v.text]));
}

export interface PairNumbers {
  clientId: string;
  serviceId: string;
  qtyDelta: string;
  amount: string | null;
}

/** Approves or dismisses several discrepancies as one edit (one undo step). */
export function decide(pairs: readonly PairNumbers[], decision: 'approve' | 'dismiss' | null): EditResult {
  if (pairs.length === 0) return 'Select at least one discrepancy.';
  const at = new Date().toISOString();
  ydoc.transact(() => {
    for (const p of pairs) {
      const key = pairKey(p.clientId, p.serviceId);
      const previous = yDecisions.get(key);
      const entry: DecisionEntry = { clientId: p.clientId, serviceId: p.serviceId, decision, effectiveDate: previous?.effectiveDate ?? null, at, by: displayName };
      if (decision === 'dismiss') {
        entry.dismissedQtyDelta = p.qtyDelta;
        entry.dismissedAmount = p.amount;
      }
      yDecisions.set(key, entry);
      const verb = decision === 'approve' ? 'approved' : decision === 'dismiss' ? 'dismissed' : 'reopened';
      audit('decision', p.clientId, `${verb} ${p.serviceId} (Δ ${p.qtyDelta}, ${p.amount ?? 'no amount'})`);
    }
  }, editOrigin);
  return null;
}

/** Sets (or clears, with null) the effective date of several discrepancies, approved or not. */
export function setEffectiveDate(pairs: readonly PairNumbers[], date: string | null): EditResult {
  if (pairs.length === 0) return 'Select at least one discrepancy.';
  if (date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return 'Pick a date (YYYY-MM-DD).';
  const at = new Date().toISOString();
  ydoc.transact(() => {
    for (const p of pairs) {
      const key = pairKey(p.clientId, p.serviceId);
      const previous = yDecisions.get(key);
      yDecisions.set(key, { ...(previous ?? { clientId: p.clientId, serviceId: p.serviceId, decision: null }), effectiveDate: date, at, by: displayName });
      audit('decision', p.clientId, `effective date of ${p.serviceId} set to ${date ?? 'the default'}`);
    }
  }, editOrigin);
  return null;
}

/** A note on a discrepancy (serviceId) or on a client (serviceId null); empty text removes it. */
export function setNote(clientId: string, serviceId: string | null, text: string): EditResult {
  const key = serviceId === null ? clientNoteKey(clientId) : pairKey(clientId, serviceId);
  const trimmed = text.trim();
  ydoc.transact(() => {
    if (trimmed === '') yNotes.delete(key);
    else yNotes.set(key, { text: trimmed, at: new Date().toISOString(), by: displayName });
    audit('note', clientId, `${trimmed === '' ? 'removed the note on' : 'noted on'} ${serviceId ?? 'the client'}${trimmed ? `: "${trimmed}"` : ''}`);
  }, editOrigin);
  return null;
}

/** Dismissals imported without their numbers take the current ones, so a later change brings them back. */
export function stampDismissals(current: readonly PairNumbers[]): void {
  const byKey = new Map(current.map((p) => [pairKey(p.clientId, p.serviceId), p]));
  const unstamped = [...yDecisions.entries()].filter(([key, e]) => e.decision === 'dismiss' && e.dismissedQtyDelta === undefined && byKey.has(key));
  if (unstamped.length === 0) return;
  ydoc.transact(() => {
    for (const [key, e] of unstamped) yDecisions.set(key, { ...e, dismissedQtyDelta: byKey.get(key)!.qtyDelta, dismissedAmount: byKey.get(key)!.amount });
  }, IMPORT);
}

/** An import of decisions.csv replaces the decisions (notes in its note column included). */
export function replaceDecisions(entries: readonly { clientId: string; serviceId: string; decision: 'approve' | 'dismiss'; effectiveDate: string | null; note?: string }[], source: string): void {
  const at = new Date().toISOString();
  ydoc.transact(() => {
    yDecisions.clear();
    for (const e of entries) {
      yDecisions.set(pairKey(e.clientId, e.serviceId), { clientId: e.clientId, serviceId: e.serviceId, decision: e.decision, effectiveDate: e.effectiveDate, at, by: displayName });
      if (e.note) yNotes.set(pairKey(e.clientId, e.serviceId), { text: e.note, at, by: displayName });
    }
    audit('import', '', `decisions replaced (${entries.length}) by ${source}`);
  }, IMPORT);
}

/**
 * What an import brings to the document, as one transaction (origin BATCH, so it reconciles
 * nothing by itself): its mapping files, a bundle's settings (its asOf, for every teammate alike)
 * and its decisions. The caller reconciles once afterwards.
 */
export function takeImport(imported: { clientMap?: readonly ClientMapEntry[]; serviceMap?: readonly ServiceRule[]; decisions?: Parameters<typeof replaceDecisions>[0] }, settings: Partial<AppSettings> | null, decisionsSource: string): void {
  batch(() => {
    replaceMappings(imported);
    if (settings) setSharedSettings(settings, IMPORT);
    if (imported.decisions) replaceDecisions(imported.decisions, decisionsSource);
  });
}

// ---------------------------------------------------------------------------------------------
// Month close

export const ySnapshots = types.snapshots;

export function snapshotsNow(): MonthSnapshot[] {
  return ySnapshots.toArray();
}

/** Freezes a month's reconciliation under a name; snapshots are never edited, only added. */
export function addSnapshot(snapshot: MonthSnapshot): void {
  ydoc.transact(() => {
    ySnapshots.push([snapshot]);
    audit('month', '', `closed the month "${snapshot.name}" (${snapshot.totals.discrepancies} discrepancies, ${snapshot.totals.amount} ${snapshot.currency})`);
  }, IMPORT);
}

// ---------------------------------------------------------------------------------------------
// Shared datasets: imports travel as blobs on the relay; the document lists them, in order.

export const yDatasets = types.datasets;

export function announceBatch(batch: SharedBatch): void {
  ydoc.transact(() => {
    yDatasets.push([batch]);
    audit('import', '', `shared ${batch.files.length} imported file${batch.files.length === 1 ? '' : 's'} (${batch.files.map((f) => f.name).join(', ')})`);
  }, IMPORT);
}

// ---------------------------------------------------------------------------------------------
// Settings every teammate shares (the same as-of gives the same numbers)

export const ySettings = types.settings;

export function settingsNow(): AppSettings | null {
  if (!ySettings.has('currency')) return null;
  // A setting added after a workspace was made (the suggestion threshold) has its default until someone sets it.
  return { ...DEFAULT_APP_SETTINGS, ...Object.fromEntries(ySettings.entries()) } as AppSettings;
}

/** Writes the settings given (a bundle's leave the workspace's own choices, such as the threshold, as they are). */
export function setSharedSettings(next: Partial<AppSettings>, origin: typeof LOCAL | typeof IMPORT): void {
  const before = settingsNow();
  ydoc.transact(() => {
    for (const [key, value] of Object.entries(next) as [keyof AppSettings, AppSettings[keyof AppSettings]][]) {
      if (before?.[key] === value) continue;
      ySettings.set(key, value);
      if (origin === LOCAL) audit('mapping', '', `setting ${key}: ${JSON.stringify(before?.[key] ?? null)} → ${JSON.stringify(value)}`);
    }
  }, origin);
}

/** The workspace's threshold for suggested client matches, with its audit entry; refused outside its range. */
export function setSuggestionThreshold(value: number): EditResult {
  const problem = thresholdProblem(value);
  if (problem) return problem;
  setSharedSettings({ suggestionThreshold: value }, LOCAL);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Source profiles: how a raw export (one no built-in profile knows) is read. Saved here so every
// teammate's import applies them, and next month's file with the same header needs no wizard.

export const yProfiles = types.sourceProfiles;

export function profilesNow(): SourceProfile[] {
  return [...yProfiles.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Saves (or replaces, by id) a profile; its origin is always 'saved'. */
export function saveProfile(profile: SourceProfile): EditResult {
  if (!profile.name.trim()) return 'Give the profile a name.';
  if (profile.signature.length === 0) return 'A profile needs the header it recognises.';
  const before = yProfiles.get(profile.id);
  ydoc.transact(() => {
    yProfiles.set(profile.id, { ...structuredClone(profile), origin: 'saved' } as SourceProfile);
    audit('mapping', '', `${before ? 'edited' : 'saved'} the import profile "${profile.name}" (${profile.target === 'usage' ? `usage of ${profile.integration.name}` : 'PSA'})`);
  }, editOrigin);
  return null;
}

export function deleteProfile(id: string): EditResult {
  const before = yProfiles.get(id);
  if (!before) return 'That profile no longer exists.';
  ydoc.transact(() => {
    yProfiles.delete(id);
    audit('mapping', '', `deleted the import profile "${before.name}"`);
  }, editOrigin);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Names of per-client exports' clients (a Microsoft 365 tenant is named after its domain unless
// someone renames it); shared, so every teammate's import of the same file gives the same client.

export const yTenantNames = types.tenantNames;

export function tenantNamesNow(): Record<string, string> {
  return Object.fromEntries(yTenantNames.entries());
}

/** Names a per-client export's client; a blank name goes back to the one the file gives. */
export function setTenantName(integrationId: string, foundName: string, name: string): EditResult {
  const key = tenantNameKey(integrationId, foundName);
  const trimmed = name.trim();
  ydoc.transact(() => {
    if (trimmed === '' || trimmed === foundName) yTenantNames.delete(key);
    else yTenantNames.set(key, trimmed);
    audit('mapping', '', trimmed === '' || trimmed === foundName ? `named the ${integrationId} client "${foundName}" after its file again` : `renamed the ${integrationId} client "${foundName}" to "${trimmed}"`);
  }, editOrigin);
  return null;
}
