import { lineSummary, type LineSummary } from './clientRows';
import type { Dictionary } from './dictionary';
import { flagLines, type Flag } from './flags';
import type { Bundle, PsaLine } from './model';
import { medianRates, type EstimateSources } from './rateChain';

/**
 * Everything the PSA side gives a reconciliation at one as-of date: it depends on the lines, the
 * catalog and the date, never on mappings, so an edit reuses it whole.
 */
export interface LineContext {
  asOfDay: number;
  /** Spec §3: lines whose inclusive period contains the date of asOf. */
  currentLines: PsaLine[];
  sources: EstimateSources;
  flags: Flag[];
  /** Services and billing cycles per client (spec §4). */
  summary: LineSummary;
  /** Current lines per pair key, of every service (a pair exists only for compared ones). */
  linesOf: Map<number, PsaLine[]>;
  /** Pair keys in order of their first current line. */
  pairOrder: number[];
}

/** `pairKey(clientIndex, serviceIndex)` numbers a pair (see IncrementalReconciler). */
export function lineContext(bundle: Bundle, asOfDay: number, clients: Dictionary, services: Dictionary, pairKey: (client: number, service: number) => number): LineContext {
  const currentLines = bundle.lines.filter((l) => l.periodStart <= asOfDay && asOfDay <= l.periodEnd);
  const linesOf = new Map<number, PsaLine[]>();
  const pairOrder: number[] = [];
  for (const line of currentLines) {
    const key = pairKey(clients.code(line.clientId), services.code(line.serviceId));
    const list = linesOf.get(key);
    if (list) list.push(line);
    else {
      linesOf.set(key, [line]);
      pairOrder.push(key);
    }
  }
  return {
    asOfDay,
    currentLines,
    sources: { median: medianRates(currentLines), catalog: new Map(bundle.catalog.map((c) => [c.serviceId, c])) },
    flags: flagLines(currentLines),
    summary: lineSummary(clients, currentLines),
    linesOf,
    pairOrder,
  };
}
