import { For, Show, createEffect } from 'solid-js';
import { route } from '../router';
import { core, sync } from '../state/workspace';
import './SyncBadge.css';

const paused = () => sync().paused;
const syncStatus = () => sync().status;
const peers = () => sync().peers;

/** Stopped states (refused, too large, incompatible, rate-limited) and offline say why in `sync().message` (from the protocol module). */
function text(): string {
  if (paused()) return 'Paused: changes are kept on this device';
  switch (syncStatus()) {
    case 'off':
      return 'Local only (not shared)';
    case 'connecting':
      return 'Connecting to the relay…';
    case 'online':
      return sync().saved ? 'All changes saved to the relay' : 'Saving to the relay…';
    default:
      return sync().message;
  }
}

/** Reconnecting cannot help in these states: the badge offers no Pause/Resume, the message says what to do. */
const stopped = () => syncStatus() === 'refused' || syncStatus() === 'too-large' || syncStatus() === 'incompatible' || syncStatus() === 'rate-limited';

/** The sync state, plainly, and who else is in the workspace right now (and where). */
export function SyncBadge() {
  createEffect(() => {
    const r = route();
    void core.announceWhere(r.screen === 'client' ? `client ${r.clientId}` : r.screen);
  });
  return (
    <div class={`sync-badge sync-${syncStatus()}${stopped() ? ' sync-stopped' : ''}`} data-testid="sync-status" data-status={syncStatus()}>
      <span class="dot" aria-hidden="true" />{' '}
      <span data-testid="sync-text" role={stopped() ? 'alert' : undefined}>
        {text()}
      </span>
      <Show when={syncStatus() === 'rate-limited'}>
        {/* Cut off for its pace, not refused: the same link works again once this tab has calmed down. */}{' '}
        <button class="link" onClick={() => void core.reconnect()} data-testid="sync-reconnect">
          Reconnect
        </button>
      </Show>
      <Show when={syncStatus() !== 'off' && !stopped()}>
        {' '}
        <button class="link" onClick={() => void (paused() ? core.resumeAfterPause() : core.pauseSync())} data-testid="sync-toggle">
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
