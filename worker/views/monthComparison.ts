/**
 * History's month comparison: two closed months compared client by client in exact cents
 * (`compareSnapshots`), done in the core so the screen only renders the rows it gets. Pure.
 */
import { compareSnapshots, type ClientChange, type MonthSnapshot } from '../review/snapshots';

/** A client that appeared, disappeared or changed between the two months, as the grid lists it. */
export interface MonthComparisonRow extends ClientChange {
  status: 'appeared' | 'disappeared' | 'changed';
}

export interface MonthComparison {
  /** Appeared first, then disappeared, then changed; each largest absolute change first. */
  rows: MonthComparisonRow[];
  appeared: number;
  disappeared: number;
  changed: number;
  /** Clients with discrepancies in both months, all identical. */
  unchanged: number;
  /** The newer month's net minus the older's, 2 places. */
  totalChange: string;
  currency: string;
}

/**
 * The months `olderId` and `newerId` compared; null when either is not a closed month or they are
 * in different currencies (their amounts cannot be subtracted).
 */
export function monthComparison(snapshots: readonly MonthSnapshot[], olderId: string, newerId: string): MonthComparison | null {
  const older = snapshots.find((s) => s.id === olderId);
  const newer = snapshots.find((s) => s.id === newerId);
  if (!older || !newer || older.currency !== newer.currency) return null;
  const c = compareSnapshots(older, newer);
  const rows: MonthComparisonRow[] = [
    ...c.appeared.map((x) => ({ ...x, status: 'appeared' as const })),
    ...c.disappeared.map((x) => ({ ...x, status: 'disappeared' as const })),
    ...c.changed.map((x) => ({ ...x, status: 'changed' as const })),
  ];
  return { rows, appeared: c.appeared.length, disappeared: c.disappeared.length, changed: c.changed.length, unchanged: c.unchanged, totalChange: c.totalChange, currency: newer.currency };
}
