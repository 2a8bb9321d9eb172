import Papa from 'papaparse';
import { FILES } from '../bundle/schema';
import { CATALOG_HEADER, CLIENT_HEADER, USAGE_HEADER, catalogCsv, clientsCsv, linesCsv, usageCsv } from './bundleCsv';
import type { CatalogRow, Conversion, PsaClientRow, PsaLineRow, UsageRow } from './types';

/**
 * Merges conversions into an existing bundle (the CLI's `import --out DIR`): what a new export
 * covers replaces what the folder held for the same scope, and the rest stays.
 *   usage: a per-client export (one Microsoft 365 tenant) replaces that (integration, client)
 *          only; any other export replaces its whole integration;
 *   PSA:   clients are merged by client_id (the new name wins); the lines are replaced as a whole
 *          (an agreement export is the full list); the catalog is merged by service_id;
 *   workspace.json: created when missing (asOf as given, else the import time), its integrations created or
 *          updated with the last sync = the export's time where it has one, else the import time.
 * client_map.csv and service_map.csv are created empty when missing, so `reconcile` runs at once.
 */
export function mergeBundle(existing: Readonly<Record<string, string>>, conversions: readonly Conversion[], importedAt: string, asOf = importedAt): Record<string, string> {
  const out: Record<string, string> = { ...existing };
  const usageConversions = conversions.filter((c) => c.target === 'usage');
  if (usageConversions.length > 0) {
    const replaced = (row: UsageRow) => usageConversions.some(({ scope }) => scope !== null && row.integration_id === scope.integrationId
      && (scope.externalClientId === null || row.external_client_id === scope.externalClientId || (scope.replaces ?? []).includes(row.external_client_id)));
    const kept = rowsOf<UsageRow>(existing[FILES.usage], USAGE_HEADER).filter((row) => !replaced(row));
    out[FILES.usage] = usageCsv([...kept, ...usageConversions.flatMap((c) => c.usage)]);
  }
  const psaConversions = conversions.filter((c) => c.target === 'psa');
  if (psaConversions.length > 0) {
    const psa = mergePsa(psaConversions);
    out[FILES.clients] = clientsCsv(byKey(rowsOf<PsaClientRow>(existing[FILES.clients], CLIENT_HEADER), psa.clients, (r) => r.client_id));
    if (psa.lines.length > 0 || psa.catalog.length > 0) {
      out[FILES.lines] = linesCsv(psa.lines);
      out[FILES.catalog] = catalogCsv(byKey(rowsOf<CatalogRow>(existing[FILES.catalog], CATALOG_HEADER), psa.catalog, (r) => r.service_id));
    }
  }
  out[FILES.workspace] = workspaceJson(existing[FILES.workspace], conversions, importedAt, asOf);
  out[FILES.clients] ??= clientsCsv([]);
  out[FILES.lines] ??= linesCsv([] as PsaLineRow[]);
  out[FILES.usage] ??= usageCsv([]);
  out[FILES.clientMap] ??= 'integration_id,external_client_id,psa_client_id,status\r\n';
  out[FILES.serviceMap] ??= 'rule_id,integration_id,product,category,action,psa_service_id,count\r\n';
  return out;
}

/**
 * PSA exports of one import as one: clients and catalog items by id (a later file's name wins),
 * every line (a line id repeated across files is then refused by the bundle's own check).
 */
export function mergePsa(list: readonly Conversion[]): Conversion {
  if (list.length === 1) return list[0]!;
  return {
    ...list[0]!,
    file: list.map((c) => c.file).join(' + '),
    clients: byKey([], list.flatMap((c) => c.clients), (r) => r.client_id),
    lines: list.flatMap((c) => c.lines),
    catalog: byKey([], list.flatMap((c) => c.catalog), (r) => r.service_id),
    rowsRead: list.reduce((n, c) => n + c.rowsRead, 0),
    notes: list.flatMap((c) => c.notes),
  };
}

function rowsOf<T>(text: string | undefined, header: readonly string[]): T[] {
  if (text === undefined) return [];
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim() });
  return parsed.data.map((row) => Object.fromEntries(header.map((column) => [column, (row[column] ?? '').trim()])) as T);
}

/** Old rows then new ones, a new row replacing an old one with the same key in place. */
function byKey<T>(old: readonly T[], added: readonly T[], key: (row: T) => string): T[] {
  const rows = new Map<string, T>();
  for (const row of [...old, ...added]) rows.set(key(row), row);
  return [...rows.values()];
}

interface IntegrationJson {
  id: string;
  name?: string;
  kind?: string;
  lastSyncAt?: string | null;
  lastSyncStatus?: string;
}

function workspaceJson(text: string | undefined, conversions: readonly Conversion[], importedAt: string, asOf: string): string {
  const json = (text === undefined ? { currency: 'USD', asOf, inactiveAfterDays: 21, staleAfterHours: 24, integrations: [] } : JSON.parse(text.replace(/^\uFEFF/, ''))) as { integrations?: IntegrationJson[] } & Record<string, unknown>;
  const integrations = new Map((json.integrations ?? []).map((i) => [i.id, i]));
  for (const c of conversions) {
    if (c.integration === null) continue;
    const { id, name, kind, exportedAt } = c.integration;
    integrations.set(id, { ...integrations.get(id), id, name, kind, lastSyncAt: syncTime(exportedAt, importedAt), lastSyncStatus: 'ok' });
  }
  return `${JSON.stringify({ ...json, integrations: [...integrations.values()] }, null, 2)}\n`;
}

/**
 * The export's own time, no later than the import (an export is never newer than its import: a
 * zone-less time read as UTC may be a local time east of Greenwich), else the import time. convert.ts
 * caps it already when given the import time; a conversion made without it is capped here.
 */
function syncTime(exportedAt: string | null, importedAt: string): string {
  if (exportedAt === null) return importedAt;
  return Date.parse(exportedAt) > Date.parse(importedAt) ? importedAt : exportedAt;
}
