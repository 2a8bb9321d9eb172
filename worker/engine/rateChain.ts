import { divRound, formatCents, formatUnits } from './decimal';
import type { CatalogItem, PsaLine } from './model';
import type { RateSource } from './report.types';

/** A pair's unit rate in cents (rounded half away from zero before use, spec §3) and how it was found. */
export interface Rate {
  cents: bigint | null;
  source: RateSource;
  /** Plain words for the tooltip: where the number came from. */
  basis: string;
}

export interface EstimateSources {
  /** Per service_id: the median unit price (cents) of all priced current lines in the workspace. */
  median: Map<string, { cents: bigint; lines: number }>;
  catalog: Map<string, CatalogItem>;
}

/** Median of unit_price over priced current lines, per service; an even count takes the mean of the two middle values. */
export function medianRates(currentLines: readonly PsaLine[]): Map<string, { cents: bigint; lines: number }> {
  const prices = new Map<string, bigint[]>();
  for (const line of currentLines) {
    if (line.unitPrice === null) continue;
    let list = prices.get(line.serviceId);
    if (!list) prices.set(line.serviceId, (list = []));
    list.push(line.unitPrice);
  }
  const out = new Map<string, { cents: bigint; lines: number }>();
  for (const [serviceId, list] of prices) {
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const mid = list.length >> 1;
    // Units are 1/10,000; cents = units / 100, and the two-value mean halves once more.
    const cents = list.length % 2 === 1 ? divRound(list[mid]!, 100n) : divRound(list[mid - 1]! + list[mid]!, 200n);
    out.set(serviceId, { cents, lines: list.length });
  }
  return out;
}

/** Spec §3: invoice (hard) when every current line of the pair is priced, else median → catalog → none. */
export function rateChain(serviceId: string, pairLines: readonly PsaLine[], sources: EstimateSources): Rate {
  if (pairLines.length > 0 && pairLines.every((l) => l.unitPrice !== null)) return invoiceRate(pairLines);
  const median = sources.median.get(serviceId);
  if (median) {
    return { cents: median.cents, source: 'median', basis: `Estimated: median unit price of ${median.lines} priced current line${median.lines === 1 ? '' : 's'} of this service across the workspace` };
  }
  const listPrice = sources.catalog.get(serviceId)?.listPrice;
  if (listPrice !== undefined && listPrice !== null) {
    return { cents: divRound(listPrice, 100n), source: 'catalog', basis: `Estimated: catalog list price ${formatUnits(listPrice)}` };
  }
  return { cents: null, source: 'none', basis: 'No price: no priced current line of this service and no catalog list price' };
}

function invoiceRate(lines: readonly PsaLine[]): Rate {
  let quantity = 0n;
  let value = 0n; // Σ qty × price, scale 10^8
  let prices = 0n;
  for (const line of lines) {
    quantity += line.quantity;
    value += line.quantity * line.unitPrice!;
    prices += line.unitPrice!;
  }
  const count = lines.length;
  if (quantity > 0n) {
    // value / 10^8 ÷ (quantity / 10^4) × 100 cents = value / (quantity × 100)
    const cents = divRound(value, quantity * 100n);
    const basis = count === 1 ? 'From the invoice line' : `From the invoice: Σ(quantity × price) / Σ quantity over ${count} lines = ${formatCents(divRound(value, 1_000_000n))} / ${formatUnits(quantity)}`;
    return { cents, source: 'invoice', basis };
  }
  return { cents: divRound(prices, BigInt(count) * 100n), source: 'invoice', basis: `From the invoice: mean of ${count} line price${count === 1 ? '' : 's'} (invoiced quantity is not positive)` };
}
