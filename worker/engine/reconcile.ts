import { adjustmentsFor, type Adjustment } from './adjustments';
import { clientRows, type ClientRow } from './clientRows';
import { comparePairs, type Pair, type PairNumbers } from './comparePairs';
import { utcDay } from './dates';
import { Dictionary } from './dictionary';
import type { Flag } from './flags';
import { integrationHealth } from './health';
import type { Bundle, IntegrationSettings, PsaLine } from './model';
import { lineContext, type LineContext } from './lineContext';
import type { HealthStatus } from './report.types';
import type { Resolution } from './resolve';
import { rowsBySeat } from './seats';
import { seatsPerClient, unaccountedGroups, unmappedClients, type InactiveSeat, type UnaccountedGroup, type UnmappedClient } from './usageGroups';
import { summarizeUsage, type UsageSummary } from './usageSummary';

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
 * What a reconciliation derives before it counts seats: the client and service numbering, the
 * PSA side (lineContext) and the usage summary. Seats (UsageTable.seat) are not read here, so a
 * caller may prepare while the seats are still being numbered elsewhere (the CLI's second thread).
 */
export interface PreparedReconcile {
  asOfDay: number;
  clients: Dictionary;
  numbers: PairNumbers;
  lines: LineContext;
  summary: UsageSummary;
}

export function prepareReconcile(bundle: Bundle): PreparedReconcile {
  const { settings } = bundle;
  const asOfDay = utcDay(settings.asOf);
  const clients = new Dictionary(bundle.clients.map((c) => c.clientId));
  for (const line of bundle.lines) clients.code(line.clientId);
  // Pairs numbered as IncrementalReconciler numbers them: client × services + service, every
  // service a line or a rule names coded first, so the numbering is fixed before any pair is made.
  const services = new Dictionary([...bundle.lines.map((l) => l.serviceId), ...bundle.serviceMap.map((r) => r.psaServiceId)]);
  const numbers = { services, space: services.values.length };
  // Spec §3: the current lines, per pair, with what estimates a rate (lineContext.ts).
  const lines = lineContext(bundle, asOfDay, clients, services, (client, service) => client * numbers.space + service);
  const summary = summarizeUsage(bundle.usage, { mappings: bundle, clientIndex: (id) => clients.code(id), asOfDay, inactiveAfterDays: settings.inactiveAfterDays });
  return { asOfDay, clients, numbers, lines, summary };
}

export interface ReconcileOptions {
  /**
   * Receives the §5 inactive seats (and the client ids they index) before the pairs are
   * compared: the CLI has them written on its idle second thread meanwhile.
   */
  onInactive?: (inactive: InactiveSeat[], clientIds: readonly string[]) => void;
  /** prepareReconcile of this bundle (its usage, seats aside, the same), done earlier. */
  prepared?: PreparedReconcile;
}

export function reconcile(bundle: Bundle, options: ReconcileOptions = {}): Reconciliation {
  const { settings } = bundle;
  const { asOfDay, clients, numbers, lines, summary } = options.prepared ?? prepareReconcile(bundle);
  const clientNames = new Map(bundle.clients.map((c) => [c.clientId, c.clientName]));
  const { inactive, resolution } = summary;
  options.onInactive?.(inactive, clients.values);
  const bySeat = rowsBySeat(bundle.usage);
  const compared = comparePairs(bundle, summary, bySeat, clients, numbers, lines);
  const unaccounted = unaccountedGroups(bundle.usage, summary);
  const seats = seatsPerClient(summary, bySeat, clients.values.length);

  return {
    asOfDay,
    clientIds: clients.values,
    resolution,
    currentLines: lines.currentLines,
    pairs: compared,
    clients: clientRows({ clients, clientNames, currentLines: lines.currentLines, pairs: compared, unaccounted, seats, summary: lines.summary }),
    unaccounted,
    unmapped: unmappedClients(bundle.usage, summary),
    flags: lines.flags,
    inactive,
    integrations: settings.integrations.map((i) => ({ ...i, status: integrationHealth(i, settings.asOf, settings.staleAfterHours) })),
    adjustments: adjustmentsFor(compared, bundle.decisions, asOfDay),
  };
}
