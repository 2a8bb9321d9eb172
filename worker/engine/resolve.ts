import { DenseInts } from './denseInts';
import { foldCase } from './dictionary';
import type { Bundle, ClientMapEntry, ServiceRule, UsageTable } from './model';

/** How spec §2 settles a usage row (first that applies). */
export const EXCLUDED_CLIENT = 0;
export const UNMAPPED = 1;
export const EXCLUDED_RULE = 2;
export const MAPPED = 3;
export const UNACCOUNTED = 4;

export interface Resolution {
  /** Per usage row: one of the constants above. */
  kind: Uint8Array;
  /** Per usage row: the PSA client id index (into clientIds) for MAPPED/UNACCOUNTED/EXCLUDED_RULE rows, else -1. */
  client: Int32Array;
  /** Per usage row: the index of the deciding service_map rule, else -1. */
  rule: Int32Array;
}

/**
 * `*` matches any run of characters and nothing else is special: every other character is
 * escaped, so product names like "Plan (1) [EU] $5+" match themselves. Case-insensitive
 * by folding both sides, and [\s\S] so a quoted line break in a product still matches.
 */
export function compilePattern(pattern: string): RegExp {
  const parts = pattern.toLowerCase().split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*')}$`);
}

/** Index of the first rule (file order) that decides a product/category of an integration, or -1. */
export function firstMatchingRule(rules: readonly ServiceRule[], compiled: readonly RegExp[], integrationId: string, product: string, category: string): number {
  const productLower = product.toLowerCase();
  const categoryLower = category.toLowerCase();
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.integrationId !== integrationId) continue;
    if (rule.category !== '' && rule.category.toLowerCase() !== categoryLower) continue;
    if (compiled[r]!.test(productLower)) return r;
  }
  return -1;
}

const UNKNOWN = -3;

/** What §2 resolves rows with. */
export type Mappings = Pick<Bundle, 'clientMap' | 'serviceMap'>;

/** The columns §2 reads. */
type ResolvedColumns = Pick<UsageTable, 'length' | 'integrationId' | 'externalClientId' | 'product' | 'category'>;

/**
 * Resolves every usage row; `clientCount` is 1 + the largest client index met. The rule depends
 * only on (integration, product, category) and the client only on (integration, external
 * client), which have few distinct values, so each combination is decided once and cached.
 */
export function resolveUsage(usage: ResolvedColumns, mappings: Mappings, clientIndex: (clientId: string) => number): Resolution & { clientCount: number } {
  const { serviceMap } = mappings;
  const mapByIntegration = new Map<string, Map<string, ClientMapEntry>>();
  for (const entry of mappings.clientMap) {
    let byExternal = mapByIntegration.get(entry.integrationId);
    if (!byExternal) mapByIntegration.set(entry.integrationId, (byExternal = new Map()));
    byExternal.set(entry.externalClientId, entry);
  }

  const integrations = usage.integrationId.values;
  const externals = usage.externalClientId.values;
  let clientCount = 0;
  // Per (integration code, external client code): -2 excluded, -1 unmapped, else client index.
  const clientCache = new DenseInts(integrations.length * externals.length, UNKNOWN);
  const clientOf = (integrationCode: number, externalCode: number): number => {
    const key = integrationCode * externals.length + externalCode;
    let cached = clientCache.get(key);
    if (cached === UNKNOWN) {
      const entry = mapByIntegration.get(integrations[integrationCode]!)?.get(externals[externalCode]!);
      cached = !entry ? -1 : entry.status === 'excluded' ? -2 : clientIndex(entry.psaClientId);
      clientCache.set(key, cached);
      if (cached >= clientCount) clientCount = cached + 1;
    }
    return cached;
  };

  const compiled = serviceMap.map((r) => compilePattern(r.product));
  const products = foldCase(usage.product.values);
  const categories = foldCase(usage.category.values);
  const productCount = products.folded.values.length;
  const categoryCount = categories.folded.values.length;
  const ruleCache = new DenseInts(integrations.length * productCount * categoryCount, UNKNOWN);
  const ruleOf = (integrationCode: number, productCode: number, categoryCode: number): number => {
    const p = products.ofCode[productCode]!;
    const c = categories.ofCode[categoryCode]!;
    const key = (integrationCode * productCount + p) * categoryCount + c;
    let cached = ruleCache.get(key);
    if (cached === UNKNOWN) {
      cached = firstMatchingRule(serviceMap, compiled, integrations[integrationCode]!, products.folded.values[p]!, categories.folded.values[c]!);
      ruleCache.set(key, cached);
    }
    return cached;
  };

  const integrationCodes = usage.integrationId.codes;
  const externalCodes = usage.externalClientId.codes;
  const productCodes = usage.product.codes;
  const categoryCodes = usage.category.codes;
  const kinds = ruleKinds(serviceMap);
  const n = usage.length;
  const kind = new Uint8Array(n);
  const client = new Int32Array(n).fill(-1);
  const rule = new Int32Array(n).fill(-1);
  // Exports list a client's rows together and its products in runs: the previous row's answer
  // usually holds, and comparing codes costs less than a cache lookup.
  let lastIntegration = -1;
  let lastExternal = -1;
  let lastClient = -1;
  let lastProduct = -1;
  let lastCategory = -1;
  let lastRuleIntegration = -1;
  let lastRule = -1;
  for (let i = 0; i < n; i++) {
    const integrationCode = integrationCodes[i]!;
    const externalCode = externalCodes[i]!;
    if (integrationCode !== lastIntegration || externalCode !== lastExternal) {
      lastClient = clientOf(integrationCode, externalCode);
      lastIntegration = integrationCode;
      lastExternal = externalCode;
    }
    if (lastClient >= 0) {
      const productCode = productCodes[i]!;
      const categoryCode = categoryCodes[i]!;
      if (productCode !== lastProduct || categoryCode !== lastCategory || integrationCode !== lastRuleIntegration) {
        lastRule = ruleOf(integrationCode, productCode, categoryCode);
        lastProduct = productCode;
        lastCategory = categoryCode;
        lastRuleIntegration = integrationCode;
      }
    }
    decide(kind, client, rule, i, lastClient, lastClient < 0 ? -1 : lastRule, kinds);
  }
  return { kind, client, rule, clientCount };
}

/** What each rule decides for the rows it matches (MAPPED or EXCLUDED_RULE), read per rule once, not per row. */
export function ruleKinds(rules: readonly ServiceRule[]): Uint8Array {
  return Uint8Array.from(rules, (r) => (r.action === 'exclude' ? EXCLUDED_RULE : MAPPED));
}

/**
 * §2's decision for one row (or one group of rows alike) at index `i`, from its client (-2
 * excluded, -1 unmapped, else the PSA client index), its first matching rule (-1: none) and
 * what each rule decides (ruleKinds).
 */
export function decide(kind: Uint8Array, client: Int32Array, rule: Int32Array, i: number, c: number, r: number, kinds: Uint8Array): void {
  if (c < 0) {
    kind[i] = c === -2 ? EXCLUDED_CLIENT : UNMAPPED;
    return;
  }
  client[i] = c;
  rule[i] = r;
  kind[i] = r < 0 ? UNACCOUNTED : kinds[r]!;
}
