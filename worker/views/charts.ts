import { formatCents, parseUnits, unitsToCents } from '../engine/decimal';
import type { MonthSnapshot } from '../review/snapshots';
import type { DiscrepancyView, PairView } from './types';

/**
 * The pictures' numbers, from the same views as the tables beside them: a bar is the sum of the
 * rows the table shows when filtered to it, added as bigint cents. Every amount stays an exact
 * decimal string; a chart turns it into a number only to size a bar and shows the string.
 */

/** One bar of the discrepancy charts: under-billed (Σ positive amounts) and over-billed (Σ negative) apart. */
export interface AmountBar {
  /** What the table is filtered by: an integration id, a service id, or '' for the rest (no integration, other services). */
  key: string;
  label: string;
  /** Σ of the positive amounts, 2 places (≥ 0). */
  under: string;
  /** Σ of the negative amounts, 2 places (≤ 0). */
  over: string;
  /** Discrepancies with an amount in this bar. */
  count: number;
}

export interface DiscrepancyCharts {
  byIntegration: AmountBar[];
  byService: AmountBar[];
  /** Σ of every discrepancy's amount, each counted once: what Home's net and absolute cards split. */
  under: string;
  over: string;
  /**
   * Discrepancies several integrations count (a double count): the Billing table lists them under
   * each of those integrations, so they are in each of those bars too.
   */
  sharedByIntegrations: number;
  /** Discrepancies with no amount (no rate, or an unaccounted group): in no bar. */
  withoutAmount: number;
}

/** Services drawn one by one; the rest share one bar so the labels stay readable. */
export const SERVICE_BARS = 10;
export const OTHER_SERVICES = '';
/** The bar of what no integration counts (invoice lines with no usage): no Billing filter selects it alone. */
export const NO_INTEGRATION = '';

function centsOf(amount: string): bigint {
  const units = parseUnits(amount);
  if (units === null) throw new RangeError(`"${amount}" is not a decimal amount`);
  return unitsToCents(units);
}

interface Tally {
  key: string;
  label: string;
  under: bigint;
  over: bigint;
  count: number;
}

function add(tallies: Map<string, Tally>, key: string, label: string, cents: bigint): void {
  let t = tallies.get(key);
  if (!t) tallies.set(key, (t = { key, label, under: 0n, over: 0n, count: 0 }));
  if (cents > 0n) t.under += cents;
  else t.over += cents;
  t.count++;
}

/** Largest at stake first, then the label: the order of the Billing table. */
function byStake(a: Tally, b: Tally): number {
  const sa = a.under - a.over;
  const sb = b.under - b.over;
  if (sa !== sb) return sa > sb ? -1 : 1;
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

const bar = (t: Tally): AmountBar => ({ key: t.key, label: t.label, under: formatCents(t.under), over: formatCents(t.over), count: t.count });

/**
 * Home's two charts from the Billing table's rows (`WorkspaceView.discrepancies()`): per integration
 * as the table filtered by that integration sums it, per service as the table grouped by service.
 */
export function discrepancyCharts(discrepancies: readonly DiscrepancyView[], integrations: readonly { id: string; name: string }[]): DiscrepancyCharts {
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const byIntegration = new Map<string, Tally>();
  const byService = new Map<string, Tally>();
  let under = 0n;
  let over = 0n;
  let shared = 0;
  let withoutAmount = 0;
  for (const d of discrepancies) {
    if (d.amount === null) {
      withoutAmount++;
      continue;
    }
    const cents = centsOf(d.amount);
    if (cents === 0n) continue;
    if (cents > 0n) under += cents;
    else over += cents;
    if (d.integrationIds.length > 1) shared++;
    if (d.integrationIds.length === 0) add(byIntegration, NO_INTEGRATION, 'No integration (billed, no usage)', cents);
    for (const id of d.integrationIds) add(byIntegration, id, names.get(id) || id, cents);
    add(byService, d.serviceId, d.serviceName || d.serviceId, cents);
  }
  const services = [...byService.values()].sort(byStake);
  const shown = services.slice(0, SERVICE_BARS);
  const rest = services.slice(SERVICE_BARS);
  if (rest.length > 0) {
    const other: Tally = { key: OTHER_SERVICES, label: `${rest.length} other services`, under: 0n, over: 0n, count: 0 };
    for (const t of rest) {
      other.under += t.under;
      other.over += t.over;
      other.count += t.count;
    }
    shown.push(other);
  }
  return {
    byIntegration: [...byIntegration.values()].sort(byStake).map(bar),
    byService: shown.map(bar),
    under: formatCents(under),
    over: formatCents(over),
    sharedByIntegrations: shared,
    withoutAmount,
  };
}

/** One closed month on History's chart. */
export interface MonthBar {
  id: string;
  name: string;
  asOf: string;
  /** The snapshot's totals: signed net, absolute, and discrepancies on services. */
  net: string;
  absolute: string;
  count: number;
  /** Σ of the new-revenue discrepancies' amounts (spec type "unmapped": usage with no PSA line). */
  newRevenue: string;
  newRevenueCount: number;
}

/** Closed months oldest first (by as-of, then by when they were closed), from their snapshots. */
export function monthCloseChart(snapshots: readonly MonthSnapshot[]): MonthBar[] {
  return [...snapshots]
    .sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map((s) => {
      let newRevenue = 0n;
      let newRevenueCount = 0;
      for (const c of s.clients) {
        for (const d of c.discrepancies) {
          if (d.type !== 'unmapped') continue;
          newRevenueCount++;
          if (d.amount !== null) newRevenue += centsOf(d.amount);
        }
      }
      return { id: s.id, name: s.name, asOf: s.asOf, net: s.totals.amount, absolute: s.totals.amountAbs, count: s.totals.discrepancies, newRevenue: formatCents(newRevenue), newRevenueCount };
    });
}

/** One service of a client: how many the invoice bills against how many usage counts. */
export interface ServiceCountBar {
  serviceId: string;
  label: string;
  invoiced: string;
  system: string;
  delta: string;
  amount: string | null;
}

/** A client's compared services in the order of its "Compared services" table. */
export function serviceCountChart(pairs: readonly PairView[]): ServiceCountBar[] {
  return pairs.map((p) => ({ serviceId: p.serviceId, label: p.serviceName || p.serviceId, invoiced: p.invoicedQty, system: p.systemCount, delta: p.qtyDelta, amount: p.amount }));
}
