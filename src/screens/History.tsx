import { createResource } from 'solid-js';
import { badgeCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { formatDateTime } from '../components/format';
import { PageHeader } from '../components/ui';
import type { ImportRecord } from '../state/db';
import { importHistory, revision } from '../state/workspace';

export function History() {
  const [rows] = createResource(revision, () => importHistory());
  return (
    <section>
      <PageHeader title="History" subtitle="Every import of this workspace: what came in, when, and what it replaced. A failed import kept nothing; its problems are listed here." />
      <DataGrid<ImportRecord>
        testId="history-grid"
        height="calc(100vh - 220px)"
        rows={rows() ?? []}
        rowId={(r) => r.id}
        emptyMessage="Nothing imported yet."
        columns={[
          { field: 'importedAt', headerName: 'When', width: 180, sort: 'desc', valueFormatter: (p) => formatDateTime(p.value as string) },
          { field: 'fileName', headerName: 'File', flex: 1 },
          { field: 'kind', headerName: 'Kind', width: 130 },
          { field: 'rows', headerName: 'Rows', type: 'numericColumn', width: 110 },
          { field: 'replaced', headerName: 'Replaced rows', type: 'numericColumn', width: 140, headerTooltip: 'Usage rows replaced by a later row with the same identity' },
          { field: 'integrationIds', headerName: 'Integrations', width: 150, valueFormatter: (p) => (p.value as string[]).join(', ') },
          { field: 'status', headerName: 'Status', width: 130, cellRenderer: badgeCell },
          { field: 'errors', headerName: 'Problems', flex: 2, valueFormatter: (p) => ((p.value as string[] | undefined) ?? []).join(' | '), tooltipValueGetter: (p) => ((p.value as string[] | undefined) ?? []).join('\n') },
        ]}
      />
    </section>
  );
}
