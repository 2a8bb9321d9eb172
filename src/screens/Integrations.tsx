import { Show } from 'solid-js';
import type { IntegrationView } from '../../worker/views/types';
import { DataGrid } from '../components/DataGrid';
import { formatDateTime } from '../components/format';
import { badge } from '../components/cells';
import { EmptyState, PageHeader } from '../components/ui';
import { overview } from '../state/workspace';

export function Integrations() {
  const rows = () => overview()?.integrations ?? [];
  return (
    <section>
      <PageHeader title="Integrations" subtitle="Is every source fresh? Red: the last sync failed. Yellow: never synced or stale. Green: synced recently. In a CSV workflow, importing a usage file is the sync." />
      <Show when={rows().length > 0} fallback={<EmptyState title="No integrations yet">Import a usage CSV (integration_id, external_client_id, record_id, product, …): each integration in it appears here.</EmptyState>}>
        <DataGrid<IntegrationView>
          testId="integrations-grid"
          rows={rows()}
          rowId={(r) => r.id}
          columns={[
            { field: 'status', headerName: 'Status', width: 160, cellRenderer: (p: { value: string }) => badge(p.value), sort: 'asc', comparator: (a: string, b: string) => ['red', 'yellow', 'green'].indexOf(a) - ['red', 'yellow', 'green'].indexOf(b) },
            { field: 'name', headerName: 'Integration', flex: 1, minWidth: 200 },
            { field: 'id', headerName: 'ID', width: 120 },
            { field: 'kind', headerName: 'Kind', width: 120 },
            { field: 'lastSyncAt', headerName: 'Last sync', width: 190, valueFormatter: (p) => formatDateTime(p.value as string | null) },
            { field: 'usageRows', headerName: 'Usage rows', type: 'numericColumn', width: 130 },
            { field: 'statusReason', headerName: 'Why', flex: 2, tooltipField: 'statusReason' },
          ]}
        />
      </Show>
    </section>
  );
}
