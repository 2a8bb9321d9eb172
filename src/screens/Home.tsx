import { For, Show } from 'solid-js';
import { countOf, formatDateTime } from '../components/format';
import { EmptyState, Money, PageHeader, StatCard, StatusDot } from '../components/ui';
import { core, loadState, overview } from '../state/workspace';
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
              <StatCard label="Approved adjustments" value={o().adjustments} hint={`monthly total ${o().adjustmentsMonthly} ${o().currency}`} href="adjustments" />
            </div>
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
