import type { DiscrepancyType, FlagKind, HealthStatus, RateSource } from '../engine/report.types';
import type { ReviewEntry, ReviewQueue, ReviewShow, ReviewState } from '../review/reviewState';
import type { DoubleCount } from '../mapping/doubleCounting';
import type { Suggestion } from '../mapping/suggestClients';
import type { RowFeedAnswer } from './rowFeed';
import type { ImportFailure } from './integrationStatus';

export type { DoubleCount, ReviewQueue, ReviewShow };

/** The reviewers' decisions and notes, from the workspace document. */
export interface ReviewInput {
  entries: ReviewEntry[];
  /** Notes by `pairKey(client, service)` for a discrepancy, `clientNoteKey(client)` for a client (worker/doc/keys.ts). */
  notes: Record<string, string>;
  outlierAmount: string;
}

/**
 * What the screens show, computed by the engine thread: every number is already final (money as
 * decimal strings with two places, quantities as plain decimals), so the UI only lays it out.
 */

export type ReviewType = DiscrepancyType | 'unaccounted';

export interface IntegrationView {
  id: string;
  name: string;
  kind: string;
  status: HealthStatus;
  /** ISO time or null (never synced). */
  lastSyncAt: string | null;
  lastSyncStatus: 'ok' | 'failed';
  /** Why the status is what it is, in words. */
  statusReason: string;
  /** ISO time of the source's last import, when it failed (the data in use is then an earlier import's, if any). */
  importFailedAt: string | null;
  usageRows: number;
}

export interface Overview {
  currency: string;
  asOf: string;
  asOfDate: string;
  clients: number;
  usageRows: number;
  discrepancies: number;
  /** Σ amounts, signed: positive = under-billed revenue. */
  discrepancyAmount: string;
  discrepancyAmountAbs: string;
  /**
   * Of `discrepancies`: the (client, service) pairs with qty_delta ≠ 0 (spec §3, the report's
   * discrepancies, what a month-close snapshot keeps); the rest are `unaccountedGroups`.
   */
  serviceDiscrepancies: number;
  /** Integration clients whose usage is on nobody's invoice: the "Unmapped" rows of Client mapping. */
  unmappedClients: number;
  unmappedRecords: number;
  /** (client, integration, product) groups no rule covers: rows of the Billing grids (spec §3/§4). */
  unaccountedGroups: number;
  /** The same, once per (integration, product) over all clients: the list of Service mapping, where a rule clears them. */
  unaccountedProducts: number;
  unaccountedRecords: number;
  flags: number;
  inactiveSeats: number;
  adjustments: number;
  adjustmentsMonthly: string;
  adjustmentsProrated: string;
  /** = review.open.total: discrepancies and new revenue still to decide (pending, or back for review). */
  toReview: number;
  /** Per chip of the review, the rows of its two grids (WorkspaceView.reviewBuckets). */
  review: Record<ReviewShow, ReviewCount>;
  integrations: IntegrationView[];
  /** (client, service) pairs that two or more integrations count: probably a double count (worker/mapping/doubleCounting.ts). */
  doubleCounted: DoubleCount[];
  /** The PSA files' last import, when it failed: nothing of it was imported, the PSA data in use is the previous import's. */
  psaImportFailure: ImportFailure | null;
}

export interface ReviewCount {
  /** Rows of the review grid (services on an invoice whose count differs). */
  discrepancies: number;
  /** Rows of the new-revenue grid (usage with no PSA line). */
  newRevenue: number;
  total: number;
}

export interface BillingFilter {
  /** Only discrepancies counted from this integration (and its unaccounted products). */
  integrationId?: string;
  /** Only these kinds of discrepancy; empty or absent means all. */
  types?: ReviewType[];
  /** Only what this chip of the review lists (no unaccounted groups: a rule clears them, not a decision). */
  review?: ReviewShow;
}

export interface ClientRowView {
  clientId: string;
  clientName: string;
  seatCount: number;
  serviceCount: number;
  discrepancyCount: number;
  discrepancyAmount: string;
  discrepancyAmountAbs: string;
  billingCycle: string;
  /** The kinds of discrepancy this client has, for the type badges. */
  types: ReviewType[];
  note: string;
  integrationIds: string[];
}

export interface DiscrepancyView {
  key: string;
  clientId: string;
  clientName: string;
  serviceId: string;
  serviceName: string;
  type: ReviewType;
  integrationIds: string[];
  agreementIds: string[];
  invoicedQty: string;
  systemCount: string;
  qtyDelta: string;
  unitRate: string | null;
  rateSource: RateSource | null;
  /** Plain words: how the rate was found (the tooltip). */
  rateBasis: string;
  amount: string | null;
  /** Review (spec §7): the state, the effective date (the default unless set), the prorated amount for it. */
  review: ReviewState;
  effectiveDate: string;
  effectiveDateIsDefault: boolean;
  proratedAmount: string | null;
  note: string;
  /** Why this one deserves a look before a bulk approval, or null. */
  outlier: string | null;
}

/** 'queue': the two lists of the review, always both and in this order: discrepancies, then new revenue. */
export type GroupBy = 'account' | 'service' | 'contract' | 'queue';

export interface DiscrepancyGroup {
  key: string;
  label: string;
  count: number;
  amount: string;
  amountAbs: string;
  rows: DiscrepancyView[];
}

/** What the review lists: one chip, and a search whose every word must appear in a row (see WorkspaceView.reviewPage). */
export interface ReviewQuery {
  show: ReviewShow;
  search: string;
}

/** One list of the review as a screen gets it: the largest first, at most a page, with its counts. */
export interface ReviewList {
  queue: ReviewQueue;
  label: string;
  /** Rows of this list under the chip, whatever the search. */
  total: number;
  /** Of those, the rows the search matches (= total with no search). */
  matching: number;
  /** The first `limit` matching rows, largest absolute amount first. */
  rows: DiscrepancyView[];
}

/** The review's two lists, always both: discrepancies on invoiced services, then new revenue. */
export interface ReviewPage {
  discrepancies: ReviewList;
  newRevenue: ReviewList;
}

/** A bulk action's spot check over every row a query selects, resolved in the core. */
export interface ReviewSpotCheck {
  /** Rows the action would decide. */
  count: number;
  /** How many of them look out of proportion, and the first of those. */
  outlierCount: number;
  outliers: DiscrepancyView[];
}

/** What a decision records of a discrepancy (worker/core/doc.ts PairNumbers). */
export type ReviewPick = Pick<DiscrepancyView, 'clientId' | 'serviceId' | 'qtyDelta' | 'amount'>;

export interface PairView {
  serviceId: string;
  serviceName: string;
  type: ReviewType;
  integrationIds: string[];
  invoicedQty: string;
  systemCount: string;
  qtyDelta: string;
  unitRate: string | null;
  rateSource: RateSource;
  rateBasis: string;
  amount: string | null;
  /** Invoice lines of the pair ("hard" PSA values) and usage rows counted. */
  lineCount: number;
  usageRows: number;
}

export interface LineView {
  lineId: string;
  invoiceId: string;
  serviceId: string;
  serviceName: string;
  quantity: string;
  unitPrice: string | null;
  billingCycle: string;
  periodStart: string;
  periodEnd: string;
  agreementId: string;
  current: boolean;
  compared: boolean;
}

export interface ClientIntegrationView {
  integrationId: string;
  name: string;
  status: HealthStatus;
  externalClients: { externalClientId: string; externalClientName: string }[];
  usageRows: number;
  seats: number;
}

export interface UnaccountedView {
  clientId: string;
  clientName: string;
  integrationId: string;
  product: string;
  records: number;
}

export interface ClientDetail {
  client: ClientRowView;
  pairs: PairView[];
  lines: LineView[];
  integrations: ClientIntegrationView[];
  unaccounted: UnaccountedView[];
  flags: FlagView[];
}

export type SeatStatus = 'counted' | 'unaccounted' | 'excluded by rule';

export interface SeatView {
  integrationId: string;
  externalClientId: string;
  recordId: string;
  product: string;
  category: string;
  quantity: string;
  lastActive: string;
  status: SeatStatus;
  serviceId: string;
  ruleId: string;
}

export interface FlagView {
  clientId: string;
  clientName: string;
  invoiceId: string;
  serviceId: string;
  serviceName: string;
  flag: FlagKind;
  detail: string;
}

export interface InactiveSeatView {
  clientId: string;
  clientName: string;
  integrationId: string;
  recordId: string;
  product: string;
  lastActive: string;
  daysInactive: number;
}

/** The longest-inactive seats that match a search, and how many there are in all. */
export interface InactiveSeatPage {
  rows: InactiveSeatView[];
  /** Seats matching the search (all inactive seats when it is empty). */
  matching: number;
  total: number;
}

export interface UnmappedClientView {
  integrationId: string;
  externalClientId: string;
  externalClientName: string;
  records: number;
}

export interface AdjustmentView {
  clientId: string;
  clientName: string;
  serviceId: string;
  serviceName: string;
  note: string;
  effectiveDate: string;
  qtyDelta: string;
  unitRate: string;
  monthlyAmount: string;
  proratedAmount: string;
}

export interface ExternalClientView {
  integrationId: string;
  externalClientId: string;
  externalClientName: string;
  rows: number;
  status: 'mapped' | 'excluded' | 'unmapped';
  psaClientId: string;
  psaClientName: string;
}

/** A row of the client mapping screen: an integration client, with ranked PSA clients when it is unmapped. */
export interface ClientMappingRow extends ExternalClientView {
  suggestions: Suggestion[];
}

export type ClientMappingCounts = Record<ExternalClientView['status'], number>;

/** The client mapping screen's rows (whole, or what changed since the tab's version) and its counts per status. */
export interface ClientMappingAnswer extends RowFeedAnswer<ClientMappingRow> {
  counts: ClientMappingCounts;
  /** Unmapped clients whose best suggestion is at or above the workspace's threshold: what "Accept N" accepts (./clientMapping.ts). */
  confident: number;
  /** The workspace's threshold `confident` was counted with. */
  threshold: number;
}

export interface ServiceOption {
  serviceId: string;
  serviceName: string;
}

export interface ProductView {
  product: string;
  category: string;
  rows: number;
}
