import Dexie, { type Table } from 'dexie';
import type { Dataset, DatasetKind } from '../bundle/parseDataset';
import type { PackedUsage, UsageBlock } from '../bundle/usagePack';
import type { RelayLink } from '../protocol/syncProtocol';
import type { AppSettings } from '../doc/settings';
import type { ViewCacheRecord } from './viewCache';
import type { ImportFailures } from '../views/integrationStatus';

/**
 * The local workspace's imported data in IndexedDB, opened by the core only (IndexedDB is
 * available in workers, so a million usage rows go from a drop to disk and from disk to the engine
 * without crossing the main thread).
 *
 * Usage is stored as coarse blocks of 65,536 rows (columnar typed arrays): IndexedDB writes one
 * record at a time at roughly 15k records/s with indexes, far too slow for a row per CSV row.
 */

export interface ImportRecord {
  id: string;
  /** One drop (or one bundle) is one batch: imported all together or not at all. */
  batchId: string;
  kind: DatasetKind;
  fileName: string;
  importedAt: string;
  bytes: number;
  rows: number;
  /** Usage rows replaced by a later row with the same identity (spec §1). */
  replaced: number;
  integrationIds: string[];
  status: 'current' | 'superseded' | 'failed';
  /** For a failed import: its problems, formatted. */
  errors?: string[];
  /** A raw export turned into this dataset: the profile that read it (absent for a bundle file). */
  profile?: { id: string; name: string; origin: 'builtin' | 'saved' };
  /**
   * What this usage import replaces when a later one comes: the whole integration (externalClientId
   * null) or one of its clients (a per-client export, e.g. one Microsoft 365 tenant). Absent for a
   * bundle usage file: the whole of each integration it names.
   */
  scope?: { integrationId: string; externalClientId: string | null; replaces?: string[] };
  /** Records read from the raw file, and those that produced no row, by reason. */
  rowsRead?: number;
  skippedRows?: Record<string, number>;
}

/** Small datasets whole; for usage only its dictionaries and row count (rows are in usageBlocks). */
export interface DatasetRecord {
  importId: string;
  dataset: Exclude<Dataset, { kind: 'usage' }> | { kind: 'usage'; packed: Omit<PackedUsage, 'blocks'>; replaced: number };
}

export interface UsageBlockRecord {
  importId: string;
  index: number;
  block: UsageBlock;
}

/**
 * Which import is current for each kind. Usage per scope (see `scopeKey`): an integration
 * ("m365"), or one external client of an integration ("m365\0contoso.com") for sources exported
 * per client. Workspaces from before per-client scopes only have integration keys, which mean the
 * same thing now: no migration needed.
 */
export interface CurrentImports {
  workspace?: string;
  psa_clients?: string;
  psa_lines?: string;
  psa_catalog?: string;
  /** Legacy: mapping and decision files live in the document now; older workspaces may still point here (never read). */
  client_map?: string;
  service_map?: string;
  decisions?: string;
  usage: Record<string, string>;
}

/** The key of a usage scope in `CurrentImports.usage`: the integration, or integration \0 external client. */
export function scopeKey(integrationId: string, externalClientId: string | null): string {
  return externalClientId === null ? integrationId : `${integrationId}\u0000${externalClientId}`;
}

export function parseScopeKey(key: string): { integrationId: string; externalClientId: string | null } {
  const at = key.indexOf('\u0000');
  return at < 0 ? { integrationId: key, externalClientId: null } : { integrationId: key.slice(0, at), externalClientId: key.slice(at + 1) };
}

export interface SyncEntry {
  at: string;
  status: 'ok' | 'failed';
}

export type { AppSettings } from '../doc/settings';
export { DEFAULT_APP_SETTINGS } from '../doc/settings';

export interface MetaValues {
  current: CurrentImports;
  /** Legacy: settings lived here before the document became their one home; read once at start to move them. */
  settings: AppSettings;
  /** Last sync per integration from CSV imports (an import is the sync). */
  syncLog: Record<string, SyncEntry>;
  /**
   * Per usage scope (integration, or integration + client), the time its data is from: the
   * export's own time when the file carries one, else the import's. An integration's last sync
   * is the oldest of its scopes (it is only as fresh as its stalest client).
   */
  scopeSync: Record<string, string>;
  /**
   * Per source (integration id, or 'psa'), its last failed import, until an import of it succeeds:
   * a refused file writes no data, so the numbers in use stay the previous import's.
   */
  importFailures: ImportFailures;
  /** Name and kind of integrations that imported raw exports made ("Microsoft 365", "m365"). */
  integrationInfo: Record<string, { name: string; kind: string }>;
  /** Bumped by every change of data, so the engine worker knows to reload. */
  dataVersion: number;
  /** True once the demo (or any data) was loaded on first start, so clearing it sticks. */
  initialised: boolean;
  /** Whether the data is the built-in demo (until the user imports anything of their own). */
  source: 'demo' | 'files';
  /** This device's link to a shared workspace (relay, workspace, token): a device's choice, not the workspace's. */
  relayLink: RelayLink | null;
  /** The relay admin key Settings shares workspaces with (worker/core/sharing.ts): this device's only, never in the document. */
  relayAdmin: { relayUrl: string; key: string } | null;
  /** Teammates' shared imports this device has applied (their batch ids). */
  appliedBatches: string[];
  /** The last reconciliation's opening views, with the key of their inputs (./viewCache.ts). */
  viewCache: ViewCacheRecord | null;
}

/** Meta keys that belong to this device rather than to the data: clearing the workspace keeps them. */
export const DEVICE_META_KEYS: readonly (keyof MetaValues)[] = ['relayLink', 'relayAdmin', 'appliedBatches'];

export interface MetaRecord<K extends keyof MetaValues = keyof MetaValues> {
  key: K;
  value: MetaValues[K];
}

export class LedgerlineDb extends Dexie {
  imports!: Table<ImportRecord, string>;
  datasets!: Table<DatasetRecord, string>;
  usageBlocks!: Table<UsageBlockRecord, [string, number]>;
  meta!: Table<MetaRecord, string>;

  constructor(name = 'ledgerline') {
    super(name);
    this.version(1).stores({
      imports: 'id, batchId, importedAt, kind',
      datasets: 'importId',
      usageBlocks: '[importId+index], importId',
      meta: 'key',
    });
  }

  async getMeta<K extends keyof MetaValues>(key: K, fallback: MetaValues[K]): Promise<MetaValues[K]> {
    const record = (await this.meta.get(key)) as MetaRecord<K> | undefined;
    return record ? record.value : fallback;
  }

  async setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
    await this.meta.put({ key, value } as MetaRecord);
  }
}

export const EMPTY_CURRENT: CurrentImports = { usage: {} };

export function openDb(): LedgerlineDb {
  return new LedgerlineDb();
}
