import { For, Show } from 'solid-js';
import type { IntegrationView } from '../../worker/views/types';
import { DataGrid } from '../components/DataGrid';
import { badgeCell, dateTimeCell } from '../components/cells';
import { formatDateTime } from '../components/format';
import { EmptyState, PageHeader } from '../components/ui';
import { overview } from '../state/workspace';

/** Long names and reasons wrap instead of being cut off. */
const WRAP = { lineHeight: '1.4', paddingTop: '8px', paddingBottom: '8px' };

export function Integrations() {
  const rows = () => overview()?.integrations ?? [];
  const failedImports = () => rows().filter((i) => i.importFailedAt);
  const psaFailure = () => overview()?.psaImportFailure ?? null;
  return (
    <section>
      <PageHeader title="Integrations" subtitle="Is every source fresh? Red: the last sync failed and none of its data is in use. Yellow: never synced, stale, or its last import failed (the numbers then use the previous import). Green: synced recently. Importing an export is the sync: its last sync is the export's own time when the file has one, else the import's." />
      <Show when={failedImports().length > 0 || psaFailure()}>
        <div class="warning-band yellow" data-testid="failed-imports">
          <Show when={psaFailure()}>
            {(failure) => (
              <p style={{ margin: 0 }} data-testid="psa-import-failed">
                <strong>PSA: the last import failed</strong> ({formatDateTime(failure().at)}{failure().fileName ? `, ${failure().fileName}` : ''}), so nothing of it was imported. The clients, invoice lines and catalog in use are from the previous PSA import.
              </p>
            )}
          </Show>
          <For each={failedImports()}>
            {(i) => (
              <p style={{ margin: 0 }}>
                <strong>{i.name}: the last import failed</strong> ({formatDateTime(i.importFailedAt)}), so nothing of it was imported.{' '}
                {i.status === 'red' ? 'No earlier import of it is in use.' : `The data in use is from the previous import (${formatDateTime(i.lastSyncAt)}).`}
              </p>
            )}
          </For>
        </div>
      </Show>
      <Show when={rows().length > 0} fallback={<EmptyState title="No integrations yet">Drop a usage export here (Microsoft 365 active users, NinjaOne devices, Pax8 invoice, N-able, SentinelOne, or any CSV / .xlsx through the import wizard): each integration it brings appears here, with the export's time as its last sync.</EmptyState>}>
        <DataGrid<IntegrationView>
          testId="integrations-grid"
          rows={rows()}
          rowId={(r) => r.id}
          columns={[
            { field: 'status', headerName: 'Status', width: 140, minWidth: 100, cellRenderer: badgeCell, sort: 'asc', comparator: (a: string, b: string) => ['red', 'yellow', 'green'].indexOf(a) - ['red', 'yellow', 'green'].indexOf(b) },
            { field: 'name', headerName: 'Integration', width: 180, minWidth: 170, wrapText: true, autoHeight: true, cellStyle: WRAP },
            { field: 'id', headerName: 'ID', width: 100, minWidth: 100 },
            { field: 'kind', headerName: 'Kind', width: 90, minWidth: 90 },
            { field: 'lastSyncAt', headerName: 'Last sync', width: 175, minWidth: 175, cellRenderer: dateTimeCell },
            { field: 'usageRows', headerName: 'Usage rows', type: 'numericColumn', width: 110, minWidth: 110 },
            { field: 'statusReason', headerName: 'Why', width: 200, minWidth: 150, tooltip: (p) => p.data?.statusReason, wrapText: true, autoHeight: true, cellStyle: WRAP },
          ]}
        />
      </Show>
    </section>
  );
}
