import { For, Show, createEffect } from 'solid-js';
import { route } from '../router';
import { announceWhere, paused, pauseSync, peers, resumeAfterPause, savedOnRelay, syncStatus } from '../state/sync';

const TEXT = {
  off: 'Local only (not shared)',
  connecting: 'Connecting to the relay…',
  online: 'Online: changes go to the relay',
  offline: 'Offline: changes are kept on this device and sent when the relay is back',
  refused: 'The relay refused this link: ask for a new one',
} as const;

/** The sync state, plainly, and who else is in the workspace right now (and where). */
export function SyncBadge() {
  createEffect(() => {
    const r = route();
    announceWhere(r.screen === 'client' ? `client ${r.clientId}` : r.screen);
  });
  return (
    <div class={`sync-badge sync-${syncStatus()}`} data-testid="sync-status" data-status={syncStatus()}>
      <span class="dot" aria-hidden="true" />{' '}
      <span data-testid="sync-text">{paused() ? 'Paused: changes are kept on this device' : syncStatus() === 'online' ? (savedOnRelay() ? 'All changes saved to the relay' : 'Saving to the relay…') : TEXT[syncStatus()]}</span>
      <Show when={syncStatus() !== 'off'}>
        {' '}
        <button class="link" onClick={() => (paused() ? resumeAfterPause() : pauseSync())} data-testid="sync-toggle">
          {paused() ? 'Resume' : 'Pause'}
        </button>
      </Show>
      <Show when={peers().length > 0}>
        <ul class="peers" data-testid="peers">
          <For each={peers()}>{(p) => <li>{p.name}{p.where ? ` · ${p.where}` : ''}</li>}</For>
        </ul>
      </Show>
    </div>
  );
}
