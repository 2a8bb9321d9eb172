import type { ServiceRule } from '../engine/model';
import { normalizeName } from './normalizeName';
import type { NormalizedName } from './normalizeName';
import { compareNames } from './suggestClients';
import { distance } from 'fastest-levenshtein';

/**
 * Billing-model presets: a first set of service_map rules (spec §2 step 3) for an integration that
 * has none, built from its products and the PSA services. Pure; the user reviews what they add.
 */

export type PresetId = 'licenses' | 'devices' | 'storage' | 'security';

export interface Preset {
  id: PresetId;
  /** The integration kind (workspace.json) this preset is made for. */
  kind: string;
  label: string;
  description: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'licenses', kind: 'licenses', label: 'Microsoft 365: one rule per SKU', description: 'Trials and free SKUs excluded; every other product counted per seat for the PSA service with the closest name.' },
  { id: 'devices', kind: 'devices', label: 'RMM: servers vs workstations by category', description: 'Network devices excluded; servers and workstations counted per device, by category.' },
  { id: 'storage', kind: 'storage', label: 'Backup: by quantity in GB', description: 'Every product counted by its quantity (GB) for the backup service.' },
  { id: 'security', kind: 'security', label: 'Endpoint security: by agent', description: 'Every product counted per agent for the endpoint security service.' },
];

/** The kind's own preset first, then the others in their usual order (any integration may use any). */
export function presetsFor(kind: string): Preset[] {
  const k = kind.trim().toLowerCase();
  return [...PRESETS.filter((p) => p.kind === k), ...PRESETS.filter((p) => p.kind !== k)];
}

export interface PresetUsage {
  /** The integration's distinct (product, category) pairs, with their row counts. */
  products: readonly { product: string; category: string; rows: number }[];
}

export interface PresetService {
  serviceId: string;
  serviceName: string;
}

export interface PresetResult {
  rules: ServiceRule[];
  /**
   * What the preset could not give a service: product names (licenses, storage, security) or
   * categories (devices; "(no category)" for a blank one). They stay unaccounted until mapped by hand.
   */
  unmatched: string[];
}

/** Service families by the words that name them; the first word is the preferred one. */
const FAMILIES = {
  server: ['server'],
  workstation: ['workstation', 'desktop', 'laptop'],
  backup: ['backup', 'storage'],
  security: ['edr', 'endpoint', 'antivirus', 'security'],
} as const;
type Family = keyof typeof FAMILIES;

/** A license product needs at least this name similarity with its service. */
export const MIN_PRODUCT_SCORE = 0.5;
/** A service must name a family word this well (1 = the word itself) to serve the family. */
const MIN_FAMILY_SCORE = 0.7;

const NO_CATEGORY = '(no category)';

interface PreparedService extends PresetService {
  name: NormalizedName;
}

export function buildPresetRules(
  preset: Preset,
  integrationId: string,
  usage: PresetUsage,
  services: readonly PresetService[],
  nextRuleId: (i: number) => string,
): PresetResult {
  const prepared: PreparedService[] = services.map((s) => ({ ...s, name: normalizeName(s.serviceName, { legalForms: false }) }));
  const rules: ServiceRule[] = [];
  const unmatched: string[] = [];
  const add = (action: ServiceRule['action'], product: string, category: string, psaServiceId: string, count: ServiceRule['count']): void => {
    rules.push({ ruleId: nextRuleId(rules.length), integrationId, product, category, action, psaServiceId, count });
  };
  const products = distinctProducts(usage);

  switch (preset.id) {
    case 'licenses': {
      add('exclude', '*Trial*', '', '', 'records');
      add('exclude', '*Free*', '', '', 'records');
      for (const product of products) {
        const lower = product.toLowerCase();
        if (lower.includes('trial') || lower.includes('free')) continue;
        // A product with * cannot be its own pattern (it would match others): map it by hand.
        const service = product.includes('*') ? null : closestByName(product, prepared);
        if (service === null) unmatched.push(product);
        else add('map', product, '', service.serviceId, 'records');
      }
      break;
    }
    case 'devices': {
      const categories = distinctCategories(usage);
      const network = categories.find((c) => c.toLowerCase() === 'network');
      if (network !== undefined) add('exclude', '*', network, '', 'records');
      const rank = (c: string): number => {
        const f = deviceFamily(c);
        return f === 'server' ? 0 : f === 'workstation' ? 1 : 2;
      };
      const rest = categories.filter((c) => c !== network).sort((a, b) => rank(a) - rank(b) || compareText(a, b));
      for (const category of rest) {
        const family = deviceFamily(category);
        const service = category === '' ? null : bestForWords(family === null ? [category.toLowerCase()] : FAMILIES[family], prepared, family);
        if (service === null) unmatched.push(category === '' ? NO_CATEGORY : category);
        else add('map', '*', category, service.serviceId, 'records');
      }
      break;
    }
    case 'storage':
    case 'security': {
      const family: Family = preset.id === 'storage' ? 'backup' : 'security';
      const service = bestForWords(FAMILIES[family], prepared, family);
      if (service === null) unmatched.push(...products);
      else add('map', '*', '', service.serviceId, preset.id === 'storage' ? 'quantity' : 'records');
      break;
    }
  }
  return { rules, unmatched };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct products, case-insensitively (first spelling), in name order. */
function distinctProducts(usage: PresetUsage): string[] {
  const seen = new Map<string, string>();
  for (const p of usage.products) {
    const product = p.product.trim();
    if (product !== '' && !seen.has(product.toLowerCase())) seen.set(product.toLowerCase(), product);
  }
  return [...seen.values()].sort((a, b) => compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b));
}

/** Distinct categories, case-insensitively (first spelling); '' for blank. */
function distinctCategories(usage: PresetUsage): string[] {
  const seen = new Map<string, string>();
  for (const p of usage.products) {
    const category = p.category.trim();
    if (!seen.has(category.toLowerCase())) seen.set(category.toLowerCase(), category);
  }
  return [...seen.values()];
}

function deviceFamily(category: string): 'server' | 'workstation' | null {
  const c = category.trim().toLowerCase();
  if (c === 'server' || c === 'servers') return 'server';
  if ((FAMILIES.workstation as readonly string[]).some((w) => c === w || c === `${w}s`)) return 'workstation';
  return null;
}

/** The service whose name is closest to the product's (≥ MIN_PRODUCT_SCORE); ties by name, then id. */
function closestByName(product: string, services: readonly PreparedService[]): PresetService | null {
  const name = normalizeName(product, { legalForms: false });
  let best: PreparedService | null = null;
  let bestScore = 0;
  for (const s of services) {
    const score = compareNames(name, s.name).score;
    if (best === null || score > bestScore || (score === bestScore && isBefore(s, best))) {
      best = s;
      bestScore = score;
    }
  }
  return best !== null && bestScore >= MIN_PRODUCT_SCORE && compatible(name.tokens, best.name.tokens) ? best : null;
}

/**
 * Similar is not enough for billing: "Microsoft 365 Business Basic" is close to "… Business
 * Premium" yet a different SKU. A product and a service go together only when the words of one are
 * all words of the other (an add-on like "E3 (no Teams)" still falls under "E3").
 */
function compatible(product: readonly string[], service: readonly string[]): boolean {
  const p = new Set(product);
  const s = new Set(service);
  return service.every((w) => p.has(w)) || product.every((w) => s.has(w));
}

function isBefore(a: PresetService, b: PresetService): boolean {
  return compareText(a.serviceName, b.serviceName) < 0 || (a.serviceName === b.serviceName && compareText(a.serviceId, b.serviceId) < 0);
}

/**
 * How well a word names a service: 1 for one of its words (or that word plus s), 0.9 for a word
 * that starts with it, else the letter similarity of its closest word (typos) scaled by 0.9.
 */
function wordScore(word: string, tokens: readonly string[]): number {
  let best = 0;
  for (const t of tokens) {
    let s: number;
    if (t === word || t === `${word}s`) s = 1;
    else if (word.length >= 3 && t.startsWith(word)) s = 0.9;
    else s = 0.9 * (1 - distance(t, word) / Math.max(t.length, word.length));
    if (s > best) best = s;
  }
  return best;
}

/**
 * The service that best names one of `words` (earlier words preferred: −0.05 each), a service that
 * also names another family counting 0.2 less ("Server Backup" is a backup service before it is a
 * server one); ties go to the shorter name (fewer words), then by name and id.
 */
function bestForWords(words: readonly string[], services: readonly PreparedService[], family: Family | null): PresetService | null {
  let best: PreparedService | null = null;
  let bestScore = 0;
  for (const s of services) {
    const tokens = s.name.tokens;
    let score = 0;
    words.forEach((w, i) => {
      score = Math.max(score, wordScore(w, tokens) - 0.05 * i);
    });
    if (score < MIN_FAMILY_SCORE) continue;
    const other = (Object.keys(FAMILIES) as Family[]).some((f) => f !== family && FAMILIES[f].some((w) => !words.includes(w) && wordScore(w, tokens) === 1));
    if (other) score -= 0.2;
    if (score < MIN_FAMILY_SCORE) continue;
    const wins = best === null || score > bestScore
      || (score === bestScore && (tokens.length < best.name.tokens.length || (tokens.length === best.name.tokens.length && isBefore(s, best))));
    if (wins) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}
