import {
  CellStyleModule,
  CheckboxEditorModule,
  ClientSideRowModelApiModule,
  ClientSideRowModelModule,
  ColumnAutoSizeModule,
  CustomEditorModule,
  ExternalFilterModule,
  ModuleRegistry,
  NumberEditorModule,
  QuickFilterModule,
  RowAutoHeightModule,
  RowDragModule,
  RowSelectionModule,
  RowStyleModule,
  SelectEditorModule,
  TextEditorModule,
  TextFilterModule,
  TooltipModule,
} from 'ag-grid-community';

/**
 * Only the grid features the screens use. AllCommunityModule made the screens' chunk 1.25 MB and
 * had every feature's services built for each grid, which a reopen paid before its first table.
 * A feature missing here shows as AG Grid error #200 in the console (the browser tests fail on it).
 * No ValidationModule: in development it paints a warnings panel over the page.
 */
ModuleRegistry.registerModules([
  ClientSideRowModelModule,
  ClientSideRowModelApiModule,
  QuickFilterModule,
  ExternalFilterModule,
  TextFilterModule,
  TooltipModule,
  TextEditorModule,
  SelectEditorModule,
  NumberEditorModule,
  CheckboxEditorModule,
  // The client mapping screen's PSA client picker (psaClientEditor.ts).
  CustomEditorModule,
  RowDragModule,
  RowSelectionModule,
  CellStyleModule,
  RowStyleModule,
  RowAutoHeightModule,
  ColumnAutoSizeModule,
]);
