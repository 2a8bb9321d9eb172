import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { clientNoteKey, pairKey } from '../../worker/doc/keys';
import { reconcile } from '../../worker/engine/reconcile';
import type { ReviewInput } from '../../worker/views/types';
import { WorkspaceView, reviewDecisions } from '../../worker/views/workspaceView';

/**
 * The engine worker's review-only path (decisions changed, nothing else): the view derived from the
 * cached reconciliation must answer exactly as a full reconcile with the same decisions would.
 */
describe('WorkspaceView.withReview / withNotes', () => {
  const read = readBundle(generateDemoBundle());
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  const empty: ReviewInput = { entries: [], notes: {}, outlierAmount: '500.00' };
  const before = new WorkspaceView({ ...read.bundle, decisions: [] }, reconcile({ ...read.bundle, decisions: [] }), empty);
  const open = before.discrepancies().filter((d) => d.amount !== null && d.serviceId !== '');

  const review: ReviewInput = {
    entries: [
      { clientId: open[0]!.clientId, serviceId: open[0]!.serviceId, decision: 'approve', effectiveDate: null },
      { clientId: open[1]!.clientId, serviceId: open[1]!.serviceId, decision: 'approve', effectiveDate: '2026-12-15' },
      { clientId: open[2]!.clientId, serviceId: open[2]!.serviceId, decision: 'dismiss', effectiveDate: null, dismissedQtyDelta: open[2]!.qtyDelta, dismissedAmount: open[2]!.amount },
      { clientId: open[3]!.clientId, serviceId: open[3]!.serviceId, decision: null, effectiveDate: null },
    ],
    notes: { [pairKey(open[0]!.clientId, open[0]!.serviceId)]: 'approved after a call', [clientNoteKey(open[0]!.clientId)]: 'a client note' },
    outlierAmount: '500.00',
  };

  it('gives the same overview, discrepancies, adjustments and client rows as a full reconcile', () => {
    const bundle = { ...read.bundle, decisions: reviewDecisions(review) };
    const full = new WorkspaceView(bundle, reconcile(bundle), review);
    const cheap = before.withReview(review);
    expect(cheap.adjustments().length).toBe(2);
    expect(cheap.overview()).toEqual(full.overview());
    expect(cheap.discrepancies()).toEqual(full.discrepancies());
    expect(cheap.adjustments()).toEqual(full.adjustments());
    expect(cheap.clientRows()).toEqual(full.clientRows());
    expect(cheap.bundle.decisions).toEqual(bundle.decisions);
    // The view it came from is unchanged (the worker swaps views; screens may still read the old one).
    expect(before.adjustments()).toEqual([]);
  });

  it('changes only notes with withNotes', () => {
    const reviewed = before.withReview(review);
    const noted = reviewed.withNotes({ [pairKey(open[1]!.clientId, open[1]!.serviceId)]: 'new note' });
    expect(noted.overview()).toEqual(reviewed.overview());
    const noteOf = (i: number) => noted.adjustments().find((a) => a.clientId === open[i]!.clientId && a.serviceId === open[i]!.serviceId)?.note;
    expect([noteOf(0), noteOf(1)]).toEqual(['', 'new note']);
    const shown = noted.discrepancies().find((d) => d.clientId === open[1]!.clientId && d.serviceId === open[1]!.serviceId)!;
    expect(shown.note).toBe('new note');
    expect(shown.review).toBe('approved');
  });
});
