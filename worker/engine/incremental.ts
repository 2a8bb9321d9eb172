import { adjustmentsFor } from './adjustments';
import { clientRows } from './clientRows';
import { buildPair, type CountedUsage, type Pair } from './comparePairs';
import { utcDay } from './dates';
import { Dictionary } from './dictionary';
import { integrationHealth } from './health';
import type { Bundle, ClientMapEntry, Decision, ServiceRule, Settings } from './model';
import type { Reconciliation } from './reconcile';
import { MAPPED, UNACCOUNTED, type Resolution } from './resolve';
import { resolutionRows, resolveCombos, resolveGroups, resolveTenants, type GroupResolution } from './resolveGroups';
import { lineContext, type LineContext } from './lineContext';
import { SeatUnion, usageIndexOf, type UsageIndex } from './usageIndex';
import type { InactiveSeat, UnaccountedGroup, UnmappedClient } from './usageGroups';

/**
 * What the previous reconciliation computed that the next can reuse: the usage side of each
 * pair and the seats of each client, with the groups they were counted from (their signature).
 */
interface State {
  groups: GroupResolution;
  rows: Resolution;
  /** Per pair key: its groups in id order, `records` groups as g, `quantity` groups as -1 - g. */
  pairGroups: Map<number, number[]>;
  sides: Map<number, CountedUsage>;
  /** Per client index: its groups (rows resolved to it, exclude rules aside), in id order. */
  clientGroups: Map<number, number[]>;
  seats: Map<number, number>;
  pairs: Map<number, { pair: Pair; side: CountedUsage | undefined; lines: LineContext }>;
}

/**
 * Reconciles one workspace's data again and again under changing mappings (client map, rules),
 * settings and decisions, recomputing only what an edit changes. Usage is aggregated once into
 * groups (usageIndex.ts); an edit re-resolves groups (§2), recounts only the pairs and clients
 * whose set of groups changed (§3, §4: distinct seats over the union of their groups), and
 * rebuilds the small lists that derive from them. The result equals `reconcile` of the same
 * bundle (test/property/incremental.property.test.ts holds it to that).
 */
export class IncrementalReconciler {
  readonly index: UsageIndex;
  private readonly clients: Dictionary;
  private readonly clientNames: Map<string, string>;
  private readonly services = new Dictionary();
  private readonly seatUnion: SeatUnion;
  /**
   * Pair keys are client index × serviceSpace + service index: small integers (Map keys V8 stores
   * unboxed) while the services fit. A power of two, doubled (and the caches keyed by it dropped)
   * when rules name more services.
   */
  private serviceSpace = 16;
  private lines: LineContext | null = null;
  /** Rows past the inactivity limit at one asOf, and the InactiveSeat each gave last time (reused while its client stays). */
  private stale: { asOfDay: number; limit: number; rows: Int32Array; days: Int32Array; seats: (InactiveSeat | undefined)[] } | null = null;
  private state: State | null = null;

  /** The bundle's usage and PSA data are kept; its mappings, settings and decisions are only defaults. */
  constructor(readonly bundle: Bundle) {
    this.index = usageIndexOf(bundle.usage);
    this.seatUnion = new SeatUnion(this.index);
    // Client indexes as reconcile numbers them: psa_clients, then ids only lines name; ids the
    // client map names are added as they come, and an index, once given, stays.
    this.clients = new Dictionary(bundle.clients.map((c) => c.clientId));
    for (const line of bundle.lines) this.clients.code(line.clientId);
    this.clientNames = new Map(bundle.clients.map((c) => [c.clientId, c.clientName]));
    for (const line of bundle.lines) this.services.code(line.serviceId);
  }

  private pairKey = (client: number, service: number): number => client * this.serviceSpace + service;

  /** The reconciliation of this data under these mappings: `reconcile({...bundle, clientMap, serviceMap, settings, decisions})`. */
  withMappings(clientMap: readonly ClientMapEntry[], serviceMap: readonly ServiceRule[], settings: Settings = this.bundle.settings, decisions: readonly Decision[] = this.bundle.decisions): Reconciliation {
    const index = this.index;
    const asOfDay = utcDay(settings.asOf);
    const ruleService = serviceMap.map((r) => this.services.code(r.psaServiceId));
    if (this.services.values.length > this.serviceSpace) {
      while (this.services.values.length > this.serviceSpace) this.serviceSpace *= 2;
      this.lines = null;
      this.state = null;
    }
    if (this.lines?.asOfDay !== asOfDay) this.lines = lineContext(this.bundle, asOfDay, this.clients, this.services, this.pairKey);
    const lines = this.lines;
    const previous = this.state;
    const space = this.serviceSpace;

    const tenantClient = resolveTenants(index, clientMap, (id) => this.clients.code(id));
    const groups = resolveGroups(index, tenantClient, resolveCombos(index, serviceMap), serviceMap);
    const rows = resolutionRows(index, groups, previous ?? undefined);

    // One pass over the groups, in id (first row) order: which groups each pair and client has now.
    const pairGroups = new Map<number, number[]>();
    const clientGroups = new Map<number, number[]>();
    const unaccounted = new Map<number, UnaccountedGroup>();
    const integrationCount = index.integrationIds.length;
    const productSpace = index.usage.product.values.length;
    for (let g = 0; g < index.groupCount; g++) {
      const kind = groups.kind[g]!;
      if (kind !== MAPPED && kind !== UNACCOUNTED) continue;
      const client = groups.client[g]!;
      push(clientGroups, client, g);
      if (kind === MAPPED) {
        const r = groups.rule[g]!;
        push(pairGroups, client * space + ruleService[r]!, serviceMap[r]!.count === 'records' ? g : -1 - g);
        continue;
      }
      // Spec §3 unaccounted: per (client, integration, product); the first group is the first row.
      const key = (client * integrationCount + index.groupIntegration[g]!) * productSpace + index.groupProduct[g]!;
      const rowCount = index.rowStart[g + 1]! - index.rowStart[g]!;
      const group = unaccounted.get(key);
      if (group) group.records += rowCount;
      else {
        const row = index.groupFirstRow[g]!;
        unaccounted.set(key, { clientIndex: client, integrationId: index.integrationIds[index.groupIntegration[g]!]!, product: index.usage.product.values[index.usage.product.codes[row]!]!, records: rowCount });
      }
    }

    const sides = new Map<number, CountedUsage>();
    for (const [key, list] of pairGroups) {
      const before = previous?.pairGroups.get(key);
      const side = before && sameList(before, list) ? previous!.sides.get(key)! : this.countPair(list);
      sides.set(key, side);
    }
    const seats = new Map<number, number>();
    for (const [client, list] of clientGroups) {
      const before = previous?.clientGroups.get(client);
      seats.set(client, before && sameList(before, list) ? previous!.seats.get(client)! : this.seatUnion.count(list));
    }

    // Pairs in reconcile's order: those with current lines (line order), then usage-only ones (first row).
    const compared = new Set(serviceMap.filter((r) => r.action === 'map').map((r) => r.psaServiceId));
    const pairEntries = new Map<number, { pair: Pair; side: CountedUsage | undefined; lines: LineContext }>();
    const addPair = (key: number) => {
      if (pairEntries.has(key)) return;
      const side = sides.get(key);
      const before = previous?.pairs.get(key);
      if (before && before.side === side && before.lines === lines) {
        pairEntries.set(key, before);
        return;
      }
      const clientIndex = Math.floor(key / space);
      const serviceId = this.services.values[key % space]!;
      const pair = buildPair(clientIndex, this.clients.values[clientIndex]!, serviceId, lines.linesOf.get(key) ?? [], side, lines.sources);
      pairEntries.set(key, { pair, side, lines });
    };
    for (const key of lines.pairOrder) if (compared.has(this.services.values[key % space]!)) addPair(key);
    for (const key of pairGroups.keys()) addPair(key);
    const pairs = [...pairEntries.values()].map((e) => e.pair);

    this.state = { groups, rows, pairGroups, sides, clientGroups, seats, pairs: pairEntries };
    const unaccountedList = [...unaccounted.values()];
    return {
      asOfDay,
      clientIds: this.clients.values.slice(),
      resolution: rows,
      currentLines: lines.currentLines,
      pairs,
      clients: clientRows({ clients: this.clients, clientNames: this.clientNames, currentLines: lines.currentLines, pairs, unaccounted: unaccountedList, seats, summary: lines.summary }),
      unaccounted: unaccountedList,
      unmapped: this.unmapped(tenantClient),
      flags: lines.flags,
      inactive: this.inactive(groups, asOfDay, settings.inactiveAfterDays),
      integrations: settings.integrations.map((i) => ({ ...i, status: integrationHealth(i, settings.asOf, settings.staleAfterHours) })),
      adjustments: adjustmentsFor(pairs, decisions, asOfDay),
    };
  }

  /** Spec §3 system_count's parts for one pair, from its groups. */
  private countPair(list: readonly number[]): CountedUsage {
    const index = this.index;
    let quantity = 0n;
    let rows = 0;
    const integrations = new Set<number>();
    for (const entry of list) {
      const g = entry < 0 ? -1 - entry : entry;
      if (entry < 0) quantity += index.groupQuantity[g]!;
      rows += index.rowStart[g + 1]! - index.rowStart[g]!;
      integrations.add(index.groupIntegration[g]!);
    }
    const integrationIds = [...integrations].map((c) => index.integrationIds[c]!).sort();
    return { records: this.seatUnion.count(list), quantity, integrationIds, rows };
  }

  /** Spec §3 unmapped clients: every row of a tenant with no client map entry, in first-row order. */
  private unmapped(tenantClient: Int32Array): UnmappedClient[] {
    const out: UnmappedClient[] = [];
    this.index.tenants.forEach((t, i) => {
      if (tenantClient[i] === -1) out.push({ integrationId: t.integrationId, externalClientId: t.externalClientId, externalClientName: t.externalClientName, records: t.rows });
    });
    return out;
  }

  /** Spec §5 inactive seats: the rows past the limit (found once per asOf and limit), those resolved to a client and not excluded. */
  private inactive(groups: GroupResolution, asOfDay: number, limit: number): InactiveSeat[] {
    const index = this.index;
    if (this.stale?.asOfDay !== asOfDay || this.stale.limit !== limit) {
      const lastActive = index.usage.lastActive;
      const rows: number[] = [];
      for (const row of index.datedRows) if (asOfDay - lastActive[row]! > limit) rows.push(row);
      this.stale = { asOfDay, limit, rows: Int32Array.from(rows), days: Int32Array.from(rows, (row) => asOfDay - lastActive[row]!), seats: [] };
    }
    const { rows, days, seats } = this.stale;
    const out: InactiveSeat[] = [];
    for (let k = 0; k < rows.length; k++) {
      const g = index.groupOfRow[rows[k]!]!;
      const kind = groups.kind[g];
      if (kind !== MAPPED && kind !== UNACCOUNTED) continue;
      const clientIndex = groups.client[g]!;
      let seat = seats[k];
      if (seat?.clientIndex !== clientIndex) seats[k] = seat = { row: rows[k]!, clientIndex, daysInactive: days[k]! };
      out.push(seat);
    }
    return out;
  }
}

function push(lists: Map<number, number[]>, key: number, value: number): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

