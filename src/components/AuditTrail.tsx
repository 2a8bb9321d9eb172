import { createMemo, createSignal } from 'solid-js';
import type { AuditEntry } from '../../worker/doc/schema';
import { core } from '../state/workspace';
import { DataGrid } from './DataGrid';
import { follow } from './follow';
import { formatDateTime } from './format';

/** The audit trail, for the whole workspace or (clientId) one client. */
export function AuditTrail(props: { clientId?: string }) {
  const entries = follow('audit', () => core.audit(props.clientId), []);
  const [search, setSearch] = createSignal('');
  const rows = createMemo(() => [...entries()].reverse());
  return (
    <>
      <div class="toolbar">
        <input type="search" placeholder="Filter changes…" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Filter changes" />
        <span class="muted">Every mapping edit, decision and note, with who made it (set your name in Settings).</span>
      </div>
      <DataGrid<AuditEntry & { n: number }>
        testId="audit-grid"
        height="calc(100vh - 300px)"
        rows={rows().map((e, n) => ({ ...e, n }))}
        rowId={(r) => `${r.at}|${r.n}`}
        quickFilter={search()}
        emptyMessage="No changes yet."
        columns={[
          { field: 'at', headerName: 'When', width: 180, valueFormatter: (p) => formatDateTime(p.value as string) },
          { field: 'by', headerName: 'Who', width: 140 },
          { field: 'kind', headerName: 'What', width: 110 },
          { field: 'clientId', headerName: 'Client', width: 110 },
          { field: 'what', headerName: 'Change', flex: 1, tooltipField: 'what' },
        ]}
      />
    </>
  );
}
