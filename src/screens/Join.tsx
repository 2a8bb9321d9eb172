import { Show, createSignal } from 'solid-js';
import { EmptyState, PageHeader } from '../components/ui';
import { route } from '../router';
import { parseShareLink } from '../../worker/protocol/syncProtocol';
import { core } from '../state/workspace';

/** Opening a share link: join the shared workspace on this device, after saying what that replaces. */
export function Join() {
  const [busy, setBusy] = createSignal(false);
  const settings = () => {
    const r = route();
    return r.screen === 'join' ? parseShareLink(r.query) : null;
  };
  return (
    <Show
      when={settings()}
      fallback={<EmptyState title="This share link is incomplete">It needs the relay address, the workspace and a token. Ask the person who shared it for the full link.</EmptyState>}
    >
      {(s) => (
        <section>
          <PageHeader title="Join a shared workspace" subtitle={`Workspace ${s().workspaceId} on ${s().relayUrl}`} />
          <div class="card">
            <p>
              Joining replaces the mappings, decisions and notes on this device with the shared ones, and keeps them in sync from now on (offline edits are kept and sent
              later). Data you imported on this device stays.
            </p>
            <div class="form-actions">
              <button
                disabled={busy()}
                data-testid="join"
                onClick={() => {
                  setBusy(true);
                  void core.joinWorkspace(s());
                }}
              >
                Join workspace
              </button>
              <a href="#/">Not now</a>
            </div>
          </div>
        </section>
      )}
    </Show>
  );
}
