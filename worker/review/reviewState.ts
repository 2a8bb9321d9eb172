import { compareDecimalText, parseUnits } from '../engine/decimal';

/** A reviewer's decision on one (client, service), as kept in the workspace document. */
export interface ReviewEntry {
  clientId: string;
  serviceId: string;
  decision: 'approve' | 'dismiss' | null;
  effectiveDate: string | null;
  dismissedQtyDelta?: string;
  dismissedAmount?: string | null;
}

/**
 * pending: nobody decided; approved: becomes an adjustment (spec §7); dismissed: produces nothing;
 * returned: was dismissed, but its quantity or amount has changed since, so it is back for review.
 */
export type ReviewState = 'pending' | 'approved' | 'dismissed' | 'returned';

/**
 * The chips of the review: which states each one shows. "To review" is every state that still needs
 * a person (nobody decided, or a dismissal whose numbers moved).
 */
export type ReviewShow = 'open' | 'approved' | 'dismissed' | 'all';
export const REVIEW_SHOWS: readonly ReviewShow[] = ['open', 'approved', 'dismissed', 'all'];
const SHOW_STATES: Record<ReviewShow, readonly ReviewState[]> = {
  open: ['pending', 'returned'],
  approved: ['approved'],
  dismissed: ['dismissed'],
  all: ['pending', 'returned', 'approved', 'dismissed'],
};

/** Whether a discrepancy in this state is listed under this chip (the one place that says so). */
export function shownIn(show: ReviewShow, state: ReviewState): boolean {
  return SHOW_STATES[show].includes(state);
}

/**
 * Where a discrepancy is decided. 'discrepancies': a service on the invoice whose count differs
 * (calculated or estimated rate); 'newRevenue': usage with no PSA line (type `unmapped` of spec §3),
 * decided one at a time; null: an unaccounted product has no service and no amount, so there is
 * nothing to approve: a service rule clears it (Service mapping), not a decision.
 */
export type ReviewQueue = 'discrepancies' | 'newRevenue';
export const REVIEW_QUEUES: readonly ReviewQueue[] = ['discrepancies', 'newRevenue'];
export function reviewQueue(type: 'calculated' | 'estimated' | 'unmapped' | 'unaccounted'): ReviewQueue | null {
  return type === 'unaccounted' ? null : type === 'unmapped' ? 'newRevenue' : 'discrepancies';
}

export function reviewState(entry: ReviewEntry | undefined, qtyDelta: string, amount: string | null): ReviewState {
  if (!entry || entry.decision === null) return 'pending';
  if (entry.decision === 'approve') return 'approved';
  // A dismissal imported from a decisions.csv has no remembered numbers: it holds until they are stamped.
  if (entry.dismissedQtyDelta === undefined) return 'dismissed';
  const sameQty = compareDecimalText(entry.dismissedQtyDelta, qtyDelta) === 0;
  const before = entry.dismissedAmount ?? null;
  const sameAmount = before === null || amount === null ? before === amount : compareDecimalText(before, amount) === 0;
  return sameQty && sameAmount ? 'dismissed' : 'returned';
}

/**
 * The spot check before a bulk approval: a change larger than half of the invoiced quantity (a
 * small customer suddenly +50), or larger in money than the threshold, or with no amount at all
 * (no rate: an approval would change nothing). Returns why, or null. The one outlier classification.
 */
export function outlierReason(invoicedQty: string, qtyDelta: string, amount: string | null, moneyThreshold: string): string | null {
  if (amount === null) return 'no rate (no price on an invoice or in the catalog): approving it adds no adjustment';
  const invoiced = parseUnits(invoicedQty) ?? 0n;
  const delta = parseUnits(qtyDelta) ?? 0n;
  const absDelta = delta < 0n ? -delta : delta;
  if (invoiced > 0n && absDelta * 2n > invoiced) return `change of ${qtyDelta} is more than half of the ${invoicedQty} invoiced`;
  if (amount !== null) {
    const cents = parseUnits(amount) ?? 0n;
    const limit = parseUnits(moneyThreshold) ?? 0n;
    if ((cents < 0n ? -cents : cents) > limit) return `amount ${amount} is more than ${moneyThreshold}`;
  }
  return null;
}

/** Amounts above this (in the workspace currency) are spot-checked before a bulk approval. */
export const DEFAULT_OUTLIER_AMOUNT = '500.00';

