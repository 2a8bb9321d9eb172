import { Show, createEffect, createSignal } from 'solid-js';
import { progress } from '../state/workspace';
import { applyUpdate, updateReady } from './updates';
import './UpdatePrompt.css';

/**
 * "A new version is ready — Reload", out of the way in a corner. Every edit is in the core (and
 * IndexedDB) the moment it is made, so a reload loses none; an import still running would be cut
 * off, so Reload waits for it to finish and says so.
 */
export function UpdatePrompt() {
  const [wanted, setWanted] = createSignal(false);
  const [hidden, setHidden] = createSignal(false);
  createEffect(() => {
    if (wanted() && !progress()) void applyUpdate();
  });
  return (
    <Show when={updateReady() && !hidden()}>
      <div class="update-prompt" role="status" data-testid="update-prompt">
        <Show when={wanted() && progress()} fallback={<span>A new version of Ledgerline is ready.</span>}>
          <span data-testid="update-waiting">Reloading once the import in progress has finished…</span>
        </Show>
        <button onClick={() => setWanted(true)} disabled={wanted()} data-testid="update-reload">
          Reload
        </button>
        <Show when={!wanted()}>
          <button class="link" onClick={() => setHidden(true)} aria-label="Later">
            Later
          </button>
        </Show>
      </div>
    </Show>
  );
}
