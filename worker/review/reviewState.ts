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
 * small customer suddenly +50), or larger in money than the threshold. Returns why, or null.
 */
export function outlierReason(invoicedQty: string, qtyDelta: string, amount: string | null, moneyThreshold: string): string | null {
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

