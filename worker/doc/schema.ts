/**
 * The workspace document (one Y.Doc per workspace): its top-level types, their Yjs kinds and the
 * plain values they hold. The core (worker/core/doc.ts), the recompute classification
 * (worker/core/recompute.ts) and the relay's convergence test all take the layout from here, so a
 * type added here is synced, classified and tested, and no copy of the layout can drift.
 *
 * Key formats (client map, pairs, notes, tenant names, rule and profile ids) are in ./keys.ts, which
 * has no Yjs import, so the engine's views can use them too. Nothing under worker/engine,
 * worker/views or worker/bundle imports this file: they never see Yjs.
 */
import * as Y from 'yjs';
import type { ClientMapEntry, ServiceRule } from '../engine/model';
import type { ReviewEntry } from '../review/reviewState';
import type { MonthSnapshot } from '../review/snapshots';
import type { FileOverrides, SourceProfile } from '../sources/types';

/** One decision per (client, service) (key: `pairKey`), as the reviewer left it, with who and when. */
export interface DecisionEntry extends ReviewEntry {
  at: string;
  by: string;
}

/** A note on a discrepancy (key: `pairKey`) or on a client (key: `clientNoteKey`). */
export interface NoteEntry {
  text: string;
  at: string;
  by: string;
}

export interface AuditEntry {
  at: string;
  by: string;
  kind: 'mapping' | 'decision' | 'note' | 'import' | 'month';
  /** The client it concerns, when there is one (for the per-client history). */
  clientId: string;
  what: string;
}

/** An import shared with teammates: its files travel as blobs on the relay, in this order. */
export interface SharedBatch {
  id: string;
  at: string;
  by: string;
  files: { name: string; hash: string; size: number }[];
  /**
   * The sender's per-file choices (a profile forced in the wizard, a tenant's name): a teammate
   * must read the same files the same way, or their external clients would not match the shared
   * client mapping.
   */
  overrides?: Record<string, FileOverrides>;
}

/** A shared setting's value (the app's AppSettings, one key each: as-of, thresholds, currency). */
export type SharedSettingValue = string | number | null;

/** The fields of one service rule; each rule is a Y.Map of these, so concurrent edits of two cells both stay. */
export const RULE_FIELDS = ['ruleId', 'integrationId', 'product', 'category', 'action', 'psaServiceId', 'count'] as const satisfies readonly (keyof ServiceRule)[];

/** Every top-level type of the document, by its Yjs name. */
export interface DocTypes {
  /** Key `clientMapKey(integration, external client)`; an edit replaces the entry (last writer wins per client). */
  clientMap: Y.Map<ClientMapEntry>;
  /** Ordered: the array order is the rule order of spec §2. Each rule a Y.Map of RULE_FIELDS. */
  serviceRules: Y.Array<Y.Map<string>>;
  /** Key `pairKey(client, service)`. */
  decisions: Y.Map<DecisionEntry>;
  /** Key `pairKey(client, service)` or `clientNoteKey(client)`. */
  notes: Y.Map<NoteEntry>;
  /** Append-only: one entry per edit, pushed in the edit's own transaction. */
  audit: Y.Array<AuditEntry>;
  /** Closed months, append-only. */
  snapshots: Y.Array<MonthSnapshot>;
  /** Shared imports, in order. */
  datasets: Y.Array<SharedBatch>;
  /** Key: an AppSettings field. */
  settings: Y.Map<SharedSettingValue>;
  /** Key: the profile's id (`newProfileId()`). */
  sourceProfiles: Y.Map<SourceProfile>;
  /** Key `tenantNameKey(integration, found name)`; value: the name the workspace gave it. */
  tenantNames: Y.Map<string>;
}

export type DocTypeName = keyof DocTypes;
export type DocTypeKind = 'map' | 'array';

/** The layout as data: name → Yjs kind. */
export const DOC_TYPES: { readonly [K in DocTypeName]: DocTypes[K] extends Y.Array<infer _T> ? 'array' : 'map' } = {
  clientMap: 'map',
  serviceRules: 'array',
  decisions: 'map',
  notes: 'map',
  audit: 'array',
  snapshots: 'array',
  datasets: 'array',
  settings: 'map',
  sourceProfiles: 'map',
  tenantNames: 'map',
};

export const DOC_TYPE_NAMES = Object.keys(DOC_TYPES) as DocTypeName[];

/** The handles of every top-level type of `doc` (Yjs returns the same instance on every call). */
export function docTypes(doc: Y.Doc): DocTypes {
  return Object.fromEntries(DOC_TYPE_NAMES.map((name) => [name, DOC_TYPES[name] === 'map' ? doc.getMap(name) : doc.getArray(name)])) as unknown as DocTypes;
}

const isDocTypeName = (name: string): name is DocTypeName => Object.hasOwn(DOC_TYPES, name);

/** The top-level type a (possibly nested) type belongs to, by name; null for a type this schema does not know. */
export function topLevelName(type: Y.AbstractType<unknown>): DocTypeName | null {
  let root = type;
  while (root._item !== null && root._item.parent instanceof Y.AbstractType) root = root._item.parent as Y.AbstractType<unknown>;
  const doc = root.doc;
  if (!doc) return null;
  for (const [name, shared] of doc.share) if (shared === root) return isDocTypeName(name) ? name : null;
  return null;
}

/** The top-level types a transaction changed (an edit inside a rule's Y.Map counts as `serviceRules`). */
export function changedTypeNames(transaction: Y.Transaction): Set<DocTypeName> {
  const names = new Set<DocTypeName>();
  for (const type of transaction.changed.keys()) {
    const name = topLevelName(type as Y.AbstractType<unknown>);
    if (name) names.add(name);
  }
  return names;
}
