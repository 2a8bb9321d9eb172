import { absBig, formatCents, formatUnits, parseUnits } from '../engine/decimal';
import { integrationStatus, type SettingsWithPsaFailure } from './integrationStatus';
import { formatDay, parseIsoDate } from '../engine/dates';
import { defaultEffectiveDate, prorate } from '../engine/adjustments';
import { DEFAULT_OUTLIER_AMOUNT, REVIEW_QUEUES, REVIEW_SHOWS, outlierReason, reviewQueue, reviewState, shownIn, type ReviewEntry, type ReviewQueue, type ReviewShow, type ReviewState } from '../review/reviewState';
import { valueAt } from '../engine/dictionary';
import { usageIndexOf } from '../engine/usageIndex';
import type { Pair } from '../engine/comparePairs';
import { NO_DAY, type Bundle, type ClientMapEntry, type Decision, type PsaLine } from '../engine/model';
import type { Reconciliation } from '../engine/reconcile';
import { toReport } from '../engine/report';
import { adjustmentsFor } from '../engine/adjustments';
import { clientMapKey, clientNoteKey, pairKey } from '../doc/keys';
import type { Report } from '../engine/report.types';
import { EXCLUDED_CLIENT, EXCLUDED_RULE, MAPPED, UNACCOUNTED, UNMAPPED } from '../engine/resolve';
import { comparedServices } from '../engine/comparePairs';
import { findDoubleCounting, type DoubleCount } from '../mapping/doubleCounting';
import { PRESETS, buildPresetRules, type PresetId, type PresetResult } from '../mapping/presets';
import { takeSnapshot, type MonthSnapshot, type SnapshotMeta } from '../review/snapshots';
import type {
  AdjustmentView, BillingFilter, ClientDetail, ClientRowView, DiscrepancyGroup, DiscrepancyView, ExternalClientView, FlagView, GroupBy, ProductView, ServiceOption,
  InactiveSeatPage, InactiveSeatView, IntegrationView, LineView, Overview, PairView, ReviewCount, ReviewInput, ReviewList, ReviewPage, ReviewPick, ReviewQuery, ReviewSpotCheck,
  ReviewType, SeatView, UnaccountedView, UnmappedClientView,
} from './types';

/**
 * Discrepancy views per Pair object, valid for one review input and as-of date (what a pair's view
 * reads besides the pair). Carried from view to view while the data stays, so an edit formats only
 * the pairs it changed.
 */
interface PairViewCache {
  reviewKey: string;
  views: WeakMap<Pair, DiscrepancyView>;
}

/**
 * The client mapping screen's rows of a view, per tenant of the usage index and in the screen's
 * order: a view of the same data starts from them, so an edit makes new rows only for the tenants
 * whose status or PSA client it changed, and the list stays the same array when it changed none.
 */
interface ExternalClientsCache {
  usage: Bundle['usage'];
  clients: Bundle['clients'];
  /**
   * Each client map entry's tenant (-1: none in usage), by entry object: the document hands back the
   * same objects for the entries an edit left alone, so only new entries are looked up by key.
   */
  tenantOf: Map<ClientMapEntry, number>;
  byTenant: ExternalClientView[];
  list: ExternalClientView[];
}

/** Each tenant's index by its client map key, per usage table. */
const tenantKeys = new WeakMap<Bundle['usage'], Map<string, number>>();
function tenantIndexByKey(usage: Bundle['usage']): Map<string, number> {
  let keys = tenantKeys.get(usage);
  if (!keys) {
    keys = new Map();
    const tenants = usageIndexOf(usage).tenants;
    for (let i = 0; i < tenants.length; i++) keys.set(clientMapKey(tenants[i]!.integrationId, tenants[i]!.externalClientId), i);
    tenantKeys.set(usage, keys);
  }
  return keys;
}

/** Each integration client row's tenant, for the list's order (ties go to the first seen). */
const tenantOfRow = new WeakMap<ExternalClientView, number>();
const STATUS_ORDER = { unmapped: 0, excluded: 1, mapped: 2 } as const;
/** The client mapping list's order: unmapped, then excluded, then mapped; most rows first; first seen first. */
const byStatusAndRows = (a: ExternalClientView, b: ExternalClientView) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.rows - a.rows || tenantOfRow.get(a)! - tenantOfRow.get(b)!;
/** Past this many changed rows, the list is sorted again rather than patched. */
const PATCH_AT_MOST = 256;

/** What a view hands the next one of the same data. */
interface Carried {
  pairViews?: PairViewCache;
  externals?: ExternalClientsCache;
}

const pairViewKey = (review: ReviewInput, asOfDay: number) => JSON.stringify([asOfDay, review.outlierAmount, review.entries, review.notes]);

/** The review's rows: per chip, per list (discrepancies, new revenue). */
export type ReviewBuckets = Record<ReviewShow, Record<ReviewQueue, DiscrepancyView[]>>;

const QUEUE_LABEL: Record<ReviewQueue, string> = {
  discrepancies: 'Discrepancies on invoiced services',
  newRevenue: 'New revenue: usage with no PSA line',
};

const FLAG_DETAIL = {
  missing_price: 'A line has no unit price: the rate is estimated.',
  inconsistent_price: 'Two or more prices for this service on the same invoice.',
  nonpositive_quantity: 'A line has a quantity of zero or less.',
} as const;

/** A money string of this module (two places) back to cents. */
const centsOf = (money: string) => parseUnits(money)! / 100n;

const byAbsAmount = (a: { abs: bigint; id: string }, b: { abs: bigint; id: string }) => (a.abs > b.abs ? -1 : a.abs < b.abs ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Usage rows per integration, counted once per usage table (a review-only update keeps the table). */
const integrationRows = new WeakMap<Bundle['usage'], Map<string, number>>();
function rowsPerIntegration(usage: Bundle['usage']): Map<string, number> {
  let rows = integrationRows.get(usage);
  if (!rows) {
    rows = new Map<string, number>();
    for (let i = 0; i < usage.length; i++) {
      const id = valueAt(usage.integrationId, i);
      rows.set(id, (rows.get(id) ?? 0) + 1);
    }
    integrationRows.set(usage, rows);
  }
  return rows;
}

/** PSA client names by id, once per list of clients (a mapping edit keeps the list). */
const clientNameMaps = new WeakMap<Bundle['clients'], Map<string, string>>();
function clientNamesOf(clients: Bundle['clients']): Map<string, string> {
  let names = clientNameMaps.get(clients);
  if (!names) clientNameMaps.set(clients, (names = new Map(clients.map((c) => [c.clientId, c.clientName]))));
  return names;
}

/** PSA service names by id (the catalog's first, then the lines'), once per lines and catalog. */
const serviceNameMaps = new WeakMap<Bundle['lines'], { catalog: Bundle['catalog']; names: Map<string, string> }>();
function serviceNamesOf(lines: Bundle['lines'], catalog: Bundle['catalog']): Map<string, string> {
  const kept = serviceNameMaps.get(lines);
  if (kept?.catalog === catalog) return kept.names;
  const names = new Map<string, string>();
  for (const item of catalog) if (item.serviceName) names.set(item.serviceId, item.serviceName);
  for (const line of lines) if (line.serviceName && !names.has(line.serviceId)) names.set(line.serviceId, line.serviceName);
  serviceNameMaps.set(lines, { catalog, names });
  return names;
}

/**
 * A discrepancy's words for the review's search, in lower case: what its grid shows as text (client,
 * service, their ids, kind, state, effective date, note, spot check). Kept per view object, which
 * views of the same review input share, so a search formats no row twice.
 */
const searchTexts = new WeakMap<DiscrepancyView, string>();
function searchText(d: DiscrepancyView): string {
  let text = searchTexts.get(d);
  if (text === undefined) {
    text = [d.clientName, d.clientId, d.serviceName, d.serviceId, d.type, d.review, d.effectiveDate, d.note, d.outlier ?? ''].join('\u0000').toLowerCase();
    searchTexts.set(d, text);
  }
  return text;
}

/** Rows whose text holds every word of `search` (any case, any order), as the grids' quick filter matched. */
function matchingSearch(rows: DiscrepancyView[], search: string): DiscrepancyView[] {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return rows;
  return rows.filter((d) => {
    const text = searchText(d);
    return words.every((w) => text.includes(w));
  });
}

/** A group of discrepancy rows with their count and amounts (null amounts count 0). */
function summed(key: string, label: string, rows: DiscrepancyView[]): DiscrepancyGroup {
  let cents = 0n;
  let absCents = 0n;
  for (const d of rows) {
    if (d.amount === null) continue;
    const c = centsOf(d.amount);
    cents += c;
    absCents += absBig(c);
  }
  return { key, label, count: rows.length, amount: formatCents(cents), amountAbs: formatCents(absCents), rows };
}

/** Decisions for the engine (spec §7): approvals count; a dismissal or a reopened pair changes no number. */
export function reviewDecisions(review: ReviewInput): Decision[] {
  return review.entries.flatMap((e) => (e.decision === null ? [] : [{ clientId: e.clientId, serviceId: e.serviceId, decision: e.decision, effectiveDate: e.effectiveDate ? parseIsoDate(e.effectiveDate) : null }]));
}

/**
 * Everything the screens ask about one reconciliation. Pure: built from the engine's bundle and
 * result, so the worker, the tests and any future server give the same answers.
 */
export class WorkspaceView {
  private readonly clientNames: Map<string, string>;
  private readonly serviceNames: Map<string, string>;
  private readonly compared: Set<string>;

  private readonly entries: Map<string, ReviewEntry>;
  /** Every discrepancy and unaccounted group, sorted, unfiltered: built once per view, filtered per question. */
  private sortedDiscrepancies: DiscrepancyView[] | null = null;
  private readonly pairViews: PairViewCache;

  constructor(
    readonly bundle: Bundle,
    readonly rec: Reconciliation,
    private readonly review: ReviewInput = { entries: [], notes: {}, outlierAmount: DEFAULT_OUTLIER_AMOUNT },
    carried: Carried = {},
  ) {
    const reviewKey = pairViewKey(review, rec.asOfDay);
    this.pairViews = carried.pairViews?.reviewKey === reviewKey ? carried.pairViews : { reviewKey, views: new WeakMap() };
    this.previousExternals = carried.externals?.usage === bundle.usage && carried.externals.clients === bundle.clients ? carried.externals : undefined;
    this.entries = new Map(review.entries.map((e) => [pairKey(e.clientId, e.serviceId), e]));
    this.clientNames = clientNamesOf(bundle.clients);
    this.serviceNames = serviceNamesOf(bundle.lines, bundle.catalog);
    this.compared = comparedServices(bundle);
  }

  /**
   * The same reconciliation under another review (decisions, notes): only what decisions decide is
   * derived again (the adjustments of spec §7, and review states, which the view computes on
   * demand). Decisions change no other number, so there is no reconcile here.
   */
  withReview(review: ReviewInput): WorkspaceView {
    const decisions = reviewDecisions(review);
    return new WorkspaceView({ ...this.bundle, decisions }, { ...this.rec, adjustments: adjustmentsFor(this.rec.pairs, decisions, this.rec.asOfDay) }, review, { externals: this.externals });
  }

  /**
   * Another reconciliation of the same data (clients, lines, catalog and usage unchanged; a
   * mapping or settings edit): the discrepancy views of pairs the edit left alone (the incremental
   * reconciler keeps their Pair objects) are reused while the review input is the same.
   */
  withReconciliation(bundle: Bundle, rec: Reconciliation, review?: ReviewInput): WorkspaceView {
    const sameData = bundle.clients === this.bundle.clients && bundle.lines === this.bundle.lines && bundle.catalog === this.bundle.catalog && bundle.usage === this.bundle.usage;
    return new WorkspaceView(bundle, rec, review, sameData ? { pairViews: this.pairViews, externals: this.externals } : {});
  }

  /** The same reconciliation and decisions with other notes (notes change no number and no review state). */
  withNotes(notes: ReviewInput['notes']): WorkspaceView {
    return new WorkspaceView(this.bundle, this.rec, { ...this.review, notes }, { externals: this.externals });
  }

  report(): Report {
    return toReport(this.bundle, this.rec);
  }

  /**
   * Month close: this reconciliation frozen (worker/review/snapshots.ts). It keeps the service
   * discrepancies only, so its `totals.discrepancies` is the overview's `serviceDiscrepancies`.
   */
  snapshot(meta: SnapshotMeta): MonthSnapshot {
    return takeSnapshot(this.report(), meta);
  }

  /**
   * The rules a preset makes for one integration from its products this month and the PSA services
   * (worker/mapping/presets.ts). Rule ids are left blank: ids are the document's to give (random,
   * unique among its rules), so the caller fills them in before adding the rules.
   */
  presetRules(presetId: PresetId, integrationId: string): PresetResult {
    const preset = PRESETS.find((p) => p.id === presetId);
    if (!preset) throw new RangeError(`unknown preset ${presetId}`);
    return buildPresetRules(preset, integrationId, { products: this.integrationProducts(integrationId) }, this.psaServices(), () => '');
  }

  clientName(id: string): string {
    return this.clientNames.get(id) ?? '';
  }

  serviceName(id: string): string {
    return this.serviceNames.get(id) ?? '';
  }

  overview(): Overview {
    const { settings } = this.bundle;
    // The discrepancies' sums from the reconciled invoices table's rows (each client's row sums its
    // pairs with qty_delta ≠ 0, and counts its unaccounted groups too): a few thousand clients, not
    // every pair, after every edit.
    let amount = 0n;
    let abs = 0n;
    let discrepancies = -this.rec.unaccounted.length;
    for (const c of this.rec.clients) {
      discrepancies += c.discrepancyCount;
      amount += c.discrepancyAmount;
      abs += c.discrepancyAmountAbs;
    }
    let adjustments = 0n;
    let prorated = 0n;
    for (const a of this.rec.adjustments) {
      adjustments += a.monthlyAmount;
      prorated += a.proratedAmount;
    }
    // The lengths of reviewBuckets()' lists, counted without sorting every discrepancy (which the
    // overview, sent after every edit, does not need): unaccounted groups are in no queue.
    const byState = new Map<ReviewState, Record<ReviewQueue, number>>();
    for (const p of this.rec.pairs) {
      if (p.qtyDelta === 0n) continue;
      const queue = reviewQueue(p.type);
      if (queue === null) continue;
      const state = this.pairDiscrepancy(p).review;
      let n = byState.get(state);
      if (!n) byState.set(state, (n = { discrepancies: 0, newRevenue: 0 }));
      n[queue]++;
    }
    const tally = Object.fromEntries(REVIEW_SHOWS.map((show) => [show, { discrepancies: 0, newRevenue: 0 }])) as Record<ReviewShow, Record<ReviewQueue, number>>;
    for (const [state, n] of byState) {
      for (const show of REVIEW_SHOWS) {
        if (!shownIn(show, state)) continue;
        tally[show].discrepancies += n.discrepancies;
        tally[show].newRevenue += n.newRevenue;
      }
    }
    const review = Object.fromEntries(
      REVIEW_SHOWS.map((show): [ReviewShow, ReviewCount] => {
        const b = tally[show];
        return [show, { discrepancies: b.discrepancies, newRevenue: b.newRevenue, total: b.discrepancies + b.newRevenue }];
      }),
    ) as Record<ReviewShow, ReviewCount>;
    return {
      currency: settings.currency,
      asOf: new Date(settings.asOf).toISOString(),
      asOfDate: formatDay(this.rec.asOfDay),
      clients: this.rec.clients.length,
      usageRows: this.bundle.usage.length,
      discrepancies: discrepancies + this.rec.unaccounted.length,
      serviceDiscrepancies: discrepancies,
      discrepancyAmount: formatCents(amount),
      discrepancyAmountAbs: formatCents(abs),
      unmappedClients: this.rec.unmapped.length,
      unmappedRecords: this.rec.unmapped.reduce((n, u) => n + u.records, 0),
      unaccountedGroups: this.rec.unaccounted.length,
      unaccountedProducts: this.unaccountedProducts().length,
      unaccountedRecords: this.rec.unaccounted.reduce((n, u) => n + u.records, 0),
      flags: this.rec.flags.length,
      inactiveSeats: this.rec.inactive.length,
      adjustments: this.rec.adjustments.length,
      adjustmentsMonthly: formatCents(adjustments),
      adjustmentsProrated: formatCents(prorated),
      toReview: review.open.total,
      review,
      integrations: this.integrations(),
      doubleCounted: this.doubleCounting(),
      psaImportFailure: (this.bundle.settings as SettingsWithPsaFailure).psaImportFailure ?? null,
    };
  }

  /** Pairs two or more integrations count (an M365 export and a Pax8 invoice both counting one SKU). */
  doubleCounting(): DoubleCount[] {
    const integrationNames = new Map(this.rec.integrations.map((i) => [i.id, i.name]));
    return findDoubleCounting(this.rec.pairs, this.bundle.serviceMap, {
      client: (id) => this.clientName(id),
      service: (id) => this.serviceName(id),
      integration: (id) => integrationNames.get(id) ?? '',
    });
  }

  /** Integrations with usage that no service rule names: Service mapping offers each a preset of rules. */
  integrationsWithoutRules(): IntegrationView[] {
    const ruled = new Set(this.bundle.serviceMap.map((r) => r.integrationId));
    return this.integrations().filter((i) => i.usageRows > 0 && !ruled.has(i.id));
  }

  integrations(): IntegrationView[] {
    const { settings, usage } = this.bundle;
    const rows = rowsPerIntegration(usage);
    const hours = settings.staleAfterHours;
    return this.rec.integrations.map((i) => ({
      id: i.id,
      name: i.name,
      kind: i.kind,
      lastSyncAt: i.lastSyncAt === null ? null : new Date(i.lastSyncAt).toISOString(),
      lastSyncStatus: i.lastSyncStatus,
      ...integrationStatus(i, i.status, hours),
      usageRows: rows.get(i.id) ?? 0,
    }));
  }

  /** The reconciled invoices table (spec §4); with a filter, counts and amounts cover only what passes it. */
  clientRows(filter: BillingFilter = {}): ClientRowView[] {
    const discrepancies = this.discrepancies(filter);
    const perClient = new Map<string, DiscrepancyView[]>();
    for (const d of discrepancies) {
      let list = perClient.get(d.clientId);
      if (!list) perClient.set(d.clientId, (list = []));
      list.push(d);
    }
    const filtered = filter.integrationId !== undefined || (filter.types?.length ?? 0) > 0;
    // Plain loops and object literals: this runs for every client after every edit.
    const rows: { row: ClientRowView; abs: bigint; id: string }[] = [];
    for (const c of this.rec.clients) {
      const list = perClient.get(c.clientId);
      if (filtered && !list) continue;
      const types = new Set<ReviewType>();
      const integrationIds = new Set<string>();
      let amount = 0n;
      let abs = 0n;
      for (const d of list ?? []) {
        types.add(d.type);
        for (const id of d.integrationIds) integrationIds.add(id);
        if (!filtered || d.amount === null) continue;
        const cents = centsOf(d.amount);
        amount += cents;
        abs += absBig(cents);
      }
      const note = this.review.notes[clientNoteKey(c.clientId)] ?? '';
      const row: ClientRowView = filtered
        ? { clientId: c.clientId, clientName: c.clientName, seatCount: c.seatCount, serviceCount: c.serviceCount, billingCycle: c.billingCycle, note, discrepancyCount: list!.length, discrepancyAmount: formatCents(amount), discrepancyAmountAbs: formatCents(abs), types: [...types], integrationIds: [...integrationIds].sort() }
        : { clientId: c.clientId, clientName: c.clientName, seatCount: c.seatCount, serviceCount: c.serviceCount, billingCycle: c.billingCycle, note, discrepancyCount: c.discrepancyCount, discrepancyAmount: formatCents(c.discrepancyAmount), discrepancyAmountAbs: formatCents(c.discrepancyAmountAbs), types: [...types], integrationIds: [...integrationIds].sort() };
      rows.push({ row, abs: filtered ? abs : c.discrepancyAmountAbs, id: c.clientId });
    }
    return rows.sort(byAbsAmount).map((r) => r.row);
  }

  /** Every discrepancy (qty_delta ≠ 0) and unaccounted group, largest absolute amount first. */
  discrepancies(filter: BillingFilter = {}): DiscrepancyView[] {
    const types = filter.types && filter.types.length > 0 ? new Set<ReviewType>(filter.types) : null;
    const show = filter.review;
    // The sort is stable, so filtering the sorted list gives what sorting the filtered one would.
    return this.allDiscrepancies().filter(
      (d) =>
        (!types || types.has(d.type)) &&
        (filter.integrationId === undefined || d.integrationIds.includes(filter.integrationId)) &&
        (show === undefined || (reviewQueue(d.type) !== null && shownIn(show, d.review))),
    );
  }

  private allDiscrepancies(): DiscrepancyView[] {
    if (this.sortedDiscrepancies) return this.sortedDiscrepancies;
    const out: { view: DiscrepancyView; abs: bigint; id: string }[] = [];
    for (const pair of this.rec.pairs) {
      if (pair.qtyDelta === 0n) continue;
      const view = this.pairDiscrepancy(pair);
      out.push({ view, abs: pair.amount === null ? 0n : absBig(pair.amount), id: view.key });
    }
    for (const u of this.unaccounted()) {
      out.push({
        view: {
          key: `u\u0000${u.clientId}\u0000${u.integrationId}\u0000${u.product}`,
          clientId: u.clientId, clientName: u.clientName, serviceId: '', serviceName: u.product, type: 'unaccounted',
          integrationIds: [u.integrationId], agreementIds: [], invoicedQty: '0', systemCount: String(u.records), qtyDelta: String(u.records),
          unitRate: null, rateSource: null, rateBasis: 'No service mapping rule covers this product, so it has no rate.', amount: null,
          review: 'pending', effectiveDate: '', effectiveDateIsDefault: true, proratedAmount: null, note: '', outlier: null,
        },
        abs: 0n,
        id: `~${u.clientId}`,
      });
    }
    this.sortedDiscrepancies = out.sort(byAbsAmount).map((o) => o.view);
    return this.sortedDiscrepancies;
  }

  /**
   * The one classification of the review: every discrepancy, per chip (to review, approved,
   * dismissed, all) and per list (discrepancies on invoiced services, new revenue). The tab badge,
   * the chips and both grids are these arrays and their lengths; unaccounted groups are in none.
   */
  reviewBuckets(filter: BillingFilter = {}): ReviewBuckets {
    const out = Object.fromEntries(REVIEW_SHOWS.map((show) => [show, { discrepancies: [], newRevenue: [] }])) as unknown as ReviewBuckets;
    for (const d of this.discrepancies({ ...filter, review: undefined })) {
      const queue = reviewQueue(d.type);
      if (queue === null) continue;
      for (const show of REVIEW_SHOWS) if (shownIn(show, d.review)) out[show][queue].push(d);
    }
    return out;
  }

  groups(groupBy: GroupBy, filter: BillingFilter = {}): DiscrepancyGroup[] {
    if (groupBy === 'queue') {
      const bucket = this.reviewBuckets(filter)[filter.review ?? 'all'];
      return REVIEW_QUEUES.map((queue) => summed(queue, QUEUE_LABEL[queue], bucket[queue]));
    }
    const groups = new Map<string, DiscrepancyGroup & { cents: bigint; absCents: bigint }>();
    const add = (key: string, label: string, d: DiscrepancyView) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { key, label, count: 0, amount: '', amountAbs: '', rows: [], cents: 0n, absCents: 0n }));
      g.rows.push(d);
      g.count++;
      if (d.amount !== null) {
        const cents = centsOf(d.amount);
        g.cents += cents;
        g.absCents += absBig(cents);
      }
    };
    for (const d of this.discrepancies(filter)) {
      if (groupBy === 'account') add(d.clientId, d.clientName || d.clientId, d);
      else if (groupBy === 'service') add(d.serviceId || `product:${d.serviceName}`, d.serviceId ? `${d.serviceName || d.serviceId} (${d.serviceId})` : `Unaccounted: ${d.serviceName}`, d);
      else if (d.agreementIds.length === 0) add('', 'No agreement (usage without a PSA line, or lines without an agreement id)', d);
      else for (const a of d.agreementIds) add(a, `Agreement ${a}`, d);
    }
    return [...groups.values()]
      .sort((a, b) => byAbsAmount({ abs: a.absCents, id: a.label }, { abs: b.absCents, id: b.label }))
      .map(({ cents, absCents, ...g }) => ({ ...g, amount: formatCents(cents), amountAbs: formatCents(absCents) }));
  }

  /** reviewBuckets() of this view, kept: every page, selection and spot check of the review reads them. */
  private buckets: ReviewBuckets | undefined;

  private reviewList(query: ReviewQuery, queue: ReviewQueue): { all: DiscrepancyView[]; matching: DiscrepancyView[] } {
    const all = (this.buckets ??= this.reviewBuckets())[query.show][queue];
    return { all, matching: matchingSearch(all, query.search) };
  }

  /**
   * The review screen's two lists under a chip and a search, at most `limit` rows each, largest
   * absolute amount first, with how many there are. At 1M usage rows the review holds ~6,200
   * discrepancies: all of them cloned to the page and laid out froze it for 0.2-0.4 s on every visit,
   * so the screen shows the top and the search reaches the rest here.
   */
  reviewPage(query: ReviewQuery, limit: number): ReviewPage {
    const list = (queue: ReviewQueue): ReviewList => {
      const { all, matching } = this.reviewList(query, queue);
      return { queue, label: QUEUE_LABEL[queue], total: all.length, matching: matching.length, rows: matching.slice(0, limit) };
    };
    return { discrepancies: list('discrepancies'), newRevenue: list('newRevenue') };
  }

  /** What a decision records of every discrepancy on invoiced services the query lists: "select all" as a query, not a list of rows sent back. */
  reviewSelection(query: ReviewQuery): ReviewPick[] {
    return this.reviewList(query, 'discrepancies').matching.map((d) => ({ clientId: d.clientId, serviceId: d.serviceId, qtyDelta: d.qtyDelta, amount: d.amount }));
  }

  /** The spot check of a bulk action on every discrepancy the query lists: how many, and the first `limit` that look out of proportion. */
  reviewSpotCheck(query: ReviewQuery, limit: number): ReviewSpotCheck {
    const { matching } = this.reviewList(query, 'discrepancies');
    const outliers = matching.filter((d) => d.outlier !== null);
    return { count: matching.length, outlierCount: outliers.length, outliers: outliers.slice(0, limit) };
  }

  clientDetail(clientId: string): ClientDetail | null {
    const client = this.clientRows().find((c) => c.clientId === clientId);
    if (!client) return null;
    const pairs: PairView[] = this.rec.pairs
      .filter((p) => p.clientId === clientId)
      .sort((a, b) => byAbsAmount({ abs: a.amount === null ? 0n : absBig(a.amount), id: a.serviceId }, { abs: b.amount === null ? 0n : absBig(b.amount), id: b.serviceId }))
      .map((p) => {
        const d = this.pairDiscrepancy(p);
        return { serviceId: p.serviceId, serviceName: d.serviceName, type: p.type, integrationIds: p.integrationIds, invoicedQty: d.invoicedQty, systemCount: d.systemCount, qtyDelta: d.qtyDelta, unitRate: d.unitRate, rateSource: p.rate.source, rateBasis: p.rate.basis, amount: d.amount, lineCount: p.lines.length, usageRows: p.usageRows };
      });
    const current = new Set(this.rec.currentLines);
    const lines: LineView[] = this.bundle.lines
      .filter((l) => l.clientId === clientId)
      .map((l) => this.lineView(l, current.has(l)))
      .sort((a, b) => Number(b.current) - Number(a.current) || (a.serviceId < b.serviceId ? -1 : 1));
    return {
      client,
      pairs,
      lines,
      integrations: this.clientIntegrations(clientId),
      unaccounted: this.unaccounted().filter((u) => u.clientId === clientId),
      flags: this.flags().filter((f) => f.clientId === clientId),
    };
  }

  /** Usage rows resolved to a client (the seats tab), in file order, a page at a time. */
  seats(clientId: string, offset: number, limit: number): { rows: SeatView[]; total: number } {
    const index = this.rec.clientIds.indexOf(clientId);
    const { kind, client, rule } = this.rec.resolution;
    const { usage, serviceMap } = this.bundle;
    const rows: SeatView[] = [];
    let total = 0;
    for (let i = 0; i < usage.length; i++) {
      if (client[i] !== index || (kind[i] !== MAPPED && kind[i] !== UNACCOUNTED && kind[i] !== EXCLUDED_RULE)) continue;
      if (total >= offset && rows.length < limit) {
        const r = rule[i]!;
        rows.push({
          integrationId: valueAt(usage.integrationId, i),
          externalClientId: valueAt(usage.externalClientId, i),
          recordId: usage.recordId.at(i),
          product: valueAt(usage.product, i),
          category: valueAt(usage.category, i),
          quantity: formatUnits(usage.quantity[i]!),
          lastActive: usage.lastActive[i]! === NO_DAY ? '' : formatDay(usage.lastActive[i]!),
          status: kind[i] === MAPPED ? 'counted' : kind[i] === UNACCOUNTED ? 'unaccounted' : 'excluded by rule',
          serviceId: r >= 0 ? serviceMap[r]!.psaServiceId : '',
          ruleId: r >= 0 ? serviceMap[r]!.ruleId : '',
        });
      }
      total++;
    }
    return { rows, total };
  }

  flags(): FlagView[] {
    return this.rec.flags.map((f) => ({ clientId: f.clientId, clientName: this.clientName(f.clientId), invoiceId: f.invoiceId, serviceId: f.serviceId, serviceName: this.serviceName(f.serviceId), flag: f.flag, detail: FLAG_DETAIL[f.flag] }));
  }

  /** Built once per reconciliation: each search of the Inactive seats tab reads it again. */
  private inactiveViews: InactiveSeatView[] | undefined;

  inactiveSeats(): InactiveSeatView[] {
    return this.inactiveList().slice();
  }

  private inactiveList(): readonly InactiveSeatView[] {
    const { usage } = this.bundle;
    return (this.inactiveViews ??= this.rec.inactive
      .map((s) => {
        const clientId = this.rec.clientIds[s.clientIndex]!;
        return { clientId, clientName: this.clientName(clientId), integrationId: valueAt(usage.integrationId, s.row), recordId: usage.recordId.at(s.row), product: valueAt(usage.product, s.row), lastActive: formatDay(usage.lastActive[s.row]!), daysInactive: s.daysInactive };
      })
      .sort((a, b) => b.daysInactive - a.daysInactive));
  }

  /**
   * At most `limit` seats, longest inactive first, among those whose client, integration, record or
   * product contains `search` (any case). A 1M-row workspace has ~48,000 inactive seats: all of them
   * on the page froze it for 0.3-0.4 s on every visit to the tab, and nobody reads past the top.
   */
  inactiveSeatPage(search: string, limit: number): InactiveSeatPage {
    const all = this.inactiveList();
    const needle = search.trim().toLowerCase();
    const matches = needle === '' ? all : all.filter((s) => [s.clientName, s.clientId, s.integrationId, s.recordId, s.product].some((text) => text.toLowerCase().includes(needle)));
    return { rows: matches.slice(0, limit), matching: matches.length, total: all.length };
  }

  unmappedClients(): UnmappedClientView[] {
    return this.rec.unmapped.map((u) => ({ ...u })).sort((a, b) => b.records - a.records);
  }

  unaccounted(): UnaccountedView[] {
    return this.rec.unaccounted.map((u) => {
      const clientId = this.rec.clientIds[u.clientIndex]!;
      return { clientId, clientName: this.clientName(clientId), integrationId: u.integrationId, product: u.product, records: u.records };
    });
  }

  adjustments(): AdjustmentView[] {
    return this.rec.adjustments.map((a) => ({
      clientId: a.pair.clientId, clientName: this.clientName(a.pair.clientId), serviceId: a.pair.serviceId, serviceName: this.serviceName(a.pair.serviceId),
      note: this.review.notes[pairKey(a.pair.clientId, a.pair.serviceId)] ?? '',
      effectiveDate: formatDay(a.effectiveDate), qtyDelta: formatUnits(a.pair.qtyDelta), unitRate: formatCents(a.pair.rate.cents!),
      monthlyAmount: formatCents(a.monthlyAmount), proratedAmount: formatCents(a.proratedAmount),
    }));
  }

  /**
   * Every (integration, external client) in usage, with its mapping: the client mapping grid. The
   * status is how spec §2 resolved its rows (the engine's one classification), so "Unmapped" here
   * lists exactly the overview's `unmappedClients`. Computed once per view (the mapping screen and
   * the suggestions both read it); a view of the same data reuses the rows of tenants an edit left
   * alone, and the whole list when it changed none.
   */
  externalClients(): ExternalClientView[] {
    return this.externalsCache().list;
  }

  private externals: ExternalClientsCache | undefined;
  private readonly previousExternals: ExternalClientsCache | undefined;

  private externalsCache(): ExternalClientsCache {
    this.externals ??= this.listExternalClients(this.previousExternals);
    return this.externals;
  }

  private listExternalClients(previous: ExternalClientsCache | undefined): ExternalClientsCache {
    const { clientMap, usage, clients } = this.bundle;
    const { kind } = this.rec.resolution;
    // One entry per tenant of the usage index (numbered by first row, with its rows and last name):
    // the client map decides a tenant's rows alike, so its first row tells its status.
    const tenants = usageIndexOf(usage).tenants;
    const entryOf = new Array<ClientMapEntry | undefined>(tenants.length);
    const tenantOf = new Map<ClientMapEntry, number>();
    for (const e of clientMap) {
      let t = previous?.tenantOf.get(e);
      if (t === undefined) t = tenantIndexByKey(usage).get(clientMapKey(e.integrationId, e.externalClientId)) ?? -1;
      tenantOf.set(e, t);
      // A later entry of the same key wins, as in a map built from the list.
      if (t >= 0) entryOf[t] = e;
    }
    const byTenant = new Array<ExternalClientView>(tenants.length);
    const made: ExternalClientView[] = [];
    for (let i = 0; i < tenants.length; i++) {
      const t = tenants[i]!;
      const k = kind[t.firstRow];
      const status = k === UNMAPPED ? 'unmapped' : k === EXCLUDED_CLIENT ? 'excluded' : 'mapped';
      const entry = entryOf[i];
      const psaClientId = entry?.status === 'mapped' ? entry.psaClientId : '';
      const before = previous?.byTenant[i];
      if (before && before.status === status && before.psaClientId === psaClientId) {
        byTenant[i] = before;
        continue;
      }
      const view: ExternalClientView = { integrationId: t.integrationId, externalClientId: t.externalClientId, externalClientName: t.externalClientName, rows: t.rows, status, psaClientId, psaClientName: this.clientName(psaClientId) };
      tenantOfRow.set(view, i);
      byTenant[i] = view;
      made.push(view);
    }
    if (previous && made.length === 0) return { usage, clients, tenantOf, byTenant, list: previous.list };
    if (!previous || made.length > PATCH_AT_MOST) return { usage, clients, tenantOf, byTenant, list: [...byTenant].sort(byStatusAndRows) };
    // A few rows changed: the others keep their order; each new row goes where the order puts it.
    const replaced = new Set(made.map((v) => previous.byTenant[tenantOfRow.get(v)!]));
    const list = previous.list.filter((v) => !replaced.has(v));
    for (const view of made.sort(byStatusAndRows)) {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (byStatusAndRows(list[mid]!, view) < 0) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, view);
    }
    return { usage, clients, tenantOf, byTenant, list };
  }

  /** Unaccounted products per (integration, product), over all clients: what a new rule would pick up. */
  unaccountedProducts(): { integrationId: string; product: string; rows: number; clients: number }[] {
    const out = new Map<string, { integrationId: string; product: string; rows: number; clients: number }>();
    for (const u of this.rec.unaccounted) {
      const key = `${u.integrationId}\u0000${u.product.toLowerCase()}`;
      const entry = out.get(key);
      if (entry) {
        entry.rows += u.records;
        entry.clients++;
      } else out.set(key, { integrationId: u.integrationId, product: u.product, rows: u.records, clients: 1 });
    }
    return [...out.values()].sort((a, b) => b.rows - a.rows);
  }

  /** PSA services known to the workspace (lines, catalog, rules), for pickers. */
  psaServices(): ServiceOption[] {
    const ids = new Set([...this.bundle.lines.map((l) => l.serviceId), ...this.bundle.catalog.map((c) => c.serviceId), ...this.bundle.serviceMap.map((r) => r.psaServiceId).filter((s) => s !== '')]);
    return [...ids].map((serviceId) => ({ serviceId, serviceName: this.serviceName(serviceId) })).sort((a, b) => (a.serviceName || a.serviceId).localeCompare(b.serviceName || b.serviceId));
  }

  /** Distinct products (with category) of one integration, most rows first. */
  integrationProducts(integrationId: string): ProductView[] {
    const { usage } = this.bundle;
    const out = new Map<string, ProductView>();
    for (let i = 0; i < usage.length; i++) {
      if (valueAt(usage.integrationId, i) !== integrationId) continue;
      const product = valueAt(usage.product, i);
      const category = valueAt(usage.category, i);
      const key = `${product.toLowerCase()}\u0000${category.toLowerCase()}`;
      const view = out.get(key);
      if (view) view.rows++;
      else out.set(key, { product, category, rows: 1 });
    }
    return [...out.values()].sort((a, b) => b.rows - a.rows);
  }

  private pairDiscrepancy(pair: Pair): DiscrepancyView {
    let view = this.pairViews.views.get(pair);
    if (!view) this.pairViews.views.set(pair, (view = this.buildPairDiscrepancy(pair)));
    return view;
  }

  private buildPairDiscrepancy(pair: Pair): DiscrepancyView {
    const key = pairKey(pair.clientId, pair.serviceId);
    const entry = this.entries.get(key);
    const qtyDelta = formatUnits(pair.qtyDelta);
    const amount = pair.amount === null ? null : formatCents(pair.amount);
    const chosen = entry?.effectiveDate ? parseIsoDate(entry.effectiveDate) : null;
    const effective = chosen ?? defaultEffectiveDate(this.rec.asOfDay);
    return {
      review: reviewState(entry, qtyDelta, amount),
      effectiveDate: formatDay(effective),
      effectiveDateIsDefault: chosen === null,
      proratedAmount: pair.rate.cents === null ? null : formatCents(prorate(pair.qtyDelta, pair.rate.cents, effective)),
      note: this.review.notes[key] ?? '',
      outlier: outlierReason(formatUnits(pair.invoicedQty), qtyDelta, amount, this.review.outlierAmount),
      key,
      clientId: pair.clientId,
      clientName: this.clientName(pair.clientId),
      serviceId: pair.serviceId,
      serviceName: this.serviceName(pair.serviceId),
      type: pair.type,
      integrationIds: pair.integrationIds,
      agreementIds: [...new Set(pair.lines.map((l) => l.agreementId).filter((a) => a !== ''))].sort(),
      invoicedQty: formatUnits(pair.invoicedQty),
      systemCount: formatUnits(pair.systemCount),
      qtyDelta: formatUnits(pair.qtyDelta),
      unitRate: pair.rate.cents === null ? null : formatCents(pair.rate.cents),
      rateSource: pair.rate.source,
      rateBasis: pair.rate.basis,
      amount: pair.amount === null ? null : formatCents(pair.amount),
    };
  }

  private lineView(l: PsaLine, current: boolean): LineView {
    return {
      lineId: l.lineId, invoiceId: l.invoiceId, serviceId: l.serviceId, serviceName: l.serviceName || this.serviceName(l.serviceId),
      quantity: formatUnits(l.quantity), unitPrice: l.unitPrice === null ? null : formatUnits(l.unitPrice), billingCycle: l.billingCycle,
      periodStart: formatDay(l.periodStart), periodEnd: formatDay(l.periodEnd), agreementId: l.agreementId, current, compared: this.compared.has(l.serviceId),
    };
  }

  private clientIntegrations(clientId: string) {
    const index = this.rec.clientIds.indexOf(clientId);
    const { usage } = this.bundle;
    const { kind, client } = this.rec.resolution;
    const per = new Map<number, { rows: number; seats: Set<number>; externals: Map<string, string> }>();
    for (let i = 0; i < usage.length; i++) {
      if (client[i] !== index || (kind[i] !== MAPPED && kind[i] !== UNACCOUNTED)) continue;
      const code = usage.integrationId.codes[i]!;
      let entry = per.get(code);
      if (!entry) per.set(code, (entry = { rows: 0, seats: new Set(), externals: new Map() }));
      entry.rows++;
      entry.seats.add(usage.seat[i]!);
      const name = valueAt(usage.externalClientName, i);
      const ext = valueAt(usage.externalClientId, i);
      if (!entry.externals.has(ext) || name) entry.externals.set(ext, name);
    }
    const health = new Map(this.rec.integrations.map((i) => [i.id, i]));
    return [...per].map(([code, e]) => {
      const id = usage.integrationId.values[code]!;
      return {
        integrationId: id,
        name: health.get(id)?.name ?? id,
        status: health.get(id)?.status ?? ('yellow' as const),
        externalClients: [...e.externals].map(([externalClientId, externalClientName]) => ({ externalClientId, externalClientName })),
        usageRows: e.rows,
        seats: e.seats.size,
      };
    });
  }
}

export type { ReviewType };
