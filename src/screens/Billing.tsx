import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import { For, Match, Show, Switch, createMemo, createResource, createSignal } from 'solid-js';
import type { BillingFilter, ClientRowView, DiscrepancyGroup, DiscrepancyView, FlagView, GroupBy, InactiveSeatView, ReviewType } from '../../worker/views/types';
import { plainMoneyCell, badgeCell, badgeListCell, dateCell, deltaCell, moneyCell, quantityCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { countOf, decimalComparator, formatMagnitude, formatMoney } from '../components/format';
import { ReviewPanel } from '../components/ReviewPanel';
import { EmptyState, PageHeader, Tabs, download } from '../components/ui';
import { clientPath, go, route } from '../router';
import { clientRows, core, overview, revision } from '../state/workspace';
import './Billing.css';
import { pausedSearch } from '../components/pausedSearch';

const TYPES: { id: ReviewType; label: string; hint: string }[] = [
  { id: 'calculated', label: 'Calculated', hint: 'Rate from the invoice itself (hard values)' },
  { id: 'estimated', label: 'Estimated', hint: 'A price is missing: rate from the median or the catalog' },
  { id: 'unmapped', label: 'New revenue', hint: 'Usage with no PSA line (spec type "unmapped"): new revenue' },
  { id: 'unaccounted', label: 'Unaccounted', hint: 'A (client, product) group no service rule covers' },
];

const currency = () => overview()?.currency ?? 'USD';
/** Long lists scroll inside the grid (it renders only the visible rows). */
const TALL = 'max(420px, calc(100vh - 330px))';

export function Billing() {
  const tab = () => {
    const r = route();
    return r.screen === 'billing' ? r.tab : 'invoices';
  };
  return (
    <section>
      <PageHeader title="Billing & Invoices" subtitle="Where each client's invoice disagrees with usage, and what it is worth. Largest absolute amount first." />
      <Tabs
        base="billing"
        active={tab()}
        tabs={[
          { id: 'invoices', label: 'Reconciled invoices', count: overview()?.clients },
          { id: 'review', label: 'Review & approve', count: overview()?.toReview },
          { id: 'flags', label: 'Flagged services', count: overview()?.flags },
          { id: 'inactive', label: 'Inactive seats', count: overview()?.inactiveSeats },
        ]}
      />
      <Switch>
        <Match when={tab() === 'invoices'}>
          <ReconciledInvoices />
        </Match>
        <Match when={tab() === 'review'}>
          <ReviewPanel />
        </Match>
        <Match when={tab() === 'flags'}>
          <FlaggedServices />
        </Match>
        <Match when={tab() === 'inactive'}>
          <InactiveSeats />
        </Match>
      </Switch>
    </section>
  );
}

type GroupedRow = { kind: 'group'; group: DiscrepancyGroup } | ({ kind: 'row' } & DiscrepancyView);

function ReconciledInvoices() {
  // A chart's bar opens this table filtered to it: #/billing/invoices?integration=m365, ?group=service&search=….
  const asked = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [integration, setIntegration] = createSignal(asked.get('integration') ?? '');
  const [types, setTypes] = createSignal<ReviewType[]>([]);
  const [search, setSearch] = createSignal(asked.get('search') ?? '');
  const [groupBy, setGroupBy] = createSignal<GroupBy | ''>(asked.get('group') === 'service' ? 'service' : '');
  const filter = (): BillingFilter => ({ integrationId: integration() || undefined, types: types() });
  const [clients] = createResource(() => ({ r: revision(), f: filter(), g: groupBy() }), (k) => (k.g ? Promise.resolve<ClientRowView[]>([]) : clientRows(k.f)));
  const [groups] = createResource(() => ({ r: revision(), f: filter(), g: groupBy() }), (k) => (k.g ? core.groups(k.g, k.f) : Promise.resolve<DiscrepancyGroup[]>([])));
  const grouped = createMemo<GroupedRow[]>(() => (groups() ?? []).flatMap((g) => [{ kind: 'group' as const, group: g }, ...g.rows.map((r) => ({ kind: 'row' as const, ...r }))]));
  const toggle = (t: ReviewType) => setTypes((ts) => (ts.includes(t) ? ts.filter((x) => x !== t) : [...ts, t]));

  const exportCsv = async (which: 'clients' | 'discrepancies') => {
    download(`ledgerline-${which}-${overview()?.asOfDate ?? 'export'}.csv`, await core.exportCsv(which), 'text/csv;charset=utf-8');
  };

  return (
    <>
      <div class="toolbar">
        <label>
          Integration{' '}
          <select value={integration()} onChange={(e) => setIntegration(e.currentTarget.value)} data-testid="filter-integration">
            <option value="">All integrations</option>
            <For each={overview()?.integrations ?? []}>{(i) => <option value={i.id}>{i.name}</option>}</For>
          </select>
        </label>
        <div class="chips" role="group" aria-label="Discrepancy type">
          <For each={TYPES}>
            {(t) => (
              <button classList={{ chip: true, on: types().includes(t.id) }} aria-pressed={types().includes(t.id)} title={t.hint} onClick={() => toggle(t.id)}>
                {t.label}
              </button>
            )}
          </For>
        </div>
        <label>
          Group by{' '}
          <select value={groupBy()} onChange={(e) => setGroupBy(e.currentTarget.value as GroupBy | '')} data-testid="group-by">
            <option value="">Client (no grouping)</option>
            <option value="account">Account</option>
            <option value="service">Service</option>
            <option value="contract">Contract (agreement)</option>
          </select>
        </label>
        <input type="search" placeholder="Search clients, services…" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Quick search" data-testid="quick-search" />
        <span class="spacer" />
        <button class="secondary" onClick={() => exportCsv('clients')}>Export clients CSV</button>
        <button class="secondary" onClick={() => exportCsv('discrepancies')}>Export discrepancies CSV</button>
      </div>
      <Show
        when={groupBy()}
        fallback={
          // Created with its first rows, not empty and then filled: one pass of the grid on opening instead of two.
          <Show when={clients()} fallback={<div class="loading">Loading clients…</div>}>
            {(rows) => (
              <Show
                when={rows().length > 0}
                fallback={
                  integration() || types().length > 0 ? (
                    <EmptyState title="No clients match">Nothing matches these filters. Clear a filter to see more clients.</EmptyState>
                  ) : (
                    <EmptyState title="No clients yet">Import PSA and usage files (drop them anywhere on this page) to see the reconciled invoices.</EmptyState>
                  )
                }
              >
                <DataGrid<ClientRowView>
                  testId="clients-grid"
                  height={TALL}
                  rows={rows()}
                  rowId={(r) => r.clientId}
                  quickFilter={search()}
                  columns={clientColumns()}
                  onOpen={(r) => go(clientPath(r.clientId))}
                />
              </Show>
            )}
          </Show>
        }
      >
        <DataGrid<GroupedRow>
          testId="grouped-grid"
          height={TALL}
          rows={grouped()}
          rowId={(r) => (r.kind === 'group' ? `g:${r.group.key}` : `r:${r.key}:${groupBy()}`)}
          quickFilter={search()}
          columns={discrepancyColumns() as ColDef<GroupedRow>[]}
          onOpen={(r) => r.kind === 'row' && go(clientPath(r.clientId))}
          options={{
            isFullWidthRow: (p) => p.rowNode.data?.kind === 'group',
            fullWidthCellRenderer: groupRowRenderer,
            defaultColDef: { sortable: false, resizable: true, filter: false },
          }}
        />
      </Show>
    </>
  );
}

function groupRowRenderer(p: ICellRendererParams<GroupedRow>): HTMLElement {
  const g = (p.data as { group: DiscrepancyGroup }).group;
  const row = document.createElement('div');
  row.className = 'group-row';
  const label = document.createElement('strong');
  label.textContent = g.label;
  const meta = document.createElement('span');
  meta.textContent = `${g.count} discrepanc${g.count === 1 ? 'y' : 'ies'} · total ${formatMoney(g.amount, currency())} · absolute ${formatMagnitude(g.amountAbs, currency())}`;
  row.append(label, meta);
  return row;
}

export function clientColumns(): ColDef<ClientRowView>[] {
  return [
    { field: 'clientName', headerName: 'Client', width: 320, minWidth: 220, valueGetter: (p) => p.data?.clientName || p.data?.clientId, tooltip: (p) => p.data?.clientId },
    { field: 'seatCount', headerName: 'Seats', type: 'numericColumn', width: 100 },
    { field: 'serviceCount', headerName: 'Services', type: 'numericColumn', width: 110 },
    { field: 'discrepancyCount', headerName: 'Discrepancies', type: 'numericColumn', width: 140 },
    { field: 'discrepancyAmount', headerName: `Amount (${currency()})`, type: 'rightAligned', width: 150, comparator: decimalComparator, cellRenderer: moneyCell(currency), headerTooltip: 'Signed: + under-billed (add to the invoice), − over-billed (credit)' },
    { field: 'discrepancyAmountAbs', headerName: `Absolute (${currency()})`, type: 'rightAligned', width: 150, comparator: decimalComparator, sort: 'desc', cellRenderer: plainMoneyCell(currency), headerTooltip: 'Sum of absolute amounts: the triage order' },
    { field: 'billingCycle', headerName: 'Billing cycle', width: 130, filter: true },
    { field: 'types', headerName: 'Kinds', width: 200, minWidth: 130, cellRenderer: badgeListCell, sortable: false, cellDataType: false },
    { field: 'note', headerName: 'Note', width: 200, minWidth: 140, tooltip: (p) => p.data?.note },
  ];
}

export function discrepancyColumns(): ColDef<DiscrepancyView>[] {
  return [
    { field: 'clientName', headerName: 'Client', minWidth: 180, width: 200, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
    { field: 'serviceName', headerName: 'Service / product', minWidth: 180, width: 200, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId, tooltip: (p) => p.data?.serviceId },
    { field: 'type', headerName: 'Type', width: 150, cellRenderer: badgeCell },
    { field: 'invoicedQty', headerName: 'Invoiced', type: 'rightAligned', width: 100, cellRenderer: quantityCell, comparator: decimalComparator },
    { field: 'systemCount', headerName: 'System', type: 'rightAligned', width: 100, cellRenderer: quantityCell, comparator: decimalComparator },
    { field: 'qtyDelta', headerName: 'Δ qty', type: 'rightAligned', width: 90, cellRenderer: deltaCell, comparator: decimalComparator },
    { field: 'unitRate', headerName: `Rate (${currency()})`, type: 'rightAligned', width: 120, cellRenderer: plainMoneyCell(currency), comparator: decimalComparator, tooltip: (p) => p.data?.rateBasis },
    { field: 'amount', headerName: `Amount (${currency()})`, type: 'rightAligned', width: 140, cellRenderer: moneyCell(currency), comparator: decimalComparator },
    { field: 'rateSource', headerName: 'Rate source', width: 160, cellRenderer: badgeCell, tooltip: (p) => p.data?.rateBasis },
    { field: 'integrationIds', headerName: 'Integrations', width: 120, valueFormatter: (p) => (p.value as string[] | undefined)?.join(', ') ?? '' },
    { field: 'note', headerName: 'Note', width: 160, tooltip: (p) => p.data?.note },
  ];
}

function FlaggedServices() {
  const [rows] = createResource(revision, () => core.flags());
  const [search, setSearch] = createSignal('');
  return (
    <>
      <div class="toolbar">
        <input type="search" placeholder="Filter flags…" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Filter flags" />
      </div>
      <Show when={(rows() ?? []).length > 0 || rows.loading} fallback={<EmptyState title="No flagged services">Every current invoice line has a price, one price per service per invoice, and a positive quantity.</EmptyState>}>
        <DataGrid<FlagView>
          testId="flags-grid"
          height={TALL}
          rows={rows() ?? []}
          rowId={(r) => `${r.clientId}|${r.invoiceId}|${r.serviceId}|${r.flag}`}
          quickFilter={search()}
          onOpen={(r) => go(clientPath(r.clientId, 'lines'))}
          columns={[
            { field: 'clientName', headerName: 'Client', width: 200, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
            { field: 'invoiceId', headerName: 'Invoice', width: 140 },
            { field: 'serviceName', headerName: 'Service', width: 200, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId },
            { field: 'flag', headerName: 'Flag', width: 190, cellRenderer: badgeCell },
            { field: 'detail', headerName: 'Why it matters', width: 320 },
          ]}
        />
      </Show>
    </>
  );
}

/** Inactive seats on the page at once: the longest inactive; a search reaches the others (workspaceView.inactiveSeatPage). */
const INACTIVE_SHOWN = 2000;

function InactiveSeats() {
  const { search, asked, type } = pausedSearch();
  const [page] = createResource(() => ({ r: revision(), q: asked() }), (k) => core.inactiveSeatPage(k.q, INACTIVE_SHOWN));
  const rows = () => page.latest?.rows ?? [];
  return (
    <>
      <div class="toolbar">
        <input type="search" placeholder="Search all inactive seats…" value={search()} onInput={(e) => type(e.currentTarget.value)} aria-label="Search inactive seats" />
        <span class="muted" data-testid="inactive-shown">
          <Show when={page.latest} fallback="Billable seats not active for more than the inactive-after days (Settings).">
            {(p) =>
              p().rows.length < p().matching
                ? `The ${p().rows.length.toLocaleString('en-US')} longest inactive of ${p().matching.toLocaleString('en-US')} ${asked().trim() ? 'matching seats' : 'inactive seats'}: search to reach the others.`
                : `${p().matching === p().total ? '' : `${p().matching.toLocaleString('en-US')} of `}${countOf(p().total, 'inactive seat')}: not active for more than the inactive-after days (Settings).`
            }
          </Show>
        </span>
      </div>
      <Show when={rows().length > 0 || page.loading || asked().trim() !== ''} fallback={<EmptyState title="No inactive seats">Every billable seat was active recently (or its last activity is unknown).</EmptyState>}>
        <DataGrid<InactiveSeatView>
          testId="inactive-grid"
          height={TALL}
          rows={rows()}
          rowId={(r) => `${r.integrationId}|${r.recordId}|${r.product}`}
          emptyMessage="No inactive seat matches this search."
          onOpen={(r) => go(clientPath(r.clientId, 'seats'))}
          columns={[
            { field: 'clientName', headerName: 'Client', width: 200, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
            { field: 'integrationId', headerName: 'Integration', width: 130 },
            { field: 'recordId', headerName: 'Record', width: 200 },
            { field: 'product', headerName: 'Product', width: 200 },
            { field: 'lastActive', headerName: 'Last active', width: 130, cellRenderer: dateCell },
            { field: 'daysInactive', headerName: 'Days inactive', type: 'numericColumn', width: 140, sort: 'desc' },
          ]}
        />
      </Show>
    </>
  );
}
