import type * as Y from 'yjs';
import { topLevelName, type DocTypeName } from '../doc/schema';

/**
 * What the engine must do again after the document changed, cheapest first:
 * - `none`: nothing the engine reads (the audit trail, closed months, profiles, tenant names, the
 *   list of shared imports: an import that follows from it reconciles on its own);
 * - `notes`: the screens' next rows carry the new notes, and the tabs the new settings when only
 *   settings no number depends on changed (VIEW_ONLY_SETTINGS); no number and no review state moves;
 * - `review`: decisions changed: review states and the adjustments of spec §7, from the cached
 *   reconciliation (no reload, no reconcile);
 * - `reconcile`: mappings or shared settings changed: reconcile again.
 */
export type Recompute = 'none' | 'notes' | 'review' | 'reconcile';

const RANK: Record<Recompute, number> = { none: 0, notes: 1, review: 2, reconcile: 3 };

/**
 * Every top-level type of the document, and what its change costs. A Record over the schema's
 * names: a type added to worker/doc/schema.ts does not compile until it is classified here.
 */
export const RECOMPUTE_BY_TYPE: Readonly<Record<DocTypeName, Recompute>> = {
  clientMap: 'reconcile',
  serviceRules: 'reconcile',
  settings: 'reconcile',
  decisions: 'review',
  notes: 'notes',
  audit: 'none',
  snapshots: 'none',
  datasets: 'none',
  sourceProfiles: 'none',
  tenantNames: 'none',
};

/**
 * Settings no number depends on: only a view reads them (the suggestion threshold: which
 * suggestions "Accept N" counts). A change of these alone costs a `notes` run, whoever made it.
 */
export const VIEW_ONLY_SETTINGS: ReadonlySet<string> = new Set(['suggestionThreshold']);

/** The larger of two recomputes (a reconcile covers a review, a review covers notes). */
export const larger = (a: Recompute, b: Recompute): Recompute => (RANK[a] >= RANK[b] ? a : b);

/** What a change of these top-level types costs: the most any of them needs. */
export function classify(changed: Iterable<DocTypeName>): Recompute {
  let out: Recompute = 'none';
  for (const name of changed) out = larger(out, RECOMPUTE_BY_TYPE[name]);
  return out;
}

/**
 * What a transaction costs: `classify` of the types it changed, except that the settings map,
 * when only VIEW_ONLY_SETTINGS keys of it changed, costs `notes` rather than a reconcile.
 */
export function classifyTransaction(transaction: Y.Transaction): Recompute {
  let out: Recompute = 'none';
  for (const [type, keys] of transaction.changed) {
    const name = topLevelName(type as Y.AbstractType<unknown>);
    if (!name) continue;
    const viewOnly = name === 'settings' && type._item === null && [...keys].every((key) => key !== null && VIEW_ONLY_SETTINGS.has(key));
    out = larger(out, viewOnly ? 'notes' : RECOMPUTE_BY_TYPE[name]);
  }
  return out;
}

/**
 * Runs the engine work asked for, one run at a time. Requests that arrive while a run is on
 * coalesce into one more run of the largest kind asked, so a burst of edits costs at most two runs,
 * and a note during a reconcile never costs a second reconcile.
 */
export function createScheduler(run: (what: Exclude<Recompute, 'none'>) => Promise<void>) {
  let running: Promise<void> | null = null;
  let pending: Recompute = 'none';
  const request = (what: Recompute): Promise<void> => {
    pending = larger(pending, what);
    if (running) return running;
    if (pending === 'none') return Promise.resolve();
    running = (async () => {
      try {
        while (pending !== 'none') {
          const next = pending;
          pending = 'none';
          await run(next);
        }
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return {
    request,
    /** Resolves when nothing is running or waiting. */
    idle: (): Promise<void> => running ?? Promise.resolve(),
  };
}

/**
 * Asks `schedule` for what each transaction of `doc` needs (with its origin: another tab's edit
 * comes as `TAB`, ./tabs.ts), local or remote, except those whose
 * origin is in `quiet`: their caller recomputes itself (an import writes mappings, settings and
 * decisions in one transaction, then reconciles once). Returns the unsubscribe.
 */
export function followDoc(doc: Y.Doc, schedule: (what: Recompute, origin: unknown) => unknown, quiet: ReadonlySet<unknown> = new Set()): () => void {
  const onTransaction = (transaction: Y.Transaction) => {
    if (quiet.has(transaction.origin)) return;
    const what = classifyTransaction(transaction);
    if (what !== 'none') schedule(what, transaction.origin);
  };
  doc.on('afterTransaction', onTransaction);
  return () => doc.off('afterTransaction', onTransaction);
}
