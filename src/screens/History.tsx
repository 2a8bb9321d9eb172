import type { ICellRendererParams } from 'ag-grid-community';
import { For, Match, Show, Switch, createResource, createSignal } from 'solid-js';
import type { MonthSnapshot } from '../../worker/review/snapshots';
import type { MonthBar } from '../../worker/views/charts';
import type { MonthComparison, MonthComparisonRow } from '../../worker/views/monthComparison';
import { Chart, CHART_COLOURS, barLength, moneyTick, type ChartOptions } from '../components/Chart';
import { badgeCell, moneyCell } from '../components/cells';
import { AuditTrail } from '../components/AuditTrail';
import { DataGrid } from '../components/DataGrid';
import { follow } from '../components/follow';
import { countOf, decimalComparator, formatDateTime, formatMagnitude, formatMoney } from '../components/format';
import { EmptyState, PageHeader, Tabs } from '../components/ui';
import type { ImportRecord } from '../../worker/core/db';
import { changed, core, overview } from '../state/workspace';

/** A Yjs array as a signal, for as long as the screen shows it. */
export function History() {
  const [tab, setTab] = createSignal<'changes' | 'imports' | 'months'>('changes');
  return (
    <section>
      <PageHeader title="History" subtitle="Who changed what and when (mappings, decisions, notes), every import, and the months you closed." />
      <Tabs
        active={tab()}
        onSelect={(id) => setTab(id as 'changes' | 'imports' | 'months')}
        testIdPrefix="history-"
        tabs={[
          { id: 'changes', label: 'Changes' },
          { id: 'imports', label: 'Imports' },
          { id: 'months', label: 'Month close' },
        ]}
      />
      <Switch>
        <Match when={tab() === 'changes'}>
          <AuditTrail />
        </Match>
        <Match when={tab() === 'imports'}>
          <Imports />
        </Match>
        <Match when={tab() === 'months'}>
          <MonthClose />
        </Match>
      </Switch>
    </section>
  );
}

function Imports() {
  const [rows] = createResource(changed('imports'), () => core.importHistory());
  return (
    <DataGrid<ImportRecord>
      testId="history-grid"
      height="calc(100vh - 260px)"
      rows={rows() ?? []}
      rowId={(r) => r.id}
      emptyMessage="Nothing imported yet."
      columns={[
        { field: 'importedAt', headerName: 'When', width: 180, sort: 'desc', valueFormatter: (p) => formatDateTime(p.value as string) },
        { field: 'fileName', headerName: 'File', flex: 1 },
        { field: 'kind', headerName: 'Kind', width: 130 },
        {
          colId: 'readAs',
          headerName: 'Read as',
          width: 200,
          valueGetter: (p) => (p.data?.profile ? `${p.data.profile.name}${p.data.scope?.externalClientId ? ` · ${p.data.scope.externalClientId}` : ''}` : 'bundle file'),
          tooltipValueGetter: (p) => (p.data?.skippedRows && Object.keys(p.data.skippedRows).length > 0 ? `Rows left out: ${Object.entries(p.data.skippedRows).map(([why, n]) => `${why} (${n})`).join('; ')}` : undefined),
        },
        { field: 'rows', headerName: 'Rows', type: 'numericColumn', width: 110 },
        { field: 'replaced', headerName: 'Replaced rows', type: 'numericColumn', width: 140, headerTooltip: 'Usage rows replaced by a later row with the same identity' },
        { field: 'integrationIds', headerName: 'Integrations', width: 150, valueFormatter: (p) => (p.value as string[]).join(', ') },
        { field: 'status', headerName: 'Status', width: 130, cellRenderer: badgeCell },
        { field: 'errors', headerName: 'Problems', flex: 2, valueFormatter: (p) => ((p.value as string[] | undefined) ?? []).join(' | '), tooltipValueGetter: (p) => ((p.value as string[] | undefined) ?? []).join('\n') },
      ]}
    />
  );
}

function MonthClose() {
  const snapshots = follow('snapshots', () => core.snapshots(), []);
  const [name, setName] = createSignal(monthName(overview()?.asOfDate));
  const [older, setOlder] = createSignal('');
  const [newer, setNewer] = createSignal('');
  const currency = () => overview()?.currency ?? 'USD';
  const close = async () => {
    const o = overview();
    if (!o) return;
    await core.closeMonth({ id: crypto.randomUUID(), name: name().trim() || monthName(o.asOfDate), createdAt: new Date().toISOString(), asOf: o.asOf, currency: o.currency });
  };
  const months = follow('snapshots', () => core.monthCloseChart(), []);
  // A month's bar shows that month against the one closed before it (or alone in the grid when it is the first).
  const pick = (month: MonthBar) => {
    const list = months();
    const at = list.findIndex((m) => m.id === month.id);
    setOlder(at > 0 ? list[at - 1]!.id : '');
    setNewer(month.id);
  };
  // The comparison is worked out in the core (exact cents, worker/views/monthComparison.ts); asked again when a month is picked or closed.
  const [compared] = createResource(
    () => ({ older: older(), newer: newer(), months: snapshots() }),
    (k): Promise<MonthComparison | null> => (k.older && k.newer ? core.monthComparison(k.older, k.newer) : Promise.resolve(null)),
  );
  const comparison = () => compared.latest ?? null;
  const changeRows = () => comparison()?.rows ?? [];
  return (
    <>
      <div class="card">
        <p>Closing a month freezes this reconciliation (every client's discrepancies and amounts) under a name, so later months can be compared with it.</p>
        <p class="muted" data-testid="snapshot-keeps">
          A snapshot keeps the <strong data-testid="snapshot-keeps-count">{overview()?.serviceDiscrepancies ?? 0}</strong> discrepancies on services; the{' '}
          {countOf(overview()?.unaccountedGroups ?? 0, 'unaccounted group')} that Home also counts have no service or amount, so they are not kept.
        </p>
        <div class="form-actions">
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} aria-label="Month name" data-testid="month-name" />
          <button onClick={() => void close()} data-testid="close-month">Close month</button>
        </div>
      </div>
      <Show when={snapshots().length > 0} fallback={<EmptyState title="No closed months yet">Close this month when its review is done; the next month can then be compared with it.</EmptyState>}>
        <Chart testId="chart-months" label="Closed months: net, absolute and new revenue, and how many discrepancies" height={300} options={monthOptions(months(), currency(), pick)} />
        <DataGrid<MonthSnapshot>
          testId="snapshots-grid"
          rows={[...snapshots()].reverse()}
          rowId={(r) => r.id}
          columns={[
            { field: 'name', headerName: 'Month', flex: 1 },
            { field: 'asOf', headerName: 'As of', width: 190, valueFormatter: (p) => formatDateTime(p.value as string) },
            { colId: 'serviceDiscrepancies', headerName: 'Service discrepancies', width: 190, type: 'numericColumn', valueGetter: (p) => p.data?.totals.discrepancies, headerTooltip: 'Discrepancies on a PSA service kept in the snapshot (unaccounted groups are not kept)' },
            { headerName: `Net (${currency()})`, width: 150, type: 'rightAligned', valueGetter: (p) => p.data?.totals.amount, cellRenderer: moneyCell(currency), comparator: decimalComparator },
            { field: 'createdAt', headerName: 'Closed', width: 190, valueFormatter: (p) => formatDateTime(p.value as string) },
          ]}
        />
        <div class="toolbar">
          <label>
            Compare{' '}
            <select value={older()} onChange={(e) => setOlder(e.currentTarget.value)} data-testid="compare-older">
              <option value="">an earlier month…</option>
              <For each={snapshots()}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            </select>
          </label>
          <label>
            with{' '}
            <select value={newer()} onChange={(e) => setNewer(e.currentTarget.value)} data-testid="compare-newer">
              <option value="">a later month…</option>
              <For each={snapshots()}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            </select>
          </label>
          <Show when={comparison()}>
            {(c) => (
              <span data-testid="comparison-summary">
                {c().appeared} appeared · {c().disappeared} disappeared · {c().changed} changed · {c().unchanged} unchanged · net change{' '}
                <strong>{formatMoney(c().totalChange, c().currency)}</strong>
              </span>
            )}
          </Show>
        </div>
        <Show when={comparison()}>
          <DataGrid<MonthComparisonRow>
            testId="comparison-grid"
            height="420px"
            rows={changeRows()}
            rowId={(r) => `${r.status}|${r.clientId}`}
            columns={[
              { field: 'status', headerName: 'Client', width: 130, cellRenderer: (p: ICellRendererParams) => (p.value as string)[0]!.toUpperCase() + (p.value as string).slice(1) },
              { field: 'clientName', headerName: 'Name', flex: 1, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
              { field: 'before', headerName: `Before (${currency()})`, width: 150, type: 'rightAligned', cellRenderer: moneyCell(currency), comparator: decimalComparator },
              { field: 'after', headerName: `After (${currency()})`, width: 150, type: 'rightAligned', cellRenderer: moneyCell(currency), comparator: decimalComparator },
              { field: 'change', headerName: `Change (${currency()})`, width: 150, type: 'rightAligned', cellRenderer: moneyCell(currency), comparator: decimalComparator },
              { headerName: 'Services', flex: 1, valueGetter: (p) => p.data?.discrepancies.map((d) => `${d.serviceId} ${d.status}`).join(', ') },
            ]}
          />
        </Show>
      </Show>
    </>
  );
}

function monthName(isoDate: string | undefined): string {
  if (!isoDate) return 'This month';
  const [year, month] = isoDate.split('-');
  return `${['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][Number(month) - 1]} ${year}`;
}

/** Each closed month's money as columns (exact strings in the tooltip), its discrepancy count as a line on its own axis. */
function monthOptions(months: MonthBar[], currency: string, open: (month: MonthBar) => void): ChartOptions {
  const data = months.map((m) => ({ ...m, netLength: barLength(m.net), absoluteLength: barLength(m.absolute), newRevenueLength: barLength(m.newRevenue) }));
  type Drawn = (typeof data)[number];
  const tooltip = {
    renderer: (p: { datum: Drawn }) => ({
      heading: p.datum.name,
      data: [
        { label: 'Net', value: formatMoney(p.datum.net, currency) },
        { label: 'Absolute', value: formatMagnitude(p.datum.absolute, currency) },
        { label: 'New revenue', value: `${formatMoney(p.datum.newRevenue, currency)} (${countOf(p.datum.newRevenueCount, 'item')})` },
        { label: 'Discrepancies', value: p.datum.count.toLocaleString('en-US') },
      ],
    }),
  };
  const listeners = { seriesNodeClick: (e: { datum: Drawn }) => open(e.datum) };
  return {
    data,
    series: [
      { type: 'bar', xKey: 'name', yKey: 'netLength', yName: 'Net', fill: CHART_COLOURS.accent, tooltip, listeners },
      { type: 'bar', xKey: 'name', yKey: 'absoluteLength', yName: 'Absolute', fill: CHART_COLOURS.muted, tooltip, listeners },
      { type: 'bar', xKey: 'name', yKey: 'newRevenueLength', yName: 'New revenue', fill: CHART_COLOURS.under, tooltip, listeners },
      { type: 'line', xKey: 'name', yKey: 'count', yName: 'Discrepancies', stroke: CHART_COLOURS.amber, marker: { fill: CHART_COLOURS.amber, stroke: CHART_COLOURS.amber }, tooltip, listeners },
    ],
    axes: [
      { type: 'category', position: 'bottom' },
      { type: 'number', position: 'left', keys: ['netLength', 'absoluteLength', 'newRevenueLength'], interval: { minSpacing: 40 }, label: { formatter: moneyTick(currency) } },
      { type: 'number', position: 'right', keys: ['count'], min: 0, title: { text: 'Discrepancies' } },
    ],
    legend: { position: 'bottom' },
  };
}
