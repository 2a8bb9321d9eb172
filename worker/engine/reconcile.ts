import { adjustmentsFor, type Adjustment } from './adjustments';
import { clientRows, type ClientRow } from './clientRows';
import { comparePairs, type Pair } from './comparePairs';
import { utcDay } from './dates';
import { Dictionary } from './dictionary';
import type { Flag } from './flags';
import { integrationHealth } from './health';
import type { Bundle, IntegrationSettings, PsaLine } from './model';
import { lineContext } from './lineContext';
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
 * `onInactive`, when given, receives the §5 inactive seats (and the client ids they index) as
 * soon as they are known, before the pairs are compared: the CLI has them written on its idle
 * second thread meanwhile. `summarize`, when given, gives the usage summary (summarizeUsage of
 * the bundle's usage, coding client ids with the function it is handed) made another way: the
 * CLI merges the summaries of the two parts of usage.csv its two threads read.
 */
export function reconcile(bundle: Bundle, onInactive?: (inactive: InactiveSeat[], clientIds: readonly string[]) => void, summarize?: (clientIndex: (clientId: string) => number) => UsageSummary): Reconciliation {
  const { settings } = bundle;
  const asOfDay = utcDay(settings.asOf);
  const clients = new Dictionary(bundle.clients.map((c) => c.clientId));
  for (const line of bundle.lines) clients.code(line.clientId);
  const clientNames = new Map(bundle.clients.map((c) => [c.clientId, c.clientName]));

  // Pairs numbered as IncrementalReconciler numbers them: client × services + service, every
  // service a line or a rule names coded first, so the numbering is fixed before any pair is made.
  const services = new Dictionary([...bundle.lines.map((l) => l.serviceId), ...bundle.serviceMap.map((r) => r.psaServiceId)]);
  const numbers = { services, space: services.values.length };
  // Spec §3: the current lines, per pair, with what estimates a rate (lineContext.ts).
  const lines = lineContext(bundle, asOfDay, clients, services, (client, service) => client * numbers.space + service);
  const summary = summarize ? summarize((id) => clients.code(id)) : summarizeUsage(bundle.usage, { mappings: bundle, clientIndex: (id) => clients.code(id), asOfDay, inactiveAfterDays: settings.inactiveAfterDays });
  const { inactive, resolution } = summary;
  onInactive?.(inactive, clients.values);
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
