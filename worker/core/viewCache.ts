import type { AppSettings, BundleSettings } from '../doc/settings';
import type { ClientRowView, Overview } from '../views/types';
import type { LedgerlineDb } from './db';

/**
 * What the last reconciliation showed first (the overview and the reconciled invoices table), kept
 * in IndexedDB with a key of every input it came from. Reopening a large workspace then shows the
 * table at once, while the engine reads a million rows back and reconciles them: the same numbers,
 * because nothing they depend on changed. Any difference in the key and nothing is shown from it.
 */
export interface ViewCacheRecord {
  key: string;
  /** Parts of the key a start can check before the document has loaded (see `worthShowingEarly`). */
  dataVersion: number;
  asOf: string;
  /** The shared settings then; one kept by an older version may lack a setting added since (the reader fills in its default). */
  settings: BundleSettings | AppSettings | null;
  isDemo: boolean;
  overview: Overview;
  /** Rows of `clientRows(filter)` by the filter's JSON: the table a screen opens on. */
  clientRows: Record<string, ClientRowView[]>;
}

export interface ViewInputs {
  /** Bumped by IndexedDB on every change of imported data (an import, a failed import, a clear). */
  dataVersion: number;
  /** Everything of the document the numbers read: mappings, rules, settings, decisions, notes. */
  document: unknown;
  /**
   * The as-of the numbers are for: the fixed one, or for "now" the current UTC hour (stale
   * thresholds are in hours), so a view of an earlier hour is never shown as this one's.
   */
  asOf: string;
}

/** The as-of part of the key: a fixed as-of as given, "now" to the hour. */
export function asOfKey(fixed: string | null, now: Date): string {
  return fixed ?? `now@${now.toISOString().slice(0, 13)}`;
}

/** A 64-bit FNV-1a of the inputs' JSON, as hex: equal inputs give equal keys. */
export function viewKey(inputs: ViewInputs): string {
  const text = JSON.stringify([inputs.dataVersion, inputs.asOf, inputs.document]);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}:${text.length}`;
}

export async function readViewCache(db: LedgerlineDb, key: string): Promise<ViewCacheRecord | null> {
  const record = await db.getMeta('viewCache', null);
  return record && record.key === key ? record : null;
}

/** The kept views whatever their key (a start checks what it can before the document has loaded). */
export async function readKeptViews(db: LedgerlineDb): Promise<ViewCacheRecord | null> {
  return db.getMeta('viewCache', null);
}

/**
 * Whether kept views may be shown before the document has loaded: the same imported data and the
 * same as-of (a fixed one, or "now" in the same hour). What only the document can tell (mappings,
 * decisions, settings) is checked once it has loaded; it differs only when the last session ended
 * within a moment of an edit, and the views are then taken back.
 */
export function worthShowingEarly(kept: ViewCacheRecord, dataVersion: number, now: Date): boolean {
  const fixed = kept.settings?.asOfMode === 'fixed' ? kept.settings.asOf : null;
  return kept.dataVersion === dataVersion && kept.asOf === asOfKey(fixed, now);
}

export async function writeViewCache(db: LedgerlineDb, record: ViewCacheRecord): Promise<void> {
  await db.setMeta('viewCache', record);
}
