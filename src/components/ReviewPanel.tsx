import type { ColDef, GridApi, ICellRendererParams, RowClassParams } from 'ag-grid-community';
import { For, Show, createMemo, createResource, createSignal } from 'solid-js';
import type { ReviewShow, ReviewState } from '../../worker/review/reviewState';
import type { DiscrepancyView } from '../../worker/views/types';
import { badgeCellWith, dateCell, deltaCell, moneyCell, plainMoneyCell } from './cells';
import { DataGrid } from './DataGrid';
import { decimalComparator, formatMoney } from './format';
import { UndoBar } from './UndoBar';
import { Dialog } from './ui';
import type { PairNumbers } from '../../worker/core/doc';
import { core, overview, revision } from '../state/workspace';
import './ReviewPanel.css';

const STATE_TEXT: Record<ReviewState, string> = { pending: 'To review', approved: 'Approved', dismissed: 'Dismissed', returned: 'Back for review' };
/** The chips; which states each shows is the view's (worker/review/reviewState.ts `shownIn`). */
const SHOW: { id: ReviewShow; label: string }[] = [
  { id: 'open', label: 'To review' },
  { id: 'approved', label: 'Approved' },
  { id: 'dismissed', label: 'Dismissed' },
  { id: 'all', label: 'All' },
];
const SKIP_WARNING = 'ledgerline.skipBulkWarning';
/** New-revenue items shown whole; past this the list scrolls in a fixed height. */
const LONG_LIST = 40;
const currency = () => overview()?.currency ?? 'USD';
const numbers = (d: DiscrepancyView): PairNumbers => ({ clientId: d.clientId, serviceId: d.serviceId, qtyDelta: d.qtyDelta, amount: d.amount });

/**
 * Month-end review (spec §7): approve or dismiss discrepancies one by one or in bulk, set effective
 * dates, write notes. New revenue (usage with no PSA line) is kept apart for one-at-a-time review,
 * and every bulk action asks for a spot check of what looks out of proportion, until it is turned off
 * on this device (a wrong bulk approval is costly, so it is on until the user says otherwise).
 */
export function ReviewPanel() {
  const [show, setShow] = createSignal<ReviewShow>('open');
  // The view's two lists for this chip: [discrepancies on invoiced services, new revenue], with their counts.
  const [queues] = createResource(() => ({ r: revision(), show: show() }), (k) => core.groups('queue', { review: k.show }));
  const [search, setSearch] = createSignal('');
  const [selected, setSelected] = createSignal<DiscrepancyView[]>([]);
  const [date, setDate] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [pending, setPending] = createSignal<{ action: 'approve' | 'dismiss'; rows: DiscrepancyView[] } | null>(null);
  let api: GridApi<DiscrepancyView> | undefined;

  const reviewable = createMemo(() => queues()?.[0]?.rows ?? []);
  const newRevenue = createMemo(() => queues()?.[1]);
  const count = (id: ReviewShow) => overview()?.review[id].total;

  const apply = async (edit: Promise<string | null>) => {
    const result = await edit;
    setMessage(result ?? '');
    if (!result) api?.deselectAll();
  };
  const bulk = (action: 'approve' | 'dismiss') => {
    const chosen = selected();
    if (chosen.length === 0) return setMessage('Select discrepancies first (the boxes on the left).');
    if (chosen.length > 1 && localStorage.getItem(SKIP_WARNING) !== '1') return setPending({ action, rows: chosen });
    apply(core.decide(chosen.map(numbers), action));
  };

  const noteColumn: ColDef<DiscrepancyView> = {
    field: 'note',
    headerName: 'Note',
    width: 200,
    minWidth: 160,
    editable: true,
    valueSetter: (p) => {
      apply(core.setNote(p.data.clientId, p.data.serviceId, String(p.newValue ?? '')));
      return false;
    },
  };
  const columns = (withActions: boolean): ColDef<DiscrepancyView>[] => [
    { field: 'clientName', headerName: 'Client', width: 200, minWidth: 170, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
    { field: 'serviceName', headerName: 'Service', width: 200, minWidth: 170, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId },
    { field: 'review', headerName: 'State', width: 150, cellRenderer: badgeCellWith((v) => STATE_TEXT[v as ReviewState], (v) => `review-${v}`) },
    { field: 'qtyDelta', headerName: 'Δ qty', type: 'rightAligned', width: 85, cellRenderer: deltaCell, comparator: decimalComparator },
    { field: 'unitRate', headerName: `Rate (${currency()})`, type: 'rightAligned', width: 110, cellRenderer: plainMoneyCell(currency), comparator: decimalComparator },
    { field: 'amount', headerName: `Monthly (${currency()})`, type: 'rightAligned', width: 125, cellRenderer: moneyCell(currency), comparator: decimalComparator },
    { field: 'effectiveDate', headerName: 'Effective', width: 115, cellRenderer: dateCell, cellClass: (p) => (p.data?.effectiveDateIsDefault ? 'muted' : ''), headerTooltip: 'Grey: the default, the first of the month after the as-of date' },
    { field: 'proratedAmount', headerName: `Prorated (${currency()})`, type: 'rightAligned', width: 125, cellRenderer: moneyCell(currency), comparator: decimalComparator, headerTooltip: 'For an effective date after the 1st: the share of the month left (spec §7)' },
    { field: 'outlier', headerName: 'Spot check', width: 120, valueFormatter: (p) => (p.value ? '⚠ look' : ''), tooltip: (p) => p.data?.outlier, cellClass: 'outlier-cell' },
    noteColumn,
    ...(withActions ? [{ headerName: '', colId: 'actions', width: 190, minWidth: 190, sortable: false, cellRenderer: oneByOne, headerTooltip: 'Approve or dismiss this item' }] : []),
  ];

  function oneByOne(p: ICellRendererParams<DiscrepancyView>): HTMLElement {
    const wrap = document.createElement('div');
    wrap.className = 'row-actions';
    for (const [label, action] of [['Approve', 'approve'], ['Dismiss', 'dismiss']] as const) {
      const b = document.createElement('button');
      b.className = `small-button${action === 'dismiss' ? ' secondary' : ''}`;
      b.textContent = label;
      b.addEventListener('click', () => apply(core.decide([numbers(p.data!)], action)));
      wrap.append(b);
    }
    return wrap;
  }

  return (
    <>
      <UndoBar message={message()} onDismiss={() => setMessage('')} />
      <div class="toolbar">
        <div class="chips" role="group" aria-label="Show">
          <For each={SHOW}>
            {(s) => (
              <button classList={{ chip: true, on: show() === s.id }} onClick={() => setShow(s.id)} data-testid={`review-show-${s.id}`} title="Both lists below: discrepancies and new revenue">
                {s.label} <span class="tab-count">{count(s.id)}</span>
              </button>
            )}
          </For>
        </div>
        <input type="search" placeholder="Search…" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Search discrepancies" />
        <span class="spacer" />
        <span class="muted">{selected().length} selected</span>
        <button onClick={() => bulk('approve')} data-testid="approve-selected">Approve</button>
        <button class="secondary" onClick={() => bulk('dismiss')} data-testid="dismiss-selected">Dismiss</button>
        <button class="secondary" onClick={() => apply(core.decide(selected().map(numbers), null))}>Reopen</button>
        <input type="date" value={date()} onInput={(e) => setDate(e.currentTarget.value)} aria-label="Effective date" data-testid="effective-date" />
        <button class="secondary" onClick={() => apply(core.setEffectiveDate(selected().map(numbers), date() || null))} data-testid="set-effective-date" title="Saved without approving; empty = back to the default">
          Set effective date
        </button>
      </div>
      <h2 class="section-title" data-testid="review-title">
        {queues()?.[0]?.label ?? 'Discrepancies'} (<span data-testid="review-count">{queues()?.[0]?.count ?? 0}</span>)
      </h2>
      <DataGrid<DiscrepancyView>
        testId="review-grid"
        height="max(380px, calc(100vh - 520px))"
        rows={reviewable()}
        rowId={(r) => r.key}
        quickFilter={search()}
        columns={columns(false)}
        emptyMessage="Nothing here: every discrepancy in this view is decided."
        onReady={(a) => (api = a)}
        options={{
          rowSelection: { mode: 'multiRow', checkboxes: true, headerCheckbox: true, enableClickSelection: false },
          onSelectionChanged: (e) => setSelected(e.api.getSelectedRows()),
          rowClassRules: { 'row-outlier': (p: RowClassParams<DiscrepancyView>) => !!p.data?.outlier },
          stopEditingWhenCellsLoseFocus: true,
        }}
      />
      <h2 class="section-title" data-testid="new-revenue-title">
        {newRevenue()?.label ?? 'New revenue'} (<span data-testid="new-revenue-count">{newRevenue()?.count ?? 0}</span>) — review each on its own
      </h2>
      {/* A long list gets a fixed height, so the grid virtualises: at 1M usage rows this list is 603 items, and all of them in the DOM froze the page for over a second. */}
      <DataGrid<DiscrepancyView>
        testId="new-revenue-grid"
        height={(newRevenue()?.rows.length ?? 0) > LONG_LIST ? 'max(320px, calc(100vh - 520px))' : undefined}
        rows={newRevenue()?.rows ?? []}
        rowId={(r) => r.key}
        quickFilter={search()}
        columns={columns(true)}
        emptyMessage="No new revenue to review."
      />

      <Show when={pending()}>
        {(p) => (
          <BulkWarning
            action={p().action}
            rows={p().rows}
            onCancel={() => setPending(null)}
            onConfirm={(skip) => {
              const { action, rows: chosen } = p();
              if (skip) localStorage.setItem(SKIP_WARNING, '1');
              setPending(null);
              apply(core.decide(chosen.map(numbers), action));
            }}
          />
        )}
      </Show>
    </>
  );
}

function BulkWarning(props: { action: 'approve' | 'dismiss'; rows: DiscrepancyView[]; onCancel: () => void; onConfirm: (skipNextTime: boolean) => void }) {
  const [skip, setSkip] = createSignal(false);
  const outliers = () => props.rows.filter((r) => r.outlier);
  return (
    <Dialog labelledBy="bulk-title" onClose={props.onCancel} testId="bulk-warning">
        <h2 id="bulk-title">{props.action === 'approve' ? 'Approve' : 'Dismiss'} {props.rows.length} discrepancies?</h2>
        <p>Bulk {props.action === 'approve' ? 'approval' : 'dismissal'} is fast, and just as fast at pushing a wrong number. Spot-check first:</p>
        <Show when={outliers().length > 0} fallback={<p class="ok">None of the selected changes looks out of proportion.</p>}>
          <p>
            <strong>{outliers().length}</strong> need a look (a change over half the invoiced quantity, a large amount, or no rate at all):
          </p>
          <ul class="spot-check" data-testid="spot-check">
            <For each={outliers()}>
              {(r) => (
                <li>
                  <strong>{r.clientName || r.clientId}</strong> · {r.serviceName || r.serviceId} · Δ {r.qtyDelta} · {formatMoney(r.amount, overview()?.currency ?? 'USD')} — {r.outlier}
                </li>
              )}
            </For>
          </ul>
          <p class="muted">Untick them in the grid to handle them one by one.</p>
        </Show>
        <label class="checkbox">
          <input type="checkbox" checked={skip()} onChange={(e) => setSkip(e.currentTarget.checked)} data-testid="skip-warning" /> Don't show this again on this device
        </label>
        <div class="form-actions">
          <button onClick={() => props.onConfirm(skip())} data-testid="confirm-bulk" data-autofocus>
            {props.action === 'approve' ? 'Approve' : 'Dismiss'} {props.rows.length}
          </button>
          <button class="secondary" onClick={props.onCancel}>Cancel</button>
        </div>
    </Dialog>
  );
}
