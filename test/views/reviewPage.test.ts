/**
 * The review screen gets a page of each list from the core: the largest first, the counts, and a
 * search over every row; "select all" is a query the core resolves to the rows it lists, and a bulk
 * action's spot check is computed over those same rows.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { WorkspaceView } from '../../worker/views/workspaceView';

function demoView(): WorkspaceView {
  const read = readBundle(generateDemoBundle());
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  // A low outlier amount, so the demo has rows that look out of proportion and rows that do not.
  return new WorkspaceView(read.bundle, reconcile(read.bundle), { entries: [], notes: {}, outlierAmount: '50.00' });
}

describe('review page', () => {
  const view = demoView();
  const buckets = view.reviewBuckets();
  const open = buckets.open.discrepancies;

  it('gives each list its first rows up to the limit, in the buckets order, with the list counts', () => {
    const page = view.reviewPage({ show: 'open', search: '' }, 5);
    expect(open.length).toBeGreaterThan(5);
    expect(page.discrepancies.rows).toEqual(open.slice(0, 5));
    expect(page.discrepancies.total).toBe(open.length);
    expect(page.discrepancies.matching).toBe(open.length);
    expect(page.newRevenue.rows).toEqual(buckets.open.newRevenue.slice(0, 5));
    expect(page.newRevenue.total).toBe(buckets.open.newRevenue.length);
  });

  it('lists what each chip shows', () => {
    for (const show of ['open', 'approved', 'dismissed', 'all'] as const) {
      const page = view.reviewPage({ show, search: '' }, 100_000);
      expect(page.discrepancies.rows).toEqual(buckets[show].discrepancies);
      expect(page.newRevenue.rows).toEqual(buckets[show].newRevenue);
    }
  });

  it('searches every row, not only those on the page, by every word in any case and order', () => {
    const last = open[open.length - 1]!;
    const words = `${last.serviceName.split(' ').at(-1)} ${last.clientName}`.toUpperCase();
    const page = view.reviewPage({ show: 'open', search: words }, 5);
    expect(page.discrepancies.rows).toContainEqual(last);
    expect(page.discrepancies.total).toBe(open.length);
    expect(page.discrepancies.matching).toBeLessThan(open.length);
    const wanted = words.toLowerCase().split(' ');
    for (const d of page.discrepancies.rows) expect(wanted.every((w) => `${d.clientName} ${d.serviceName}`.toLowerCase().includes(w))).toBe(true);
  });

  it('finds nothing for a search no row contains, and still counts the list', () => {
    const page = view.reviewPage({ show: 'open', search: 'no discrepancy is called this' }, 5);
    expect(page.discrepancies).toMatchObject({ rows: [], matching: 0, total: open.length });
    expect(page.newRevenue).toMatchObject({ rows: [], matching: 0 });
  });

  it('resolves a selection query to the numbers of every matching discrepancy on invoiced services', () => {
    const client = open[open.length - 1]!.clientName;
    const matching = open.filter((d) => [d.clientName, d.clientId, d.serviceName, d.serviceId].some((t) => t.toLowerCase().includes(client.toLowerCase())));
    expect(view.reviewSelection({ show: 'open', search: client })).toEqual(matching.map((d) => ({ clientId: d.clientId, serviceId: d.serviceId, qtyDelta: d.qtyDelta, amount: d.amount })));
  });

  it('spot-checks every row a query selects, listing at most the limit', () => {
    const outliers = open.filter((d) => d.outlier !== null);
    expect(outliers.length).toBeGreaterThan(1);
    expect(outliers.length).toBeLessThan(open.length);
    expect(view.reviewSpotCheck({ show: 'open', search: '' }, 1)).toEqual({ count: open.length, outlierCount: outliers.length, outliers: outliers.slice(0, 1) });
  });
});
