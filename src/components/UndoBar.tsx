import { Show, onCleanup, onMount } from 'solid-js';
import { canRedo, canUndo, core } from '../state/workspace';
import './UndoBar.css';

const undo = () => void core.undo();
const redo = () => void core.redo();

/** Undo / redo of mapping edits (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y), and the reason a refused edit was refused. */
export function UndoBar(props: { message: string; onDismiss: () => void }) {
  const onKey = (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).closest('input, select, textarea')) return;
    const key = e.key.toLowerCase();
    if (key === 'z' && !e.shiftKey) {
      e.preventDefault();
      undo();
    } else if (key === 'y' || (key === 'z' && e.shiftKey)) {
      e.preventDefault();
      redo();
    }
  };
  onMount(() => window.addEventListener('keydown', onKey));
  onCleanup(() => window.removeEventListener('keydown', onKey));
  return (
    <div class="undo-bar">
      <button class="secondary" disabled={!canUndo()} onClick={undo} data-testid="undo" title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button class="secondary" disabled={!canRedo()} onClick={redo} data-testid="redo" title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
      <Show when={props.message}>
        <span class="edit-refused" role="alert" data-testid="edit-message">
          {props.message}{' '}
          <button class="link" onClick={props.onDismiss} aria-label="Dismiss">
            ×
          </button>
        </span>
      </Show>
    </div>
  );
}
