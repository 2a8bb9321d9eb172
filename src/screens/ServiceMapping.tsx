import { Show, createResource } from 'solid-js';
import type { ServiceRule } from '../../worker/engine/model';
import type { UnaccountedView } from '../../worker/views/types';
import { badgeCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { EmptyState, PageHeader } from '../components/ui';
import { engine, revision } from '../state/workspace';

export function ServiceMapping() {
  const [rules] = createResource(revision, () => engine.serviceMap());
  const [unaccounted] = createResource(revision, () => engine.unaccounted());
  return (
    <section>
      <PageHeader title="Service mapping" subtitle="Rules, in order: the first rule whose integration, product pattern (* = anything) and category match a usage row decides it." />
      <h2 class="section-title">Products no rule covers ({unaccounted()?.length ?? 0})</h2>
      <Show when={(unaccounted() ?? []).length > 0} fallback={<EmptyState title="Every product is covered">Each usage row of a mapped client is mapped or excluded by a rule.</EmptyState>}>
        <DataGrid<UnaccountedView>
          testId="unaccounted-grid"
          height="300px"
          rows={unaccounted() ?? []}
          rowId={(r) => `${r.clientId}|${r.integrationId}|${r.product}`}
          columns={[
            { field: 'integrationId', headerName: 'Integration', width: 140 },
            { field: 'product', headerName: 'Product', flex: 1 },
            { field: 'clientName', headerName: 'Client', flex: 1, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
            { field: 'records', headerName: 'Rows', type: 'numericColumn', width: 110 },
          ]}
        />
      </Show>
      <h2 class="section-title">Rules ({rules()?.length ?? 0})</h2>
      <DataGrid<ServiceRule>
        testId="rules-grid"
        rows={rules() ?? []}
        rowId={(r) => r.ruleId}
        emptyMessage="No rules yet: import a service_map.csv."
        options={{ defaultColDef: { sortable: false, resizable: true } }}
        columns={[
          { headerName: '#', width: 70, valueGetter: (p) => (p.node?.rowIndex ?? 0) + 1 },
          { field: 'ruleId', headerName: 'Rule', width: 110 },
          { field: 'integrationId', headerName: 'Integration', width: 130 },
          { field: 'product', headerName: 'Product pattern', flex: 1 },
          { field: 'category', headerName: 'Category', width: 130, valueFormatter: (p) => (p.value as string) || 'any' },
          { field: 'action', headerName: 'Action', width: 110, cellRenderer: badgeCell },
          { field: 'psaServiceId', headerName: 'PSA service', width: 160 },
          { field: 'count', headerName: 'Counts', width: 120 },
        ]}
      />
    </section>
  );
}
