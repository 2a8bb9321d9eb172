/**
 * The engine's host in the core: reads the workspace from IndexedDB, reconciles with the same
 * engine as the CLI, and answers the screens' questions from the result. The main thread never
 * holds usage rows: it receives the rows a screen shows.
 */
import { zipBundle } from '../bundle/zip';
import { writeBundle } from '../bundle/writeBundle';
import type { Bundle, Decision, ServiceRule } from '../engine/model';
import { previewRules } from '../mapping/rulePreview';
import { createClientMatcher, type ClientMatcher, type Suggestion } from '../mapping/suggestClients';
import { IncrementalReconciler } from '../engine/incremental';
import { formatCents } from '../engine/decimal';
import { sameData } from '../engine/sameData';
import { adjustmentsCsv } from '../export/adjustmentsCsv';
import { clientsCsv, discrepanciesCsv } from '../export/reportCsv';
import type { PresetId } from '../mapping/presets';
import type { SnapshotMeta } from '../review/snapshots';
import { confidentCount, confidentMappings } from '../views/clientMapping';
import type { BillingFilter, ClientMappingAnswer, ClientMappingCounts, ClientMappingRow, ExternalClientView, GroupBy, ReviewInput, ReviewQuery } from '../views/types';
import { RowFeed } from '../views/rowFeed';
import { discrepancyCharts, serviceCountChart } from '../views/charts';
import { WorkspaceView, reviewDecisions } from '../views/workspaceView';
import { clientMapKey, pairKey } from '../doc/keys';
import type { LedgerlineDb } from './db';
import { loadWorkspace, type LoadCache, type MappingOverride } from './loadWorkspace';

/** The document's share of a reconciliation: mappings, and the reviewers' decisions and notes. */
export interface DocumentState extends MappingOverride {
  review: ReviewInput;
}

/**
 * What mapping one integration client to a PSA client would do to that PSA client's money: its
 * discrepancy amount now and with the mapping applied (exact decimal strings), so a weak
 * suggestion's confirmation can say what it moves before anything changes.
 */
export interface MappingEffect {
  psaClientId: string;
  psaClientName: string;
  before: string;
  after: string;
  /** after − before: what the mapping moves onto this client. */
  moved: string;
  currency: string;
}

/** Suggestions per unmapped integration client on the client mapping screen. */
const MAPPING_SUGGESTIONS = 3;

/** The engine for one workspace database: the last reconciliation and the questions it answers. */
export function createEngineHost(db: LedgerlineDb) {
  const cache: LoadCache = {};
  let bundle: Bundle | null = null;
  let view: WorkspaceView | null = null;
  /**
   * The engine for the current data: kept while usage and PSA data stay (a mapping, rule or settings
   * edit), so an edit recomputes only what it changes; made again when an import changes the data.
   */
  let reconciler: IncrementalReconciler | null = null;
  /**
   * The matcher and each name's suggestions, while the PSA clients are the same rows (an edit only
   * changes which integration clients are unmapped).
   */
  let suggestions: { clients: Bundle['clients']; matcher: ClientMatcher; byName: Map<string, Suggestion[]> } | null = null;
  /**
   * The client mapping screen's rows, sent to the tabs as what changed since the version each holds.
   * A row is made once per integration client view (views reuse those an edit left alone), so an
   * edit's change is the few rows it made.
   */
  const mappingRows = new WeakMap<ExternalClientView, ClientMappingRow>();
  const mappingFeed = new RowFeed<ClientMappingRow>((r) => clientMapKey(r.integrationId, r.externalClientId));
  let mappingFrom: { list: ExternalClientView[]; rows: ClientMappingRow[]; counts: ClientMappingCounts } | null = null;

  function suggestionsFor(name: string, limit: number): Suggestion[] {
    if (suggestions?.clients !== bundle!.clients) suggestions = { clients: bundle!.clients, matcher: createClientMatcher(bundle!.clients), byName: new Map() };
    const key = `${limit}\u0000${name}`;
    let found = suggestions.byName.get(key);
    if (!found) suggestions.byName.set(key, (found = suggestions.matcher.suggest(name, limit)));
    return found;
  }

  /** The mapping screen's rows now, as a new version of the feed when the view's list is another one. */
  function mappingRowsNow(): NonNullable<typeof mappingFrom> {
    const list = current().externalClients();
    if (mappingFrom?.list === list) return mappingFrom;
    const counts: ClientMappingCounts = { unmapped: 0, excluded: 0, mapped: 0 };
    const rows = list.map((c) => {
      counts[c.status]++;
      let row = mappingRows.get(c);
      if (!row) {
        // Suggestions for unmapped clients only: a mapped or excluded one is decided.
        const found = c.status === 'unmapped' ? suggestionsFor(c.externalClientName || c.externalClientId, MAPPING_SUGGESTIONS) : [];
        mappingRows.set(c, (row = { ...c, suggestions: found }));
      }
      return row;
    });
    mappingFeed.set(rows);
    mappingFrom = { list, rows, counts };
    return mappingFrom;
  }
  /**
   * How often each kind of work ran since the core started (the app's tests read them: a note must
   * cost no reconcile, an approval no full reconcile, an import exactly one).
   */
  const counts = { reconciles: 0, reviews: 0, notes: 0 };

  function current(): WorkspaceView {
    if (!view) throw new Error('the workspace is not loaded yet');
    return view;
  }

  /**
   * decisions.csv as the review stands: approvals, and dismissals that still hold (one whose numbers
   * changed is back for review, so it is not a decision any more), with their notes.
   */
  function exportedDecisions(): Decision[] {
    const v = current();
    const states = new Map(v.discrepancies().map((d) => [pairKey(d.clientId, d.serviceId), d]));
    return bundle!.decisions.flatMap((d) => {
      const shown = states.get(pairKey(d.clientId, d.serviceId));
      if (d.decision === 'dismiss' && shown?.review === 'returned') return [];
      return [{ ...d, ...(shown?.note ? { note: shown.note } : {}) }];
    });
  }

  return {
    /** Reloads what changed in IndexedDB and reconciles again; returns the overview and how long it took. */
    async refresh(state?: DocumentState) {
      const started = performance.now();
      const next = await loadWorkspace(db, cache, undefined, state);
      if (state) next.decisions = reviewDecisions(state.review);
      const loaded = performance.now();
      counts.reconciles++;
      const same = reconciler !== null && sameData(reconciler.bundle, next);
      if (same) {
        // The PSA rows just read equal the kept ones: keep those objects, which the last reconciliation's pairs hold.
        const kept = reconciler!.bundle;
        bundle = { ...next, clients: kept.clients, lines: kept.lines, catalog: kept.catalog };
      } else {
        bundle = next;
        reconciler = new IncrementalReconciler(next);
      }
      const rec = reconciler!.withMappings(bundle.clientMap, bundle.serviceMap, bundle.settings, bundle.decisions);
      view = same && view ? view.withReconciliation(bundle, rec, state?.review) : new WorkspaceView(bundle, rec, state?.review);
      const overview = view.overview();
      return { overview, timings: { loadMs: Math.round(loaded - started), reconcileMs: Math.round(performance.now() - loaded) } };
    },
    /**
     * Decisions changed, nothing else: review states and adjustments from the last reconciliation,
     * no reload and no reconcile. Null before the first refresh (the caller refreshes then).
     */
    review(review: ReviewInput) {
      if (!view) return null;
      counts.reviews++;
      view = view.withReview(review);
      bundle = view.bundle;
      return view.overview();
    },
    /** Only notes changed: the screens' next rows carry them; no number moves. False before the first refresh. */
    notes(notes: ReviewInput['notes']) {
      if (!view) return false;
      counts.notes++;
      view = view.withNotes(notes);
      return true;
    },
    stats: () => ({ ...counts }),
    overview: () => current().overview(),
    clientRows: (filter: BillingFilter) => current().clientRows(filter),
    /** Home's charts, from the same rows as the Billing table. */
    discrepancyCharts: () => discrepancyCharts(current().discrepancies(), current().integrations()),
    /** A client's invoiced quantity against its system count, per compared service. */
    clientChart: (clientId: string) => serviceCountChart(current().clientDetail(clientId)?.pairs ?? []),
    discrepancies: (filter: BillingFilter) => current().discrepancies(filter),
    groups: (groupBy: GroupBy, filter: BillingFilter) => current().groups(groupBy, filter),
    clientDetail: (clientId: string) => current().clientDetail(clientId),
    /** The review screen's lists, a page of each: the search and the counts are answered here (WorkspaceView.reviewPage). */
    reviewPage: (query: ReviewQuery, limit: number) => current().reviewPage(query, limit),
    reviewSelection: (query: ReviewQuery) => current().reviewSelection(query),
    reviewSpotCheck: (query: ReviewQuery, limit: number) => current().reviewSpotCheck(query, limit),
    seats: (clientId: string, offset: number, limit: number) => current().seats(clientId, offset, limit),
    flags: () => current().flags(),
    inactiveSeats: () => current().inactiveSeats(),
    inactiveSeatPage: (search: string, limit: number) => current().inactiveSeatPage(search, limit),
    unmappedClients: () => current().unmappedClients(),
    unaccounted: () => current().unaccounted(),
    adjustments: () => current().adjustments(),
    clientMap: () => bundle?.clientMap ?? [],
    serviceMap: () => bundle?.serviceMap ?? [],
    psaClients: () => bundle?.clients ?? [],
    report: () => current().report(),
    previewRules: (rules: ServiceRule[]) => previewRules(bundle!, rules),
    /** Every (integration, external client) seen in usage, with its rows and last non-blank name. */
    externalClients: () => current().externalClients(),
    psaServices: () => current().psaServices(),
    unaccountedProducts: () => current().unaccountedProducts(),
    /**
     * The client mapping screen: its rows (each integration client with its status and, when
     * unmapped, its ranked PSA clients: suggestions only, nothing is applied) and its counts per
     * status, and how many "Accept N" maps at the workspace's `threshold`. With the version a tab
     * holds, only what changed since (see ../views/rowFeed.ts).
     */
    clientMapping(since: string | null, threshold: number): ClientMappingAnswer {
      const { rows, counts } = mappingRowsNow();
      return { ...mappingFeed.since(since), counts, confident: confidentCount(rows, threshold), threshold };
    },
    /** What "Accept N" writes: every unmapped client to its best suggestion, when that is at or above `threshold`. */
    confidentMappings: (threshold: number) => confidentMappings(mappingRowsNow().rows, threshold),
    /** Service mapping's preset offers: integrations with usage and no rule. */
    integrationsWithoutRules: () => current().integrationsWithoutRules(),
    integrationProducts: (integrationId: string) => current().integrationProducts(integrationId),
    /** See MappingEffect. Nothing is kept: the document is not touched and the view stays as it is. */
    mappingEffect(integrationId: string, externalClientId: string, psaClientId: string): MappingEffect {
      current();
      const b = bundle!;
      const others = b.clientMap.filter((e) => e.integrationId !== integrationId || e.externalClientId !== externalClientId);
      const trial = reconciler!.withMappings([...others, { integrationId, externalClientId, psaClientId, status: 'mapped' }], b.serviceMap, b.settings, b.decisions);
      // Back to the mappings in use, so the next edit's incremental run starts from them, not from the trial.
      const now = reconciler!.withMappings(b.clientMap, b.serviceMap, b.settings, b.decisions);
      const amountOf = (rec: typeof now) => rec.clients.find((c) => c.clientId === psaClientId)?.discrepancyAmount ?? 0n;
      const before = amountOf(now);
      const after = amountOf(trial);
      const psaClientName = b.clients.find((c) => c.clientId === psaClientId)?.clientName || psaClientId;
      return { psaClientId, psaClientName, before: formatCents(before), after: formatCents(after), moved: formatCents(after - before), currency: b.settings.currency };
    },
    /** A month's snapshot, computed here so a close never runs the engine on the main thread. */
    snapshot: (meta: SnapshotMeta) => current().snapshot(meta),
    /** A preset's rules, ids left blank for the document to give. */
    presetRules: (presetId: PresetId, integrationId: string) => current().presetRules(presetId, integrationId),
    exportBundleZip: () => zipBundle(writeBundle({ ...bundle!, decisions: exportedDecisions() })),
    exportCsv(which: 'clients' | 'discrepancies' | 'adjustments') {
      const v = current();
      if (which === 'adjustments') return adjustmentsCsv(v.adjustments(), bundle!.settings.currency);
      const report = v.report();
      const currency = bundle!.settings.currency;
      return which === 'clients' ? clientsCsv(report, currency) : discrepanciesCsv(report, new Map(bundle!.clients.map((c) => [c.clientId, c.clientName])), currency);
    },
  };
}

export type EngineHost = ReturnType<typeof createEngineHost>;
