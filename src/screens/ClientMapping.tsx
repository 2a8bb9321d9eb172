import { Show, createResource } from 'solid-js';
import type { ClientMapEntry } from '../../worker/engine/model';
import type { UnmappedClientView } from '../../worker/views/types';
import { badgeCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { EmptyState, PageHeader } from '../components/ui';
import { engine, revision } from '../state/workspace';

export function ClientMapping() {
  const [unmapped] = createResource(revision, () => engine.unmappedClients());
  const [map] = createResource(revision, () => engine.clientMap());
  return (
    <section>
      <PageHeader title="Client mapping" subtitle="Which PSA client each integration client is. Unmapped clients' usage is not on anyone's invoice: map them first." />
      <h2 class="section-title">Unmapped integration clients ({unmapped()?.length ?? 0})</h2>
      <Show when={(unmapped() ?? []).length > 0} fallback={<EmptyState title="Every integration client is mapped">Nothing to do here this month.</EmptyState>}>
        <DataGrid<UnmappedClientView>
          testId="unmapped-grid"
          rows={unmapped() ?? []}
          rowId={(r) => `${r.integrationId}|${r.externalClientId}`}
          columns={[
            { field: 'integrationId', headerName: 'Integration', width: 140 },
            { field: 'externalClientName', headerName: 'Integration client', flex: 1 },
            { field: 'externalClientId', headerName: 'External ID', flex: 1 },
            { field: 'records', headerName: 'Usage rows', type: 'numericColumn', width: 130 },
          ]}
        />
        <p class="muted">To map them now, add rows to client_map.csv and import it; editing in place comes with the mapping workbench.</p>
      </Show>
      <h2 class="section-title">Current client map ({map()?.length ?? 0})</h2>
      <DataGrid<ClientMapEntry>
        testId="client-map-grid"
        height="360px"
        rows={map() ?? []}
        rowId={(r) => `${r.integrationId}|${r.externalClientId}`}
        emptyMessage="No client map yet: import a client_map.csv."
        columns={[
          { field: 'integrationId', headerName: 'Integration', width: 140 },
          { field: 'externalClientId', headerName: 'External ID', flex: 1 },
          { field: 'status', headerName: 'Status', width: 130, cellRenderer: badgeCell },
          { field: 'psaClientId', headerName: 'PSA client', flex: 1 },
        ]}
      />
    </section>
  );
}
