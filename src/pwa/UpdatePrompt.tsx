import { Match, Show, Switch, createEffect, createSignal, onCleanup, onMount } from 'solid-js';
import { core, pendingImport, progress } from '../state/workspace';
import { trackDrafts, unsavedDrafts } from './drafts';
import { applyUpdate, updateOffer, updateReady } from './updates';
import './UpdatePrompt.css';

/**
 * "A new version is ready — Reload", out of the way in a corner, and a reload that drops no work.
 * Every edit is in the core (and IndexedDB) the moment it is made, so a reload loses none; what a
 * reload would lose is elsewhere:
 * - an import still running would be cut off, and a drop held in the mapping wizard is in the
 *   core's memory only (nothing of it is written until the last file is mapped or skipped): Reload
 *   waits for both, and says which;
 * - text typed and not saved yet (a rule being added, a note not yet left): Reload says which
 *   field holds it and reloads only when told to anyway (drafts.ts).
 * A tab where the user did not say Reload is never reloaded by another's (register.ts): it shows
 * this note too, saying the new version is already running elsewhere.
 */
export function UpdatePrompt() {
  const [wanted, setWanted] = createSignal(false);
  const [hidden, setHidden] = createSignal(false);
  /** The fields with unsaved text when Reload was asked; empty once the user said Reload anyway. */
  const [drafts, setDrafts] = createSignal<string[]>([]);
  let draftsAccepted = false;
  let reloading = false;

  onMount(() => onCleanup(trackDrafts()));

  // Another tab took the new version: this one runs the old code now, so the note comes back after "Later".
  createEffect(() => {
    if (updateOffer() === 'elsewhere') setHidden(false);
  });

  const busy = (): 'import' | 'wizard' | null => (progress() ? 'import' : pendingImport() ? 'wizard' : null);

  const ask = (anyway = false) => {
    draftsAccepted ||= anyway;
    const unsaved = draftsAccepted ? [] : unsavedDrafts();
    setDrafts(unsaved);
    if (unsaved.length === 0) setWanted(true);
  };

  const reloadWhenFree = async () => {
    if (reloading) return;
    // This tab's state is what the core's events said. Mapping the wizard's last file clears the
    // drop and starts its import in one step of the core, told in two events: the core itself
    // answers whether either is still on (its answer comes after both), before anything reloads.
    // A core that cannot answer (gone with its last tab, say) holds no import or drop either.
    const now = await core.state().catch(() => ({ progress: null, pendingImport: null }));
    if (now.progress || now.pendingImport || !wanted() || reloading) return; // the event on its way brings this back
    // Text typed while Reload waited for the import is asked about as at the click.
    const unsaved = draftsAccepted ? [] : unsavedDrafts();
    if (unsaved.length > 0) {
      setWanted(false);
      setDrafts(unsaved);
      return;
    }
    reloading = true;
    await applyUpdate();
  };
  createEffect(() => {
    if (wanted() && !busy()) void reloadWhenFree();
  });

  return (
    <Show when={updateReady() && !hidden()}>
      <div class="update-prompt" role="status" data-testid="update-prompt" data-offer={updateOffer()}>
        <Switch
          fallback={
            <span>{updateOffer() === 'elsewhere' ? 'A new version of Ledgerline was opened in another tab. Reload this one when you are ready.' : 'A new version of Ledgerline is ready.'}</span>
          }
        >
          <Match when={drafts().length > 0}>
            <span data-testid="update-unsaved">
              Not reloaded: <strong>{drafts().join(', ')}</strong> {drafts().length === 1 ? 'holds' : 'hold'} text you have not saved yet. Save or clear it, then Reload.
            </span>
          </Match>
          <Match when={wanted() && busy()}>
            <span data-testid="update-waiting" data-waiting-for={busy()}>
              {busy() === 'import' ? 'Reloading once the import in progress has finished…' : 'Reloading once the files in the import wizard are mapped or skipped (or the drop is cancelled)…'}
            </span>
          </Match>
        </Switch>
        <Show
          when={drafts().length > 0}
          fallback={
            <button onClick={() => ask()} disabled={wanted()} data-testid="update-reload">
              Reload
            </button>
          }
        >
          <button class="secondary" onClick={() => ask(true)} data-testid="update-reload-anyway">
            Reload anyway
          </button>
          <button onClick={() => ask()} data-testid="update-reload">
            Reload
          </button>
        </Show>
        <Show when={!wanted()} fallback={<button class="link" onClick={() => setWanted(false)} data-testid="update-cancel">Cancel</button>}>
          <button class="link" onClick={() => (setDrafts([]), setHidden(true))} aria-label="Later">
            Later
          </button>
        </Show>
      </div>
    </Show>
  );
}
