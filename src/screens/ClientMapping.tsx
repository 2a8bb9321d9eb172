import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import { For, Index, Show, createMemo, createResource, createSignal, onMount } from 'solid-js';
import type { MappingEffect } from '../../worker/core/engineHost';
import type { Suggestion } from '../../worker/mapping/suggestClients';
import type { ClientMappingCounts, ClientMappingRow } from '../../worker/views/types';
import { badgeCellWith } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { PSA_CLIENTS_LIST, PsaClientEditor } from '../components/psaClientEditor';
import { formatMoney } from '../components/format';
import { PageHeader } from '../components/ui';
import { UndoBar } from '../components/UndoBar';
import { clientMapKey } from '../../worker/doc/keys';
import { SUGGESTION_THRESHOLD_RANGE } from '../../worker/doc/settings';
import { isConfident } from '../../worker/views/clientMapping';
import { changed, core, followRows, settings } from '../state/workspace';
import './ClientMapping.css';

type Row = ClientMappingRow;
const STATUSES = ['unmapped', 'excluded', 'mapped'] as const;
const STATUS_TEXT = { unmapped: 'Unmapped', excluded: 'Excluded', mapped: 'Mapped' } as const;
const NO_COUNTS: ClientMappingCounts = { unmapped: 0, excluded: 0, mapped: 0 };
const rowId = (r: Row) => clientMapKey(r.integrationId, r.externalClientId);

export function ClientMapping() {
  // Every integration client with its suggestions, from the core: whole at first, then after each
  // edit only the rows it changed, which the grid applies as they are (8,000 rows at 1M usage rows).
  const list = followRows((since) => core.clientMapping(since), rowId);
  const all = () => list()?.rows ?? [];
  // The PSA's clients change only with imported data, not with a mapping edit.
  const [psa] = createResource(changed('imports'), () => core.psaClients());
  const psaClients = () => psa.latest;
  // The picker's 2,000 options are built when a picker first opens: built with the screen, they
  // added a fifth to the task that draws its first rows at 1M usage rows.
  const [picking, setPicking] = createSignal(false);
  const [show, setShow] = createSignal<'all' | (typeof STATUSES)[number]>('all');
  const [search, setSearch] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [confirming, setConfirming] = createSignal<{ row: Row; suggestion: Suggestion } | null>(null);

  const known = createMemo(() => new Set((psaClients() ?? []).map((c) => c.clientId)));
  const names = createMemo(() => new Map((psaClients() ?? []).map((c) => [c.clientId, c.clientName])));
  const labelOf = (id: string) => `${names().get(id) || id} (${id})`;
  // The chips filter inside the grid: the grid keeps every row, so an edit's change applies as it is.
  const shownStatus = createMemo(() => {
    const status = show();
    return status === 'all' ? undefined : (r: Row) => r.status === status;
  });
  const counts = () => list()?.answer.counts ?? NO_COUNTS;
  // The workspace's threshold (a shared setting in the document): one click at or above it, a confirmation below.
  const threshold = () => settings().suggestionThreshold;
  // "Accept N" as the core counted it (worker/views/clientMapping.ts); offered while unmapped clients are in view.
  const confident = () => (show() === 'all' || show() === 'unmapped' ? (list()?.answer.confident ?? 0) : 0);

  const apply = async (edit: Promise<string | null>) => setMessage((await edit) ?? '');
  const applySuggestion = (row: Row, s: Suggestion) => apply(core.setClientMapping(row.integrationId, row.externalClientId, { status: 'mapped', psaClientId: s.clientId }));
  // Below the threshold the names may only look alike: the user sees why and what money moves before it does.
  const accept = (row: Row, s: Suggestion) => (isConfident(s.score, threshold()) ? applySuggestion(row, s) : setConfirming({ row, suggestion: s }));
  // The core resolves which clients, at the threshold it counted them with.
  const acceptAll = () => apply(core.acceptConfidentSuggestions());
  const changeThreshold = (value: number) => apply(core.setSuggestionThreshold(value));

  const suggestionCell = (p: ICellRendererParams<Row>) => {
    const row = p.data;
    const wrap = document.createElement('div');
    wrap.className = 'suggestion';
    const best = row?.suggestions[0];
    if (!row || row.status !== 'unmapped') return wrap;
    if (!best) {
      wrap.textContent = 'No likely match: pick a client';
      wrap.classList.add('muted');
      return wrap;
    }
    const label = document.createElement('span');
    label.className = 'suggestion-name';
    label.textContent = best.clientName;
    const score = document.createElement('span');
    score.className = `confidence ${best.score >= 0.9 ? 'high' : best.score >= 0.7 ? 'mid' : 'low'}`;
    score.textContent = best.score.toFixed(2);
    const button = document.createElement('button');
    button.className = 'small-button';
    button.textContent = 'Accept';
    button.dataset.testid = 'accept-suggestion';
    button.addEventListener('click', (e) => {
      e.stopPropagation();
      accept(row, best);
    });
    wrap.title = row.suggestions.map((s) => `${s.clientName} ${s.score.toFixed(2)}: ${s.why}`).join('\n');
    wrap.append(label, score, button);
    return wrap;
  };

  const actionsCell = (p: ICellRendererParams<Row>) => {
    const row = p.data;
    const wrap = document.createElement('div');
    wrap.className = 'row-actions';
    if (!row) return wrap;
    const action = (text: string, run: () => void) => {
      const b = document.createElement('button');
      b.className = 'small-button secondary';
      b.textContent = text;
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        run();
      });
      wrap.append(b);
    };
    if (row.status !== 'excluded') action('Exclude', () => apply(core.setClientMapping(row.integrationId, row.externalClientId, { status: 'excluded' })));
    if (row.status !== 'unmapped') action('Unmap', () => apply(core.setClientMapping(row.integrationId, row.externalClientId, { status: 'unmapped' })));
    return wrap;
  };

  const columns = (): ColDef<Row>[] => [
    // Minimum widths add up to what a 1280 px window leaves the grid (~950 px with the page's and the
    // grid's scrollbars), so the suggestion's Accept button is never scrolled out of sight; the names,
    // what a mapping is decided on, wrap onto a second line rather than end in "…".
    { field: 'integrationId', headerName: 'Integration', width: 100, minWidth: 76 },
    { field: 'externalClientName', headerName: 'Integration client', width: 200, minWidth: 115, wrapText: true, autoHeight: true, valueGetter: (p) => p.data?.externalClientName || '(no name)', tooltip: (p) => p.data?.externalClientId },
    { field: 'rows', headerName: 'Rows', type: 'numericColumn', width: 80, minWidth: 64 },
    { field: 'status', headerName: 'Status', width: 115, cellRenderer: badgeCellWith((v) => STATUS_TEXT[v as Row['status']]) },
    {
      field: 'psaClientId',
      headerName: 'PSA client (double-click to pick)',
      headerTooltip: 'PSA client: double-click (or Enter) to pick one',
      width: 200,
      minWidth: 115,
      wrapText: true,
      autoHeight: true,
      editable: true,
      cellEditor: PsaClientEditor,
      cellEditorParams: { knownIds: () => known(), labelOf },
      valueFormatter: (p) => (p.value ? `${p.data?.psaClientName || p.value} (${p.value as string})` : ''),
      valueSetter: (p) => {
        const id = p.newValue as string;
        if (!id || id === p.oldValue) return false;
        apply(core.setClientMapping(p.data.integrationId, p.data.externalClientId, { status: 'mapped', psaClientId: id }));
        // The grid does not change the row itself: the edit goes to the document and comes back reconciled.
        return false;
      },
    },
    { headerName: 'Suggested match', colId: 'suggestion', width: 300, minWidth: 280, cellRenderer: suggestionCell, sortable: false, valueGetter: (p) => p.data?.suggestions[0]?.score ?? null },
    // Pinned: Exclude and Unmap stay in sight however narrow the window (they were cut at 1440 px).
    { headerName: '', colId: 'actions', width: 160, minWidth: 160, cellRenderer: actionsCell, sortable: false, pinned: 'right', headerTooltip: 'Exclude or unmap this integration client' },
  ];

  return (
    <section>
      <PageHeader title="Client mapping" subtitle="Which PSA client each integration client is. Unmapped clients' usage is on nobody's invoice: clear them first. Suggestions are only applied when you accept them." />
      <UndoBar message={message()} onDismiss={() => setMessage('')} />
      <div class="toolbar">
        <div class="chips" role="group" aria-label="Show">
          <button classList={{ chip: true, on: show() === 'all' }} onClick={() => setShow('all')}>All</button>
          <For each={STATUSES}>
            {(s) => (
              <button classList={{ chip: true, on: show() === s }} onClick={() => setShow(s)} data-testid={`show-${s}`}>
                {s[0]!.toUpperCase() + s.slice(1)} <span class="tab-count" data-testid={`count-${s}`}>{counts()[s]}</span>
              </button>
            )}
          </For>
        </div>
        <input type="search" placeholder="Search clients…" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} aria-label="Search integration clients" />
        <span class="spacer" />
        <label>
          Accept suggestions at or above{' '}
          <input
            type="number"
            min={SUGGESTION_THRESHOLD_RANGE.min}
            max={SUGGESTION_THRESHOLD_RANGE.max}
            step="0.01"
            value={threshold()}
            // On change (a step of the arrows, Enter, leaving the field), not per keystroke: "0." is no threshold.
            onChange={(e) => changeThreshold(Number(e.currentTarget.value))}
            style={{ width: '5em' }}
            data-testid="threshold"
          />
        </label>
        <button disabled={confident() === 0} onClick={acceptAll} data-testid="accept-all">
          Accept {confident()} suggestion{confident() === 1 ? '' : 's'}
        </button>
      </div>
      <datalist id={PSA_CLIENTS_LIST}>
        {/* By position, not by object: each refetch brings new objects, and 2,000 options rebuilt per edit cost more than the edit. */}
        <Index each={picking() ? (psaClients() ?? []) : []}>{(c) => <option value={labelOf(c().clientId)} />}</Index>
      </datalist>
      <Show when={confirming()}>
        {(c) => (
          <ConfirmSuggestion
            row={c().row}
            suggestion={c().suggestion}
            threshold={threshold()}
            onCancel={() => setConfirming(null)}
            onConfirm={() => {
              const { row, suggestion } = c();
              setConfirming(null);
              applySuggestion(row, suggestion);
            }}
          />
        )}
      </Show>
      <DataGrid<Row>
        testId="client-mapping-grid"
        height="max(420px, calc(100vh - 300px))"
        rows={all()}
        change={list()?.change}
        filter={shownStatus()}
        rowId={rowId}
        quickFilter={search()}
        columns={columns()}
        emptyMessage="No integration clients yet: import a usage file."
        options={{
          singleClickEdit: false,
          animateRows: false,
          stopEditingWhenCellsLoseFocus: true,
          // Presence: teammates see which integration client this person is editing.
          onCellEditingStarted: (e) => {
            setPicking(true);
            if (e.data) void core.announceWhere(`client mapping · ${e.data.externalClientName || e.data.externalClientId}`);
          },
          onCellEditingStopped: () => core.announceWhere('client-mapping'),
        }}
      />
    </section>
  );
}

/**
 * The confirmation for a suggestion below the threshold: the names, the score and its reason, and
 * the money the mapping moves onto the PSA client (the core reconciles with it applied, nothing
 * kept). A native modal dialog: it traps focus and Esc cancels it.
 */
function ConfirmSuggestion(props: { row: Row; suggestion: Suggestion; threshold: number; onCancel: () => void; onConfirm: () => void }) {
  let dialog!: HTMLDialogElement;
  let cancel!: HTMLButtonElement;
  const [effect] = createResource<MappingEffect>(() => core.mappingEffect(props.row.integrationId, props.row.externalClientId, props.suggestion.clientId));
  onMount(() => {
    dialog.showModal();
    cancel.focus();
  });
  const name = () => props.row.externalClientName || props.row.externalClientId;
  return (
    <dialog
      ref={dialog}
      class="confirm-suggestion"
      aria-labelledby="confirm-suggestion-title"
      data-testid="confirm-suggestion"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-suggestion-title">
        Map “{name()}” to {props.suggestion.clientName}?
      </h2>
      <p>
        This is a weak match: <strong>{props.suggestion.score.toFixed(2)}</strong>, below your threshold of {props.threshold.toFixed(2)}. {props.suggestion.why}
      </p>
      <p data-testid="confirm-suggestion-money">
        <Show when={effect()} fallback={effect.error ? 'The money this moves could not be worked out.' : 'Working out the money this moves…'}>
          {(e) => (
            <>
              {props.row.rows.toLocaleString('en-US')} usage rows of {props.row.integrationId} go to {e().psaClientName}: its discrepancy goes from {formatMoney(e().before, e().currency)} to{' '}
              {formatMoney(e().after, e().currency)}, <strong data-testid="confirm-suggestion-moved">{formatMoney(e().moved, e().currency)}</strong>.
            </>
          )}
        </Show>
      </p>
      <div class="form-actions">
        <button onClick={() => props.onConfirm()} data-testid="confirm-suggestion-confirm">
          Confirm
        </button>
        <button ref={cancel} class="secondary" onClick={() => props.onCancel()} data-testid="confirm-suggestion-cancel">
          Cancel
        </button>
      </div>
    </dialog>
  );
}
