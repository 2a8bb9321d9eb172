import { AllCommunityModule, ModuleRegistry, createGrid, themeQuartz, type ColDef, type GridApi, type GridOptions } from 'ag-grid-community';
import { createEffect, onCleanup, onMount } from 'solid-js';
import './DataGrid.css';

ModuleRegistry.registerModules([AllCommunityModule]);

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

export interface DataGridProps<T> {
  rows: T[];
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

  onMount(() => {
    api = createGrid<T>(host, {
      theme: gridTheme,
      columnDefs: props.columns,
      rowData: props.rows,
      getRowId: (p) => props.rowId(p.data),
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
  let previous = new Map<string, T>();
  createEffect(() => {
    const rows = props.rows.map((row) => {
      const old = previous.get(props.rowId(row));
      return old !== undefined && sameValue(old, row) ? old : row;
    });
    previous = new Map(rows.map((row) => [props.rowId(row), row]));
    api?.setGridOption('rowData', rows);
  });
  createEffect(() => api?.setGridOption('quickFilterText', props.quickFilter ?? ''));
  createEffect(() => api?.setGridOption('columnDefs', props.columns));
  onCleanup(() => api?.destroy());

  return <div ref={host} class="grid" style={props.height ? { height: props.height } : {}} data-testid={props.testId} />;
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
