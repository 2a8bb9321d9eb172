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
 * The known client whose "Name (ID)" label best fits a partial text: the whole name or id, then a
 * name starting with it, then a word of it starting with it, then the text anywhere; ties go to
 * the shorter label (the closer fit), then the alphabetically first, so Enter is predictable.
 */
export function bestClientMatch(text: string, known: ReadonlySet<string>, labelOf: (id: string) => string): string | null {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return null;
  let best: { id: string; rank: number; label: string } | null = null;
  for (const id of known) {
    const label = labelOf(id);
    const lower = label.toLowerCase();
    const name = lower.endsWith(`(${id.toLowerCase()})`) ? lower.slice(0, -(id.length + 2)).trim() : lower;
    const rank =
      name === wanted || id.toLowerCase() === wanted ? 0 : name.startsWith(wanted) ? 1 : name.split(/[^a-z0-9]+/).some((w) => w && w.startsWith(wanted)) ? 2 : lower.includes(wanted) ? 3 : -1;
    if (rank < 0) continue;
    if (!best || rank < best.rank || (rank === best.rank && (label.length < best.label.length || (label.length === best.label.length && label < best.label)))) best = { id, rank, label };
  }
  return best?.id ?? null;
}

/**
 * A searchable PSA client picker inside the grid cell: a text input bound to a datalist, so typing
 * any part of a name narrows the choices (native, keyboard-friendly, no enterprise editor needed).
 */
export class PsaClientEditor implements ICellEditorComp {
  private wrap!: HTMLDivElement;
  private input!: HTMLInputElement;
  private message!: HTMLDivElement;
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
    this.input.setAttribute('aria-label', 'PSA client');
    this.message = document.createElement('div');
    this.message.className = 'cell-picker-message';
    this.message.setAttribute('role', 'status');
    this.message.dataset.testid = 'picker-message';
    this.wrap = document.createElement('div');
    this.wrap.className = 'cell-picker-wrap';
    this.wrap.style.width = `${params.column.getActualWidth()}px`;
    this.wrap.append(this.input, this.message);
    this.input.addEventListener('input', () => (this.message.textContent = ''));
    // Enter on a partial name must never do nothing: it takes the best match, or stays open and says there is none.
    this.input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || clientIdFromLabel(this.input.value, this.known) || !this.input.value.trim()) return;
      const id = bestClientMatch(this.input.value, this.known, params.labelOf);
      if (id) {
        this.input.value = params.labelOf(id);
        return;
      }
      e.preventDefault();
      e.stopPropagation();
      this.message.textContent = `No PSA client matches "${this.input.value.trim()}". Type part of a name or an id.`;
    });
  }

  getGui(): HTMLElement {
    return this.wrap;
  }

  /** A popup, so the "no match" line can show below the cell instead of being clipped by it. */
  isPopup(): boolean {
    return true;
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
