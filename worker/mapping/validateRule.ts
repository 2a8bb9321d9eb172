import type { ServiceRule } from '../engine/model';

/**
 * Why a rule cannot be saved, in words for the person editing it, or null when it is fine.
 * These are the rules of spec §1 and §9 for service_map.csv, checked as the user types, so a bad
 * edit is refused instead of producing a bundle that breaks the contract.
 */
export function ruleProblem(rule: ServiceRule, others: readonly ServiceRule[] = []): string | null {
  if (rule.ruleId.trim() === '') return 'Every rule needs an id.';
  if (others.some((o) => o !== rule && o.ruleId === rule.ruleId)) return `Rule id ${rule.ruleId} is already used by another rule.`;
  if (rule.integrationId.trim() === '') return 'Choose the integration this rule applies to.';
  if (rule.product.trim() === '') return 'The product pattern is empty: type a product name, or * to match every product.';
  if (rule.action !== 'map' && rule.action !== 'exclude') return 'The action is map or exclude.';
  if (rule.action === 'map' && rule.psaServiceId.trim() === '') return 'A map rule needs the PSA service it counts for.';
  if (rule.count !== 'records' && rule.count !== 'quantity') return 'Count records (one per seat) or quantity (sum of the quantity column).';
  return null;
}

/** The client-map equivalent (spec §1: mapped needs psa_client_id). */
export function clientMappingProblem(entry: { status: string; psaClientId: string }): string | null {
  if (entry.status === 'mapped' && entry.psaClientId.trim() === '') return 'Choose the PSA client to map to.';
  if (entry.status !== 'mapped' && entry.status !== 'excluded') return 'The status is mapped or excluded.';
  return null;
}
