import { DenseInts } from './denseInts';
import { foldCase } from './dictionary';
import { NO_DAY, type UsageTable } from './model';
import { MAPPED, resolveUsage, UNACCOUNTED, UNMAPPED, type Mappings, type Resolution } from './resolve';
import type { InactiveSeat } from './usageGroups';

/**
 * What usage rows add up to under the mappings, before seats are counted: everything spec §2–§5
 * take from rows one at a time. A summary covers rows [0, length) of one table; two tables read
 * apart (the two parts of one file, read on two threads by the CLI) are summarized apart and
 * merged (mergeUsageSummaries) into the summary of the table they join into, so the per-row work
 * runs on both cores. Codes are the summarized table's own.
 */
export interface UsageSummary {
  length: number;
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
    let s = sideOf.get(sideKey);
    if (s < 0) {
      sideOf.set(sideKey, (s = ruleSides.length));
      ruleSides.push({ clientIndex: c, rule: r, rows: 0, recordRows: 0, quantity: 0n, integrations: new Uint8Array(integrationCount) });
    }
    const side = ruleSides[s]!;
    side.rows++;
    side.integrations[integrationCodes[i]!] = 1;
    if (countsRecords[r] === 1) {
      rowSide[i] = s;
      side.recordRows++;
    } else side.quantity += quantity[i]!;
  }
  return { length: n, resolution: { kind, client, rule }, ruleSides, rowSide, unaccounted: [...unaccountedOf.values()], unmapped: [...unmappedOf.values()], inactive, clientRows };
}

/** How a later table's codes map to the joined table's: per coded column, local code → joined code. */
export interface Recode {
  integrationId: Uint32Array;
  externalClientId: Uint32Array;
  externalClientName: Uint32Array;
  product: Uint32Array;
  /** The later summary's client indexes (its own numbering) → the joined one's. */
  client: Int32Array;
}

/**
 * The summary of a table whose rows are `first`'s table's rows followed by `second`'s (joined
 * with `recode`), from the two summaries: what summarizeUsage gives for the joined table, as
 * every part of a summary is ordered by first row, counts add up and a later name wins.
 * `joined` is the joined table (its product values fold the unaccounted groups alike).
 */
export function mergeUsageSummaries(first: UsageSummary, second: UsageSummary, recode: Recode, joined: Pick<UsageColumns, 'integrationId' | 'product'>, ruleCount: number): UsageSummary {
  const offset = first.length;
  const n = offset + second.length;
  const integrationCount = joined.integrationId.values.length;
  const clientOf = (c: number) => recode.client[c]!;

  const kind = new Uint8Array(n);
  const client = new Int32Array(n);
  const rule = new Int32Array(n);
  kind.set(first.resolution.kind);
  client.set(first.resolution.client);
  rule.set(first.resolution.rule);
  kind.set(second.resolution.kind, offset);
  rule.set(second.resolution.rule, offset);
  const secondClient = second.resolution.client;
  for (let i = 0; i < secondClient.length; i++) client[offset + i] = secondClient[i]! < 0 ? secondClient[i]! : clientOf(secondClient[i]!);

  let clientCount = first.clientRows.length;
  for (let c = 0; c < second.clientRows.length; c++) if (second.clientRows[c]! > 0) clientCount = Math.max(clientCount, clientOf(c) + 1);
  const clientRows = new Int32Array(clientCount);
  clientRows.set(first.clientRows);
  for (let c = 0; c < second.clientRows.length; c++) if (second.clientRows[c]! > 0) clientRows[clientOf(c)] += second.clientRows[c]!;

  const ruleSides = first.ruleSides.map((side) => ({ ...side, integrations: widen(side.integrations, integrationCount) }));
  const sideAt = new Map<number, number>(ruleSides.map((side, s) => [side.clientIndex * ruleCount + side.rule, s]));
  const sideRemap = Int32Array.from(second.ruleSides, (side) => {
    const clientIndex = clientOf(side.clientIndex);
    const key = clientIndex * ruleCount + side.rule;
    let s = sideAt.get(key);
    if (s === undefined) {
      sideAt.set(key, (s = ruleSides.length));
      ruleSides.push({ clientIndex, rule: side.rule, rows: 0, recordRows: 0, quantity: 0n, integrations: new Uint8Array(integrationCount) });
    }
    const merged = ruleSides[s]!;
    merged.rows += side.rows;
    merged.recordRows += side.recordRows;
    merged.quantity += side.quantity;
    side.integrations.forEach((counted, code) => {
      if (counted === 1) merged.integrations[recode.integrationId[code]!] = 1;
    });
    return s;
  });
  const rowSide = new Int32Array(n);
  rowSide.set(first.rowSide);
  for (let i = 0; i < second.rowSide.length; i++) rowSide[offset + i] = second.rowSide[i]! < 0 ? -1 : sideRemap[second.rowSide[i]!]!;

  const folded = foldCase(joined.product.values);
  const productCount = folded.folded.values.length;
  const unaccountedKey = (group: UnaccountedPart) => (group.clientIndex * integrationCount + group.integration) * productCount + folded.ofCode[group.product]!;
  const unaccountedOf = new Map<number, UnaccountedPart>(first.unaccounted.map((group) => [unaccountedKey(group), { ...group }]));
  for (const group of second.unaccounted) {
    const joinedGroup = { clientIndex: clientOf(group.clientIndex), integration: recode.integrationId[group.integration]!, product: recode.product[group.product]!, rows: group.rows };
    const key = unaccountedKey(joinedGroup);
    const known = unaccountedOf.get(key);
    if (known) known.rows += group.rows;
    else unaccountedOf.set(key, joinedGroup);
  }

  const unmappedOf = new Map<number, UnmappedPart>(first.unmapped.map((entry) => [entry.externalClient * integrationCount + entry.integration, { ...entry }]));
  for (const entry of second.unmapped) {
    const integration = recode.integrationId[entry.integration]!;
    const externalClient = recode.externalClientId[entry.externalClient]!;
    const name = entry.name < 0 ? -1 : recode.externalClientName[entry.name]!;
    const key = externalClient * integrationCount + integration;
    const known = unmappedOf.get(key);
    if (!known) unmappedOf.set(key, { integration, externalClient, name, rows: entry.rows });
    else {
      known.rows += entry.rows;
      if (name >= 0) known.name = name;
    }
  }

  const inactive = first.inactive.concat(second.inactive.map((seat) => ({ row: seat.row + offset, clientIndex: clientOf(seat.clientIndex), daysInactive: seat.daysInactive })));
  return { length: n, resolution: { kind, client, rule }, ruleSides, rowSide, unaccounted: [...unaccountedOf.values()], unmapped: [...unmappedOf.values()], inactive, clientRows };
}

/** Flags per integration code, with room for the joined table's codes. */
function widen(flags: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(flags);
  return out;
}
