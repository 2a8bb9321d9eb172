/**
 * The engine's input: the workspace bundle of spec §1 as plain data, so the same object feeds the
 * Web Worker, the CLI and the tests. All of it is structured-cloneable except the usage table's
 * record ids (a RecordIds, ranges of the file's bytes), which cross threads and reach IndexedDB
 * packed (worker/bundle/usagePack.ts).
 * Quantities and prices are bigint units (value × 10^4, see decimal.ts).
 */

import type { RecordIds } from './recordIds';

export interface IntegrationSettings {
  id: string;
  name: string;
  kind: string;
  /** Epoch milliseconds, or null when never synced. */
  lastSyncAt: number | null;
  lastSyncStatus: 'ok' | 'failed';
}

export interface Settings {
  currency: string;
  /** Epoch milliseconds. */
  asOf: number;
  inactiveAfterDays: number;
  staleAfterHours: number;
  integrations: IntegrationSettings[];
}

export interface PsaClient {
  clientId: string;
  clientName: string;
}

export type BillingCycle = 'monthly' | 'annual' | '';

export interface PsaLine {
  lineId: string;
  clientId: string;
  invoiceId: string;
  serviceId: string;
  serviceName: string;
  quantity: bigint;
  /** null when blank (a missing price). */
  unitPrice: bigint | null;
  billingCycle: BillingCycle;
  /** Day numbers (days since 1970-01-01), inclusive. */
  periodStart: number;
  periodEnd: number;
  agreementId: string;
}

export interface CatalogItem {
  serviceId: string;
  serviceName: string;
  listPrice: bigint | null;
}

/** A column with few distinct values, dictionary-encoded: row i holds values[codes[i]]. */
export interface CodedColumn {
  values: string[];
  codes: Uint32Array;
}

/** Sentinel for a blank last_active. */
export const NO_DAY = -2147483648;

/**
 * Usage rows, columnar: a million rows are a handful of typed arrays rather than a million
 * objects (memory, and cheap transfer to and from the worker and IndexedDB).
 * Invariant: identities (integration_id, record_id, lower-cased product) are unique (see dedupeUsage).
 */
export interface UsageTable {
  length: number;
  integrationId: CodedColumn;
  externalClientId: CodedColumn;
  externalClientName: CodedColumn;
  recordId: RecordIds;
  product: CodedColumn;
  category: CodedColumn;
  /** Units (× 10^4); a blank quantity is 1. */
  quantity: BigInt64Array;
  /** Day number, or NO_DAY when unknown. */
  lastActive: Int32Array;
  /**
   * Derived: a dense id per distinct (integration_id, record_id), the "seat" that spec §3 and
   * §4 count. Computed once when the table is built (see seats.ts), as hashing a million
   * record ids is the costliest step of a reconciliation.
   */
  seat: Int32Array;
  seatCount: number;
}

export type ClientMapStatus = 'mapped' | 'excluded';

export interface ClientMapEntry {
  integrationId: string;
  externalClientId: string;
  psaClientId: string;
  status: ClientMapStatus;
}

export interface ServiceRule {
  ruleId: string;
  integrationId: string;
  product: string;
  /** Blank matches any category. */
  category: string;
  action: 'map' | 'exclude';
  psaServiceId: string;
  count: 'records' | 'quantity';
}

export interface Decision {
  clientId: string;
  serviceId: string;
  decision: 'approve' | 'dismiss';
  /** Day number, or null for the default (first of the month after asOf). */
  effectiveDate: number | null;
  /** The reviewer's note (an extra column of decisions.csv); no effect on any number. */
  note?: string;
}

export interface Bundle {
  settings: Settings;
  clients: PsaClient[];
  lines: PsaLine[];
  catalog: CatalogItem[];
  usage: UsageTable;
  clientMap: ClientMapEntry[];
  serviceMap: ServiceRule[];
  decisions: Decision[];
}
