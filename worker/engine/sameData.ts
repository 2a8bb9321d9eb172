import type { Bundle } from './model';

/**
 * Whether two bundles hold the same usage and PSA data, so one IncrementalReconciler serves both
 * (only mappings, settings and decisions may differ). The usage table is compared by identity: the
 * app's loader hands back the same table while the same imports are current, and comparing a
 * million rows would cost what the reuse saves. PSA rows are few and re-read from storage on every
 * load, so they are compared field by field.
 */
export function sameData(a: Bundle, b: Bundle): boolean {
  return a.usage === b.usage && sameRows(a.clients, b.clients) && sameRows(a.lines, b.lines) && sameRows(a.catalog, b.catalog);
}

function sameRows<T extends object>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) if (x[key] !== y[key]) return false;
  }
  return true;
}
