import { divRound, UNIT } from './decimal';
import { calendarOf, daysInMonth, firstOfNextMonth } from './dates';
import type { Decision } from './model';
import type { Pair } from './comparePairs';

export interface Adjustment {
  pair: Pair;
  /** Day number. */
  effectiveDate: number;
  /** Cents. */
  monthlyAmount: bigint;
  proratedAmount: bigint;
}

/** Spec §7 default: the first day of the month after the date of asOf. */
export function defaultEffectiveDate(asOfDay: number): number {
  return firstOfNextMonth(asOfDay);
}

/**
 * Spec §7 proration: from the effective date to the end of its month, both included, over the
 * days of that month; 0 when the date is the 1st (a whole month is the monthly amount).
 */
export function prorate(qtyDelta: bigint, unitRateCents: bigint, effectiveDate: number): bigint {
  const { year, month, day } = calendarOf(effectiveDate);
  if (day === 1) return 0n;
  const monthDays = daysInMonth(year, month);
  const remaining = monthDays - day + 1;
  // qty (× 10^4) × cents × days / monthDays, back to cents: / (10^4 × monthDays)
  return divRound(qtyDelta * unitRateCents * BigInt(remaining), UNIT * BigInt(monthDays));
}

/** An approved discrepancy (qty_delta ≠ 0) with an amount becomes an adjustment; dismissals produce nothing. */
export function adjustmentsFor(pairs: readonly Pair[], decisions: readonly Decision[], asOfDay: number): Adjustment[] {
  // Only pairs of decided clients are keyed: decisions are few, pairs many (an edit re-derives these).
  const decided = new Set(decisions.map((d) => d.clientId));
  const byKey = new Map<string, Pair>();
  for (const p of pairs) if (decided.has(p.clientId)) byKey.set(`${p.clientId}\u0000${p.serviceId}`, p);
  const out: Adjustment[] = [];
  for (const decision of decisions) {
    if (decision.decision !== 'approve') continue;
    const pair = byKey.get(`${decision.clientId}\u0000${decision.serviceId}`);
    if (!pair || pair.qtyDelta === 0n || pair.amount === null || pair.rate.cents === null) continue;
    const effectiveDate = decision.effectiveDate ?? defaultEffectiveDate(asOfDay);
    out.push({ pair, effectiveDate, monthlyAmount: pair.amount, proratedAmount: prorate(pair.qtyDelta, pair.rate.cents, effectiveDate) });
  }
  return out;
}
