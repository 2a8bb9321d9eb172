import type { Pair } from '../engine/comparePairs';
import { formatUnits } from '../engine/decimal';
import type { ServiceRule } from '../engine/model';

/**
 * Two sources counting the same PSA service for the same client. A Microsoft 365 tenant export
 * lists the Business Premium seats and the Pax8 invoice lists the same seats again as a quantity:
 * with a `map` rule for each, spec §3 adds both into one system_count, which is then double what
 * the client has. The engine does what the rules say (its numbers and the §8 report do not change);
 * this only points at the pairs where that is probably a mistake. Pure; runs in the engine worker.
 *
 * A pair is listed when rows of two or more integrations were counted for it (spec §3
 * `integration_ids`), whether or not its quantities differ. Two tenants of one integration are
 * one source (different users) and are not listed.
 */

export interface DoubleCount {
  clientId: string;
  clientName: string;
  serviceId: string;
  serviceName: string;
  /** Sorted ids, two or more. */
  integrationIds: string[];
  /** Their names, same order (the id when the workspace gives none). */
  integrationNames: string[];
  /** Per integration (same order): its `map` rules that target the service, in rule order. */
  ruleIds: string[][];
  /** The pair's numbers (plain decimals), as the engine computed them. */
  systemCount: string;
  invoicedQty: string;
  /** The warning, in words. */
  message: string;
}

export type CountedPair = Pick<Pair, 'clientId' | 'serviceId' | 'integrationIds' | 'systemCount' | 'invoicedQty'>;

export interface DoubleCountNames {
  client(id: string): string;
  service(id: string): string;
  integration(id: string): string;
}

const TIMES = ['', 'once', 'twice', 'three times', 'four times'];

/** The pairs counted by two or more integrations, by client name, then service name, then ids. */
export function findDoubleCounting(pairs: readonly CountedPair[], rules: readonly ServiceRule[], names: DoubleCountNames): DoubleCount[] {
  const out: DoubleCount[] = [];
  for (const pair of pairs) {
    const ids = [...new Set(pair.integrationIds)].sort();
    if (ids.length < 2) continue;
    const clientName = names.client(pair.clientId) || pair.clientId;
    const serviceName = names.service(pair.serviceId) || pair.serviceId;
    const integrationNames = ids.map((id) => names.integration(id) || id);
    const ruleIds = ids.map((id) => rules.filter((r) => r.action === 'map' && r.integrationId === id && r.psaServiceId === pair.serviceId).map((r) => r.ruleId));
    out.push({
      clientId: pair.clientId,
      clientName,
      serviceId: pair.serviceId,
      serviceName,
      integrationIds: ids,
      integrationNames,
      ruleIds,
      systemCount: formatUnits(pair.systemCount),
      invoicedQty: formatUnits(pair.invoicedQty),
      message: warning(serviceName, clientName, integrationNames, ruleIds),
    });
  }
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => text(a.clientName, b.clientName) || text(a.clientId, b.clientId) || text(a.serviceName, b.serviceName) || text(a.serviceId, b.serviceId));
}

/**
 * "Microsoft 365 Business Premium for Acme Dental is counted by both Microsoft 365 and Pax8: keep
 * one source (exclude the other's rule) or the count doubles. Rules: R-1 (Microsoft 365), R-7 (Pax8)."
 */
function warning(service: string, client: string, sources: readonly string[], ruleIds: readonly string[][]): string {
  const n = sources.length;
  const head = n === 2
    ? `${service} for ${client} is counted by both ${sources[0]!} and ${sources[1]!}: keep one source (exclude the other's rule) or the count doubles.`
    : `${service} for ${client} is counted by ${sources.slice(0, -1).join(', ')} and ${sources[n - 1]!}: keep one source (exclude the others' rules) or each seat is counted ${TIMES[n] ?? `${n} times`}.`;
  const rules = sources.flatMap((s, i) => ruleIds[i]!.map((id) => `${id} (${s})`));
  return rules.length === 0 ? head : `${head} ${rules.length === 1 ? 'Rule' : 'Rules'}: ${rules.join(', ')}.`;
}
