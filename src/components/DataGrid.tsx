import { createGrid, themeQuartz, type ColDef, type GridApi, type GridOptions } from 'ag-grid-community';
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import './DataGrid.css';
import './gridModules';

/** One look for every table: AG Grid's quartz theme in the app's colours. */
export const gridTheme = themeQuartz.withParams({
  accentColor: '#2563eb',
  fontFamily: 'inherit',
  fontSize: 13,
  headerFontWeight: 600,
  rowHeight: 36,
  headerHeight: 38,
  spacing: 6,
  borderRadius: 6,
  wrapperBorderRadius: 8,
});

/**
 * How `rows` came from the rows the grid showed before, when the screen knows (a long list the core
 * sends as changes, ../../worker/views/rowFeed.ts): taking `removed` out of `from` and inserting
 * `upserts` in order gives `to`. The grid applies it as transactions, touching only those rows.
 */
export interface RowsChange<T> {
  from: readonly T[];
  to: readonly T[];
  /** Ids (`rowId`) of the rows taken out. */
  removed: readonly string[];
  upserts: readonly { index: number; row: T }[];
}

export interface DataGridProps<T> {
  rows: T[];
  /** The change that made `rows` from the previous rows, if the screen has it (else the grid compares every row). */
  change?: RowsChange<T> | null;
  /** Which rows show (the others stay in the grid, hidden): for a screen's chips over one list. */
  filter?: (row: T) => boolean;
  columns: ColDef<T>[];
  rowId: (row: T) => string;
  /** Enter or a click opens a row (the keyboard path matters as much as the mouse). */
  onOpen?: (row: T) => void;
  quickFilter?: string;
  /** Fixed height for long lists (the grid virtualises rows); without it the grid grows to fit its rows. */
  height?: string;
  /** Extra grid options for the rare screen that needs them (full-width group rows, selection). */
  options?: Partial<GridOptions<T>>;
  testId?: string;
  emptyMessage?: string;
  onReady?: (api: GridApi<T>) => void;
}

/**
 * AG Grid (community) through its vanilla createGrid, driven by Solid: the grid is created once on
 * mount, and rows and the quick filter are pushed into it when their signals change.
 */
export function DataGrid<T>(props: DataGridProps<T>) {
  let host!: HTMLDivElement;
  let api: GridApi<T> | undefined;

  let created: T[] | undefined;
  onMount(() => {
    created = props.rows;
    api = createGrid<T>(host, {
      theme: gridTheme,
      columnDefs: props.columns,
      rowData: props.rows,
      quickFilterText: props.quickFilter ?? '',
      getRowId: (p) => props.rowId(p.data),
      isExternalFilterPresent: () => filter !== undefined,
      doesExternalFilterPass: (node) => filter === undefined || (node.data !== undefined && filter(node.data)),
      defaultColDef: { sortable: true, resizable: true, minWidth: 80 },
      domLayout: props.height ? 'normal' : 'autoHeight',
      // Columns share the grid's width rather than scroll sideways: a scrollbar under an
      // auto-height grid hides its last row, and money columns should never be off-screen.
      autoSizeStrategy: { type: 'fitGridWidth', defaultMinWidth: 72 },
      tooltipShowDelay: 300,
      enableCellTextSelection: true,
      ensureDomOrder: true,
      overlayNoRowsTemplate: `<span class="grid-empty">${escapeHtml(props.emptyMessage ?? 'Nothing to show.')}</span>`,
      onRowClicked: (e) => e.data && props.onOpen?.(e.data),
      onCellKeyDown: (e) => {
        const key = (e.event as KeyboardEvent | undefined)?.key;
        if (key === 'Enter' && e.data) props.onOpen?.(e.data);
      },
      ...props.options,
    });
    props.onReady?.(api);
  });

  // A refetch brings new objects for every row; a row equal to its previous self is handed back as
  // that object, so the grid updates only the rows an edit changed (thousands of rows per edit otherwise).
  // When the screen says how its rows changed, the grid applies just that: no comparison at all.
  let previous = new Map<string, T>();
  let shown: readonly T[] | undefined;
  createEffect(() => {
    const next = props.rows;
    const change = props.change;
    if (api && change && change.to === next && change.from === shown && applyChange(api, change, previous)) {
      for (const id of change.removed) previous.delete(id);
      for (const { row } of change.upserts) previous.set(props.rowId(row), row);
      shown = next;
      return;
    }
    const rows = next.map((row) => {
      const old = previous.get(props.rowId(row));
      return old !== undefined && sameValue(old, row) ? old : row;
    });
    previous = new Map(rows.map((row) => [props.rowId(row), row]));
    shown = next;
    // The rows the grid was created with need not be given again.
    if (next !== created) api?.setGridOption('rowData', rows);
    created = undefined;
  });
  let filter = props.filter;
  createEffect(
    on(
      () => props.filter,
      (next) => {
        filter = next;
        api?.onFilterChanged();
      },
      { defer: true },
    ),
  );
  // Deferred: createGrid was given the first values, and setting columns again rebuilt every column
  // and cell of the new grid (a third of a reopen's main-thread time at 1M rows).
  createEffect(on(() => props.quickFilter ?? '', (text) => api?.setGridOption('quickFilterText', text), { defer: true }));
  createEffect(on(() => props.columns, (columns) => api?.setGridOption('columnDefs', columns), { defer: true }));
  onCleanup(() => api?.destroy());

  return <div ref={host} class="grid" style={props.height ? { height: props.height } : {}} data-testid={props.testId} />;
}

/**
 * A change as AG Grid transactions: the removals with the first run of consecutive upserts, then one
 * transaction per further run (a transaction adds its rows at one index). False, applying nothing,
 * when the change has so many runs that setting the rows whole is cheaper.
 */
function applyChange<T>(api: GridApi<T>, change: RowsChange<T>, byId: ReadonlyMap<string, T>): boolean {
  const removed = change.removed.map((id) => byId.get(id));
  if (removed.some((row) => row === undefined)) return false;
  const runs: { index: number; rows: T[] }[] = [];
  for (const { index, row } of change.upserts) {
    const run = runs.at(-1);
    if (run && run.index + run.rows.length === index) run.rows.push(row);
    else runs.push({ index, rows: [row] });
  }
  if (runs.length > MAX_TRANSACTIONS) return false;
  const remove = removed.length > 0 ? (removed as T[]) : undefined;
  if (runs.length === 0) {
    if (remove) api.applyTransaction({ remove });
    return true;
  }
  runs.forEach((run, i) => api.applyTransaction({ ...(i === 0 && remove ? { remove } : {}), add: run.rows, addIndex: run.index }));
  return true;
}

/** The most transactions a change is applied in; more, and the grid takes the rows whole. */
const MAX_TRANSACTIONS = 20;

/** Equal as data: primitives by value, arrays and plain objects field by field. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
