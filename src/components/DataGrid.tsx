import { ColumnApiModule, ModuleRegistry, RowApiModule, ScrollApiModule, createGrid, themeQuartz, type ColDef, type GridApi, type GridOptions, type SuppressKeyboardEventParams } from 'ag-grid-community';
import { createEffect, createMemo, on, onCleanup, onMount, untrack } from 'solid-js';
import { afterPaint } from './afterPaint';
import './DataGrid.css';
import { fitOf, textWidth } from './cells';
import './gridModules';
import { afterFirstView } from '../state/workspace';

// What the grid's own focus keeping calls (keepFocus, returnFocus: getDisplayedRowCount, getRowNode,
// ensureIndexVisible, getAllDisplayedColumns); without them each call was AG Grid error #200 and focus
// stayed lost.
ModuleRegistry.registerModules([RowApiModule, ScrollApiModule, ColumnApiModule]);

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
  /** A key on a focused cell, before the grid's own handling; true when the screen handled it (rules moved by Alt+arrows). */
  onKey?: (row: T, event: KeyboardEvent) => boolean;
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
 * AG Grid (community) through its vanilla createGrid, driven by Solid: the grid is created once (on
 * mount on the screen the app opens on, a frame after mount elsewhere), and rows and the quick
 * filter are pushed into it when their signals change.
 */
/** Rows a grid without a height shows whole; past this it scrolls inside LONG_LIST_HEIGHT. */
const AUTO_HEIGHT_ROWS = 60;
const LONG_LIST_HEIGHT = 'max(420px, calc(100vh - 330px))';

export function DataGrid<T>(props: DataGridProps<T>) {
  let host!: HTMLDivElement;
  let api: GridApi<T> | undefined;

  // A short list grows to fit its rows; a long one gets a fixed height so the grid virtualises (all
  // 603 new-revenue rows in the DOM, 27,573 elements, froze the page for over a second at 1M rows).
  const layout = () => (props.height || props.rows.length > AUTO_HEIGHT_ROWS ? 'normal' : 'autoHeight');
  // A screen's `columns={columns()}` builds a new array at every read: held in a memo, the columns
  // change only when what they are built from does, not with every new set of rows (an edit on
  // Client mapping re-set them, and the grid re-laid every column, ~50 ms).
  const columns = createMemo(() => props.columns);
  let fitted: ColDef<T>[] & { source?: ColDef<T>[] } = [];
  let disposed = false;
  // The grid is built in a task of its own once the screen around it has been drawn, and is given its
  // first rows in another (giveRows): screen, grid and rows in one task held the page for 0.2 s at 1M
  // usage rows, with no frame between them.
  // A grid of the screen the app opens on is what the user waits for, with nothing on screen yet to
  // keep moving: it is made at once and drawn with its first rows (the steps cost a reopen ~2 frames).
  const opensApp = !firstViewDrawn;
  onMount(() => {
    if (opensApp) untrack(create);
    else
      afterFrame(() => {
        if (disposed) return false;
        untrack(create);
        return true;
      });
  });
  const create = () => {
    fitted = fitColumns(columns(), props.rows, host);
    // Made at once, it is made with its rows: one pass of the grid instead of two.
    const first = opensApp && props.rows.length > 0 ? props.rows : undefined;
    api = createGrid<T>(host, {
      theme: gridTheme,
      columnDefs: fitted,
      rowData: first,
      // A grid waiting for its first rows says so, not "nothing to show".
      loading: !first && props.rows.length > 0,
      quickFilterText: props.quickFilter ?? '',
      getRowId: (p) => props.rowId(p.data),
      isExternalFilterPresent: () => filter !== undefined,
      doesExternalFilterPass: (node) => filter === undefined || (node.data !== undefined && filter(node.data)),
      domLayout: layout(),
      // Columns share the grid's width rather than scroll sideways: a scrollbar under an
      // auto-height grid hides its last row, and money columns should never be off-screen.
      // Continuous, so a resized window or new rows refit; minWidths (fitColumns) keep money whole.
      autoSizeStrategy: { type: 'fitGridWidth', defaultMinWidth: 72, continuous: true },
      // A fixed-height grid keeps its scrollbar's place: the continuous fit follows the grid's size,
      // not the scrollbar that rows bring later, which pushed the last column under it ("24" for 240).
      alwaysShowVerticalScroll: layout() === 'normal',
      // Rows drawn past the bottom edge: the grid's 10 more than doubled a fixed-height grid's rows to
      // draw on opening (~13 show); scrolling draws the next ones as they come into view.
      rowBuffer: 3,
      tooltipShowDelay: 300,
      enableCellTextSelection: true,
      ensureDomOrder: true,
      overlayNoRowsTemplate: `<span class="grid-empty">${escapeHtml(props.emptyMessage ?? 'Nothing to show.')}</span>`,
      // The grid is one Tab stop: arrows move between cells, Tab leaves (a 36-row grid once took 324 Tab presses to pass).
      tabToNextCell: () => false,
      onRowClicked: (e) => e.data && open(e.data),
      onCellKeyDown: (e) => {
        const event = e.event as KeyboardEvent | undefined;
        if (!event || !e.data) return;
        const target = event.target as HTMLElement;
        const cell = target.closest<HTMLElement>('.ag-cell');
        if (props.onKey?.(e.data, event)) {
          event.preventDefault();
          return;
        }
        // Keys on a control inside the cell belong to that control (a button's own Enter clicks it).
        if (!cell || target !== cell) return;
        if (event.key !== 'Enter' && event.key !== ' ') return;
        const controls = controlsIn(cell);
        if (controls.length === 1 && controls[0] instanceof HTMLButtonElement) {
          event.preventDefault();
          controls[0].click();
        } else if (controls.length > 0) {
          event.preventDefault();
          // After the grid's own handling of this key, which puts focus back on the cell.
          setTimeout(() => controls[0]!.focus());
        } else if (event.key === 'Enter') open(e.data);
      },
      ...props.options,
      defaultColDef: { sortable: true, resizable: true, minWidth: 80, ...props.options?.defaultColDef, suppressKeyboardEvent: keepKeysInCellControls },
    });
    props.onReady?.(api);
    host.addEventListener('focusin', (e) => {
      focusInside = true;
      const target = e.target as HTMLElement;
      const cell = target.closest<HTMLElement>('.ag-cell');
      const rowId = target.closest('.ag-row')?.getAttribute('row-id');
      control = cell && target !== cell && rowId ? { element: target, rowId, colId: cell.getAttribute('col-id') ?? '', index: controlsIn(cell).indexOf(target) } : null;
    });
    host.addEventListener('focusout', (e) => {
      if (e.relatedTarget instanceof Node && !host.contains(e.relatedTarget)) focusInside = false;
    });
    if (first) {
      previous = new Map(first.map((row) => [props.rowId(row), row]));
      shown = first;
      returnFocus();
    } else setRows(props.rows);
  };

  /** Opens a row, remembering it: back on this list (Esc from the client), focus returns to it. */
  const open = (row: T) => {
    if (!props.onOpen) return;
    openedFrom = props.testId ? { testId: props.testId, rowId: props.rowId(row) } : null;
    props.onOpen(row);
  };
  /** The list a row was opened from, shown again with its rows: focus on that row, where the user left off. */
  const returnFocus = () => {
    const from = openedFrom;
    if (!from || !api || from.testId !== props.testId) return;
    openedFrom = null;
    const index = api.getRowNode(from.rowId)?.rowIndex;
    const column = api.getAllDisplayedColumns()[0];
    if (index === null || index === undefined || !column) return;
    api.ensureIndexVisible(index);
    api.setFocusedCell(index, column);
  };

  // A row that leaves the list (approved, mapped) takes the focused cell or button with it, and
  // Chromium drops focus to <body>: put it back on the cell now at that row's place.
  let focusInside = false;
  /** The button or select in a cell that has focus: a row's new data draws its cells again, and the control with them. */
  let control: { element: HTMLElement; rowId: string; colId: string; index: number } | null = null;
  const keepFocus = () => {
    // Two frames on, the screen may have gone and taken the grid with it.
    if (!api || api.isDestroyed() || !focusInside) return;
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (!lost) return;
    // The same row, drawn again (a rule's preview arrived while Tab walked its buttons): the same control in it.
    if (control && !control.element.isConnected) {
      const cell = host.querySelector<HTMLElement>(`.ag-row[row-id="${CSS.escape(control.rowId)}"] .ag-cell[col-id="${CSS.escape(control.colId)}"]`);
      const again = cell ? controlsIn(cell)[control.index] : undefined;
      if (again) return again.focus();
    }
    const focused = api.getFocusedCell();
    const count = api.getDisplayedRowCount();
    if (count === 0) {
      focusInside = false;
      (host.closest('main')?.querySelector<HTMLElement>('h1') ?? host).focus();
      return;
    }
    const column = focused?.column ?? api.getAllDisplayedColumns()[0];
    if (!column) return;
    const index = Math.min(focused?.rowIndex ?? 0, count - 1);
    api.ensureIndexVisible(index);
    api.setFocusedCell(index, column);
  };
  const keepFocusSoon = () => requestAnimationFrame(() => requestAnimationFrame(keepFocus));

  // Before the rows: columns given again after the rows rebuilt every drawn cell with them (~50 ms
  // when Client mapping's 8,000 rows arrive), given first they rebuild only the header.
  createEffect(
    on(
      () => [columns(), props.rows] as const,
      ([columns, rows]) => {
        // A grid not made yet is made with the columns fitted then.
        if (!api) return;
        const next = fitColumns(columns, rows, host);
        // New rows rarely change a column's widest text; only then are the columns given again.
        if (columns === fitted.source && sameMinWidths(next, fitted)) return;
        fitted = next;
        api.setGridOption('columnDefs', next);
      },
      { defer: true },
    ),
  );
  // A refetch brings new objects for every row; a row equal to its previous self is handed back as
  // that object, so the grid updates only the rows an edit changed (thousands of rows per edit otherwise).
  // When the screen says how its rows changed, the grid applies just that: no comparison at all.
  let previous = new Map<string, T>();
  let shown: readonly T[] | undefined;
  let rowsSoon = false;
  const setRows = (next: T[]) => {
    if (!api) return;
    const change = props.change;
    if (change && change.to === next && change.from === shown && applyChange(api, change, previous)) {
      for (const id of change.removed) previous.delete(id);
      for (const { row } of change.upserts) previous.set(props.rowId(row), row);
      shown = next;
      keepFocusSoon();
      return;
    }
    // An empty grid's first rows are drawn in a task of their own, after the frame that shows what
    // came with them (the grid's columns, the screen's counts): drawing them costs as much again.
    if (!shown?.length && next.length > 0 && !opensApp) {
      if (!rowsSoon) {
        rowsSoon = true;
        afterFrame(() => {
          rowsSoon = false;
          if (!api || disposed) return false;
          untrack(() => giveRows(props.rows));
          return true;
        });
      }
      return;
    }
    giveRows(next);
  };
  const giveRows = (next: T[]) => {
    const rows = next.map((row) => {
      const old = previous.get(props.rowId(row));
      return old !== undefined && sameValue(old, row) ? old : row;
    });
    previous = new Map(rows.map((row) => [props.rowId(row), row]));
    shown = next;
    api!.updateGridOptions({ rowData: rows, loading: false });
    keepFocusSoon();
    returnFocus();
  };
  createEffect(
    on(
      () => [props.rows, props.change] as const,
      ([rows]) => setRows(rows),
      { defer: true },
    ),
  );
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
  // Deferred, like the columns: createGrid was given the first values, and setting columns again
  // rebuilt every column and cell of the new grid (a third of a reopen's main-thread time at 1M rows).
  createEffect(on(() => props.quickFilter ?? '', (text) => api?.setGridOption('quickFilterText', text), { defer: true }));
  createEffect(
    on(
      layout,
      (next) => {
        api?.setGridOption('domLayout', next);
        api?.setGridOption('alwaysShowVerticalScroll', next === 'normal');
      },
      { defer: true },
    ),
  );
  onCleanup(() => {
    disposed = true;
    // A grid that goes while it has focus (its last row mapped or excluded, and the screen shows
    // "nothing left" instead) takes focus with it to <body>: put it on the screen's heading.
    const hadFocus = focusInside && (host.contains(document.activeElement) || document.activeElement === document.body);
    api?.destroy();
    api = undefined;
    if (hadFocus)
      requestAnimationFrame(() => {
        if (document.activeElement === document.body || document.activeElement === null) document.querySelector<HTMLElement>('main h1')?.focus();
      });
  });

  let end!: HTMLSpanElement;
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          end.focus();
        }}
      >
        Skip past table
      </a>
      <div ref={host} class="grid" style={props.height ? { height: props.height } : layout() === 'normal' ? { height: LONG_LIST_HEIGHT } : {}} data-testid={props.testId} />
      <span ref={end} class="grid-end" tabIndex={-1} />
    </>
  );
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

/** The grid (by test id) and row last opened from a list: that list, shown again, puts focus back on the row. */
let openedFrom: { testId: string; rowId: string } | null = null;

/** Whether the page has drawn the screen it opened on (grids of that screen are made at once). */
let firstViewDrawn = false;
afterFirstView(() => (firstViewDrawn = true));

/** Grid steps waiting for a frame (afterFrame); a step returns false when it had nothing left to do. */
const steps: (() => boolean)[] = [];
let stepSoon = false;

/**
 * Runs `step` after the next frame is drawn (afterPaint), one step per frame across every grid:
 * Service mapping's two grids made after the same frame were one long task again.
 */
function afterFrame(step: () => boolean): void {
  steps.push(step);
  nextStep();
}

function nextStep(): void {
  if (stepSoon) return;
  stepSoon = true;
  afterPaint(() => {
    stepSoon = false;
    try {
      // Steps of grids already gone cost nothing and wait for no frame.
      while (steps.length > 0 && !steps.shift()!()) continue;
    } finally {
      if (steps.length > 0) nextStep();
    }
  });
}

/** The most transactions a change is applied in; more, and the grid takes the rows whole. */
const MAX_TRANSACTIONS = 20;

const CONTROLS = 'button:not([disabled]), a[href], select, input, textarea';

/** The screen's controls in a cell (the grid's own selection checkbox is the grid's: Space toggles it). */
function controlsIn(cell: HTMLElement): HTMLElement[] {
  return [...cell.querySelectorAll<HTMLElement>(CONTROLS)].filter((el) => !el.closest('.ag-selection-checkbox, .ag-checkbox'));
}

/**
 * While focus is on a button or select inside a cell, the grid leaves its keys alone: Enter and Space
 * operate the control, Tab walks the cell's controls, Esc goes back to the cell. Tab past the last
 * control is the grid's again (the next cell).
 */
function keepKeysInCellControls(p: SuppressKeyboardEventParams): boolean {
  const event = p.event;
  const target = event.target as HTMLElement;
  // Alt+↑/↓ is the screen's (a rule moves), not a move of the focused cell.
  if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) return true;
  const cell = target.closest<HTMLElement>('.ag-cell');
  if (!cell) return false;
  // Enter or Space on a cell with a control operates the control (onCellKeyDown), nothing else.
  if (target === cell) return (event.key === 'Enter' || event.key === ' ') && controlsIn(cell).length > 0;
  if (event.key === 'Escape') {
    if (event.type === 'keydown') cell.focus();
    return true;
  }
  if (event.key === 'Tab') {
    const controls = controlsIn(cell);
    const at = controls.indexOf(target);
    const next = at + (event.shiftKey ? -1 : 1);
    return at >= 0 && next >= 0 && next < controls.length;
  }
  return true;
}

/**
 * Money, dates and badges never clipped: a column whose renderer knows its text (cells.ts `fitOf`)
 * gets a minWidth from the widest text among the rows, measured with the grid's font. fitGridWidth
 * then shares out only the rest. Also turns the deprecated tooltip fields into `tooltip`, drops
 * `flex` (it conflicts with the auto-size strategy; its ratio becomes a starting width), and gives
 * every header its full name as a tooltip.
 */
function fitColumns<T>(columns: ColDef<T>[], rows: readonly T[], host: HTMLElement): ColDef<T>[] & { source?: ColDef<T>[] } {
  const font = getComputedStyle(host).fontFamily || 'sans-serif';
  const out: ColDef<T>[] & { source?: ColDef<T>[] } = columns.map((column) => {
    const { flex, tooltipField, tooltipValueGetter, ...col } = column;
    const def: ColDef<T> = { ...col };
    if (flex !== undefined && flex !== null && def.width === undefined) def.width = Math.round(160 * flex);
    if (def.tooltip === undefined) {
      if (tooltipValueGetter) def.tooltip = tooltipValueGetter;
      else if (tooltipField) def.tooltip = (p) => ((p.data as Record<string, unknown> | undefined)?.[tooltipField as string] as string | undefined) ?? undefined;
    }
    // A cut header is read in its tooltip, so the tooltip names the column before explaining it.
    if (def.headerName && (def.headerTooltip === undefined || (typeof def.headerTooltip === 'string' && !def.headerTooltip.includes(def.headerName))))
      def.headerTooltip = def.headerTooltip ? `${def.headerName}: ${def.headerTooltip}` : def.headerName;
    // A wrapped text's lines at the text's own spacing, not a row's height apart each.
    if (def.wrapText && def.cellStyle === undefined) def.cellStyle = WRAPPED_CELL;
    const fit = fitOf(def.cellRenderer);
    if (fit) {
      let widest = 0;
      const measured = new Set<unknown>();
      for (const row of rows) {
        const value = def.valueGetter && typeof def.valueGetter === 'function' ? def.valueGetter({ data: row } as never) : def.field ? (row as Record<string, unknown>)[def.field as string] : undefined;
        const shape = fit.shape ? fit.shape(value) : value;
        // Lists (badges) are few combinations: measured once each like a string.
        const key = Array.isArray(shape) ? shape.join('\u0000') : shape;
        if (measured.has(key)) continue;
        if (typeof key !== 'object') measured.add(key);
        widest = Math.max(widest, fit.width(shape, font));
      }
      def.minWidth = Math.max(def.minWidth ?? 0, Math.ceil(widest) + CELL_PADDING);
      if (def.width !== undefined && def.width < def.minWidth) def.width = def.minWidth;
    } else if (typeof def.valueFormatter === 'function' && !def.cellRenderer && def.width !== undefined) {
      // A value of one fixed format (a time, "2026-12-01 15:08 UTC": every one the same shape once
      // its digits are alike) that the column's width was chosen to hold is never shrunk below it
      // when the grid shares out a narrow window. Names and lists vary in shape and still give way
      // to an ellipsis with their tooltip.
      const format = def.valueFormatter;
      const shapes = new Set<string>();
      for (const row of rows.length > FORMATTED_SAMPLE ? rows.slice(0, FORMATTED_SAMPLE) : rows) {
        const value = def.valueGetter && typeof def.valueGetter === 'function' ? def.valueGetter({ data: row } as never) : def.field ? (row as Record<string, unknown>)[def.field as string] : undefined;
        const text = format({ value, data: row } as never);
        if (typeof text === 'string' && text !== '') shapes.add(text.replace(/[0-9]/g, '8'));
        if (shapes.size > ONE_FORMAT_SHAPES) break;
      }
      if (shapes.size > 0 && shapes.size <= ONE_FORMAT_SHAPES) {
        const widest = Math.ceil(Math.max(...[...shapes].map((text) => textWidth(text, `13px ${font}`))));
        // (The text within the width is enough: the padding's slack is ours, not the screen's.)
        if (widest <= def.width) def.minWidth = Math.max(def.minWidth ?? 0, widest + CELL_PADDING);
      }
    }
    return def;
  });
  out.source = columns;
  return out;
}

const WRAPPED_CELL = { lineHeight: '20px', paddingTop: '7px', paddingBottom: '7px' };

/** Rows a formatted column is measured on (a time or a code has one shape; the first rows show it). */
const FORMATTED_SAMPLE = 300;
/** Shapes a column of one fixed format shows at most (a time, and "never" for none). */
const ONE_FORMAT_SHAPES = 2;

/** A cell's left and right padding in the quartz theme at spacing 6, its borders, and a little slack for rounding. */
const CELL_PADDING = 42;

function sameMinWidths<T>(a: ColDef<T>[], b: ColDef<T>[]): boolean {
  return a.length === b.length && a.every((col, i) => col.minWidth === b[i]!.minWidth);
}

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
