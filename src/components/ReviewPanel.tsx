import type { ColDef, GridApi, ICellRendererParams, RowClassParams } from 'ag-grid-community';
import { For, Show, createResource, createSignal } from 'solid-js';
import type { ReviewShow, ReviewState } from '../../worker/review/reviewState';
import type { DiscrepancyView, ReviewList, ReviewQuery } from '../../worker/views/types';
import { afterPaint } from './afterPaint';
import { badgeCellWith, dateCell, deltaCell, moneyCell, plainMoneyCell } from './cells';
import { DataGrid } from './DataGrid';
import { decimalComparator, formatMoney } from './format';
import { UndoBar } from './UndoBar';
import { Dialog } from './ui';
import type { PairNumbers } from '../../worker/core/doc';
import { core, overview, revision } from '../state/workspace';
import './ReviewPanel.css';
import { pausedSearch } from './pausedSearch';

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

/** Rows of each list on the page at once: the largest first; the search (in the core) reaches the others. */
const REVIEW_SHOWN = 500;
/** Out-of-proportion rows a bulk action's warning lists; past this it says how many more. */
const SPOT_CHECK_SHOWN = 100;

/** A bulk action waiting for its spot check to be confirmed: on the rows ticked, or on every row a query lists. */
interface PendingBulk {
  action: 'approve' | 'dismiss';
  count: number;
  outlierCount: number;
  outliers: DiscrepancyView[];
  run: () => Promise<string | null>;
}

/**
 * Month-end review (spec §7): approve or dismiss discrepancies one by one or in bulk, set effective
 * dates, write notes. New revenue (usage with no PSA line) is kept apart for one-at-a-time review,
 * and every bulk action asks for a spot check of what looks out of proportion, until it is turned off
 * on this device (a wrong bulk approval is costly, so it is on until the user says otherwise).
 */
export function ReviewPanel() {
  const [show, setShow] = createSignal<ReviewShow>('open');
  const { search, asked, type } = pausedSearch();
  const query = (): ReviewQuery => ({ show: show(), search: asked() });
  // A page of each list for this chip and search, with their counts (the view's reviewPage).
  const [page] = createResource(() => ({ r: revision(), q: query() }), (k) => core.reviewPage(k.q, REVIEW_SHOWN));
  const [selected, setSelected] = createSignal<DiscrepancyView[]>([]);
  // "Select all" beyond the page: a query the core resolves when the action runs, never its rows.
  const [everyMatching, setEveryMatching] = createSignal(false);
  const [date, setDate] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [pending, setPending] = createSignal<PendingBulk | null>(null);
  const [secondGrid, setSecondGrid] = createSignal(false);
  let api: GridApi<DiscrepancyView> | undefined;

  const reviewable = () => page.latest?.discrepancies;
  const newRevenue = () => page.latest?.newRevenue;
  const count = (id: ReviewShow) => overview()?.review[id].total;
  const selectedCount = () => (everyMatching() ? (reviewable()?.matching ?? 0) : selected().length);
  /** Every row on the page is ticked and the search matches more than the page holds. */
  const pageWhollySelected = () => {
    const list = reviewable();
    return !!list && list.rows.length > 0 && selected().length === list.rows.length && list.matching > list.rows.length;
  };

  const apply = async (edit: Promise<string | null>) => {
    const result = await edit;
    setMessage(result ?? '');
    if (!result) clearSelection();
  };
  /** An edit on what is selected: the query itself when every matching row is, else the rows ticked. */
  const onSelection = (rows: (pairs: PairNumbers[]) => Promise<string | null>, matching: (q: ReviewQuery) => Promise<string | null>) => {
    if (everyMatching()) {
      const q = query();
      return () => matching(q);
    }
    const pairs = selected().map(numbers);
    return () => rows(pairs);
  };
  const clearSelection = () => {
    api?.deselectAll();
    setEveryMatching(false);
  };
  const bulk = async (action: 'approve' | 'dismiss') => {
    if (selectedCount() === 0) return setMessage('Select discrepancies first (the boxes on the left).');
    const run = onSelection((pairs) => core.decide(pairs, action), (q) => core.decideMatching(q, action));
    if (selectedCount() === 1 || localStorage.getItem(SKIP_WARNING) === '1') return apply(run());
    if (everyMatching()) {
      const check = await core.reviewSpotCheck(query(), SPOT_CHECK_SHOWN);
      return setPending({ action, ...check, run });
    }
    const outliers = selected().filter((r) => r.outlier);
    setPending({ action, count: selected().length, outlierCount: outliers.length, outliers: outliers.slice(0, SPOT_CHECK_SHOWN), run });
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

  /** Says when a list shows only its largest rows, and how many the search matches. */
  const pageNote = (list: ReviewList | undefined) => {
    if (!list) return '';
    const searching = asked().trim() !== '';
    if (list.rows.length < list.matching) return `The ${list.rows.length.toLocaleString('en-US')} largest of ${list.matching.toLocaleString('en-US')}${searching ? ' matching' : ''}: search to reach the others.`;
    return searching ? `${list.matching.toLocaleString('en-US')} match the search.` : '';
  };

  return (
    <>
      <UndoBar message={message()} onDismiss={() => setMessage('')} />
      <div class="toolbar">
        <div class="chips" role="group" aria-label="Show">
          <For each={SHOW}>
            {(s) => (
              <button
                classList={{ chip: true, on: show() === s.id }}
                onClick={() => {
                  setEveryMatching(false);
                  setShow(s.id);
                }}
                data-testid={`review-show-${s.id}`}
                title="Both lists below: discrepancies and new revenue"
              >
                {s.label} <span class="tab-count">{count(s.id)}</span>
              </button>
            )}
          </For>
        </div>
        <input
          type="search"
          placeholder="Search…"
          value={search()}
          onInput={(e) => {
            setEveryMatching(false);
            type(e.currentTarget.value);
          }}
          aria-label="Search discrepancies"
        />
        <span class="spacer" />
        <span class="muted" data-testid="review-selected">{selectedCount().toLocaleString('en-US')} selected</span>
        <button onClick={() => void bulk('approve')} data-testid="approve-selected">Approve</button>
        <button class="secondary" onClick={() => void bulk('dismiss')} data-testid="dismiss-selected">Dismiss</button>
        <button class="secondary" onClick={() => apply(onSelection((pairs) => core.decide(pairs, null), (q) => core.decideMatching(q, null))())}>Reopen</button>
        <input type="date" value={date()} onInput={(e) => setDate(e.currentTarget.value)} aria-label="Effective date" data-testid="effective-date" />
        <button
          class="secondary"
          onClick={() => apply(onSelection((pairs) => core.setEffectiveDate(pairs, date() || null), (q) => core.setEffectiveDateMatching(q, date() || null))())}
          data-testid="set-effective-date"
          title="Saved without approving; empty = back to the default"
        >
          Set effective date
        </button>
      </div>
      <h2 class="section-title" data-testid="review-title">
        {reviewable()?.label ?? 'Discrepancies'} (<span data-testid="review-count">{reviewable()?.total ?? 0}</span>)
      </h2>
      {/* One line under the title: how much of the list is on the page, and "select all" past it. */}
      <Show when={pageNote(reviewable()) || pageWhollySelected() || everyMatching()}>
        <p class="muted">
          <span data-testid="review-shown">{pageNote(reviewable())}</span>{' '}
          <Show when={pageWhollySelected() || everyMatching()}>
            <span data-testid="select-all-matching">
              <Show
                when={everyMatching()}
                fallback={
                  <>
                    All {selected().length.toLocaleString('en-US')} rows shown are selected.{' '}
                    <button class="link" onClick={() => setEveryMatching(true)}>
                      Select all {(reviewable()?.matching ?? 0).toLocaleString('en-US')}{asked().trim() ? ' matching the search' : ' in this list'}
                    </button>
                  </>
                }
              >
                All {(reviewable()?.matching ?? 0).toLocaleString('en-US')}{asked().trim() ? ' matching the search' : ' in this list'} are selected.{' '}
                <button class="link" onClick={clearSelection}>
                  Clear the selection
                </button>
              </Show>
            </span>
          </Show>
        </p>
      </Show>
      {/* Made once its first rows are known: its columns are fitted to them at once, not fitted again when they arrive. */}
      <Show when={reviewable()} fallback={<div class="loading">Loading discrepancies…</div>}>
        {(list) => (
          <DataGrid<DiscrepancyView>
            testId="review-grid"
            height="max(380px, calc(100vh - 520px))"
            rows={list().rows}
            rowId={(r) => r.key}
            columns={columns(false)}
            emptyMessage="Nothing here: every discrepancy in this view is decided."
            onReady={(a) => {
              api = a;
              // The new-revenue grid is made a frame later: both grids built in one task held the page for 0.3 s at 1M usage rows.
              afterPaint(() => setSecondGrid(true));
            }}
            options={{
              rowSelection: { mode: 'multiRow', checkboxes: true, headerCheckbox: true, enableClickSelection: false },
              onSelectionChanged: (e) => {
                const rows = e.api.getSelectedRows();
                // Unticking a row (or a new page of rows) ends "every matching row".
                if (rows.length < selected().length || rows.length < (reviewable()?.rows.length ?? 0)) setEveryMatching(false);
                setSelected(rows);
              },
              rowClassRules: { 'row-outlier': (p: RowClassParams<DiscrepancyView>) => !!p.data?.outlier },
              stopEditingWhenCellsLoseFocus: true,
            }}
          />
        )}
      </Show>
      <h2 class="section-title" data-testid="new-revenue-title">
        {newRevenue()?.label ?? 'New revenue'} (<span data-testid="new-revenue-count">{newRevenue()?.total ?? 0}</span>) — review each on its own
      </h2>
      <Show when={pageNote(newRevenue())}>{(note) => <p class="muted" data-testid="new-revenue-shown">{note()}</p>}</Show>
      {/* A long list gets a fixed height, so the grid virtualises: at 1M usage rows this list is 603 items, and all of them in the DOM froze the page for over a second. */}
      <Show when={secondGrid() && newRevenue()}>
        {(list) => (
          <DataGrid<DiscrepancyView>
            testId="new-revenue-grid"
            height={list().rows.length > LONG_LIST ? 'max(320px, calc(100vh - 520px))' : undefined}
            rows={list().rows}
            rowId={(r) => r.key}
            columns={columns(true)}
            emptyMessage="No new revenue to review."
          />
        )}
      </Show>

      <Show when={pending()}>
        {(p) => (
          <BulkWarning
            pending={p()}
            onCancel={() => setPending(null)}
            onConfirm={(skip) => {
              const { run } = p();
              if (skip) localStorage.setItem(SKIP_WARNING, '1');
              setPending(null);
              apply(run());
            }}
          />
        )}
      </Show>
    </>
  );
}

function BulkWarning(props: { pending: PendingBulk; onCancel: () => void; onConfirm: (skipNextTime: boolean) => void }) {
  const [skip, setSkip] = createSignal(false);
  const action = () => props.pending.action;
  const more = () => props.pending.outlierCount - props.pending.outliers.length;
  return (
    <Dialog labelledBy="bulk-title" onClose={props.onCancel} testId="bulk-warning">
        <h2 id="bulk-title">{action() === 'approve' ? 'Approve' : 'Dismiss'} {props.pending.count.toLocaleString('en-US')} discrepancies?</h2>
        <p>Bulk {action() === 'approve' ? 'approval' : 'dismissal'} is fast, and just as fast at pushing a wrong number. Spot-check first:</p>
        <Show when={props.pending.outlierCount > 0} fallback={<p class="ok">None of the selected changes looks out of proportion.</p>}>
          <p>
            <strong>{props.pending.outlierCount.toLocaleString('en-US')}</strong> need a look (a change over half the invoiced quantity, a large amount, or no rate at all):
          </p>
          <ul class="spot-check" data-testid="spot-check">
            <For each={props.pending.outliers}>
              {(r) => (
                <li>
                  <strong>{r.clientName || r.clientId}</strong> · {r.serviceName || r.serviceId} · Δ {r.qtyDelta} · {formatMoney(r.amount, overview()?.currency ?? 'USD')} — {r.outlier}
                </li>
              )}
            </For>
          </ul>
          <Show when={more() > 0}>
            <p class="muted">… and {more().toLocaleString('en-US')} more.</p>
          </Show>
          <p class="muted">Untick them in the grid to handle them one by one.</p>
        </Show>
        <label class="checkbox">
          <input type="checkbox" checked={skip()} onChange={(e) => setSkip(e.currentTarget.checked)} data-testid="skip-warning" /> Don't show this again on this device
        </label>
        <div class="form-actions">
          <button onClick={() => props.onConfirm(skip())} data-testid="confirm-bulk" data-autofocus>
            {action() === 'approve' ? 'Approve' : 'Dismiss'} {props.pending.count.toLocaleString('en-US')}
          </button>
          <button class="secondary" onClick={props.onCancel}>Cancel</button>
        </div>
    </Dialog>
  );
}
