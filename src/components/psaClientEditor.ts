import type { ICellEditorComp, ICellEditorParams } from 'ag-grid-community';
import './psaClientEditor.css';

/** The datalist of PSA clients ("Name (ID)") that the editor's input searches as the user types. */
export const PSA_CLIENTS_LIST = 'psa-clients-list';

/** "Acme Inc (C1001)" → "C1001"; a bare id is taken as it is. */
export function clientIdFromLabel(label: string, known: ReadonlySet<string>): string | null {
  const text = label.trim();
  const match = /\(([^()]+)\)$/.exec(text);
  if (match && known.has(match[1]!)) return match[1]!;
  return known.has(text) ? text : null;
}

/**
 * A searchable PSA client picker inside the grid cell: a text input bound to a datalist, so typing
 * any part of a name narrows the choices (native, keyboard-friendly, no enterprise editor needed).
 */
export class PsaClientEditor implements ICellEditorComp {
  private input!: HTMLInputElement;
  private known!: ReadonlySet<string>;
  private initial = '';

  init(params: ICellEditorParams & { knownIds: () => ReadonlySet<string>; labelOf: (id: string) => string }): void {
    this.known = params.knownIds();
    this.initial = (params.value as string) ?? '';
    this.input = document.createElement('input');
    this.input.className = 'cell-picker';
    this.input.setAttribute('list', PSA_CLIENTS_LIST);
    this.input.placeholder = 'Type to search PSA clients…';
    this.input.value = this.initial ? params.labelOf(this.initial) : '';
  }

  getGui(): HTMLElement {
    return this.input;
  }

  afterGuiAttached(): void {
    this.input.focus();
    this.input.select();
  }

  /** The chosen client id; an unknown text keeps the old value (the grid then refuses the edit). */
  getValue(): string {
    return clientIdFromLabel(this.input.value, this.known) ?? this.initial;
  }
}
