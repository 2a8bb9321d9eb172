import type { ClientMapEntry, ServiceRule } from './model';
import { compilePattern, decide, firstMatchingRule, ruleKinds, type Resolution } from './resolve';
import type { UsageIndex } from './usageIndex';

/**
 * Spec §2 per group of the usage index: the same decision resolveUsage makes per row, made once
 * for all the rows of a group (they share every input of the decision). Same encoding as
 * `Resolution`, indexed by group instead of row.
 */
export type GroupResolution = Resolution;

/** Per tenant: -2 excluded, -1 unmapped, else the PSA client index. */
export function resolveTenants(index: UsageIndex, clientMap: readonly ClientMapEntry[], clientIndex: (clientId: string) => number): Int32Array {
  // In file order, so a later entry for the same tenant wins, as in resolveUsage.
  const entryOf = new Array<ClientMapEntry | undefined>(index.tenants.length);
  for (const entry of clientMap) {
    const t = index.tenantOf.get(entry.integrationId)?.get(entry.externalClientId);
    if (t !== undefined) entryOf[t] = entry;
  }
  // Client indexes are given in tenant (first row) order, the order resolveUsage meets them in.
  const out = new Int32Array(index.tenants.length);
  for (let t = 0; t < out.length; t++) {
    const entry = entryOf[t];
    out[t] = !entry ? -1 : entry.status === 'excluded' ? -2 : clientIndex(entry.psaClientId);
  }
  return out;
}

/** Per combo: the index of the first rule (file order) that decides it, or -1. */
export function resolveCombos(index: UsageIndex, rules: readonly ServiceRule[]): Int32Array {
  const compiled = rules.map((r) => compilePattern(r.product));
  return Int32Array.from(index.combos, (combo) => firstMatchingRule(rules, compiled, combo.integrationId, combo.product, combo.category));
}

export function resolveGroups(index: UsageIndex, tenantClient: Int32Array, comboRule: Int32Array, rules: readonly ServiceRule[]): GroupResolution {
  const count = index.groupCount;
  const kind = new Uint8Array(count);
  const client = new Int32Array(count).fill(-1);
  const rule = new Int32Array(count).fill(-1);
  const kinds = ruleKinds(rules);
  for (let g = 0; g < count; g++) {
    const c = tenantClient[index.groupTenant[g]!]!;
    decide(kind, client, rule, g, c, c < 0 ? -1 : comboRule[index.groupCombo[g]!]!, kinds);
  }
  return { kind, client, rule };
}

/**
 * The per-row resolution the views read (seats tab, client mapping grid), from the per-group one.
 * With the previous rows and groups given, only the rows of groups whose resolution changed are
 * rewritten, on a copy: the previous reconciliation stays as it was.
 */
export function resolutionRows(index: UsageIndex, groups: GroupResolution, previous?: { groups: GroupResolution; rows: Resolution }): Resolution {
  const { rowStart, rowsByGroup } = index;
  if (!previous) {
    const n = index.usage.length;
    const rows: Resolution = { kind: new Uint8Array(n), client: new Int32Array(n), rule: new Int32Array(n) };
    for (let g = 0; g < index.groupCount; g++) fill(rows, g);
    return rows;
  }
  const old = previous.groups;
  let rows: Resolution | null = null;
  for (let g = 0; g < index.groupCount; g++) {
    if (old.kind[g] === groups.kind[g] && old.client[g] === groups.client[g] && old.rule[g] === groups.rule[g]) continue;
    rows ??= { kind: previous.rows.kind.slice(), client: previous.rows.client.slice(), rule: previous.rows.rule.slice() };
    fill(rows, g);
  }
  // Nothing moved (a settings or decisions change): the previous rows are this one's too.
  return rows ?? previous.rows;

  function fill(rows: Resolution, g: number): void {
    const kind = groups.kind[g]!;
    const client = groups.client[g]!;
    const rule = groups.rule[g]!;
    for (let k = rowStart[g]!, end = rowStart[g + 1]!; k < end; k++) {
      const row = rowsByGroup[k]!;
      rows.kind[row] = kind;
      rows.client[row] = client;
      rows.rule[row] = rule;
    }
  }
}
