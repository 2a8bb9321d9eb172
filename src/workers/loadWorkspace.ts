import { unpackUsage, type PackedUsage } from '../../worker/bundle/usagePack';
import { parseIsoTime } from '../../worker/engine/dates';
import type { Bundle, ClientMapEntry, IntegrationSettings, ServiceRule, Settings } from '../../worker/engine/model';
import { DEFAULT_APP_SETTINGS, EMPTY_CURRENT, type AppSettings, type CurrentImports, type DatasetRecord, type LedgerlineDb, type SyncEntry } from '../state/db';

/** The usage table of the last load, reused while the same imports are current (it is the costly part). */
export interface UsageCache {
  key: string;
  table: Bundle['usage'];
  integrationIds: string[];
}

/** The workspace's current datasets, read from IndexedDB and assembled into the engine's Bundle. */
/** Mappings from the workspace document; when given they take the place of the imported files'. */
export interface MappingOverride {
  clientMap: ClientMapEntry[];
  serviceMap: ServiceRule[];
  /** The shared settings (as-of, thresholds, currency) when the document has them. */
  settings?: AppSettings | null;
}

export async function loadWorkspace(db: LedgerlineDb, cache: { usage?: UsageCache } = {}, now = () => Date.now(), mapping?: MappingOverride): Promise<Bundle> {
  const [current, stored, syncLog] = await Promise.all([db.getMeta('current', EMPTY_CURRENT), db.getMeta('settings', DEFAULT_APP_SETTINGS), db.getMeta('syncLog', {})]);
  const settings = mapping?.settings ?? stored;
  const dataset = async <K extends Exclude<keyof CurrentImports, 'usage'>>(kind: K) => {
    const id = current[kind];
    return id ? (await db.datasets.get(id))?.dataset : undefined;
  };
  const rowsOf = async <T>(kind: Exclude<keyof CurrentImports, 'usage' | 'workspace'>): Promise<T[]> => {
    const d = await dataset(kind);
    return d && 'rows' in d ? (d.rows as T[]) : [];
  };
  const workspace = await dataset('workspace');
  const usageKey = JSON.stringify(Object.entries(current.usage).sort());
  const usage = cache.usage?.key === usageKey ? cache.usage : { key: usageKey, ...(await loadUsage(db, current)) };
  cache.usage = usage;
  return {
    settings: engineSettings(settings, workspace?.kind === 'workspace' ? workspace.settings.integrations : [], syncLog, usage.integrationIds, now()),
    clients: await rowsOf('psa_clients'),
    lines: await rowsOf('psa_lines'),
    catalog: await rowsOf('psa_catalog'),
    clientMap: mapping?.clientMap ?? (await rowsOf('client_map')),
    serviceMap: mapping?.serviceMap ?? (await rowsOf('service_map')),
    decisions: await rowsOf('decisions'),
    usage: usage.table,
  };
}

async function loadUsage(db: LedgerlineDb, current: CurrentImports) {
  const integrationsOf = new Map<string, Set<string>>();
  for (const [integrationId, importId] of Object.entries(current.usage)) {
    let set = integrationsOf.get(importId);
    if (!set) integrationsOf.set(importId, (set = new Set()));
    set.add(integrationId);
  }
  const parts: { packed: PackedUsage; integrations: Set<string> }[] = [];
  for (const [importId, integrations] of integrationsOf) {
    const record = (await db.datasets.get(importId)) as DatasetRecord | undefined;
    if (record?.dataset.kind !== 'usage') continue;
    const blocks = await db.usageBlocks.where('importId').equals(importId).sortBy('index');
    parts.push({ packed: { ...record.dataset.packed, blocks: blocks.map((b) => b.block) }, integrations });
  }
  return { table: unpackUsage(parts), integrationIds: [...integrationsOf.values()].flatMap((s) => [...s]) };
}

/**
 * Settings for the engine. Integrations: those of the bundle's workspace.json, plus any integration
 * seen in usage or in the sync log; a CSV import of an integration is its latest sync.
 */
export function engineSettings(settings: AppSettings, declared: readonly IntegrationSettings[], syncLog: Record<string, SyncEntry>, usageIntegrations: readonly string[], nowMs: number): Settings {
  const integrations = new Map(declared.map((i) => [i.id, { ...i }]));
  for (const id of [...usageIntegrations, ...Object.keys(syncLog)]) {
    if (!integrations.has(id)) integrations.set(id, { id, name: id, kind: '', lastSyncAt: null, lastSyncStatus: 'ok' });
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
