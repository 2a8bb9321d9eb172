import { absBig, formatCents, formatUnits, parseUnits, unitsToCents } from '../engine/decimal';
import type { Report } from '../engine/report.types';

/**
 * Month close: a frozen, compact copy of a report's discrepancies (a "snapshot"), and the
 * comparison of two snapshots (what appeared, disappeared or changed between two closes).
 *
 * Pure and exact: money is parsed with `parseUnits` and summed as bigint cents, never as a
 * floating-point number. A snapshot is plain JSON (strings and numbers only), so it can be stored
 * in a Yjs document and in IndexedDB as is.
 *
 * What a snapshot holds: every client with at least one discrepancy of report.discrepancies
 * (qty_delta ≠ 0, spec §3/§8); clients without one are left out, and so are unaccounted groups
 * (they have no service and no amount). Amounts are normalised to two places ("10.5" → "10.50"),
 * quantities to plain decimals ("3.0000" → "3").
 */

export interface SnapshotDiscrepancy {
  serviceId: string;
  type: string;
  qtyDelta: string;
  /** null when the rate is unknown (rate_source `none`); counts 0 in every sum. */
  amount: string | null;
}

export interface SnapshotClient {
  clientId: string;
  clientName: string;
  /** Signed sum of its discrepancy amounts (null counts 0), 2 places. */
  amount: string;
  /** Sum of their absolute values, 2 places. */
  amountAbs: string;
  discrepancies: SnapshotDiscrepancy[];
}

export interface MonthSnapshot {
  id: string;
  name: string;
  createdAt: string;
  asOf: string;
  currency: string;
  totals: { discrepancies: number; amount: string; amountAbs: string };
  clients: SnapshotClient[];
}

export interface SnapshotMeta {
  id: string;
  name: string;
  createdAt: string;
  asOf: string;
  currency: string;
}

export interface DiscrepancyChange {
  serviceId: string;
  status: 'appeared' | 'disappeared' | 'changed';
  /** The amount in the older snapshot; null when absent there or unknown. */
  before: string | null;
  /** The amount in the newer snapshot; null when absent there or unknown. */
  after: string | null;
  /** after − before (null counts 0), 2 places. */
  change: string;
}

export interface ClientChange {
  clientId: string;
  clientName: string;
  /** The client's amount in the older snapshot; null when it had no discrepancy there. */
  before: string | null;
  /** The client's amount in the newer snapshot; null when it has no discrepancy there. */
  after: string | null;
  /** after − before (null counts 0), 2 places. */
  change: string;
  /** Only the discrepancies that differ, largest absolute change first, then service id. */
  discrepancies: DiscrepancyChange[];
}

export interface SnapshotComparison {
  appeared: ClientChange[];
  disappeared: ClientChange[];
  changed: ClientChange[];
  /** Clients with discrepancies in both snapshots, all identical (compared as decimals). */
  unchanged: number;
  /** newer.totals.amount − older.totals.amount, 2 places. */
  totalChange: string;
}

/** Money text → cents. Throws on text that is not a plain decimal: money is never guessed. */
function cents(text: string, where: string): bigint {
  const units = parseUnits(text);
  if (units === null) throw new RangeError(`${where}: "${text}" is not a plain decimal amount`);
  return unitsToCents(units);
}

function units(text: string, where: string): bigint {
  const value = parseUnits(text);
  if (value === null) throw new RangeError(`${where}: "${text}" is not a plain decimal quantity`);
  return value;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest absolute value first, then the id. */
function byAbsThenId(absA: bigint, absB: bigint, idA: string, idB: string): number {
  if (absA !== absB) return absA > absB ? -1 : 1;
  return byText(idA, idB);
}

/** Freezes a report's discrepancies, client by client, into a compact plain-JSON snapshot. */
export function takeSnapshot(report: Report, meta: SnapshotMeta): MonthSnapshot {
  const names = new Map<string, string>();
  for (const c of report.clients) names.set(c.client_id, c.client_name);

  interface Building {
    clientId: string;
    amount: bigint;
    amountAbs: bigint;
    rows: { d: SnapshotDiscrepancy; abs: bigint }[];
    services: Set<string>;
  }
  const byClient = new Map<string, Building>();
  let count = 0;

  for (const d of report.discrepancies) {
    const where = `discrepancy ${d.client_id}/${d.service_id}`;
    const qty = units(d.qty_delta, `${where} qty_delta`);
    if (qty === 0n) continue; // §8 lists only qty_delta ≠ 0; a zero is no discrepancy
    const amount = d.amount === null ? null : cents(d.amount, `${where} amount`);
    let client = byClient.get(d.client_id);
    if (client === undefined) {
      client = { clientId: d.client_id, amount: 0n, amountAbs: 0n, rows: [], services: new Set() };
      byClient.set(d.client_id, client);
    }
    if (client.services.has(d.service_id)) throw new RangeError(`${where}: listed twice in the report`);
    client.services.add(d.service_id);
    const abs = amount === null ? 0n : absBig(amount);
    client.amount += amount ?? 0n;
    client.amountAbs += abs;
    client.rows.push({
      d: { serviceId: d.service_id, type: d.type, qtyDelta: formatUnits(qty), amount: amount === null ? null : formatCents(amount) },
      abs,
    });
    count++;
  }

  const built = [...byClient.values()].sort((a, b) => byAbsThenId(a.amountAbs, b.amountAbs, a.clientId, b.clientId));
  let total = 0n;
  let totalAbs = 0n;
  const clients: SnapshotClient[] = built.map((c) => {
    total += c.amount;
    totalAbs += c.amountAbs;
    c.rows.sort((a, b) => byAbsThenId(a.abs, b.abs, a.d.serviceId, b.d.serviceId));
    return {
      clientId: c.clientId,
      clientName: names.get(c.clientId) ?? '',
      amount: formatCents(c.amount),
      amountAbs: formatCents(c.amountAbs),
      discrepancies: c.rows.map((r) => r.d),
    };
  });

  return {
    id: meta.id,
    name: meta.name,
    createdAt: meta.createdAt,
    asOf: meta.asOf,
    currency: meta.currency,
    totals: { discrepancies: count, amount: formatCents(total), amountAbs: formatCents(totalAbs) },
    clients,
  };
}

interface ParsedDiscrepancy {
  qty: bigint;
  amount: bigint | null;
}

interface ParsedClient {
  client: SnapshotClient;
  amount: bigint;
  discrepancies: Map<string, ParsedDiscrepancy>;
}

/** A snapshot's clients with at least one discrepancy, amounts parsed (stored data is checked, not trusted). */
function parseSnapshot(snapshot: MonthSnapshot, label: string): Map<string, ParsedClient> {
  const out = new Map<string, ParsedClient>();
  for (const client of snapshot.clients) {
    if (client.discrepancies.length === 0) continue;
    const where = `${label} snapshot, client ${client.clientId}`;
    if (out.has(client.clientId)) throw new RangeError(`${where}: listed twice`);
    const discrepancies = new Map<string, ParsedDiscrepancy>();
    for (const d of client.discrepancies) {
      if (discrepancies.has(d.serviceId)) throw new RangeError(`${where}, service ${d.serviceId}: listed twice`);
      discrepancies.set(d.serviceId, {
        qty: units(d.qtyDelta, `${where}, service ${d.serviceId} qtyDelta`),
        amount: d.amount === null ? null : cents(d.amount, `${where}, service ${d.serviceId} amount`),
      });
    }
    out.set(client.clientId, { client, amount: cents(client.amount, `${where} amount`), discrepancies });
  }
  return out;
}

function sameDiscrepancy(a: ParsedDiscrepancy, b: ParsedDiscrepancy): boolean {
  return a.qty === b.qty && a.amount === b.amount; // null === null; null vs 0n differs (rate became known/unknown)
}

function moneyOrNull(amount: bigint | null | undefined): string | null {
  return amount === null || amount === undefined ? null : formatCents(amount);
}

function discrepancyChanges(
  older: Map<string, ParsedDiscrepancy> | undefined,
  newer: Map<string, ParsedDiscrepancy> | undefined,
): DiscrepancyChange[] {
  const ids = new Set<string>([...(older?.keys() ?? []), ...(newer?.keys() ?? [])]);
  const rows: { change: DiscrepancyChange; abs: bigint }[] = [];
  for (const serviceId of ids) {
    const b = older?.get(serviceId);
    const a = newer?.get(serviceId);
    if (b !== undefined && a !== undefined && sameDiscrepancy(b, a)) continue;
    const status = b === undefined ? 'appeared' : a === undefined ? 'disappeared' : 'changed';
    const delta = (a?.amount ?? 0n) - (b?.amount ?? 0n);
    rows.push({
      change: {
        serviceId,
        status,
        before: moneyOrNull(b?.amount),
        after: moneyOrNull(a?.amount),
        change: formatCents(delta),
      },
      abs: absBig(delta),
    });
  }
  rows.sort((x, y) => byAbsThenId(x.abs, y.abs, x.change.serviceId, y.change.serviceId));
  return rows.map((r) => r.change);
}

/**
 * What changed from `older` to `newer`, client by client. A client appeared when it has
 * discrepancies only in the newer snapshot, disappeared when only in the older, changed when its
 * set of discrepancies or any qtyDelta or amount differs (compared as decimals: "10.5" equals
 * "10.50"; a known amount and a null one differ). Throws when the currencies differ, since the
 * amounts could not be subtracted.
 */
export function compareSnapshots(older: MonthSnapshot, newer: MonthSnapshot): SnapshotComparison {
  if (older.currency !== newer.currency) {
    throw new RangeError(`cannot compare snapshots in ${older.currency} and ${newer.currency}`);
  }
  const before = parseSnapshot(older, 'older');
  const after = parseSnapshot(newer, 'newer');

  const appeared: { c: ClientChange; abs: bigint }[] = [];
  const disappeared: { c: ClientChange; abs: bigint }[] = [];
  const changed: { c: ClientChange; abs: bigint }[] = [];
  let unchanged = 0;

  const ids = new Set<string>([...before.keys(), ...after.keys()]);
  for (const clientId of ids) {
    const b = before.get(clientId);
    const a = after.get(clientId);
    const discrepancies = discrepancyChanges(b?.discrepancies, a?.discrepancies);
    if (b !== undefined && a !== undefined && discrepancies.length === 0) {
      unchanged++;
      continue;
    }
    const delta = (a?.amount ?? 0n) - (b?.amount ?? 0n);
    const change: ClientChange = {
      clientId,
      clientName: a?.client.clientName || b?.client.clientName || '',
      before: b === undefined ? null : formatCents(b.amount),
      after: a === undefined ? null : formatCents(a.amount),
      change: formatCents(delta),
      discrepancies,
    };
    const list = b === undefined ? appeared : a === undefined ? disappeared : changed;
    list.push({ c: change, abs: absBig(delta) });
  }

  const sorted = (list: { c: ClientChange; abs: bigint }[]): ClientChange[] =>
    list.sort((x, y) => byAbsThenId(x.abs, y.abs, x.c.clientId, y.c.clientId)).map((x) => x.c);

  return {
    appeared: sorted(appeared),
    disappeared: sorted(disappeared),
    changed: sorted(changed),
    unchanged,
    totalChange: formatCents(cents(newer.totals.amount, 'newer snapshot total') - cents(older.totals.amount, 'older snapshot total')),
  };
}
