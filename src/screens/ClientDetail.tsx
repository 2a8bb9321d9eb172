import { For, Match, Show, Switch, createResource, createSignal } from 'solid-js';
import type { LineView, PairView, SeatView, UnaccountedView } from '../../worker/views/types';
import { badgeCell, dateCell, deltaCell, moneyCell, plainMoneyCell, quantityCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { decimalComparator, formatMoney, formatQuantity } from '../components/format';
import type { ServiceCountBar } from '../../worker/views/charts';
import { Chart, CHART_COLOURS, barLength, type ChartOptions } from '../components/Chart';
import { EmptyState, Money, PageHeader, StatusDot, Tabs } from '../components/ui';
import { clientPath, go, route } from '../router';
import { clientNoteKey } from '../../worker/doc/keys';
import { follow } from '../components/follow';
import { core, overview, revision } from '../state/workspace';
import { AuditTrail } from '../components/AuditTrail';
import './ClientDetail.css';

const SEAT_PAGE = 500;
const currency = () => overview()?.currency ?? 'USD';

export function ClientDetail() {
  const clientId = () => {
    const r = route();
    return r.screen === 'client' ? r.clientId : '';
  };
  // A chart's bar opens a tab filtered to it: #/billing/client/C1/lines?service=S1 (the filter after the '?').
  const tab = () => {
    const r = route();
    return r.screen === 'client' ? r.tab.replace(/\?.*$/, '') : 'services';
  };
  const serviceFilter = () => {
    const r = route();
    return r.screen === 'client' ? (new URLSearchParams(location.hash.split('?')[1] ?? '').get('service') ?? '') : '';
  };
  const [detail] = createResource(() => ({ id: clientId(), r: revision() }), (k) => core.clientDetail(k.id));

  return (
    <Show when={!detail.loading || detail()} fallback={<div class="loading">Loading client…</div>}>
      <Show
        when={detail()}
        fallback={
          <EmptyState title="Client not found">
            No client <code>{clientId()}</code> in this workspace. <a href="#/billing">Back to Billing & Invoices</a>
          </EmptyState>
        }
      >
        {(d) => (
          <section data-testid="client-detail">
            <p class="breadcrumb">
              <a href="#/billing">Billing & Invoices</a> › {d().client.clientName || d().client.clientId} <span class="muted">(Esc to go back)</span>
            </p>
            <PageHeader title={d().client.clientName || d().client.clientId} subtitle={`PSA client ${d().client.clientId} · ${d().client.billingCycle || 'no current lines'} billing`} />
            <ClientNote clientId={clientId()} />
            <div class="kpis">
              <div class="kpi">
                <span>Discrepancy</span>
                <strong data-testid="client-amount">
                  <Money amount={d().client.discrepancyAmount} currency={currency()} />
                </strong>
              </div>
              <div class="kpi">
                <span>Absolute</span>
                <strong>
                  <Money amount={d().client.discrepancyAmountAbs} currency={currency()} absolute />
                </strong>
              </div>
              <div class="kpi">
                <span>Discrepancies</span>
                <strong>{d().client.discrepancyCount}</strong>
              </div>
              <div class="kpi">
                <span>Seats</span>
                <strong>{d().client.seatCount}</strong>
              </div>
              <div class="kpi">
                <span>Services billed</span>
                <strong>{d().client.serviceCount}</strong>
              </div>
            </div>
            <Tabs
              base={clientPath(clientId()).replace(/\/services$/, '')}
              active={tab()}
              tabs={[
                { id: 'services', label: 'Compared services', count: d().pairs.length },
                { id: 'integrations', label: 'Integrations', count: d().integrations.length },
                { id: 'seats', label: 'Seats', count: d().client.seatCount },
                { id: 'lines', label: 'PSA services', count: d().lines.length },
                { id: 'unaccounted', label: 'Unaccounted', count: d().unaccounted.length },
                { id: 'history', label: 'History' },
              ]}
            />
            <Switch>
              <Match when={tab() === 'services'}>
                <p class="muted">
                  Each PSA service a mapping rule compares, with the quantity invoiced, the count from usage, and the rate behind the amount. "Invoice (hard value)" rates come
                  straight from this client's invoice lines; estimated ones are explained in the tooltip.
                </p>
                <ServiceCounts clientId={clientId()} />
                <DataGrid<PairView>
                  testId="pairs-grid"
                  rows={d().pairs}
                  rowId={(r) => r.serviceId}
                  columns={[
                    // Which integrations count it is in the tooltip: as a column it pushed Rate source off a 1280 px screen.
                    // Service names whole, wrapping onto a second line (a client has a few): "Manag…" three
                    // times said nothing, and a width for the longest pushed Rate source off a 1280 px screen.
                    { field: 'serviceName', headerName: 'Service', flex: 1, minWidth: 130, wrapText: true, autoHeight: true, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId, tooltipValueGetter: (p) => (p.data ? `${p.data.serviceId} · counted from ${p.data.integrationIds.join(', ') || 'no integration'}` : undefined) },
                    { field: 'type', headerName: 'Type', width: 150, cellRenderer: badgeCell },
                    { field: 'invoicedQty', headerName: 'Invoiced qty', type: 'rightAligned', width: 120, cellRenderer: quantityCell, comparator: decimalComparator },
                    { field: 'systemCount', headerName: 'System count', type: 'rightAligned', width: 125, cellRenderer: quantityCell, comparator: decimalComparator },
                    { field: 'qtyDelta', headerName: 'Δ qty', type: 'rightAligned', width: 90, cellRenderer: deltaCell, comparator: decimalComparator },
                    { field: 'unitRate', headerName: `Unit rate (${currency()})`, type: 'rightAligned', width: 140, cellRenderer: plainMoneyCell(currency), tooltipValueGetter: (p) => p.data?.rateBasis },
                    { field: 'amount', headerName: `Amount (${currency()})`, type: 'rightAligned', width: 140, cellRenderer: moneyCell(currency), comparator: decimalComparator },
                    { field: 'rateSource', headerName: 'Rate source', width: 170, cellRenderer: badgeCell, tooltipValueGetter: (p) => p.data?.rateBasis },
                  ]}
                />
              </Match>
              <Match when={tab() === 'integrations'}>
                <Show when={d().integrations.length > 0} fallback={<EmptyState title="No usage for this client">No integration client is mapped to it yet. Map one under Client mapping.</EmptyState>}>
                  <div class="cards">
                    <For each={d().integrations}>
                      {(i) => (
                        <div class="card">
                          <h3>
                            {i.name} <StatusDot status={i.status} />
                          </h3>
                          <p>
                            {i.usageRows.toLocaleString('en-US')} usage rows, {i.seats.toLocaleString('en-US')} seats
                          </p>
                          <p class="muted">Integration clients: {i.externalClients.map((e) => `${e.externalClientName || '(no name)'} [${e.externalClientId}]`).join(', ')}</p>
                        </div>
                      )}
                    </For>
                  </div>
                </Show>
              </Match>
              <Match when={tab() === 'seats'}>
                <Seats clientId={clientId()} />
              </Match>
              <Match when={tab() === 'lines'}>
                <Show when={serviceFilter()}>
                  {(serviceId) => (
                    <div class="toolbar" data-testid="lines-filter">
                      <span>
                        Invoice lines of <strong>{d().pairs.find((p) => p.serviceId === serviceId())?.serviceName || serviceId()}</strong> only.
                      </span>
                      <a href={`#/${clientPath(clientId(), 'lines')}`}>Show all PSA services</a>
                    </div>
                  )}
                </Show>
                <DataGrid<LineView>
                  testId="lines-grid"
                  rows={serviceFilter() ? d().lines.filter((l) => l.serviceId === serviceFilter()) : d().lines}
                  emptyMessage={serviceFilter() ? 'No invoice line of this client bills this service: what usage counts for it is not invoiced yet.' : undefined}
                  rowId={(r) => r.lineId}
                  columns={[
                    { field: 'invoiceId', headerName: 'Invoice', width: 130 },
                    { field: 'serviceName', headerName: 'Service', flex: 2, wrapText: true, autoHeight: true, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId },
                    { field: 'quantity', headerName: 'Qty', type: 'rightAligned', width: 100, cellRenderer: quantityCell, comparator: decimalComparator },
                    { field: 'unitPrice', headerName: `Unit price (${currency()})`, type: 'rightAligned', width: 150, cellRenderer: plainMoneyCell(currency) },
                    { field: 'billingCycle', headerName: 'Cycle', width: 110 },
                    { field: 'periodStart', headerName: 'From', width: 120, cellRenderer: dateCell },
                    { field: 'periodEnd', headerName: 'To', width: 120, cellRenderer: dateCell },
                    { field: 'agreementId', headerName: 'Agreement', width: 130 },
                    { headerName: 'Status', width: 200, valueGetter: (p) => (!p.data?.current ? 'Not current' : p.data.compared ? 'Current, compared' : 'Current, not compared') },
                  ]}
                />
              </Match>
              <Match when={tab() === 'history'}>
                <AuditTrail clientId={clientId()} />
              </Match>
              <Match when={tab() === 'unaccounted'}>
                <Show when={d().unaccounted.length > 0} fallback={<EmptyState title="Nothing unaccounted">Every product of this client's usage is covered by a service mapping rule.</EmptyState>}>
                  <DataGrid<UnaccountedView>
                    rows={d().unaccounted}
                    rowId={(r) => `${r.integrationId}|${r.product}`}
                    columns={[
                      { field: 'integrationId', headerName: 'Integration', width: 150 },
                      { field: 'product', headerName: 'Product', flex: 1 },
                      { field: 'records', headerName: 'Rows', type: 'numericColumn', width: 110 },
                    ]}
                  />
                  <p class="muted">Map or exclude these products under <a href="#/service-mapping">Service mapping</a>.</p>
                </Show>
              </Match>
            </Switch>
          </section>
        )}
      </Show>
    </Show>
  );
}

function Seats(props: { clientId: string }) {
  const [offset, setOffset] = createSignal(0);
  const [page] = createResource(() => ({ id: props.clientId, o: offset(), r: revision() }), (k) => core.seats(k.id, k.o, SEAT_PAGE));
  return (
    <>
      <div class="toolbar">
        <span class="muted">
          The usage rows behind the counts: {page()?.total.toLocaleString('en-US') ?? '…'} rows
          {(page()?.total ?? 0) > SEAT_PAGE ? `, showing ${offset() + 1}–${Math.min(offset() + SEAT_PAGE, page()!.total)}` : ''}
        </span>
        <span class="spacer" />
        <Show when={(page()?.total ?? 0) > SEAT_PAGE}>
          <button class="secondary" disabled={offset() === 0} onClick={() => setOffset(Math.max(0, offset() - SEAT_PAGE))}>Previous</button>
          <button class="secondary" disabled={offset() + SEAT_PAGE >= (page()?.total ?? 0)} onClick={() => setOffset(offset() + SEAT_PAGE)}>Next</button>
        </Show>
      </div>
      <DataGrid<SeatView>
        testId="seats-grid"
        height="480px"
        rows={page()?.rows ?? []}
        rowId={(r) => `${r.integrationId}|${r.recordId}|${r.product}`}
        columns={[
          { field: 'integrationId', headerName: 'Integration', width: 120 },
          { field: 'recordId', headerName: 'Record', flex: 1 },
          { field: 'product', headerName: 'Product', flex: 1 },
          { field: 'category', headerName: 'Category', width: 120 },
          { field: 'quantity', headerName: 'Qty', type: 'rightAligned', width: 90, cellRenderer: quantityCell },
          { field: 'lastActive', headerName: 'Last active', width: 120, cellRenderer: dateCell },
          { field: 'status', headerName: 'Status', width: 150, cellRenderer: badgeCell },
          { field: 'serviceId', headerName: 'Counted for', width: 150 },
          { field: 'ruleId', headerName: 'Rule', width: 100 },
        ]}
      />
    </>
  );
}

/** A note on the client, kept with the review (and in the history). */
function ClientNote(props: { clientId: string }) {
  const notes = follow('notes', () => core.notes(), {});
  return (
    <label class="client-note">
      <span class="muted">Note on this client</span>
      <input
        value={notes()[clientNoteKey(props.clientId)] ?? ''}
        placeholder="e.g. contract renews in March; ask before changing seats"
        data-testid="client-note"
        onChange={(e) => void core.setNote(props.clientId, null, e.currentTarget.value)}
      />
    </label>
  );
}

/** Invoiced quantity against system count per compared service; a bar opens the client's PSA services filtered to that service's invoice lines. */
function ServiceCounts(props: { clientId: string }) {
  const [bars] = createResource(() => ({ id: props.clientId, r: revision() }), (k) => core.clientChart(k.id));
  return (
    <Show when={bars()}>
      {(list) => (
        <Show when={list().length > 0} fallback={<EmptyState title="No compared service">No service rule counts usage for this client yet: map its integration clients and products, then its services show here.</EmptyState>}>
          <Chart testId="chart-client-services" label="Invoiced quantity against system count, per service" height={Math.max(180, 80 + list().length * 44)} options={countOptions(list(), (bar) => go(`${clientPath(props.clientId, 'lines')}?service=${encodeURIComponent(bar.serviceId)}`))} />
        </Show>
      )}
    </Show>
  );
}

function countOptions(bars: ServiceCountBar[], open: (bar: ServiceCountBar) => void): ChartOptions {
  // Services count in different units (seats, devices, GB): each row is drawn on its own scale, the
  // larger of its two counts full length, and the exact counts are written at the bars' ends.
  const data = bars.map((b) => {
    const invoiced = barLength(b.invoiced);
    const system = barLength(b.system);
    const scale = Math.max(Math.abs(invoiced), Math.abs(system)) || 1;
    return { ...b, invoicedLength: invoiced / scale, systemLength: system / scale };
  });
  type Drawn = (typeof data)[number];
  const tooltip = {
    renderer: (p: { datum: Drawn }) => ({
      heading: p.datum.label,
      data: [
        { label: 'Invoiced', value: formatQuantity(p.datum.invoiced) },
        { label: 'System count', value: formatQuantity(p.datum.system) },
        { label: 'Difference', value: formatQuantity(p.datum.delta) },
        { label: 'Amount', value: formatMoney(p.datum.amount, currency()) },
      ],
    }),
  };
  const listeners = { seriesNodeClick: (e: { datum: Drawn }) => open(e.datum) };
  const label = (key: 'invoiced' | 'system') => ({ placement: 'outside-end' as const, formatter: (p: { datum: Drawn }) => formatQuantity(p.datum[key]) });
  return {
    data,
    series: [
      { type: 'bar', direction: 'horizontal', xKey: 'label', yKey: 'invoicedLength', yName: 'Invoiced', fill: CHART_COLOURS.muted, tooltip, listeners, label: label('invoiced') },
      { type: 'bar', direction: 'horizontal', xKey: 'label', yKey: 'systemLength', yName: 'System count', fill: CHART_COLOURS.accent, tooltip, listeners, label: label('system') },
    ],
    axes: [
      // Names are read whole: the axis may take up to half the width (its default is less).
      { type: 'category', position: 'left', maxThicknessRatio: 0.5 },
      // Room at the end for the counts written after the longest bar.
      { type: 'number', position: 'bottom', min: data.some((d) => d.invoicedLength < 0 || d.systemLength < 0) ? -1.15 : 0, max: 1.15, label: { enabled: false }, gridLine: { enabled: false } },
    ],
    legend: { position: 'bottom' },
  };
}
