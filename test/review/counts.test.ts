/**
 * Each concept is classified once, in the views, and every count is the length of the classified
 * rows: the review's badge, chips and both grids; discrepancies on Home and in the invoices table;
 * unaccounted groups and products; unmapped clients; what a month-close snapshot keeps.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { REVIEW_SHOWS, type ReviewEntry } from '../../worker/review/reviewState';
import type { ReviewInput } from '../../worker/views/types';
import { WorkspaceView } from '../../worker/views/workspaceView';
import { countsBundle } from './countsBundle';

function viewOf(files: Record<string, string>, change: (entries: ReviewEntry[]) => ReviewEntry[] = (e) => e): WorkspaceView {
  const read = readBundle(files);
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  const entries: ReviewEntry[] = read.bundle.decisions.map((d) => ({ clientId: d.clientId, serviceId: d.serviceId, decision: d.decision, effectiveDate: null }));
  const review: ReviewInput = { entries: change(entries), notes: {}, outlierAmount: '500.00' };
  return new WorkspaceView(read.bundle, reconcile(read.bundle), review);
}

function expectCountsAgree(v: WorkspaceView): void {
  const o = v.overview();
  const buckets = v.reviewBuckets();
  // The tab badge is the "To review" chip, which is both grids of that chip.
  expect(o.toReview).toBe(o.review.open.total);
  for (const show of REVIEW_SHOWS) {
    const [discrepancies, newRevenue] = v.groups('queue', { review: show });
    expect(discrepancies!.key).toBe('discrepancies');
    expect(newRevenue!.key).toBe('newRevenue');
    expect(discrepancies!.rows).toEqual(buckets[show].discrepancies);
    expect(newRevenue!.rows).toEqual(buckets[show].newRevenue);
    expect(o.review[show]).toEqual({ discrepancies: discrepancies!.count, newRevenue: newRevenue!.count, total: discrepancies!.count + newRevenue!.count });
    expect(discrepancies!.rows.length).toBe(discrepancies!.count);
    expect(v.discrepancies({ review: show }).length).toBe(o.review[show].total);
    expect(discrepancies!.rows.every((d) => d.type === 'calculated' || d.type === 'estimated')).toBe(true);
    expect(newRevenue!.rows.every((d) => d.type === 'unmapped')).toBe(true);
  }
  // Every discrepancy on a service is in exactly one state.
  expect(o.review.all.total).toBe(o.review.open.total + o.review.approved.total + o.review.dismissed.total);
  expect(o.review.all.total).toBe(o.serviceDiscrepancies);
  // Home's discrepancies = the invoices table's column = services + unaccounted groups.
  expect(o.discrepancies).toBe(o.serviceDiscrepancies + o.unaccountedGroups);
  expect(v.clientRows().reduce((n, c) => n + c.discrepancyCount, 0)).toBe(o.discrepancies);
  expect(v.discrepancies().length).toBe(o.discrepancies);
  expect(v.discrepancies({ types: ['unaccounted'] }).length).toBe(o.unaccountedGroups);
  // Unaccounted: Home's products are Service mapping's list; its groups are Billing's rows.
  const products = v.unaccountedProducts();
  expect(o.unaccountedProducts).toBe(products.length);
  expect(products.reduce((n, p) => n + p.clients, 0)).toBe(o.unaccountedGroups);
  expect(products.reduce((n, p) => n + p.rows, 0)).toBe(o.unaccountedRecords);
  // Unmapped clients: Home's card is Client mapping's "Unmapped" chip.
  expect(v.externalClients().filter((c) => c.status === 'unmapped').length).toBe(o.unmappedClients);
  // A snapshot keeps the discrepancies on services.
  const snapshot = v.snapshot({ id: 's', name: 'November', createdAt: o.asOf, asOf: o.asOf, currency: o.currency });
  expect(snapshot.totals.discrepancies).toBe(o.serviceDiscrepancies);
  expect(o.flags).toBe(v.flags().length);
  expect(o.inactiveSeats).toBe(v.inactiveSeats().length);
  expect(o.adjustments).toBe(v.adjustments().length);
}

describe('counts of one concept agree', () => {
  it('on the demo', () => {
    const v = viewOf(generateDemoBundle());
    expectCountsAgree(v);
    const o = v.overview();
    // The demo has new revenue with no rate: it is still to review (the badge used to leave it out).
    expect(v.reviewBuckets().open.newRevenue.some((d) => d.amount === null)).toBe(true);
    expect(o.unaccountedProducts).toBeLessThan(o.unaccountedGroups);
  });

  it('on the edge bundle', () => {
    const v = viewOf(countsBundle());
    expectCountsAgree(v);
    const o = v.overview();
    expect(o.review.open).toEqual({ discrepancies: 1, newRevenue: 2, total: 3 });
    expect(o.review.approved.total).toBe(1);
    expect(o.review.dismissed.total).toBe(1);
    expect({ products: o.unaccountedProducts, groups: o.unaccountedGroups, unmapped: o.unmappedClients, service: o.serviceDiscrepancies, all: o.discrepancies }).toEqual({ products: 1, groups: 2, unmapped: 1, service: 5, all: 7 });
    // New revenue with no rate says so in its spot check; a plain new-revenue row is no outlier by itself.
    const [noRate, priced] = [...v.reviewBuckets().open.newRevenue].sort((a, b) => (a.amount === null ? -1 : b.amount === null ? 1 : 0));
    expect(noRate!.outlier).toMatch(/no rate/);
    expect(priced!.outlier).toBeNull();
  });

  it('counts a dismissal whose numbers moved as to review, everywhere', () => {
    const v = viewOf(countsBundle(), (entries) => entries.map((e) => (e.decision === 'dismiss' ? { ...e, dismissedQtyDelta: '-2', dismissedAmount: '-20.00' } : e)));
    expectCountsAgree(v);
    const o = v.overview();
    expect(o.review.open).toEqual({ discrepancies: 2, newRevenue: 2, total: 4 });
    expect(o.review.dismissed.total).toBe(0);
    expect(v.reviewBuckets().open.discrepancies.map((d) => d.review).sort()).toEqual(['pending', 'returned']);
  });
});
