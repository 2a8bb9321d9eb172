import { divRound, UNIT } from './decimal';
import { DenseInts } from './denseInts';
import type { Dictionary } from './dictionary';
import type { LineContext } from './lineContext';
import type { Bundle, PsaLine } from './model';
import type { DiscrepancyType } from './report.types';
import { MAPPED, type Resolution } from './resolve';
import { rateChain, type EstimateSources, type Rate } from './rateChain';
import { countSeatsPerKey, type SeatRows } from './seats';

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

export function comparePairs(bundle: Bundle, resolution: Resolution, bySeat: SeatRows, clients: Dictionary, numbers: PairNumbers, lines: LineContext): Pair[] {
  const { services, space } = numbers;
  const compared = comparedServices(bundle);
  const ruleService = Int32Array.from(bundle.serviceMap, (rule) => services.code(rule.psaServiceId));
  const usageOf = new Map<number, UsageSide>();
  for (const side of usageByPair(bundle, resolution, bySeat, clients.values.length, ruleService, space)) usageOf.set(side.key, side);

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
 * Σ quantity under `quantity` rules. Distinct seats are counted seat by seat: each seat adds one
 * to every distinct pair among its own rows.
 */
function usageByPair(bundle: Bundle, resolution: Resolution, bySeat: SeatRows, clientCount: number, ruleService: Int32Array, space: number): UsageSide[] {
  const { kind, client, rule } = resolution;
  const rules = bundle.serviceMap;
  const countsRecords = Uint8Array.from(rules, (r) => (r.count === 'records' ? 1 : 0));
  const sides: UsageSide[] = [];
  const sideOfPair = new Map<number, number>(); // pair key → side index
  // client × rules + rule → side index: rows of one client alternate between rules row by row.
  const sideOfClientRule = new DenseInts(clientCount * rules.length, -1);
  const rowSide = new Int32Array(kind.length).fill(-1); // for `records` rows only
  const integrationCodes = bundle.usage.integrationId.codes;
  const quantity = bundle.usage.quantity;
  for (let i = 0; i < kind.length; i++) {
    if (kind[i] !== MAPPED) continue;
    const r = rule[i]!;
    const key = client[i]! * rules.length + r;
    let s = sideOfClientRule.get(key);
    if (s < 0) {
      const pair = client[i]! * space + ruleService[r]!;
      let side = sideOfPair.get(pair);
      if (side === undefined) {
        side = sides.length;
        sides.push({ key: pair, clientIndex: client[i]!, records: 0, quantity: 0n, integrations: new Uint8Array(bundle.usage.integrationId.values.length), rows: 0 });
        sideOfPair.set(pair, side);
      }
      sideOfClientRule.set(key, (s = side));
    }
    const side = sides[s]!;
    side.rows++;
    side.integrations[integrationCodes[i]!] = 1;
    if (countsRecords[r] === 1) rowSide[i] = s;
    else side.quantity += quantity[i]!;
  }

  countSeatsPerKey(bySeat, kind.length, (row) => rowSide[row]!, (s) => sides[s]!.records++);
  return sides;
}
