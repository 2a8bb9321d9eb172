import type { ServiceRule } from '../engine/model';
import { normalizeName } from './normalizeName';
import type { NormalizedName } from './normalizeName';
import { compareNames } from './suggestClients';
import { distance } from 'fastest-levenshtein';

/**
 * Billing-model presets: a first set of service_map rules (spec §2 step 3) for an integration that
 * has none, built from its products and the PSA services. Pure; the user reviews what they add.
 */

export type PresetId = 'licenses' | 'licenses-quantity' | 'devices' | 'device-roles' | 'storage' | 'security';

export interface Preset {
  id: PresetId;
  /** The integration kind (workspace.json) this preset is made for. */
  kind: string;
  label: string;
  description: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'licenses', kind: 'licenses', label: 'Microsoft 365: one rule per SKU', description: 'Trials and free SKUs (Free, Exploratory) excluded; every other product counted per seat for the PSA service with the closest name.' },
  { id: 'licenses-quantity', kind: 'licenses', label: 'Licence invoice (Pax8): one rule per SKU, by quantity', description: 'Trials and free SKUs (Free, Exploratory) excluded; every other product counted by its invoiced quantity for the PSA service with the closest name.' },
  { id: 'devices', kind: 'devices', label: 'RMM: servers vs workstations by category', description: 'Network devices excluded; servers and workstations counted per device, by category.' },
  { id: 'device-roles', kind: 'devices', label: 'RMM export (NinjaOne, N-able): by device role or product', description: 'Network gear and phones excluded; servers and VM guests counted per device for the server service, workstations and Macs for the workstation service; storage in GB counted by quantity for the backup service.' },
  { id: 'storage', kind: 'storage', label: 'Backup: by quantity in GB', description: 'Every product counted by its quantity (GB) for the backup service.' },
  { id: 'security', kind: 'security', label: 'Endpoint security: by agent', description: 'Every product counted per agent for the endpoint security service.' },
];

/** Integration kinds that mean the same as a preset's kind. */
const KIND_ALIASES: Readonly<Record<string, string>> = { backup: 'storage', rmm: 'devices', edr: 'security' };

/**
 * The preset made for a known source (the integration ids the raw-export converters write), which
 * its kind alone cannot tell: Microsoft 365 and Pax8 are both "licenses", but one lists seats and
 * the other invoices quantities.
 */
export const DEFAULT_PRESET_BY_INTEGRATION: Readonly<Record<string, PresetId>> = {
  m365: 'licenses',
  pax8: 'licenses-quantity',
  ninjaone: 'device-roles',
  nable: 'device-roles',
  sentinelone: 'security',
};

/**
 * The integration's own preset first (DEFAULT_PRESET_BY_INTEGRATION), then the presets of its
 * kind, then the others, each group in the usual order (any integration may use any).
 */
export function presetsFor(kind: string, integrationId = ''): Preset[] {
  const folded = kind.trim().toLowerCase();
  const k = KIND_ALIASES[folded] ?? folded;
  const own = DEFAULT_PRESET_BY_INTEGRATION[integrationId.trim().toLowerCase()];
  const group = (p: Preset): number => (p.id === own ? 0 : p.kind === k ? 1 : 2);
  return [0, 1, 2].flatMap((g) => PRESETS.filter((p) => group(p) === g));
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
   * What the preset could not give a service: product names (licenses, device-roles, storage,
   * security) or categories (devices; "(no category)" for a blank one). They stay unaccounted
   * until mapped by hand.
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

/**
 * Words of SKUs Microsoft gives away (trials, free plans, "Microsoft Teams Exploratory"): never
 * billed, so excluded before any product is mapped.
 */
const FREE_SKU_WORDS = ['Trial', 'Free', 'Exploratory'] as const;

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
    case 'licenses':
    case 'licenses-quantity': {
      for (const word of FREE_SKU_WORDS) add('exclude', `*${word}*`, '', '', 'records');
      const count = preset.id === 'licenses' ? 'records' : 'quantity';
      for (const product of products) {
        const lower = product.toLowerCase();
        if (FREE_SKU_WORDS.some((w) => lower.includes(w.toLowerCase()))) continue;
        // A product with * cannot be its own pattern (it would match others): map it by hand.
        const service = product.includes('*') ? null : closestByName(product, prepared);
        if (service === null) unmatched.push(product);
        else add('map', product, '', service.serviceId, count);
      }
      break;
    }
    case 'devices': {
      const categories = distinctCategories(usage);
      // "Network", and a NinjaOne role that is network gear or a phone (NMS_SWITCH, APPLE_IOS).
      const excluded = categories.filter((c) => c.toLowerCase() === 'network' || ['network', 'mobile'].includes(roleClass(c) ?? ''));
      for (const category of excluded) add('exclude', '*', category, '', 'records');
      const rank = (c: string): number => {
        const f = deviceFamily(c);
        return f === 'server' ? 0 : f === 'workstation' ? 1 : 2;
      };
      const rest = categories.filter((c) => !excluded.includes(c)).sort((a, b) => rank(a) - rank(b) || compareText(a, b));
      for (const category of rest) {
        const family = deviceFamily(category);
        const service = category === '' ? null : bestForWords(family === null ? [category.toLowerCase()] : FAMILIES[family], prepared, family);
        if (service === null) unmatched.push(category === '' ? NO_CATEGORY : category);
        else add('map', '*', category, service.serviceId, 'records');
      }
      break;
    }
    case 'device-roles':
      deviceRoleRules(usage, prepared, add, unmatched);
      break;
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
  const role = roleClass(category);
  if (role === 'server' || role === 'vm') return 'server';
  if (role === 'workstation') return 'workstation';
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

/**
 * What a device (or a billing-file product) is, by what the export calls it:
 *   server       WINDOWS_SERVER, LINUX_SERVER, MAC_SERVER, VM hosts (VMWARE_VM_HOST, HYPERV_VMM_HOST); "Server"
 *   vm           VM guests (VMWARE_VM_GUEST, HYPERV_VMM_GUEST, any *_VM_GUEST / *_VMM_GUEST): counted as
 *                servers, as an MSP bills a managed guest OS like any server (a VDI desktop needs a rule by hand)
 *   workstation  WINDOWS_WORKSTATION, LINUX_WORKSTATION, MAC; "Workstation", "Desktop", "Laptop"
 *   network      NMS_* (switches, routers, firewalls and whatever else NinjaOne watches over SNMP:
 *                no agent, not a managed device); "Network", "Switch", "Router", "Firewall"
 *   mobile       ANDROID, APPLE_IOS, APPLE_IPADOS; "Mobile", "Phone", "Tablet"
 *   storage      GB or TB in the product or its unit, or "Storage": counted by quantity
 *   backup       backup per protected device ("Cove Data Protection - Server", unit "Device")
 */
export type DeviceClass = 'server' | 'vm' | 'workstation' | 'network' | 'mobile' | 'storage' | 'backup';

const ROLES: Readonly<Record<string, DeviceClass>> = {
  WINDOWS_SERVER: 'server', LINUX_SERVER: 'server', MAC_SERVER: 'server', VMWARE_VM_HOST: 'server', HYPERV_VMM_HOST: 'server',
  WINDOWS_WORKSTATION: 'workstation', LINUX_WORKSTATION: 'workstation', MAC: 'workstation',
  VMWARE_VM_GUEST: 'vm', HYPERV_VMM_GUEST: 'vm',
  ANDROID: 'mobile', APPLE_IOS: 'mobile', APPLE_IPADOS: 'mobile',
};

/** A NinjaOne node role, spelled as the export spells it (case aside): WINDOWS_SERVER, NMS_SWITCH, … */
export function roleClass(text: string): DeviceClass | null {
  const t = text.trim().toUpperCase();
  if (/^NMS_[A-Z0-9_]+$/u.test(t)) return 'network';
  const known = ROLES[t];
  if (known !== undefined) return known;
  if (/^[A-Z0-9]+_VMM?_GUEST$/u.test(t)) return 'vm';
  if (/^[A-Z0-9]+_VMM?_HOST$/u.test(t)) return 'server';
  return null;
}

const STORAGE_WORDS = ['gb', 'tb', 'gib', 'tib', 'gigabyte', 'gigabytes', 'terabyte', 'terabytes', 'storage'];

/** A product or unit name by its words ("Backup Storage (GB)" → storage, "Server" → server); null when it says nothing. */
export function productClass(text: string): DeviceClass | null {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  const has = (...list: string[]): boolean => list.some((w) => words.includes(w));
  if (has(...STORAGE_WORDS)) return 'storage';
  if (has('backup', 'backups', 'cove', 'recovery') || (has('data') && has('protection'))) return 'backup';
  if (has('server', 'servers')) return 'server';
  if (has('workstation', 'workstations', 'desktop', 'desktops', 'laptop', 'laptops')) return 'workstation';
  if (has('network', 'switch', 'router', 'firewall')) return 'network';
  if (has('mobile', 'phone', 'tablet')) return 'mobile';
  return null;
}

const CLASS_ORDER: readonly DeviceClass[] = ['network', 'mobile', 'storage', 'server', 'vm', 'workstation', 'backup'];

type AddRule = (action: ServiceRule['action'], product: string, category: string, psaServiceId: string, count: ServiceRule['count']) => void;

/**
 * The device-roles preset. Each distinct (product, category) is classed by, in order: the product
 * as a NinjaOne role, the category as a role, a GB/TB unit in the category, the product's words,
 * the category's words. What classed it is what the rule matches: the product (category any), or
 * the category (product *). NMS_* products share one `NMS_*` exclude rule. Rules go excludes
 * first, then storage, servers, VM guests, workstations, backup per device; what no class or no
 * service fits is listed as unmatched (its product name, or its category when that classed it).
 */
function deviceRoleRules(usage: PresetUsage, services: readonly PreparedService[], add: AddRule, unmatched: string[]): void {
  const planned: { cls: DeviceClass; product: string; category: string; label: string }[] = [];
  const seen = new Set<string>();
  const left = new Set<string>();
  const plan = (cls: DeviceClass, product: string, category: string, label: string): void => {
    const key = `${product.toLowerCase()}\u0000${category.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    planned.push({ cls, product, category, label });
  };
  for (const p of usage.products) {
    const product = p.product.trim();
    const category = p.category.trim();
    if (product === '') continue;
    const role = roleClass(product);
    if (role !== null) {
      plan(role, role === 'network' ? 'NMS_*' : product, '', role === 'network' ? 'NMS_*' : product);
      continue;
    }
    const byCategory = category === '' ? null : roleClass(category) ?? (isStorageUnit(category) ? 'storage' : null);
    if (byCategory !== null) {
      plan(byCategory, '*', category, category);
      continue;
    }
    const byProduct = productClass(product);
    // A product with * cannot be its own pattern (it would match others): map it by hand.
    if (byProduct !== null && !product.includes('*')) {
      plan(byProduct, product, '', product);
      continue;
    }
    const byCategoryWords = category === '' ? null : productClass(category);
    if (byCategoryWords !== null) plan(byCategoryWords, '*', category, category);
    else left.add(product);
  }
  planned.sort((a, b) => CLASS_ORDER.indexOf(a.cls) - CLASS_ORDER.indexOf(b.cls) || compareText(a.label.toLowerCase(), b.label.toLowerCase()));
  for (const p of planned) {
    if (p.cls === 'network' || p.cls === 'mobile') {
      add('exclude', p.product, p.category, '', 'records');
      continue;
    }
    const service =
      p.cls === 'storage' ? bestForWords(FAMILIES.backup, services, 'backup')
      : p.cls === 'server' || p.cls === 'vm' ? bestForWords(FAMILIES.server, services, 'server')
      : p.cls === 'workstation' ? bestForWords(FAMILIES.workstation, services, 'workstation')
      : backupPerDevice(p.label, services);
    if (service === null) unmatched.push(p.label);
    else add('map', p.product, p.category, service.serviceId, p.cls === 'storage' ? 'quantity' : 'records');
  }
  unmatched.push(...[...left].sort((a, b) => compareText(a.toLowerCase(), b.toLowerCase())));
}

function isStorageUnit(unit: string): boolean {
  return ['gb', 'tb', 'gib', 'tib'].includes(unit.trim().toLowerCase());
}

/**
 * A service for backup counted per protected device: one naming backup and the product's device
 * ("Server Backup" for "Cove Data Protection - Server") but no storage unit, else the closest name.
 * Never the per-GB storage service: devices counted as gigabytes would be nonsense.
 */
function backupPerDevice(product: string, services: readonly PreparedService[]): PresetService | null {
  const device = productDevice(product);
  let best: PreparedService | null = null;
  for (const s of services) {
    const t = s.name.tokens;
    const backup = t.some((w) => w === 'backup' || w === 'backups' || w === 'protection');
    const storage = t.some((w) => STORAGE_WORDS.includes(w));
    const names = device === null || FAMILIES[device].some((w) => wordScore(w, t) === 1);
    if (backup && !storage && names && (best === null || t.length < best.name.tokens.length || (t.length === best.name.tokens.length && isBefore(s, best)))) best = s;
  }
  return best ?? closestByName(product, services);
}

function productDevice(product: string): 'server' | 'workstation' | null {
  const words = product.toLowerCase().split(/[^\p{L}\p{N}]+/u);
  if (words.includes('server') || words.includes('servers')) return 'server';
  if ((FAMILIES.workstation as readonly string[]).some((w) => words.includes(w) || words.includes(`${w}s`))) return 'workstation';
  return null;
}
