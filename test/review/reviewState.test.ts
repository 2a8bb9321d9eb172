import { describe, expect, it } from 'vitest';
import { outlierReason, reviewState, type ReviewEntry } from '../../worker/review/reviewState';

const entry = (e: Partial<ReviewEntry>): ReviewEntry => ({ clientId: 'C1', serviceId: 'S1', decision: null, effectiveDate: null, ...e });

describe('review state (spec §7)', () => {
  it('is pending with no decision, or with only an effective date saved', () => {
    expect(reviewState(undefined, '2', '20.00')).toBe('pending');
    expect(reviewState(entry({ effectiveDate: '2026-12-15' }), '2', '20.00')).toBe('pending');
  });

  it('stays dismissed while the numbers are the ones dismissed, compared as decimals', () => {
    expect(reviewState(entry({ decision: 'dismiss', dismissedQtyDelta: '2.0', dismissedAmount: '20.0' }), '2', '20.00')).toBe('dismissed');
  });

  it('comes back when the quantity changes', () => {
    expect(reviewState(entry({ decision: 'dismiss', dismissedQtyDelta: '2', dismissedAmount: '20.00' }), '3', '20.00')).toBe('returned');
  });

  it('comes back when only the amount changes (a new rate)', () => {
    expect(reviewState(entry({ decision: 'dismiss', dismissedQtyDelta: '2', dismissedAmount: '20.00' }), '2', '22.00')).toBe('returned');
    expect(reviewState(entry({ decision: 'dismiss', dismissedQtyDelta: '2', dismissedAmount: null }), '2', '22.00')).toBe('returned');
  });

  it('holds an imported dismissal that has no remembered numbers yet', () => {
    expect(reviewState(entry({ decision: 'dismiss' }), '5', '1.00')).toBe('dismissed');
  });

  it('is approved regardless of later numbers (the adjustment uses the current ones)', () => {
    expect(reviewState(entry({ decision: 'approve' }), '9', '90.00')).toBe('approved');
  });
});

describe('spot check before bulk approval', () => {
  it('flags a change larger than half the invoiced quantity', () => {
    // 3 invoiced, +2: 2 × 2 = 4 > 3.
    expect(outlierReason('3', '2', '10.00', '500.00')).toMatch(/more than half/);
    expect(outlierReason('4', '-2', '-10.00', '500.00')).toBeNull();
  });

  it('flags a change with no amount (no rate): approving it would add no adjustment', () => {
    expect(outlierReason('0', '2', null, '500.00')).toMatch(/no rate/);
  });

  it('flags an amount above the threshold either way', () => {
    expect(outlierReason('100', '-3', '-500.01', '500.00')).toMatch(/more than 500.00/);
    expect(outlierReason('100', '3', '500.00', '500.00')).toBeNull();
  });
});
