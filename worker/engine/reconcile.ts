import { adjustmentsFor, type Adjustment } from './adjustments';
import { clientRows, type ClientRow } from './clientRows';
import { comparePairs, type Pair } from './comparePairs';
import { utcDay } from './dates';
import { Dictionary } from './dictionary';
import { flagLines, type Flag } from './flags';
import { integrationHealth } from './health';
import type { Bundle, IntegrationSettings, PsaLine } from './model';
import { medianRates } from './rateChain';
import type { HealthStatus } from './report.types';
import { resolveUsage, type Resolution } from './resolve';
import { rowsBySeat } from './seats';
import { inactiveSeats, seatsPerClient, unaccountedGroups, unmappedClients, type InactiveSeat, type UnaccountedGroup, type UnmappedClient } from './usageGroups';

/** Everything the engine derives from a bundle; the §8 report and every screen read from this. */
export interface Reconciliation {
  /** The date of asOf (UTC), as a day number. */
  asOfDay: number;
  /** Client ids by index: psa_clients first, then ids only lines or the client map name. */
  clientIds: string[];
  resolution: Resolution;
  currentLines: PsaLine[];
  pairs: Pair[];
  clients: ClientRow[];
  unaccounted: UnaccountedGroup[];
  unmapped: UnmappedClient[];
  flags: Flag[];
  inactive: InactiveSeat[];
  integrations: (IntegrationSettings & { status: HealthStatus })[];
  adjustments: Adjustment[];
}

/**
 * `onInactive`, when given, receives the §5 inactive seats (and the client ids they index) as
 * soon as they are known, before the pairs are compared: the CLI has them written on its idle
 * second thread meanwhile.
 */
export function reconcile(bundle: Bundle, onInactive?: (inactive: InactiveSeat[], clientIds: readonly string[]) => void): Reconciliation {
  const { settings } = bundle;
  const asOfDay = utcDay(settings.asOf);
  const clients = new Dictionary(bundle.clients.map((c) => c.clientId));
  for (const line of bundle.lines) clients.code(line.clientId);
  const clientNames = new Map(bundle.clients.map((c) => [c.clientId, c.clientName]));

  // Spec §3: a line is current when its inclusive period contains the date of asOf.
  const currentLines = bundle.lines.filter((l) => l.periodStart <= asOfDay && asOfDay <= l.periodEnd);
  const resolution = resolveUsage(bundle, (id) => clients.code(id));
  const inactive = inactiveSeats(bundle, resolution, asOfDay);
  onInactive?.(inactive, clients.values);
  const bySeat = rowsBySeat(bundle.usage);
  const sources = { median: medianRates(currentLines), catalog: new Map(bundle.catalog.map((c) => [c.serviceId, c])) };
  const pairs = comparePairs(bundle, resolution, bySeat, clients, currentLines, sources);
  const unaccounted = unaccountedGroups(bundle, resolution);
  const seats = seatsPerClient(resolution, bySeat, clients.values.length);

  return {
    asOfDay,
    clientIds: clients.values,
    resolution,
    currentLines,
    pairs,
    clients: clientRows({ clients, clientNames, currentLines, pairs, unaccounted, seats }),
    unaccounted,
    unmapped: unmappedClients(bundle, resolution),
    flags: flagLines(currentLines),
    inactive,
    integrations: settings.integrations.map((i) => ({ ...i, status: integrationHealth(i, settings.asOf, settings.staleAfterHours) })),
    adjustments: adjustmentsFor(pairs, bundle.decisions, asOfDay),
  };
}
