import { foldCase } from '../engine/dictionary';
import type { Bundle, ServiceRule } from '../engine/model';
import { compilePattern } from '../engine/resolve';

/** What one rule does to this month's usage, for the live preview beside the rules grid. */
export interface RulePreview {
  ruleId: string;
  /** Usage rows of mapped clients this rule decides (it is the first that matches them). */
  rows: number;
  /** The distinct products it decides, most rows first. */
  products: { product: string; rows: number }[];
  /** Rows it matches but an earlier rule already decided. */
  shadowedRows: number;
  /** The earlier rules that took them. */
  shadowedBy: string[];
}

/**
 * Spec §2 step 3, run for every rule at once. Rules only see rows of mapped clients (excluded and
 * unmapped clients are settled before rules apply), and a row goes to the first matching rule; a
 * later rule that also matches it is "shadowed" there. Works per distinct (integration, product,
 * category), so a million rows cost one pass to count them.
 */
export function previewRules(bundle: Bundle, rules: readonly ServiceRule[]): RulePreview[] {
  const { usage } = bundle;
  const mapped = new Set(bundle.clientMap.filter((e) => e.status === 'mapped').map((e) => `${e.integrationId}\u0000${e.externalClientId}`));
  const products = foldCase(usage.product.values);
  const categories = foldCase(usage.category.values);
  const combos = new Map<string, { integrationId: string; product: string; productLower: string; category: string; rows: number }>();
  const mappedExternal = new Map<number, boolean>();
  const externals = usage.externalClientId.values.length;
  for (let i = 0; i < usage.length; i++) {
    const integrationCode = usage.integrationId.codes[i]!;
    const key = integrationCode * externals + usage.externalClientId.codes[i]!;
    let isMapped = mappedExternal.get(key);
    if (isMapped === undefined) {
      isMapped = mapped.has(`${usage.integrationId.values[integrationCode]}\u0000${usage.externalClientId.values[usage.externalClientId.codes[i]!]}`);
      mappedExternal.set(key, isMapped);
    }
    if (!isMapped) continue;
    const p = products.ofCode[usage.product.codes[i]!]!;
    const c = categories.ofCode[usage.category.codes[i]!]!;
    const comboKey = `${integrationCode}\u0000${p}\u0000${c}`;
    let combo = combos.get(comboKey);
    if (!combo) {
      combo = { integrationId: usage.integrationId.values[integrationCode]!, product: usage.product.values[usage.product.codes[i]!]!, productLower: products.folded.values[p]!, category: categories.folded.values[c]!, rows: 0 };
      combos.set(comboKey, combo);
    }
    combo.rows++;
  }

  const compiled = rules.map((r) => (r.product.trim() === '' ? null : compilePattern(r.product)));
  const previews = rules.map((r) => ({ ruleId: r.ruleId, rows: 0, products: new Map<string, number>(), shadowedRows: 0, shadowedBy: new Set<string>() }));
  for (const combo of combos.values()) {
    let taken = -1;
    rules.forEach((rule, r) => {
      if (rule.integrationId !== combo.integrationId || compiled[r] === null) return;
      if (rule.category !== '' && rule.category.toLowerCase() !== combo.category) return;
      if (!compiled[r]!.test(combo.productLower)) return;
      const preview = previews[r]!;
      if (taken < 0) {
        taken = r;
        preview.rows += combo.rows;
        preview.products.set(combo.product, (preview.products.get(combo.product) ?? 0) + combo.rows);
      } else {
        preview.shadowedRows += combo.rows;
        preview.shadowedBy.add(rules[taken]!.ruleId);
      }
    });
  }
  return previews.map((p) => ({
    ruleId: p.ruleId,
    rows: p.rows,
    products: [...p.products].map(([product, rows]) => ({ product, rows })).sort((a, b) => b.rows - a.rows || (a.product < b.product ? -1 : 1)),
    shadowedRows: p.shadowedRows,
    shadowedBy: [...p.shadowedBy],
  }));
}
