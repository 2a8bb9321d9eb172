/**
 * Demo workspace generator: a realistic MSP bundle (spec §1) built from a seed.
 *
 * Pure: no fs, no DOM, no Math.random, so the same options always give the same bytes (the
 * benchmark and the tests rely on it). Money is held as integers in ten-thousandths ("p4") and
 * quantities as integers in hundredths; both are turned into decimal strings only at the end.
 */
import { csvField, csvTable } from './csvWrite';
import {
  COMPARED_SERVICES, FEATURED_CLIENT_NAMES, INTEGRATIONS, INTERNAL_TENANT_NAME, NAME_PREFIXES,
  NAME_SUFFIXES, NAME_TRADES, PRODUCTS, RULES, SERVICES, UNMAPPED_TENANTS, serviceById,
  type DemoIntegration, type IntegrationId, type ProductKey, type ServiceId,
} from './demoData';
import { createRng, type Rng } from './prng';

export interface DemoOptions {
  seed?: number;
  /** Number of PSA clients (36 by default: the hand-picked names). */
  clients?: number;
  /** Exact number of rows in usage.csv. */
  usageRows?: number;
  /** ISO time the workspace is reconciled at. */
  asOf?: string;
}

export const DEMO_DEFAULTS = { seed: 42, clients: 36, usageRows: 3000, asOf: '2026-11-28T12:00:00Z' } as const;

/** The default demo is tuned for 36 clients; larger bundles scale every feature from this. */
const REFERENCE_CLIENTS = 36;
const HUNDRED = 100;
const MAX_DAYS_AGO = 240;

// ---------------------------------------------------------------------------------------------
// Decimal formatting from integers

/** Non-negative integer division without a float round trip. */
function intDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

function fixed(units: number, places: number): string {
  const base = 10 ** places;
  const abs = Math.abs(units);
  const sign = units < 0 ? '-' : '';
  return `${sign}${intDiv(abs, base)}.${String(abs % base).padStart(places, '0')}`;
}

/** p4 → "22.00" or, when sub-cent digits matter, "0.1250". */
function money(p4: number): string {
  return p4 % 100 === 0 ? fixed(intDiv(p4, 100), 2) : fixed(p4, 4);
}

/** Hundredths → "12" or "512.25". */
function quantity(hundredths: number): string {
  return hundredths % HUNDRED === 0 ? String(intDiv(hundredths, HUNDRED)) : fixed(hundredths, 2);
}

// ---------------------------------------------------------------------------------------------
// Calendar derived from asOf

interface Calendar {
  asOf: string;
  asOfMs: number;
  year: number;
  month: number;
  monthStart: string;
  monthEnd: string;
  prevMonthStart: string;
  prevMonthEnd: string;
  yearStart: string;
  yearEnd: string;
  prevYearStart: string;
  prevYearEnd: string;
  /** Mid-month effective date, so an approved adjustment is prorated. */
  nextMonthMid: string;
  yyyymm: string;
  prevYyyymm: string;
  /** daysAgo[n] = the date n days before the date of asOf. */
  daysAgo: string[];
}

/** Date.UTC normalises overflowing months/days, which gives month ends and year wraps for free. */
function isoDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

function makeCalendar(asOf: string): Calendar {
  const asOfMs = Date.parse(asOf);
  if (Number.isNaN(asOfMs)) throw new Error(`asOf is not an ISO time: ${asOf}`);
  const at = new Date(asOfMs);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + 1;
  const day = at.getUTCDate();
  const prevMonthStart = isoDay(year, month - 1, 1);
  const daysAgo: string[] = [];
  for (let n = 0; n <= MAX_DAYS_AGO; n++) daysAgo.push(isoDay(year, month, day - n));
  return {
    asOf, asOfMs, year, month,
    monthStart: isoDay(year, month, 1),
    monthEnd: isoDay(year, month + 1, 0),
    prevMonthStart,
    prevMonthEnd: isoDay(year, month, 0),
    yearStart: isoDay(year, 1, 1),
    yearEnd: isoDay(year, 12, 31),
    prevYearStart: isoDay(year - 1, 1, 1),
    prevYearEnd: isoDay(year - 1, 12, 31),
    nextMonthMid: isoDay(year, month + 1, 15),
    yyyymm: isoDay(year, month, 1).slice(0, 7).replace('-', ''),
    prevYyyymm: prevMonthStart.slice(0, 7).replace('-', ''),
    daysAgo,
  };
}

function isoTimeHoursBefore(cal: Calendar, hours: number): string {
  return new Date(cal.asOfMs - hours * 3_600_000).toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// Clients and their traits

interface UsageTraits {
  e3: boolean;
  exo: boolean;
  teams: boolean;
  powerBi: boolean;
  trial: boolean;
  automateFree: boolean;
  mac: boolean;
  mtr: boolean;
}

interface Client {
  index: number;
  id: string;
  number: number;
  name: string;
  /** Relative size: usage rows are shared out in proportion to it. */
  weight: number;
  traits: UsageTraits;
  hasBackup: boolean;
  hasEdr: boolean;
  annual: boolean;
  mixedCycle: boolean;
  teamsLine: boolean;
  unbilledEdr: boolean;
  staleBackupLine: boolean;
  inconsistentPrice: boolean;
  zeroQty: boolean;
  missingPrice: boolean;
  pastInvoice: boolean;
  helpDesk: boolean;
  /** Negotiated monthly prices (p4). */
  prices: Map<ServiceId, number>;
}

function scaled(clientCount: number, atReference: number, min: number): number {
  return Math.max(min, Math.round((clientCount * atReference) / REFERENCE_CLIENTS));
}

/** Hand-picked names first, then combinations; stepping by a prime coprime with the space visits each once. */
function companyNames(count: number): string[] {
  const names = FEATURED_CLIENT_NAMES.slice(0, count);
  const seen = new Set(names);
  const space = NAME_PREFIXES.length * NAME_TRADES.length * NAME_SUFFIXES.length;
  for (let k = 0; names.length < count; k++) {
    const idx = (k * 7919) % space;
    const prefix = NAME_PREFIXES[idx % NAME_PREFIXES.length] ?? '';
    const trade = NAME_TRADES[intDiv(idx, NAME_PREFIXES.length) % NAME_TRADES.length] ?? '';
    const suffix = NAME_SUFFIXES[intDiv(idx, NAME_PREFIXES.length * NAME_TRADES.length)] ?? '';
    const round = intDiv(k, space);
    const base = suffix.startsWith(',') ? `${prefix} ${trade}${suffix}` : `${prefix} ${trade} ${suffix}`;
    const name = round === 0 ? base : `${base} (${round + 1})`;
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  return names;
}

function randomTraits(rng: Rng): UsageTraits {
  return {
    e3: rng.chance(0.35),
    exo: rng.chance(0.4),
    teams: rng.chance(0.3),
    powerBi: rng.chance(0.3),
    trial: rng.chance(0.2),
    automateFree: rng.chance(0.25),
    mac: rng.chance(0.2),
    mtr: false,
  };
}

function pickPrices(rng: Rng): Map<ServiceId, number> {
  const prices = new Map<ServiceId, number>();
  for (const service of SERVICES) {
    if (service.clientPrices.length > 0) prices.set(service.id, rng.pick(service.clientPrices));
  }
  return prices;
}

function baseClient(rng: Rng, index: number, name: string): Client {
  const number = 1001 + index;
  const hasEdr = rng.chance(0.65);
  const traits = randomTraits(rng);
  traits.mtr = hasEdr && rng.chance(0.15);
  return {
    index, number, name,
    id: `C${number}`,
    // Cubing skews sizes the way an SMB book of business looks: many small clients, a few large.
    weight: 4 + Math.floor(rng.next() ** 3 * 220),
    traits,
    hasBackup: rng.chance(0.75),
    hasEdr,
    annual: false,
    mixedCycle: false,
    teamsLine: rng.chance(0.5),
    unbilledEdr: false,
    staleBackupLine: false,
    inconsistentPrice: false,
    zeroQty: false,
    missingPrice: false,
    pastInvoice: rng.chance(0.1),
    helpDesk: rng.chance(0.3),
    prices: pickPrices(rng),
  };
}

/**
 * Hands each showcase feature to specific clients so it exists for every seed and scales with
 * the client count. Larger clients come first so split lines have seats to split.
 */
function designateFeatures(rng: Rng, clients: Client[]): void {
  const n = clients.length;
  const queue = [
    ...rng.shuffle(clients.filter((c) => c.weight >= 20)),
    ...rng.shuffle(clients.filter((c) => c.weight < 20)),
  ];
  const take = (count: number): Client[] => queue.splice(0, count);

  const annual = take(scaled(n, 5, 2));
  for (const c of annual) c.annual = true;
  for (const c of annual.slice(0, scaled(n, 1, 1))) {
    c.mixedCycle = true;
    c.hasBackup = true;
  }
  for (const c of take(scaled(n, 1, 1))) c.inconsistentPrice = true;
  for (const c of take(scaled(n, 1, 1))) {
    c.zeroQty = true;
    c.traits.exo = true;
  }
  for (const c of take(scaled(n, 1, 1))) {
    c.staleBackupLine = true;
    c.hasBackup = false;
  }
  for (const c of take(scaled(n, 3, 1))) c.missingPrice = true;
  for (const c of take(scaled(n, 2, 1))) {
    c.unbilledEdr = true;
    c.hasEdr = true;
  }
  ensureSome(rng, clients, (c) => c.traits.powerBi, (c) => { c.traits.powerBi = true; });
  ensureSome(rng, clients, (c) => c.traits.trial, (c) => { c.traits.trial = true; });
  ensureSome(rng, clients, (c) => c.traits.teams && !c.teamsLine, (c) => { c.traits.teams = true; c.teamsLine = false; });
  ensureSome(rng, clients, (c) => c.traits.mtr, (c) => { c.traits.mtr = true; c.hasEdr = true; });
  ensureSome(rng, clients, (c) => c.pastInvoice && !c.annual, (c) => { c.pastInvoice = true; }, (c) => !c.annual);
}

function ensureSome(
  rng: Rng, clients: Client[], has: (c: Client) => boolean, give: (c: Client) => void,
  eligible: (c: Client) => boolean = () => true,
): void {
  if (clients.some(has)) return;
  const candidates = clients.filter(eligible);
  if (candidates.length > 0) give(rng.pick(candidates));
}

function planClients(rng: Rng, names: readonly string[]): Client[] {
  const clients = names.map((name, index) => baseClient(rng, index, name));
  designateFeatures(rng, clients);
  return clients;
}

// ---------------------------------------------------------------------------------------------
// Integration tenants (the external side of client_map)

interface Tenant {
  integration: IntegrationId;
  externalId: string;
  externalName: string;
  /** A tenant of a known client that nobody linked yet (left out of client_map): step one of a month. */
  unlinked?: boolean;
}

interface Entity {
  /** PSA client the tenant is mapped to; null for excluded and unmapped tenants. */
  psaIndex: number | null;
  status: 'mapped' | 'excluded' | 'unmapped';
  weight: number;
  tenants: Tenant[];
  traits: UsageTraits;
  /** Share of rows exported without a tenant name (some RMM exports do that). */
  blankNameShare: number;
}

const LEGAL_SUFFIX = /(,?\s+(Inc\.?|LLC|LLP|GmbH|SARL|ApS|Ltda\.?|S\.A\.|Co\.|Corp\.|P\.C\.|CPAs|Ltd\.?))+$/;

function titleCaseShouting(name: string): string {
  return name.replace(/^[A-Z]{3,}\b/, (w) => w[0] + w.slice(1).toLowerCase());
}

/** Each tool spells a client its own way; reconciliation must not rely on names matching. */
function tenantName(integration: IntegrationId, psaName: string): string {
  const plain = psaName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/"/g, '');
  const short = plain.replace(LEGAL_SUFFIX, '').replace(/株式会社$/, '').trim();
  switch (integration) {
    case 'm365': return titleCaseShouting(psaName.replace(/[",.]/g, '').replace(/\s+/g, ' ').trim());
    case 'rmm': return short;
    case 'backup': return psaName;
    case 'edr': return short.toUpperCase();
  }
}

class IdFactory {
  private readonly sequences = new Map<IntegrationId, number>();
  private readonly seen = new Set<string>();

  constructor(private readonly rng: Rng) {}

  next(integration: IntegrationId): string {
    const seq = (this.sequences.get(integration) ?? 0) + 1;
    this.sequences.set(integration, seq);
    switch (integration) {
      case 'rmm': return `site-${10000 + seq}`;
      case 'backup': return `BK${700000 + seq * 7}`;
      case 'm365': return this.unique(() => this.guid());
      case 'edr': return this.unique(() => `org_${this.rng.hex(12)}`);
    }
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.seen.has(id)) {
        this.seen.add(id);
        return id;
      }
    }
  }

  private guid(): string {
    const h = (n: number): string => this.rng.hex(n);
    return `${h(8)}-${h(4)}-4${h(3)}-${this.rng.pick(['8', '9', 'a', 'b'])}${h(3)}-${h(12)}`;
  }
}

function tenant(ids: IdFactory, integration: IntegrationId, name: string): Tenant {
  return { integration, externalId: ids.next(integration), externalName: name };
}

function clientEntity(ids: IdFactory, c: Client): Entity {
  const integrations: IntegrationId[] = ['m365', 'rmm'];
  if (c.hasBackup) integrations.push('backup');
  if (c.hasEdr) integrations.push('edr');
  return {
    psaIndex: c.index, status: 'mapped', weight: c.weight, traits: c.traits, blankNameShare: 0,
    tenants: integrations.map((i) => tenant(ids, i, tenantName(i, c.name))),
  };
}

function quietTraits(e3: boolean): UsageTraits {
  return { e3, exo: false, teams: false, powerBi: false, trial: false, automateFree: false, mac: false, mtr: false };
}

/** A second M365 tenant of the same client (a subsidiary), mapped to the same PSA client. */
function subsidiaryEntity(ids: IdFactory, parent: Client): Entity {
  const name = `${tenantName('rmm', parent.name)} Holdings`;
  return {
    psaIndex: parent.index, status: 'mapped', weight: Math.max(3, intDiv(parent.weight, 4)),
    traits: quietTraits(parent.traits.e3), blankNameShare: 0,
    tenants: [tenant(ids, 'm365', name)],
  };
}

function internalEntity(ids: IdFactory): Entity {
  return {
    psaIndex: null, status: 'excluded', weight: 25, traits: { ...quietTraits(true), exo: true, trial: true },
    blankNameShare: 0,
    tenants: [tenant(ids, 'm365', INTERNAL_TENANT_NAME), tenant(ids, 'rmm', INTERNAL_TENANT_NAME)],
  };
}

function unmappedEntities(rng: Rng, ids: IdFactory, count: number, extraNames: readonly string[]): Entity[] {
  const out: Entity[] = [];
  for (let k = 0; k < count; k++) {
    const preset = UNMAPPED_TENANTS[k];
    const integration = preset?.integration ?? INTEGRATIONS[k % INTEGRATIONS.length]?.id ?? 'm365';
    const name = preset?.name ?? tenantName(integration, extraNames[k - UNMAPPED_TENANTS.length] ?? `Prospect ${k}`);
    out.push({
      psaIndex: null, status: 'unmapped', weight: rng.between(3, 30), traits: randomTraits(rng),
      blankNameShare: integration === 'rmm' && k < UNMAPPED_TENANTS.length ? 0.3 : 0,
      tenants: [tenant(ids, integration, name)],
    });
  }
  return out;
}

function planEntities(rng: Rng, clients: Client[], extraNames: readonly string[], unmappedCount: number): Entity[] {
  const ids = new IdFactory(rng);
  const entities = clients.map((c) => clientEntity(ids, c));
  const parents = rng.shuffle(clients).sort((a, b) => b.weight - a.weight);
  for (const parent of parents.slice(0, scaled(clients.length, 1, 1))) entities.push(subsidiaryEntity(ids, parent));
  entities.push(internalEntity(ids));
  entities.push(...unmappedEntities(rng, ids, unmappedCount, extraNames));
  // One existing client's EDR tenant is new and not linked yet: its name differs from the PSA name
  // only by case and suffix, so the mapping workbench can suggest the right client.
  const newTenant = entities.find((e) => e.status === 'mapped' && e.psaIndex !== null && e.psaIndex >= 1 && e.tenants.some((t) => t.integration === 'edr'));
  const edr = newTenant?.tenants.find((t) => t.integration === 'edr');
  if (edr) edr.unlinked = true;
  return entities;
}

// ---------------------------------------------------------------------------------------------
// usage.csv

/** Splits total into integer parts proportional to weights (largest remainder, ties by position). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const remainders = weights.map((w, i) => ({ i, rem: (total * w) % sum }));
  const parts = weights.map((w, i) => ((total * w) - (remainders[i]?.rem ?? 0)) / sum);
  let left = total - parts.reduce((a, b) => a + b, 0);
  remainders.sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) {
    const at = remainders[k % remainders.length]?.i ?? 0;
    parts[at] = (parts[at] ?? 0) + 1;
  }
  return parts;
}

function productWeight(key: ProductKey, t: UsageTraits): number {
  switch (key) {
    case 'bp': return t.e3 ? 0 : 100;
    case 'e3': return t.e3 ? 70 : 0;
    case 'e3NoTeams': return t.e3 ? 30 : 0;
    case 'exo': return t.exo ? 12 : 0;
    case 'teams': return t.teams ? 8 : 0;
    case 'powerBi': return t.powerBi ? 6 : 0;
    case 'bpTrial': return t.trial ? 4 : 0;
    case 'automateFree': return t.automateFree ? 3 : 0;
    case 'win11': return 55;
    case 'win10': return 20;
    case 'mac': return t.mac ? 18 : 2;
    case 'srv2022': return 5;
    case 'srv2019': return 3;
    case 'ubuntu': return 1;
    case 'firewall': return 3;
    case 'backupStorage': return 1;
    case 'edrAgent': return 100;
    case 'mtr': return t.mtr ? 12 : 0;
  }
}

/** Products a client's traits promise are emitted first, so small clients still show them. */
function forcedKeys(integration: IntegrationId, t: UsageTraits): ProductKey[] {
  if (integration === 'm365') {
    const keys: ProductKey[] = [];
    if (t.exo) keys.push('exo');
    if (t.teams) keys.push('teams');
    if (t.powerBi) keys.push('powerBi');
    if (t.trial) keys.push('bpTrial');
    return keys;
  }
  return integration === 'edr' && t.mtr ? ['mtr'] : [];
}

function pickCumulative(cumulative: readonly number[], r: number): number {
  const last = cumulative[cumulative.length - 1] ?? 0;
  const target = r * last;
  for (let i = 0; i < cumulative.length; i++) if (target < (cumulative[i] ?? 0)) return i;
  return cumulative.length - 1;
}

/** Mostly seen this week, ~5% inactive past 21 days, a few never reported. */
function lastActive(rng: Rng, cal: Calendar): string {
  const r = rng.next();
  if (r < 0.02) return '';
  if (r < 0.07) return cal.daysAgo[rng.between(22, MAX_DAYS_AGO)] ?? '';
  if (r < 0.15) return cal.daysAgo[rng.between(7, 21)] ?? '';
  return cal.daysAgo[rng.int(7)] ?? '';
}

/** Backed-up GB per protected device, in hundredths: mostly small, a long tail of file servers. */
function backupHundredths(rng: Rng): number {
  return (5 + Math.floor(rng.next() ** 2 * 1500)) * HUNDRED + rng.int(HUNDRED);
}

/**
 * Collects text lines and flattens them into blocks every few thousand lines. Keeping a million
 * small row strings alive until one final join made garbage collection the main cost of a 1M-row
 * bundle; flattened blocks let the row pieces die young.
 */
class LineBlocks {
  private readonly blocks: string[] = [];
  private pending: string[] = [];

  push(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= 4096) this.flush();
  }

  /** The text in pieces whose concatenation is the whole (a file past V8's ~512 MB string limit stays writable). */
  pieces(): string[] {
    this.flush();
    return this.blocks.map((block, i) => (i < this.blocks.length - 1 ? `${block}\n` : block));
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.blocks.push(this.pending.join('\n'));
    this.pending = [];
  }
}

interface UsageContext {
  rng: Rng;
  cal: Calendar;
  lines: LineBlocks;
  sequences: Map<IntegrationId, number>;
  /** Per PSA client: service → system count in hundredths (records count 1.00 each). */
  counts: Map<ServiceId, number>[];
}

function emitTenantRows(ctx: UsageContext, integration: DemoIntegration, entity: Entity, t: Tenant, rows: number): void {
  const { rng, cal, lines } = ctx;
  const products = PRODUCTS[integration.id];
  const cumulative: number[] = [];
  let running = 0;
  for (const p of products) cumulative.push((running += productWeight(p.key, entity.traits)));
  const forced = forcedKeys(integration.id, entity.traits).map((k) => products.findIndex((p) => p.key === k));
  const cells = products.map((p) => `${csvField(p.name)},${csvField(p.category)},`);
  const named = `${integration.id},${csvField(t.externalId)},${csvField(t.externalName)},${integration.recordPrefix}`;
  const unnamed = `${integration.id},${csvField(t.externalId)},,${integration.recordPrefix}`;
  const tally = new Array<number>(products.length).fill(0);
  let seq = ctx.sequences.get(integration.id) ?? 0;

  for (let i = 0; i < rows; i++) {
    const p = i < forced.length ? (forced[i] ?? 0) : pickCumulative(cumulative, rng.next());
    const isBackup = integration.id === 'backup';
    const qty = isBackup ? backupHundredths(rng) : HUNDRED;
    tally[p] = (tally[p] ?? 0) + qty;
    const head = entity.blankNameShare > 0 && rng.chance(entity.blankNameShare) ? unnamed : named;
    // Blank quantity means 1 (spec §1); the EDR export spells it out, as some tools do.
    const qtyCell = isBackup ? fixed(qty, 2) : integration.id === 'edr' ? '1' : '';
    lines.push(`${head}${String(++seq).padStart(6, '0')},${cells[p] ?? ''}${qtyCell},${lastActive(rng, cal)}`);
  }
  ctx.sequences.set(integration.id, seq);
  if (entity.status === 'mapped' && entity.psaIndex !== null) addTally(ctx.counts[entity.psaIndex], integration.id, tally);
}

function addTally(counts: Map<ServiceId, number> | undefined, integration: IntegrationId, tally: readonly number[]): void {
  if (!counts) return;
  PRODUCTS[integration].forEach((p, i) => {
    if (p.service !== null && (tally[i] ?? 0) > 0) counts.set(p.service, (counts.get(p.service) ?? 0) + (tally[i] ?? 0));
  });
}

const USAGE_HEADER = 'integration_id,external_client_id,external_client_name,record_id,product,category,quantity,last_active';

function generateUsage(rng: Rng, cal: Calendar, entities: Entity[], totalRows: number, clientCount: number) {
  const perEntity = apportion(totalRows, entities.map((e) => e.weight));
  const perTenant = entities.map((e, i) =>
    apportion(perEntity[i] ?? 0, e.tenants.map((t) => INTEGRATIONS.find((x) => x.id === t.integration)?.share ?? 1)));
  const ctx: UsageContext = {
    rng, cal, lines: new LineBlocks(), sequences: new Map(),
    counts: Array.from({ length: clientCount }, () => new Map<ServiceId, number>()),
  };
  ctx.lines.push(USAGE_HEADER);
  // Grouped by integration, as each tool's export would arrive.
  for (const integration of INTEGRATIONS) {
    entities.forEach((e, ei) => e.tenants.forEach((t, ti) => {
      if (t.integration === integration.id) emitTenantRows(ctx, integration, e, t, perTenant[ei]?.[ti] ?? 0);
    }));
  }
  return { pieces: ctx.lines.pieces(), counts: ctx.counts };
}

// ---------------------------------------------------------------------------------------------
// psa_lines.csv

interface PsaLine {
  clientId: string;
  invoiceId: string;
  serviceId: ServiceId;
  /** Hundredths. */
  qty: number;
  /** p4; null = blank unit_price. */
  price: number | null;
  cycle: 'monthly' | 'annual';
  start: string;
  end: string;
  agreement: string;
}

interface Pair {
  client: Client;
  service: ServiceId;
  invoiced: number;
  system: number;
  lines: number;
  allPriced: boolean;
}

/** Annual agreements are invoiced up front with one month free. */
const annualPrice = (monthly: number): number => monthly * 11;

/** Invoiced seats drift from reality: adds not billed yet (under-billing) more often than removals. */
function invoicedRecords(rng: Rng, system: number, annual: boolean): number {
  const n = intDiv(system, HUNDRED);
  if (rng.chance(annual ? 0.25 : 0.45)) return n * HUNDRED;
  const spread = Math.max(1, Math.round((n * (annual ? 12 : 6)) / 100));
  const step = 1 + rng.int(spread);
  const invoiced = rng.chance(0.65) ? Math.max(1, n - step) : n + step;
  return invoiced * HUNDRED;
}

/** Storage is billed in whole GB, usually a little behind what is really stored. */
function invoicedGigabytes(rng: Rng, system: number): number {
  const gb = intDiv(system + 50, HUNDRED);
  const spread = Math.max(1, intDiv(gb, 25));
  return Math.max(1, gb + rng.between(-spread, intDiv(spread, 2))) * HUNDRED;
}

interface InvoiceSlot {
  invoiceId: string;
  cycle: 'monthly' | 'annual';
  start: string;
  end: string;
}

function monthlySlot(cal: Calendar, c: Client): InvoiceSlot {
  return { invoiceId: `INV-${cal.yyyymm}-${c.number}`, cycle: 'monthly', start: cal.monthStart, end: cal.monthEnd };
}

function annualSlot(cal: Calendar, c: Client): InvoiceSlot {
  return { invoiceId: `INV-${cal.year}A-${c.number}`, cycle: 'annual', start: cal.yearStart, end: cal.yearEnd };
}

function agreementFor(c: Client, service: ServiceId): string {
  return serviceById(service).licensing ? `AGR-${c.number}-LIC` : `AGR-${c.number}-MSA`;
}

function lineFor(c: Client, slot: InvoiceSlot, service: ServiceId, qty: number, monthlyPrice: number | null): PsaLine {
  const price = monthlyPrice === null ? null : slot.cycle === 'annual' ? annualPrice(monthlyPrice) : monthlyPrice;
  return {
    clientId: c.id, invoiceId: slot.invoiceId, serviceId: service, qty, price, cycle: slot.cycle,
    start: slot.start, end: slot.end, agreement: agreementFor(c, service),
  };
}

/** The lines reconciled against usage, before the per-client quirks are applied. */
function comparedLines(rng: Rng, cal: Calendar, c: Client, counts: Map<ServiceId, number>): PsaLine[] {
  const main = c.annual ? annualSlot(cal, c) : monthlySlot(cal, c);
  const out: PsaLine[] = [];
  for (const service of COMPARED_SERVICES) {
    const system = counts.get(service) ?? 0;
    const price = c.prices.get(service) ?? null;
    const slot = service === 'SVC-BACKUP-GB' && c.mixedCycle ? monthlySlot(cal, c) : main;
    if (service === 'SVC-BACKUP-GB' && c.staleBackupLine) {
      // Backup was cancelled months ago but the line was never removed: over-billing.
      out.push(lineFor(c, slot, service, rng.between(150, 400) * HUNDRED, price));
      continue;
    }
    if (system === 0 || service === 'SVC-EDR-MTR') continue;
    if (service === 'SVC-TEAMS-ESS' && !c.teamsLine) continue;
    if (service === 'SVC-EDR' && c.unbilledEdr) continue;
    const qty = service === 'SVC-BACKUP-GB'
      ? invoicedGigabytes(rng, system)
      : invoicedRecords(rng, system, slot.cycle === 'annual');
    out.push(lineFor(c, slot, service, qty, price));
  }
  return out;
}

/** Legacy seats kept at an older, lower price on the same invoice (inconsistent_price). */
function splitForLegacyPrice(lines: PsaLine[]): void {
  const at = lines.findIndex((l) => l.price !== null && l.qty >= 2 * HUNDRED && l.serviceId !== 'SVC-BACKUP-GB');
  const line = lines[at];
  if (!line || line.price === null) return;
  const legacySeats = Math.max(1, Math.floor((intDiv(line.qty, HUNDRED) * 3) / 10));
  const discounted = line.price - intDiv(line.price, 10);
  const legacy: PsaLine = { ...line, qty: legacySeats * HUNDRED, price: discounted - (discounted % 100) };
  line.qty -= legacy.qty;
  lines.splice(at, 0, legacy);
}

function applyQuirks(rng: Rng, cal: Calendar, c: Client, lines: PsaLine[]): void {
  if (c.inconsistentPrice) splitForLegacyPrice(lines);
  if (c.zeroQty) {
    // Seats were zeroed out instead of the line being removed (nonpositive_quantity).
    const exo = lines.find((l) => l.serviceId === 'SVC-EXO-P1');
    if (exo) exo.qty = 0;
    else lines.push(lineFor(c, c.annual ? annualSlot(cal, c) : monthlySlot(cal, c), 'SVC-EXO-P1', 0, c.prices.get('SVC-EXO-P1') ?? null));
  }
  if (c.missingPrice) {
    const priced = lines.filter((l) => l.price !== null && l.qty > 0);
    if (priced.length > 0) rng.pick(priced).price = null;
  }
}

function otherLines(rng: Rng, cal: Calendar, c: Client): PsaLine[] {
  const main = c.annual ? annualSlot(cal, c) : monthlySlot(cal, c);
  const out = [lineFor(c, main, 'SVC-MSP-FLAT', HUNDRED, c.prices.get('SVC-MSP-FLAT') ?? null)];
  if (c.helpDesk && !c.annual) {
    const hours = rng.pick([5, 10, 20]) * HUNDRED;
    out.push({ ...lineFor(c, main, 'SVC-HELPDESK', hours, c.prices.get('SVC-HELPDESK') ?? null), agreement: '' });
  }
  return out;
}

/** Last period's invoice: present in the PSA export, not current, so never reconciled. */
function pastLines(cal: Calendar, c: Client, current: readonly PsaLine[]): PsaLine[] {
  const slot: InvoiceSlot = c.annual
    ? { invoiceId: `INV-${cal.year - 1}A-${c.number}`, cycle: 'annual', start: cal.prevYearStart, end: cal.prevYearEnd }
    : { invoiceId: `INV-${cal.prevYyyymm}-${c.number}`, cycle: 'monthly', start: cal.prevMonthStart, end: cal.prevMonthEnd };
  const priced = current.filter((l) => l.price !== null && l.qty > 0 && l.cycle === slot.cycle);
  const flatFee = priced.filter((l) => l.serviceId === 'SVC-MSP-FLAT');
  const seats = priced.filter((l) => l.serviceId !== 'SVC-MSP-FLAT').slice(0, 2);
  return [...seats, ...flatFee]
    .map((l) => ({ ...l, invoiceId: slot.invoiceId, start: slot.start, end: slot.end }));
}

function buildPsaLines(rng: Rng, cal: Calendar, clients: Client[], counts: Map<ServiceId, number>[]) {
  const lines: PsaLine[] = [];
  const pairs: Pair[] = [];
  for (const c of clients) {
    const clientCounts = counts[c.index] ?? new Map<ServiceId, number>();
    const compared = comparedLines(rng, cal, c, clientCounts);
    applyQuirks(rng, cal, c, compared);
    const current = [...compared, ...otherLines(rng, cal, c)];
    if (c.pastInvoice) lines.push(...pastLines(cal, c, current));
    lines.push(...current);
    pairs.push(...pairsOf(c, compared, clientCounts));
  }
  return { lines, pairs };
}

function pairsOf(c: Client, compared: readonly PsaLine[], counts: Map<ServiceId, number>): Pair[] {
  const out: Pair[] = [];
  for (const service of COMPARED_SERVICES) {
    const mine = compared.filter((l) => l.serviceId === service);
    const system = counts.get(service) ?? 0;
    if (mine.length === 0 && system === 0) continue;
    out.push({
      client: c, service, system, lines: mine.length,
      invoiced: mine.reduce((a, l) => a + l.qty, 0),
      allPriced: mine.every((l) => l.price !== null),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// decisions.csv

function pickDecisions(rng: Rng, cal: Calendar, pairs: readonly Pair[]): string[][] {
  // Monthly seat-based pairs read most naturally in the demo's adjustment list.
  const billed = rng.shuffle(pairs.filter((p) =>
    p.lines > 0 && p.allPriced && p.invoiced !== p.system && !p.client.annual && p.service !== 'SVC-BACKUP-GB'));
  const unbilled = rng.shuffle(pairs.filter((p) => p.lines === 0 && p.system > 0 && serviceById(p.service).listPrice !== null));
  const row = (p: Pair | undefined, decision: string, date = ''): string[] | null =>
    p ? [p.client.id, p.service, decision, date] : null;
  const rows = [
    row(billed[0], 'approve'),
    row(billed[1], 'approve'),
    // Mid-month start: the adjustment shows a prorated first month.
    row(billed[2], 'approve', cal.nextMonthMid),
    row(unbilled[0], 'approve'),
    row(billed[3], 'dismiss'),
    row(billed[4], 'dismiss'),
  ];
  return rows.filter((r): r is string[] => r !== null);
}

// ---------------------------------------------------------------------------------------------
// Assembly

function workspaceJson(cal: Calendar): string {
  return `${JSON.stringify({
    currency: 'USD',
    asOf: cal.asOf,
    inactiveAfterDays: 21,
    staleAfterHours: 24,
    integrations: INTEGRATIONS.map((i) => ({
      id: i.id, name: i.name, kind: i.kind,
      lastSyncAt: isoTimeHoursBefore(cal, i.syncHoursAgo),
      lastSyncStatus: 'ok',
    })),
  }, null, 2)}\n`;
}

function psaLinesCsv(lines: readonly PsaLine[]): string {
  const rows = lines.map((l, i) => [
    `L${String(i + 1).padStart(6, '0')}`, l.clientId, l.invoiceId, l.serviceId, serviceById(l.serviceId).name,
    quantity(l.qty), l.price === null ? '' : money(l.price), l.cycle, l.start, l.end, l.agreement,
  ]);
  return csvTable(
    ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price',
      'billing_cycle', 'period_start', 'period_end', 'agreement_id'],
    rows,
  );
}

function catalogCsv(): string {
  const rows = SERVICES.filter((s) => s.inCatalog)
    .map((s) => [s.id, s.name, s.listPrice === null ? '' : money(s.listPrice)]);
  return csvTable(['service_id', 'service_name', 'list_price'], rows);
}

function clientMapCsv(entities: readonly Entity[], clients: readonly Client[]): string {
  const rows: string[][] = [];
  for (const integration of INTEGRATIONS) {
    for (const e of entities) {
      if (e.status === 'unmapped') continue;
      const psaId = e.psaIndex === null ? '' : clients[e.psaIndex]?.id ?? '';
      for (const t of e.tenants) {
        if (t.integration === integration.id && !t.unlinked) rows.push([t.integration, t.externalId, psaId, e.status]);
      }
    }
  }
  return csvTable(['integration_id', 'external_client_id', 'psa_client_id', 'status'], rows);
}

function serviceMapCsv(): string {
  return csvTable(
    ['rule_id', 'integration_id', 'product', 'category', 'action', 'psa_service_id', 'count'],
    RULES.map((r) => [r.ruleId, r.integration, r.product, r.category, r.action, r.service, r.count]),
  );
}

function resolveOptions(opts: DemoOptions): Required<DemoOptions> {
  const o = { ...DEMO_DEFAULTS, ...opts };
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new Error(`clients must be a positive integer, got ${o.clients}`);
  if (!Number.isInteger(o.usageRows) || o.usageRows < 0) throw new Error(`usageRows must be a non-negative integer, got ${o.usageRows}`);
  return o;
}

/** File name → file text of a complete demo workspace bundle (spec §1). */
export function generateDemoBundle(opts: DemoOptions = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(generateDemoBundlePieces(opts)).map(([name, pieces]) => [name, pieces.join('')]));
}

/** As generateDemoBundle, each file as pieces to write one after another: 5M usage rows make one text too long for a string. */
export function generateDemoBundlePieces(opts: DemoOptions = {}): Record<string, string[]> {
  const o = resolveOptions(opts);
  const rng = createRng(o.seed);
  const cal = makeCalendar(o.asOf);
  const unmappedCount = scaled(o.clients, UNMAPPED_TENANTS.length, 3);
  const names = companyNames(o.clients + Math.max(0, unmappedCount - UNMAPPED_TENANTS.length));
  const clients = planClients(rng, names.slice(0, o.clients));
  const entities = planEntities(rng, clients, names.slice(o.clients), unmappedCount);
  const usage = generateUsage(rng, cal, entities, o.usageRows, clients.length);
  const psa = buildPsaLines(rng, cal, clients, usage.counts);
  return {
    'workspace.json': [workspaceJson(cal)],
    'psa_clients.csv': [csvTable(['client_id', 'client_name'], clients.map((c) => [c.id, c.name]))],
    'psa_lines.csv': [psaLinesCsv(psa.lines)],
    'psa_catalog.csv': [catalogCsv()],
    'usage.csv': usage.pieces,
    'client_map.csv': [clientMapCsv(entities, clients)],
    'service_map.csv': [serviceMapCsv()],
    'decisions.csv': [csvTable(['client_id', 'service_id', 'decision', 'effective_date'], pickDecisions(rng, cal, psa.pairs))],
  };
}
