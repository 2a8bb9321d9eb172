import { DenseInts } from './denseInts';
import { Dictionary, foldCase } from './dictionary';
import { NO_DAY, type UsageTable } from './model';

/**
 * The usage table aggregated once, for everything that does not depend on mappings. Spec §2
 * resolves a row by its (integration, external client) through the client map and by its
 * (integration, product, category) through the rules, so rows sharing all four resolve alike:
 * a **group**. A mapping edit then re-resolves a few tens of thousands of groups instead of a
 * million rows, and a distinct seat count is a union over the seats of a pair's groups.
 *
 * Groups, tenants and combos are numbered in order of their first row, so "first seen in file
 * order" (the spelling of an unaccounted product, the order of lists) follows from their ids.
 */
export interface UsageIndex {
  usage: UsageTable;
  /** Per row: its group. */
  groupOfRow: Int32Array;
  groupCount: number;
  /** Per group: its (integration, external client) tenant, and its (integration, product, category) combo. */
  groupTenant: Int32Array;
  groupCombo: Int32Array;
  /** Per group: canonical integration code and folded product code (the keys of unaccounted groups). */
  groupIntegration: Int32Array;
  groupProduct: Int32Array;
  /** Per group: the first row (file order) and the spelling of the product on it. */
  groupFirstRow: Int32Array;
  /** Per group: Σ quantity of its rows, in units. */
  groupQuantity: bigint[];
  /** The rows of group g are rowsByGroup[rowStart[g] .. rowStart[g + 1]), in file order. */
  rowStart: Int32Array;
  rowsByGroup: Int32Array;
  /** The seat of each row, in rowsByGroup order: a group's seats are one contiguous run. */
  seatsByGroup: Int32Array;
  /** Canonical integration ids (integration code → id). */
  integrationIds: string[];
  tenants: Tenant[];
  /** Tenant index by integration id, then external client id. */
  tenantOf: Map<string, Map<string, number>>;
  /** Per combo: the integration id, and the product and category lower-cased (what rules match). */
  combos: { integrationId: string; product: string; category: string }[];
  /** Rows with a last_active date, in file order (the only candidates for inactive seats). */
  datedRows: Int32Array;
}

export interface Tenant {
  integrationId: string;
  externalClientId: string;
  /** The last non-blank external_client_name in file order. */
  externalClientName: string;
  firstRow: number;
  rows: number;
}

/** Small integer keys to dense ids in order of first sight. */
class KeyIds {
  private readonly ids: DenseInts;
  size = 0;

  constructor(space: number) {
    this.ids = new DenseInts(space, -1);
  }

  id(key: number): number {
    let id = this.ids.get(key);
    if (id < 0) this.ids.set(key, (id = this.size++));
    return id;
  }
}

/** Column code → code of its value in a fresh dictionary, so equal values share one code. */
function canonical(values: readonly string[]): { ofCode: Uint32Array; values: string[] } {
  const dictionary = new Dictionary();
  const ofCode = Uint32Array.from(values, (value) => dictionary.code(value));
  return { ofCode, values: dictionary.values };
}

const cache = new WeakMap<UsageTable, UsageIndex>();

/** The index of a usage table, built on first use and kept as long as the table lives. */
export function usageIndexOf(usage: UsageTable): UsageIndex {
  let index = cache.get(usage);
  if (!index) cache.set(usage, (index = buildUsageIndex(usage)));
  return index;
}

export function buildUsageIndex(usage: UsageTable): UsageIndex {
  const n = usage.length;
  const integrations = canonical(usage.integrationId.values);
  const externals = canonical(usage.externalClientId.values);
  const products = foldCase(usage.product.values);
  const categories = foldCase(usage.category.values);
  const integrationCount = integrations.values.length;
  const externalCount = externals.values.length;
  const productCount = products.folded.values.length;
  const categoryCount = categories.folded.values.length;

  // Pass 1: tenant and combo of each row.
  const tenantIds = new KeyIds(integrationCount * externalCount);
  const comboIds = new KeyIds(integrationCount * productCount * categoryCount);
  const rowTenant = new Int32Array(n);
  const rowCombo = new Int32Array(n);
  const tenants: Tenant[] = [];
  const combos: UsageIndex['combos'] = [];
  const names = usage.externalClientName;
  for (let i = 0; i < n; i++) {
    const integration = integrations.ofCode[usage.integrationId.codes[i]!]!;
    const t = tenantIds.id(integration * externalCount + externals.ofCode[usage.externalClientId.codes[i]!]!);
    if (t === tenants.length) {
      tenants.push({ integrationId: integrations.values[integration]!, externalClientId: usage.externalClientId.values[usage.externalClientId.codes[i]!]!, externalClientName: '', firstRow: i, rows: 0 });
    }
    const tenant = tenants[t]!;
    tenant.rows++;
    const name = names.values[names.codes[i]!]!;
    if (name !== '') tenant.externalClientName = name;
    rowTenant[i] = t;
    const p = products.ofCode[usage.product.codes[i]!]!;
    const c = categories.ofCode[usage.category.codes[i]!]!;
    const k = comboIds.id((integration * productCount + p) * categoryCount + c);
    if (k === combos.length) combos.push({ integrationId: integrations.values[integration]!, product: products.folded.values[p]!, category: categories.folded.values[c]! });
    rowCombo[i] = k;
  }

  // Pass 2: groups = (tenant, combo), numbered by first row; rows and quantity per group.
  const groupIds = new KeyIds(tenants.length * combos.length);
  const groupOfRow = new Int32Array(n);
  const tenantOfGroup: number[] = [];
  const comboOf: number[] = [];
  const firstRow: number[] = [];
  const rowCounts: number[] = [];
  const groupQuantity: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const g = groupIds.id(rowTenant[i]! * combos.length + rowCombo[i]!);
    if (g === firstRow.length) {
      tenantOfGroup.push(rowTenant[i]!);
      comboOf.push(rowCombo[i]!);
      firstRow.push(i);
      rowCounts.push(0);
      groupQuantity.push(0n);
    }
    groupOfRow[i] = g;
    rowCounts[g] = rowCounts[g]! + 1;
    groupQuantity[g] = groupQuantity[g]! + usage.quantity[i]!;
  }
  const groupCount = firstRow.length;

  // A counting sort of rows by group (file order within a group), and their seats alongside.
  const rowStart = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) rowStart[g + 1] = rowStart[g]! + rowCounts[g]!;
  const next = rowStart.slice(0, groupCount);
  const rowsByGroup = new Int32Array(n);
  const seatsByGroup = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const at = next[groupOfRow[i]!]!++;
    rowsByGroup[at] = i;
    seatsByGroup[at] = usage.seat[i]!;
  }

  const groupIntegration = new Int32Array(groupCount);
  const groupProduct = new Int32Array(groupCount);
  for (let g = 0; g < groupCount; g++) {
    const row = firstRow[g]!;
    groupIntegration[g] = integrations.ofCode[usage.integrationId.codes[row]!]!;
    groupProduct[g] = products.ofCode[usage.product.codes[row]!]!;
  }

  let dated = 0;
  for (let i = 0; i < n; i++) if (usage.lastActive[i] !== NO_DAY) dated++;
  const datedRows = new Int32Array(dated);
  dated = 0;
  for (let i = 0; i < n; i++) if (usage.lastActive[i] !== NO_DAY) datedRows[dated++] = i;

  const tenantOf = new Map<string, Map<string, number>>();
  tenants.forEach((tenant, t) => {
    let byExternal = tenantOf.get(tenant.integrationId);
    if (!byExternal) tenantOf.set(tenant.integrationId, (byExternal = new Map()));
    byExternal.set(tenant.externalClientId, t);
  });

  return {
    usage,
    groupOfRow,
    groupCount,
    groupTenant: Int32Array.from(tenantOfGroup),
    groupCombo: Int32Array.from(comboOf),
    groupIntegration,
    groupProduct,
    groupFirstRow: Int32Array.from(firstRow),
    groupQuantity,
    rowStart,
    rowsByGroup,
    seatsByGroup,
    integrationIds: integrations.values,
    tenants,
    tenantOf,
    combos,
    datedRows,
  };
}

/**
 * Distinct seats over a union of groups (spec §3 records, §4 seat_count): one seat can sit in
 * several groups of a pair or a client (two products of one device), and counts once. A stamp per
 * seat marks the ones seen in the current count, so no set is built or cleared.
 */
export class SeatUnion {
  private readonly stamp: Uint32Array;
  private current = 0;

  constructor(private readonly index: UsageIndex) {
    this.stamp = new Uint32Array(index.usage.seatCount);
  }

  /** Distinct seats of the given groups (negative entries are skipped: see the pair signatures). */
  count(groups: readonly number[]): number {
    if (++this.current === 0xffffffff) {
      this.stamp.fill(0);
      this.current = 1;
    }
    const mark = this.current;
    const { rowStart, seatsByGroup } = this.index;
    const stamp = this.stamp;
    let distinct = 0;
    for (const g of groups) {
      if (g < 0) continue;
      for (let k = rowStart[g]!, end = rowStart[g + 1]!; k < end; k++) {
        const seat = seatsByGroup[k]!;
        if (stamp[seat] !== mark) {
          stamp[seat] = mark;
          distinct++;
        }
      }
    }
    return distinct;
  }
}
