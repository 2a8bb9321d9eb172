import { foldCase, valueAt } from './dictionary';
import { NO_DAY, type Bundle } from './model';
import { MAPPED, UNACCOUNTED, UNMAPPED, type Resolution } from './resolve';
import { countSeatsPerKey, type SeatRows } from './seats';

/** Spec §3 "Unaccounted": rows of mapped clients that no rule decides, per (client, integration, product). */
export interface UnaccountedGroup {
  clientIndex: number;
  integrationId: string;
  /** The first spelling seen; grouping is case-insensitive like every product comparison. */
  product: string;
  records: number;
}

export function unaccountedGroups(bundle: Bundle, resolution: Resolution): UnaccountedGroup[] {
  const { usage } = bundle;
  const products = foldCase(usage.product.values);
  const integrationCount = usage.integrationId.values.length;
  const productCount = products.folded.values.length;
  const groups = new Map<number, UnaccountedGroup>();
  for (let i = 0; i < usage.length; i++) {
    if (resolution.kind[i] !== UNACCOUNTED) continue;
    const clientIndex = resolution.client[i]!;
    const integrationCode = usage.integrationId.codes[i]!;
    const productCode = usage.product.codes[i]!;
    const key = (clientIndex * integrationCount + integrationCode) * productCount + products.ofCode[productCode]!;
    const group = groups.get(key);
    if (group) group.records++;
    else groups.set(key, { clientIndex, integrationId: usage.integrationId.values[integrationCode]!, product: usage.product.values[productCode]!, records: 1 });
  }
  return [...groups.values()];
}

export interface UnmappedClient {
  integrationId: string;
  externalClientId: string;
  externalClientName: string;
  records: number;
}

/** Spec §3 "Unmapped clients", with the last non-blank external name in file order. */
export function unmappedClients(bundle: Bundle, resolution: Resolution): UnmappedClient[] {
  const { usage } = bundle;
  const out = new Map<string, UnmappedClient>();
  for (let i = 0; i < usage.length; i++) {
    if (resolution.kind[i] !== UNMAPPED) continue;
    const integrationId = valueAt(usage.integrationId, i);
    const externalClientId = valueAt(usage.externalClientId, i);
    const name = valueAt(usage.externalClientName, i);
    const key = `${integrationId}\u0000${externalClientId}`;
    let entry = out.get(key);
    if (!entry) out.set(key, (entry = { integrationId, externalClientId, externalClientName: '', records: 0 }));
    entry.records++;
    if (name !== '') entry.externalClientName = name;
  }
  return [...out.values()];
}

/**
 * Spec §4 seat_count: distinct seats per client over rows resolved to it, rows ignored by an
 * exclude rule aside. Counted seat by seat, like system_count.
 */
export function seatsPerClient(resolution: Resolution, bySeat: SeatRows, clientCount: number): Map<number, number> {
  const { kind, client } = resolution;
  // Counted in an array (a Map update per seat was most of this pass at 1M rows), handed out as a Map of the clients with seats.
  const perClient = new Int32Array(clientCount);
  const clientOf = (row: number) => (kind[row] === MAPPED || kind[row] === UNACCOUNTED ? client[row]! : -1);
  countSeatsPerKey(bySeat, kind.length, clientOf, (c) => perClient[c]++);
  const counts = new Map<number, number>();
  for (let c = 0; c < clientCount; c++) if (perClient[c]! > 0) counts.set(c, perClient[c]!);
  return counts;
}

export interface InactiveSeat {
  row: number;
  clientIndex: number;
  daysInactive: number;
}

/** Spec §5: rows of mapped clients, not excluded by a rule, last active more than inactiveAfterDays days before the date of asOf. */
export function inactiveSeats(bundle: Bundle, resolution: Resolution, asOfDay: number): InactiveSeat[] {
  const out: InactiveSeat[] = [];
  const lastActive = bundle.usage.lastActive;
  const limit = bundle.settings.inactiveAfterDays;
  for (let i = 0; i < lastActive.length; i++) {
    const k = resolution.kind[i];
    if ((k !== MAPPED && k !== UNACCOUNTED) || lastActive[i] === NO_DAY) continue;
    const daysInactive = asOfDay - lastActive[i]!;
    if (daysInactive > limit) out.push({ row: i, clientIndex: resolution.client[i]!, daysInactive });
  }
  return out;
}
