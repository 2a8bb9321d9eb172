import { divRound, UNIT } from './decimal';
import type { Dictionary } from './dictionary';
import type { LineContext } from './lineContext';
import type { Bundle, PsaLine } from './model';
import type { DiscrepancyType } from './report.types';
import { rateChain, type EstimateSources, type Rate } from './rateChain';
import { countSeatsPerKey, type SeatRows } from './seats';
import type { UsageSummary } from './usageSummary';

/** One (client, compared service) of spec §3, whether or not its quantities differ. */
export interface Pair {
  clientIndex: number;
  clientId: string;
  serviceId: string;
  type: DiscrepancyType;
  integrationIds: string[];
  /** Units (× 10^4). */
  invoicedQty: bigint;
  systemCount: bigint;
  qtyDelta: bigint;
  rate: Rate;
  /** Cents; null when the rate source is none. */
  amount: bigint | null;
  /** The pair's current lines. */
  lines: PsaLine[];
  /** Usage rows counted for the pair. */
  usageRows: number;
}

interface UsageSide {
  /** The pair's number (see PairNumbers). */
  key: number;
  clientIndex: number;
  records: number;
  quantity: bigint;
  /** Per integration code: whether a row of it was counted. */
  integrations: Uint8Array;
  rows: number;
}

/** Services that at least one `map` rule targets. */
export function comparedServices(bundle: Bundle): Set<string> {
  return new Set(bundle.serviceMap.filter((r) => r.action === 'map').map((r) => r.psaServiceId));
}

/** How pairs are numbered: client index × space + service code (see IncrementalReconciler). */
export interface PairNumbers {
  services: Dictionary;
  space: number;
}

export function comparePairs(bundle: Bundle, summary: UsageSummary, bySeat: SeatRows, clients: Dictionary, numbers: PairNumbers, lines: LineContext): Pair[] {
  const { services, space } = numbers;
  const compared = comparedServices(bundle);
  const ruleService = Int32Array.from(bundle.serviceMap, (rule) => services.code(rule.psaServiceId));
  const usageOf = new Map<number, UsageSide>();
  for (const side of usageByPair(summary, bySeat, ruleService, space)) usageOf.set(side.key, side);

  // Pairs with current lines (line order), then usage-only ones (first row).
  const keys = new Set(lines.pairOrder.filter((key) => compared.has(services.values[key % space]!)));
  for (const key of usageOf.keys()) keys.add(key);
  const integrationNames = bundle.usage.integrationId.values;
  const pairs: Pair[] = [];
  for (const key of keys) {
    const clientIndex = Math.floor(key / space);
    const used = usageOf.get(key);
    const counted = used && { records: used.records, quantity: used.quantity, rows: used.rows, integrationIds: integrationNames.filter((_, c) => used.integrations[c] === 1).sort() };
    pairs.push(buildPair(clientIndex, clients.values[clientIndex]!, services.values[key % space]!, lines.linesOf.get(key) ?? [], counted, lines.sources));
  }
  return pairs;
}

/** What a pair's usage adds up to: distinct seats under `records` rules, Σ quantity under `quantity` rules. */
export interface CountedUsage {
  records: number;
  /** Units. */
  quantity: bigint;
  /** Sorted ids of the integrations whose rows were counted. */
  integrationIds: string[];
  rows: number;
}

/** Spec §3 for one (client, compared service): its numbers from its current lines and counted usage (undefined: none). */
export function buildPair(clientIndex: number, clientId: string, serviceId: string, lines: PsaLine[], used: CountedUsage | undefined, sources: EstimateSources): Pair {
  let invoicedQty = 0n;
  for (const line of lines) invoicedQty += line.quantity;
  const systemCount = used ? BigInt(used.records) * UNIT + used.quantity : 0n;
  const qtyDelta = systemCount - invoicedQty;
  const rate = rateChain(serviceId, lines, sources);
  // qty (× 10^4) × rate (cents) has 6 places of a currency unit; cents = / 10^4.
  const amount = rate.cents === null ? null : divRound(qtyDelta * rate.cents, UNIT);
  const type: DiscrepancyType = used && lines.length === 0 ? 'unmapped' : rate.source === 'invoice' ? 'calculated' : 'estimated';
  return { clientIndex, clientId, serviceId, type, integrationIds: used ? used.integrationIds : [], invoicedQty, systemCount, qtyDelta, rate, amount, lines, usageRows: used?.rows ?? 0 };
}

/**
 * Spec §3 system_count per pair: distinct (integration_id, record_id) under `records` rules plus
 * Σ quantity under `quantity` rules, from the rows per (client, rule) of the usage summary (the
 * rules of one service add up into its pair). Distinct seats are counted seat by seat: each seat
 * adds one to every distinct pair among its own rows; when no seat repeats, a row is a record.
 */
function usageByPair(summary: UsageSummary, bySeat: SeatRows, ruleService: Int32Array, space: number): UsageSide[] {
  const sides: UsageSide[] = [];
  const sideOfPair = new Map<number, number>(); // pair key → side index
  // Rule sides are in order of first row, so pairs are too.
  const pairOfRuleSide = Int32Array.from(summary.ruleSides, (ruleSide) => {
    const pair = ruleSide.clientIndex * space + ruleService[ruleSide.rule]!;
    let s = sideOfPair.get(pair);
    if (s === undefined) {
      sideOfPair.set(pair, (s = sides.length));
      sides.push({ key: pair, clientIndex: ruleSide.clientIndex, records: 0, quantity: 0n, integrations: new Uint8Array(ruleSide.integrations.length), rows: 0 });
    }
    const side = sides[s]!;
    side.rows += ruleSide.rows;
    side.quantity += ruleSide.quantity;
    if (bySeat === null) side.records += ruleSide.recordRows;
    ruleSide.integrations.forEach((counted, code) => {
      if (counted === 1) side.integrations[code] = 1;
    });
    return s;
  });
  if (bySeat !== null) {
    const { rowSide } = summary;
    countSeatsPerKey(bySeat, rowSide.length, (row) => (rowSide[row]! < 0 ? -1 : pairOfRuleSide[rowSide[row]!]!), (s) => sides[s]!.records++);
  }
  return sides;
}
