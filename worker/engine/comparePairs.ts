import { divRound, UNIT } from './decimal';
import type { Dictionary } from './dictionary';
import type { Bundle, PsaLine } from './model';
import type { DiscrepancyType } from './report.types';
import { MAPPED, type Resolution } from './resolve';
import { rateChain, type EstimateSources, type Rate } from './rateChain';

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
  seats: Set<number>;
  quantity: bigint;
  integrations: Set<number>;
  rows: number;
}

/** Services that at least one `map` rule targets. */
export function comparedServices(bundle: Bundle): Set<string> {
  return new Set(bundle.serviceMap.filter((r) => r.action === 'map').map((r) => r.psaServiceId));
}

export function comparePairs(
  bundle: Bundle,
  resolution: Resolution,
  seat: Int32Array,
  clients: Dictionary,
  currentLines: readonly PsaLine[],
  sources: EstimateSources,
): Pair[] {
  const compared = comparedServices(bundle);
  const pairKey = (clientIndex: number, serviceId: string) => `${clientIndex}\u0000${serviceId}`;
  const linesOf = new Map<string, PsaLine[]>();
  const clientOfKey = new Map<string, [number, string]>();
  for (const line of currentLines) {
    if (!compared.has(line.serviceId)) continue;
    const clientIndex = clients.code(line.clientId);
    const key = pairKey(clientIndex, line.serviceId);
    let list = linesOf.get(key);
    if (!list) {
      linesOf.set(key, (list = []));
      clientOfKey.set(key, [clientIndex, line.serviceId]);
    }
    list.push(line);
  }

  const usageOf = usageByPair(bundle, resolution, seat, pairKey, clientOfKey);
  const integrationNames = bundle.usage.integrationId.values;
  const pairs: Pair[] = [];
  for (const [key, [clientIndex, serviceId]] of clientOfKey) {
    const lines = linesOf.get(key) ?? [];
    const used = usageOf.get(key);
    let invoicedQty = 0n;
    for (const line of lines) invoicedQty += line.quantity;
    const systemCount = used ? BigInt(used.seats.size) * UNIT + used.quantity : 0n;
    const qtyDelta = systemCount - invoicedQty;
    const rate = rateChain(serviceId, lines, sources);
    // qty (× 10^4) × rate (cents) has 6 places of a currency unit; cents = / 10^4.
    const amount = rate.cents === null ? null : divRound(qtyDelta * rate.cents, UNIT);
    const type: DiscrepancyType = used && lines.length === 0 ? 'unmapped' : rate.source === 'invoice' ? 'calculated' : 'estimated';
    const integrationIds = used ? [...used.integrations].map((c) => integrationNames[c]!).sort() : [];
    pairs.push({ clientIndex, clientId: clients.values[clientIndex]!, serviceId, type, integrationIds, invoicedQty, systemCount, qtyDelta, rate, amount, lines, usageRows: used?.rows ?? 0 });
  }
  return pairs;
}

/** Spec §3 system_count: distinct (integration_id, record_id) under `records` rules plus Σ quantity under `quantity` rules. */
function usageByPair(
  bundle: Bundle,
  resolution: Resolution,
  seat: Int32Array,
  pairKey: (clientIndex: number, serviceId: string) => string,
  clientOfKey: Map<string, [number, string]>,
): Map<string, UsageSide> {
  const { kind, client, rule } = resolution;
  const rules = bundle.serviceMap;
  const byNumber = new Map<number, UsageSide>();
  const out = new Map<string, UsageSide>();
  const ruleCount = rules.length;
  const integrationCodes = bundle.usage.integrationId.codes;
  const quantity = bundle.usage.quantity;
  for (let i = 0; i < kind.length; i++) {
    if (kind[i] !== MAPPED) continue;
    const r = rule[i]!;
    const numberKey = client[i]! * ruleCount + r;
    let side = byNumber.get(numberKey);
    if (!side) {
      const serviceId = rules[r]!.psaServiceId;
      const key = pairKey(client[i]!, serviceId);
      side = out.get(key);
      if (!side) {
        out.set(key, (side = { seats: new Set(), quantity: 0n, integrations: new Set(), rows: 0 }));
        if (!clientOfKey.has(key)) clientOfKey.set(key, [client[i]!, serviceId]);
      }
      byNumber.set(numberKey, side);
    }
    side.rows++;
    side.integrations.add(integrationCodes[i]!);
    if (rules[r]!.count === 'records') side.seats.add(seat[i]!);
    else side.quantity += quantity[i]!;
  }
  return out;
}
