import type { UsageTable } from './model';
import { MAPPED, UNACCOUNTED } from './resolve';
import { countSeatsPerKey, type SeatRows } from './seats';
import type { UsageSummary } from './usageSummary';

/** Spec §3 "Unaccounted": rows of mapped clients that no rule decides, per (client, integration, product). */
export interface UnaccountedGroup {
  clientIndex: number;
  integrationId: string;
  /** The first spelling seen; grouping is case-insensitive like every product comparison. */
  product: string;
  records: number;
}

export function unaccountedGroups(usage: Pick<UsageTable, 'integrationId' | 'product'>, summary: UsageSummary): UnaccountedGroup[] {
  return summary.unaccounted.map((group) => ({ clientIndex: group.clientIndex, integrationId: usage.integrationId.values[group.integration]!, product: usage.product.values[group.product]!, records: group.rows }));
}

export interface UnmappedClient {
  integrationId: string;
  externalClientId: string;
  externalClientName: string;
  records: number;
}

/** Spec §3 "Unmapped clients", with the last non-blank external name in file order. */
export function unmappedClients(usage: Pick<UsageTable, 'integrationId' | 'externalClientId' | 'externalClientName'>, summary: UsageSummary): UnmappedClient[] {
  return summary.unmapped.map((entry) => ({
    integrationId: usage.integrationId.values[entry.integration]!,
    externalClientId: usage.externalClientId.values[entry.externalClient]!,
    externalClientName: entry.name < 0 ? '' : usage.externalClientName.values[entry.name]!,
    records: entry.rows,
  }));
}

/**
 * Spec §4 seat_count: distinct seats per client over rows resolved to it, rows ignored by an
 * exclude rule aside. Counted seat by seat, like system_count.
 */
export function seatsPerClient(summary: UsageSummary, bySeat: SeatRows, clientCount: number): Map<number, number> {
  const { kind, client } = summary.resolution;
  // Counted in an array (a Map update per seat was most of this pass at 1M rows), handed out as a Map of the clients with seats.
  const perClient = new Int32Array(clientCount);
  // No seat repeats: a client has a seat per row.
  if (bySeat === null) perClient.set(summary.clientRows);
  else countSeatsPerKey(bySeat, kind.length, (row) => (kind[row] === MAPPED || kind[row] === UNACCOUNTED ? client[row]! : -1), (c) => perClient[c]++);
  const counts = new Map<number, number>();
  for (let c = 0; c < clientCount; c++) if (perClient[c]! > 0) counts.set(c, perClient[c]!);
  return counts;
}

export interface InactiveSeat {
  row: number;
  clientIndex: number;
  daysInactive: number;
}
