import { unpackUsage, type PackedUsage } from '../bundle/usagePack';
import { dedupeUsage, selectRows } from '../engine/dedupeUsage';
import { joinUsage } from '../engine/joinUsage';
import { seatIds } from '../engine/seats';
import { parseIsoTime } from '../engine/dates';
import type { Bundle, CatalogItem, ClientMapEntry, IntegrationSettings, PsaClient, PsaLine, ServiceRule, Settings, UsageTable } from '../engine/model';
import { PSA_SOURCE, splitFailedSyncs, type ImportFailures, type IntegrationWithFailure, type SettingsWithPsaFailure } from '../views/integrationStatus';
import type { BundleSettings } from '../doc/settings';
import { DEFAULT_APP_SETTINGS, EMPTY_CURRENT, parseScopeKey, scopeKey, type CurrentImports, type DatasetRecord, type LedgerlineDb, type SyncEntry } from './db';

/** The usage table of the last load, reused while the same imports are current (it is the costly part). */
export interface UsageCache {
  key: string;
  table: Bundle['usage'];
  integrationIds: string[];
}

/** What the workspace document holds for the engine: its mappings and shared settings (their one home). */
export interface MappingOverride {
  clientMap: ClientMapEntry[];
  serviceMap: ServiceRule[];
  /** The shared settings (as-of, thresholds, currency); null before any are set: the defaults. */
  settings?: BundleSettings | null;
}

/**
 * What the engine's host keeps between loads: the joined usage while the same imports are current,
 * and each import's dataset by its id (an import's dataset never changes), so an edit reads nothing
 * back from IndexedDB and the engine sees the very same PSA rows (an identity check then says
 * "same data").
 */
export interface LoadCache {
  usage?: UsageCache;
  datasets?: Map<string, DatasetRecord['dataset'] | undefined>;
}

export async function loadWorkspace(db: LedgerlineDb, cache: LoadCache = {}, now = () => Date.now(), mapping?: MappingOverride): Promise<Bundle> {
  const [current, loggedSyncs, info, recordedFailures, scopeSync] = await Promise.all([
    db.getMeta('current', EMPTY_CURRENT),
    db.getMeta('syncLog', {}),
    db.getMeta('integrationInfo', {}),
    db.getMeta('importFailures', {}),
    db.getMeta('scopeSync', {}),
  ]);

  const settings = mapping?.settings ?? DEFAULT_APP_SETTINGS;
  const kept = cache.datasets ?? new Map<string, DatasetRecord['dataset'] | undefined>();
  const used = new Map<string, DatasetRecord['dataset'] | undefined>();
  const dataset = async <K extends Exclude<keyof CurrentImports, 'usage'>>(kind: K) => {
    const id = current[kind];
    if (!id) return undefined;
    const value = kept.has(id) ? kept.get(id) : (await db.datasets.get(id))?.dataset;
    used.set(id, value);
    return value;
  };
  const rowsOf = async <T>(kind: Exclude<keyof CurrentImports, 'usage' | 'workspace'>): Promise<T[]> => {
    const d = await dataset(kind);
    return d && 'rows' in d ? (d.rows as T[]) : [];
  };
  const workspace = await dataset('workspace');
  const usageKey = JSON.stringify(Object.entries(current.usage).sort());
  const usage = cache.usage?.key === usageKey ? cache.usage : { key: usageKey, ...(await loadUsage(db, current)) };
  cache.usage = usage;
  const [clients, lines, catalog] = [await rowsOf<PsaClient>('psa_clients'), await rowsOf<PsaLine>('psa_lines'), await rowsOf<CatalogItem>('psa_catalog')];
  // Only the current imports' datasets are kept: a superseded one is never read again.
  cache.datasets = used;
  const declared = workspace?.kind === 'workspace' ? workspace.settings.integrations : [];
  // A failed import is not a failed sync of the data in use: the engine sees the last good sync, the view the failure.
  const { syncLog, failures } = splitFailedSyncs(
    loggedSyncs,
    recordedFailures,
    (id) => {
      const times = Object.entries(scopeSync).flatMap(([key, t]) => (current.usage[key] && parseScopeKey(key).integrationId === id ? [t] : []));
      return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
    },
    (id) => usage.integrationIds.includes(id) || declared.some((i) => i.id === id),
  );
  return {
    settings: withFailures(engineSettings(settings, declared, syncLog, usage.integrationIds, now(), info), failures),
    clients,
    lines,
    catalog,
    clientMap: mapping?.clientMap ?? [],
    serviceMap: mapping?.serviceMap ?? [],
    // Decisions are the document's too: the engine worker sets them from the review it is given.
    decisions: [],
    usage: usage.table,
  };
}

/**
 * The current usage: per import, the rows of the scopes it is current for. An import current for
 * a whole integration gives up the clients a later per-client import (one Microsoft 365 tenant)
 * took over. When one integration's rows come from several imports (one per tenant), seats are
 * numbered again over them and repeated identities dropped (spec §1, later row wins).
 */
async function loadUsage(db: LedgerlineDb, current: CurrentImports) {
  const whole = new Map<string, Set<string>>();
  const clients = new Map<string, Set<string>>();
  const claimed = new Map<string, string>();
  for (const [key, importId] of Object.entries(current.usage)) {
    const { integrationId, externalClientId } = parseScopeKey(key);
    if (externalClientId === null) {
      whole.set(importId, (whole.get(importId) ?? new Set()).add(integrationId));
    } else {
      clients.set(importId, (clients.get(importId) ?? new Set()).add(key));
      claimed.set(key, importId);
    }
  }
  const importIds = [...new Set(Object.values(current.usage))];
  const parts: { packed: PackedUsage; integrations: Set<string>; keep: ((integrationId: string, clientId: string) => boolean) | null }[] = [];
  const sources = new Map<string, number>();
  for (const importId of importIds) {
    const record = (await db.datasets.get(importId)) as DatasetRecord | undefined;
    if (record?.dataset.kind !== 'usage') continue;
    const blocks = await db.usageBlocks.where('importId').equals(importId).sortBy('index');
    const wholeSet = whole.get(importId) ?? new Set<string>();
    const clientKeys = clients.get(importId) ?? new Set<string>();
    const integrations = new Set([...wholeSet, ...[...clientKeys].map((k) => parseScopeKey(k).integrationId)]);
    const restricted = clientKeys.size > 0 || [...claimed.keys()].some((k) => wholeSet.has(parseScopeKey(k).integrationId));
    const keep = restricted
      ? (integrationId: string, clientId: string) => {
          const key = scopeKey(integrationId, clientId);
          if (clientKeys.has(key)) return true;
          return wholeSet.has(integrationId) && !claimed.has(key);
        }
      : null;
    for (const id of integrations) sources.set(id, (sources.get(id) ?? 0) + 1);
    parts.push({ packed: { ...record.dataset.packed, blocks: blocks.map((b) => b.block) }, integrations, keep });
  }
  const integrationIds = [...sources.keys()];
  const shared = [...sources.values()].some((n) => n > 1);
  if (!shared && parts.every((p) => p.keep === null)) return { table: unpackUsage(parts), integrationIds };
  const tables = parts.map(({ packed, integrations, keep }) => {
    const table = unpackUsage([{ packed, integrations }]);
    if (keep === null) return table;
    const ok = (column: UsageTable['integrationId'], other: UsageTable['externalClientId']) => (i: number) => keep(column.values[column.codes[i]!]!, other.values[other.codes[i]!]!);
    const test = ok(table.integrationId, table.externalClientId);
    const rows: number[] = [];
    for (let i = 0; i < table.length; i++) if (test(i)) rows.push(i);
    return rows.length === table.length ? table : selectRows(table, Uint32Array.from(rows));
  });
  let table = joinUsage(tables.map((t) => ({ tables: [t], seatCount: t.seatCount })));
  if (shared) {
    // A seat is per (integration, record id): number them again across the imports of one integration.
    table = { ...table, ...seatIds(table) };
    table = dedupeUsage(table).usage;
  }
  return { table, integrationIds };
}

/** Each source's failed import, carried beside its settings for the view (the engine ignores it). */
function withFailures(settings: Settings, failures: ImportFailures): SettingsWithPsaFailure {
  const integrations: IntegrationWithFailure[] = settings.integrations.map((i) => ({ ...i, importFailedAt: failures[i.id]?.at ?? null }));
  return { ...settings, integrations, psaImportFailure: failures[PSA_SOURCE] ?? null };
}

/**
 * Settings for the engine. Integrations: those of the bundle's workspace.json, plus any integration
 * seen in usage or in the sync log (named by the profile of the export that brought it); a CSV
 * import of an integration is its latest sync.
 */
export function engineSettings(
  settings: BundleSettings,
  declared: readonly IntegrationSettings[],
  syncLog: Record<string, SyncEntry>,
  usageIntegrations: readonly string[],
  nowMs: number,
  info: Record<string, { name: string; kind: string }> = {},
): Settings {
  const integrations = new Map(declared.map((i) => [i.id, { ...i }]));
  for (const id of [...usageIntegrations, ...Object.keys(syncLog)]) {
    // An integration a raw export brought has its name and kind from the export's profile.
    if (!integrations.has(id)) integrations.set(id, { id, name: info[id]?.name ?? id, kind: info[id]?.kind ?? '', lastSyncAt: null, lastSyncStatus: 'ok' });
  }
  for (const [id, entry] of Object.entries(syncLog)) {
    const integration = integrations.get(id)!;
    integration.lastSyncAt = parseIsoTime(entry.at);
    integration.lastSyncStatus = entry.status;
  }
  const asOf = settings.asOfMode === 'fixed' && settings.asOf ? (parseIsoTime(settings.asOf) ?? nowMs) : nowMs;
  return {
    currency: settings.currency,
    asOf,
    inactiveAfterDays: settings.inactiveAfterDays,
    staleAfterHours: settings.staleAfterHours,
    integrations: [...integrations.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}
