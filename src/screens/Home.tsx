import { For, Show, createResource } from 'solid-js';
import type { AmountBar, DiscrepancyCharts } from '../../worker/views/charts';
import { Chart, CHART_COLOURS, barLength, moneyTick, type ChartOptions } from '../components/Chart';
import { countOf, formatDateTime, formatMoney } from '../components/format';
import { EmptyState, Money, PageHeader, StatCard, StatusDot } from '../components/ui';
import { go } from '../router';
import { core, loadState, overview, revision } from '../state/workspace';
import './Home.css';

/** Month-end starts here: clear the counts to zero, then review the money. */
export function Home() {
  return (
    <section>
      <PageHeader title="Home" subtitle="This month's reconciliation at a glance. Clear the setup counts first, then review the money." />
      <Show
        when={loadState() === 'ready' && overview()}
        fallback={
          <EmptyState title="Your workspace is empty">
            Drop this month's CSV exports anywhere on the page (PSA clients and invoice lines, usage from each integration, mappings), a whole bundle folder, or a bundle
            .zip. Or <button class="link" onClick={() => void core.loadDemo()}>load the demo workspace</button> to look around.
          </EmptyState>
        }
      >
        {(o) => (
          <>
            <h2 class="section-title">1. Clear the setup counts</h2>
            <div class="stats">
              <StatCard testId="stat-unmapped" label="Unmapped integration clients" value={o().unmappedClients} hint={`${o().unmappedRecords.toLocaleString('en-US')} usage rows not linked to a PSA client`} href="client-mapping" tone={o().unmappedClients > 0 ? 'warn' : 'good'} />
              <StatCard testId="stat-unaccounted" label="Unaccounted products" value={o().unaccountedProducts} hint={`no service rule covers them: ${countOf(o().unaccountedRecords, 'usage row')} in ${countOf(o().unaccountedGroups, 'client group')}`} href="service-mapping" tone={o().unaccountedProducts > 0 ? 'warn' : 'good'} />
              <StatCard testId="stat-flags" label="Flagged services" value={o().flags} hint="Missing or inconsistent prices, quantity ≤ 0" href="billing/flags" tone={o().flags > 0 ? 'warn' : 'good'} />
            </div>
            <h2 class="section-title">2. Review the money</h2>
            <div class="stats">
              <StatCard testId="stat-discrepancies" label="Discrepancies" value={o().discrepancies} hint={`${countOf(o().serviceDiscrepancies, 'on a service', 'on services')} + ${countOf(o().unaccountedGroups, 'unaccounted group')}, across ${countOf(o().clients, 'client')}`} href="billing" />
              <StatCard testId="stat-to-review" label="To review" value={o().toReview} hint={`${countOf(o().review.open.discrepancies, 'discrepancy', 'discrepancies')} + ${o().review.open.newRevenue} new revenue still to decide`} href="billing/review" tone={o().toReview > 0 ? 'warn' : 'good'} />
              <StatCard testId="stat-amount" label="Net amount" value={<Money amount={o().discrepancyAmount} currency={o().currency} />} hint="+ under-billed, − over-billed" href="billing" />
              <StatCard label="Absolute amount" value={<Money amount={o().discrepancyAmountAbs} currency={o().currency} absolute />} hint="what is at stake either way" href="billing" />
              <StatCard testId="stat-inactive" label="Inactive seats" value={o().inactiveSeats} hint="billable but not used lately" href="billing/inactive" tone={o().inactiveSeats > 0 ? 'warn' : 'good'} />
              <StatCard label="Approved adjustments" value={o().adjustments} hint={`monthly total ${formatMoney(o().adjustmentsMonthly, o().currency)}`} href="adjustments" />
            </div>
            <h2 class="section-title">Where the money is</h2>
            <MoneyCharts currency={o().currency} />
            <h2 class="section-title">Integrations</h2>
            <div class="health-strip">
              <For each={o().integrations} fallback={<span class="muted">No integration yet: import a usage file.</span>}>
                {(i) => (
                  <a class="health-item" href="#/integrations" title={i.statusReason}>
                    <StatusDot status={i.status} /> <strong>{i.name}</strong> <span class="muted">{formatDateTime(i.lastSyncAt)}</span>
                  </a>
                )}
              </For>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

/** A bar as the chart draws it: the exact strings for the words, their lengths for the bars. */
type Drawn = AmountBar & { underLength: number; overLength: number };

/** Discrepancy amounts by integration and by service, under- and over-billed apart; a bar opens Billing filtered to it. */
function MoneyCharts(props: { currency: string }) {
  const [charts] = createResource(revision, () => core.discrepancyCharts());
  const empty = (c: DiscrepancyCharts) => c.byService.length === 0;
  return (
    <Show when={charts()}>
      {(c) => (
        <Show
          when={!empty(c())}
          fallback={
            <EmptyState title="No discrepancy with an amount yet">
              Nothing to draw: every compared service matches its invoice, or the counts above still hide them. Clear the setup counts (map integration clients and products), then come back.
            </EmptyState>
          }
        >
          <div class="home-charts">
            <Chart
              testId="chart-by-integration"
              label="Discrepancy amount by integration"
              height={chartHeight(c().byIntegration.length)}
              options={amountOptions(c().byIntegration, props.currency, (bar) => go(bar.key ? `billing/invoices?integration=${encodeURIComponent(bar.key)}` : 'billing/invoices'))}
            >
              <Show when={c().sharedByIntegrations > 0}>
                <p class="chart-note">{countOf(c().sharedByIntegrations, 'discrepancy is', 'discrepancies are')} counted by two integrations, so in both bars (see Double counting).</p>
              </Show>
            </Chart>
            <Chart
              testId="chart-by-service"
              label="Discrepancy amount by service"
              height={chartHeight(c().byService.length)}
              options={amountOptions(c().byService, props.currency, (bar) => go(`billing/invoices?group=service${bar.key ? `&search=${encodeURIComponent(bar.label)}` : ''}`))}
            >
              <Show when={c().withoutAmount > 0}>
                <p class="chart-note">{countOf(c().withoutAmount, 'discrepancy has', 'discrepancies have')} no amount (no rate, or no service rule) and no bar.</p>
              </Show>
            </Chart>
          </div>
        </Show>
      )}
    </Show>
  );
}

const chartHeight = (bars: number) => Math.max(180, 70 + bars * 34);

function amountOptions(bars: AmountBar[], currency: string, open: (bar: AmountBar) => void): ChartOptions {
  const data: Drawn[] = bars.map((b) => ({ ...b, underLength: barLength(b.under), overLength: barLength(b.over) }));
  const tooltip = {
    renderer: (p: { datum: Drawn }) => ({
      heading: p.datum.label,
      data: [
        { label: 'Under-billed', value: formatMoney(p.datum.under, currency) },
        { label: 'Over-billed', value: formatMoney(p.datum.over, currency) },
        { label: 'Discrepancies', value: p.datum.count.toLocaleString('en-US') },
      ],
    }),
  };
  const listeners = { seriesNodeClick: (e: { datum: Drawn }) => open(e.datum) };
  return {
    data,
    // Diverging bars: credits to the left of zero, revenue to add to the right, one row per bar.
    series: [
      { type: 'bar', direction: 'horizontal', xKey: 'label', yKey: 'underLength', yName: 'Under-billed', stacked: true, fill: CHART_COLOURS.under, tooltip, listeners },
      { type: 'bar', direction: 'horizontal', xKey: 'label', yKey: 'overLength', yName: 'Over-billed', stacked: true, fill: CHART_COLOURS.over, tooltip, listeners },
    ],
    axes: [
      // Names are read whole: the axis may take up to half the width (its default is less).
      { type: 'category', position: 'left', maxThicknessRatio: 0.5 },
      { type: 'number', position: 'bottom', label: { formatter: moneyTick(currency) }, crossLines: [{ type: 'line', value: 0, stroke: '#98a2b3' }] },
    ],
    legend: { position: 'bottom' },
  };
}
