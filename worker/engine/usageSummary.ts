import { DenseInts } from './denseInts';
import { foldCase } from './dictionary';
import { NO_DAY, type UsageTable } from './model';
import { MAPPED, resolveUsage, UNACCOUNTED, UNMAPPED, type Mappings, type Resolution } from './resolve';
import type { InactiveSeat } from './usageGroups';

/**
 * What usage rows add up to under the mappings, before seats are counted: everything spec §2–§5
 * take from rows one at a time, in one pass over them. Codes are the summarized table's own.
 */
export interface UsageSummary {
  resolution: Resolution;
  /** Rows per (client, rule) of the rows a `map` rule decides, in order of first row. */
  ruleSides: RuleSide[];
  /** Per row: its index in ruleSides when its rule counts records, else -1. */
  rowSide: Int32Array;
  /** Spec §3 "Unaccounted" per (client, integration, product compared case-insensitively), in order of first row. */
  unaccounted: UnaccountedPart[];
  /** Spec §3 "Unmapped clients" per (integration, external client), in order of first row. */
  unmapped: UnmappedPart[];
  /** Spec §5, in row order. */
  inactive: InactiveSeat[];
  /** Per client index: rows resolved to it, rows an exclude rule ignores aside (its seats when no seat repeats). */
  clientRows: Int32Array;
}

export interface RuleSide {
  clientIndex: number;
  rule: number;
  rows: number;
  /** Rows that count records. */
  recordRows: number;
  /** Σ quantity of the rows that count quantity (units). */
  quantity: bigint;
  /** Per integration code: 1 when a row of it was counted. */
  integrations: Uint8Array;
}

export interface UnaccountedPart {
  clientIndex: number;
  integration: number;
  /** The first spelling met. */
  product: number;
  rows: number;
}

export interface UnmappedPart {
  integration: number;
  externalClient: number;
  /** The last non-blank name met, or -1. */
  name: number;
  rows: number;
}

/** The columns a summary reads. */
export type UsageColumns = Pick<UsageTable, 'length' | 'integrationId' | 'externalClientId' | 'externalClientName' | 'product' | 'category' | 'quantity' | 'lastActive'>;

export interface SummaryContext {
  mappings: Mappings;
  /** The index of a PSA client id; coding one not met before is how client indexes grow, in row order. */
  clientIndex: (clientId: string) => number;
  asOfDay: number;
  inactiveAfterDays: number;
}

export function summarizeUsage(usage: UsageColumns, context: SummaryContext): UsageSummary {
  const n = usage.length;
  const { serviceMap } = context.mappings;
  const { kind, client, rule, clientCount } = resolveUsage(usage, context.mappings, context.clientIndex);
  const integrationCount = usage.integrationId.values.length;
  const integrationCodes = usage.integrationId.codes;
  const quantity = usage.quantity;
  const lastActive = usage.lastActive;
  const countsRecords = Uint8Array.from(serviceMap, (r) => (r.count === 'records' ? 1 : 0));
  const products = foldCase(usage.product.values);
  const productCount = products.folded.values.length;

  const ruleSides: RuleSide[] = [];
  const rowSide = new Int32Array(n).fill(-1);
  const sideOf = new DenseInts(clientCount * serviceMap.length, -1);
  let lastSideKey = -1;
  let lastSide = -1;
  const unaccountedOf = new Map<number, UnaccountedPart>();
  const unmappedOf = new Map<number, UnmappedPart>();
  const inactive: InactiveSeat[] = [];
  const clientRows = new Int32Array(clientCount);
  const limit = context.inactiveAfterDays;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    if (k === UNMAPPED) {
      const key = usage.externalClientId.codes[i]! * integrationCount + integrationCodes[i]!;
      let entry = unmappedOf.get(key);
      if (!entry) unmappedOf.set(key, (entry = { integration: integrationCodes[i]!, externalClient: usage.externalClientId.codes[i]!, name: -1, rows: 0 }));
      entry.rows++;
      const name = usage.externalClientName.codes[i]!;
      if (usage.externalClientName.values[name] !== '') entry.name = name;
      continue;
    }
    if (k !== MAPPED && k !== UNACCOUNTED) continue;
    const c = client[i]!;
    clientRows[c]++;
    if (lastActive[i] !== NO_DAY) {
      const daysInactive = context.asOfDay - lastActive[i]!;
      if (daysInactive > limit) inactive.push({ row: i, clientIndex: c, daysInactive });
    }
    if (k === UNACCOUNTED) {
      const productCode = usage.product.codes[i]!;
      const key = (c * integrationCount + integrationCodes[i]!) * productCount + products.ofCode[productCode]!;
      const group = unaccountedOf.get(key);
      if (group) group.rows++;
      else unaccountedOf.set(key, { clientIndex: c, integration: integrationCodes[i]!, product: productCode, rows: 1 });
      continue;
    }
    const r = rule[i]!;
    const sideKey = c * serviceMap.length + r;
    // A client's rows come together: the previous row's side usually holds.
    if (sideKey !== lastSideKey) {
      lastSide = sideOf.get(sideKey);
      if (lastSide < 0) {
        sideOf.set(sideKey, (lastSide = ruleSides.length));
        ruleSides.push({ clientIndex: c, rule: r, rows: 0, recordRows: 0, quantity: 0n, integrations: new Uint8Array(integrationCount) });
      }
      lastSideKey = sideKey;
    }
    const s = lastSide;
    const side = ruleSides[s]!;
    side.rows++;
    side.integrations[integrationCodes[i]!] = 1;
    if (countsRecords[r] === 1) {
      rowSide[i] = s;
      side.recordRows++;
    } else side.quantity += quantity[i]!;
  }
  return { resolution: { kind, client, rule }, ruleSides, rowSide, unaccounted: [...unaccountedOf.values()], unmapped: [...unmappedOf.values()], inactive, clientRows };
}
