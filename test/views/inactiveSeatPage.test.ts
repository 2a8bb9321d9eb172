/**
 * The Inactive seats tab shows the longest inactive seats first, at most a page of them; a search
 * runs over every inactive seat in the core, and the page says how many there are in all.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { WorkspaceView } from '../../worker/views/workspaceView';

function demoView(): WorkspaceView {
  const read = readBundle(generateDemoBundle());
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  return new WorkspaceView(read.bundle, reconcile(read.bundle), { entries: [], notes: {}, outlierAmount: '500.00' });
}

describe('inactive seat page', () => {
  const view = demoView();
  const all = view.inactiveSeats();

  it('gives the longest-inactive seats first, at most the limit, with the total', () => {
    const page = view.inactiveSeatPage('', 10);
    expect(all.length).toBeGreaterThan(10);
    expect(page.rows).toEqual(all.slice(0, 10));
    expect(page.matching).toBe(all.length);
    expect(page.total).toBe(all.length);
    expect(page.rows.map((r) => r.daysInactive)).toEqual([...page.rows.map((r) => r.daysInactive)].sort((a, b) => b - a));
  });

  it('searches every inactive seat, not only those on the page, by client, integration, record or product in any case', () => {
    const last = all[all.length - 1]!;
    const page = view.inactiveSeatPage(last.recordId.toUpperCase(), 10);
    expect(page.rows).toContainEqual(last);
    expect(page.matching).toBe(all.filter((s) => [s.clientName, s.clientId, s.integrationId, s.recordId, s.product].some((t) => t.toLowerCase().includes(last.recordId.toLowerCase()))).length);
    expect(page.total).toBe(all.length);
  });

  it('finds nothing for a search no seat contains', () => {
    expect(view.inactiveSeatPage('no seat is called this', 10)).toEqual({ rows: [], matching: 0, total: all.length });
  });
});
