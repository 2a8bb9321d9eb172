import type { IntegrationSettings } from './model';
import type { HealthStatus } from './report.types';

const MS_PER_HOUR = 3_600_000;

/** Spec §6: red on a failed sync; yellow when never synced or older than staleAfterHours (exactly that age is still green). */
export function integrationHealth(integration: IntegrationSettings, asOf: number, staleAfterHours: number): HealthStatus {
  if (integration.lastSyncStatus === 'failed') return 'red';
  if (integration.lastSyncAt === null) return 'yellow';
  return asOf - integration.lastSyncAt > staleAfterHours * MS_PER_HOUR ? 'yellow' : 'green';
}
