/**
 * An integration's status as the app shows it: the engine's §6 health of the data in use, told
 * apart from a failed import of the source. A refused file changes no number (nothing of it is
 * written), so when an earlier import of the source is in use the source is only a warning
 * (yellow: "the data in use is from the previous import"), not a failed sync (red); red is kept
 * for a source whose only import failed, which has nothing in use at all.
 */
import type { IntegrationSettings, Settings } from '../engine/model';
import type { HealthStatus } from '../engine/report.types';

/** The last failed import of a source, kept until an import of that source succeeds. */
export interface ImportFailure {
  /** ISO time of the failed import. */
  at: string;
  /** The file(s) that carried the source and were refused. */
  fileName: string;
}

/** Failed imports by source: an integration id, or PSA_SOURCE for the PSA's clients, lines and catalog. */
export type ImportFailures = Record<string, ImportFailure>;

export const PSA_SOURCE = 'psa';

/** The engine's integration settings, as the core's loader gives them: with the source's failed import, if any. */
export type IntegrationWithFailure = IntegrationSettings & { importFailedAt?: string | null };

/** The engine's settings as the core's loader gives them: with the PSA's failed import, if any (the engine ignores it). */
export type SettingsWithPsaFailure = Settings & { psaImportFailure?: ImportFailure | null };

/** A date-time as the Integrations screen writes it ("2026-11-28 13:00 UTC"). */
function when(iso: string | number): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/**
 * The status and the sentence for one integration: the engine's `health` unless the source's
 * last import failed, which then says so and says which data is in use.
 */
export function integrationStatus(i: IntegrationWithFailure, health: HealthStatus, staleAfterHours: number): { status: HealthStatus; statusReason: string; importFailedAt: string | null } {
  const failedAt = i.importFailedAt ?? null;
  if (failedAt !== null && i.lastSyncStatus === 'ok') {
    const previous = i.lastSyncAt === null ? 'the previous import' : `the previous import (${when(i.lastSyncAt)})`;
    return { status: 'yellow', importFailedAt: failedAt, statusReason: `Last import failed (${when(failedAt)}): nothing of it was imported. The data in use is from ${previous}.` };
  }
  if (failedAt !== null) {
    return { status: 'red', importFailedAt: failedAt, statusReason: `The import failed (${when(failedAt)}) and no earlier import of it is in use: fix the file and import it again.` };
  }
  const statusReason =
    health === 'red' ? 'The last sync failed: fix and re-import before relying on these numbers.'
    : i.lastSyncAt === null ? 'Never synced: import a usage file for this integration.'
    : health === 'yellow' ? `Stale: last synced more than ${staleAfterHours} hours before the as-of time.`
    : `Synced within ${staleAfterHours} hours of the as-of time.`;
  return { status: health, statusReason, importFailedAt: null };
}

/**
 * The sync log as the engine should read it, with the failed imports beside it: a failed import
 * recorded the old way (a "failed" sync entry, before failures were kept apart) becomes a failure,
 * and the source's sync is then the time its data in use is from (`dataSince`), when it has any.
 */
export function splitFailedSyncs(
  syncLog: Record<string, { at: string; status: 'ok' | 'failed' }>,
  failures: ImportFailures,
  dataSince: (integrationId: string) => string | null,
  inUse: (integrationId: string) => boolean,
): { syncLog: Record<string, { at: string; status: 'ok' | 'failed' }>; failures: ImportFailures } {
  const log = { ...syncLog };
  const all = { ...failures };
  for (const [id, entry] of Object.entries(syncLog)) {
    if (entry.status !== 'failed') continue;
    all[id] ??= { at: entry.at, fileName: '' };
    const since = dataSince(id);
    log[id] = since === null ? entry : { at: since, status: 'ok' };
  }
  // A source whose only import failed has no good sync: the engine's §6 then says red (a failed sync).
  for (const [id, failure] of Object.entries(all)) if (id !== PSA_SOURCE && !log[id] && !inUse(id)) log[id] = { at: failure.at, status: 'failed' };
  return { syncLog: log, failures: all };
}
