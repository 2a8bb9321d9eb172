import { For, Show, createSignal } from 'solid-js';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import type { SourceProfile } from '../../worker/sources/types';
import { ImportWizard } from '../components/ImportWizard';
import { shareLink, type RelayLink } from '../../worker/protocol/syncProtocol';
import { follow } from '../components/follow';
import { download, PageHeader } from '../components/ui';
import type { AppSettings } from '../../worker/doc/settings';
import { core, displayName, lastImport, lastTimings, opened, overview, persisted, setDisplayName, settings, sync } from '../state/workspace';
import './Settings.css';

export function Settings() {
  const [editing, setEditing] = createSignal<{ profile: SourceProfile; copy: boolean } | null>(null);
  return (
    <Show when={editing()} keyed fallback={<SettingsForm onEditProfile={setEditing} />}>
      {(e) => <ImportWizard profile={e} onClose={() => setEditing(null)} />}
    </Show>
  );
}

function SettingsForm(props: { onEditProfile: (e: { profile: SourceProfile; copy: boolean }) => void }) {
  const importTimings = () => {
    const outcome = lastImport();
    return outcome?.ok ? outcome.timings : null;
  };
  const [draft, setDraft] = createSignal<AppSettings>({ ...settings() });
  const [message, setMessage] = createSignal('');
  const update = (patch: Partial<AppSettings>) => setDraft({ ...draft(), ...patch });
  const valid = () => Number.isInteger(draft().inactiveAfterDays) && draft().inactiveAfterDays >= 0 && Number.isInteger(draft().staleAfterHours) && draft().staleAfterHours >= 0 && /^[A-Z]{3}$/.test(draft().currency);

  const save = async () => {
    await core.saveSettings(draft());
    setMessage('Saved. Every number was recalculated.');
  };
  const exportBundle = async () => {
    download(`ledgerline-workspace-${overview()?.asOfDate ?? 'export'}.zip`, await core.exportBundleZip(), 'application/zip');
  };
  const clear = async () => {
    if (!confirm('Remove every imported file and setting from this browser? This cannot be undone (export the workspace first to keep a copy).')) return;
    await core.clearWorkspace();
    setDraft({ ...settings() });
  };

  return (
    <section class="settings">
      <PageHeader title="Settings" subtitle="What every number is computed against." />
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>As of</legend>
          <label class="radio">
            <input type="radio" name="asof" checked={draft().asOfMode === 'now'} onChange={() => update({ asOfMode: 'now' })} /> Now (each time you open the workspace)
          </label>
          <label class="radio">
            <input type="radio" name="asof" checked={draft().asOfMode === 'fixed'} onChange={() => update({ asOfMode: 'fixed', asOf: draft().asOf ?? new Date().toISOString() })} /> A fixed time (UTC):{' '}
            <input
              type="datetime-local"
              data-testid="asof-input"
              disabled={draft().asOfMode !== 'fixed'}
              value={(draft().asOf ?? '').slice(0, 16)}
              onInput={(e) => update({ asOf: e.currentTarget.value ? `${e.currentTarget.value}:00Z` : null })}
            />
          </label>
          <p class="muted">Current invoice lines are those whose period contains the date of this time (UTC). Importing a bundle sets its asOf.</p>
        </fieldset>
        <label>
          Inactive after (days){' '}
          <input type="number" min="0" step="1" data-testid="inactive-days" value={draft().inactiveAfterDays} onInput={(e) => update({ inactiveAfterDays: Number(e.currentTarget.value) })} />
        </label>
        <label>
          Stale after (hours){' '}
          <input type="number" min="0" step="1" value={draft().staleAfterHours} onInput={(e) => update({ staleAfterHours: Number(e.currentTarget.value) })} />
        </label>
        <label>
          Currency (ISO code){' '}
          <input type="text" maxLength={3} value={draft().currency} onInput={(e) => update({ currency: e.currentTarget.value.toUpperCase() })} />
        </label>
        <div class="form-actions">
          <button type="submit" disabled={!valid()}>Save settings</button>
          <Show when={!valid()}>
            <span class="error">Days and hours are whole numbers ≥ 0; the currency is a 3-letter code.</span>
          </Show>
          <Show when={message()}>
            <span class="ok">{message()}</span>
          </Show>
        </div>
      </form>

      <h2 class="section-title">You</h2>
      <div class="card">
        <label class="inline">
          Your name, as the history shows it{' '}
          <input
            value={displayName()}
            data-testid="display-name"
            onChange={(e) => void setDisplayName(e.currentTarget.value.trim())}
          />
        </label>
      </div>

      <ImportProfiles onEdit={props.onEditProfile} />

      <TeammateSync />

      <h2 class="section-title">Workspace</h2>
      <div class="card">
        <p>
          Storage: {persisted() === null ? 'checking…' : persisted() ? 'persistent (the browser will not evict it)' : 'best effort (the browser may evict it under pressure: export a copy)'}.
          <Show when={lastTimings()}>{(t) => <> Last reconciliation: {t().loadMs} ms loading, {t().reconcileMs} ms reconciling.</>}</Show>
          <Show when={opened()}>
            {(o) => (
              <>
                {' '}
                Opened (ms since the core started): asked at {o().start}, the document at {o().document} (its lock at {o().locked}), {o().keptViews === null ? 'no kept table (something changed)' : `the kept table at ${o().keptViews}`}, reconciled at {o().reconciled}.
              </>
            )}
          </Show>
          <Show when={importTimings()}>
            {(t) => (
              <>
                {' '}
                Last import: {t().read} ms reading, {t().convert} ms recognising, {t().parse} ms parsing and checking, {t().store} ms storing.
              </>
            )}
          </Show>
        </p>
        <div class="form-actions">
          <button onClick={() => void exportBundle()} data-testid="export-bundle">Export workspace (.zip)</button>
          <button class="secondary" onClick={() => void core.loadDemo()}>Load the demo workspace</button>
          <button class="danger" onClick={() => void clear()} data-testid="clear-workspace">Clear workspace…</button>
        </div>
      </div>
    </section>
  );
}

/** Connecting this workspace's document to a relay, and the link that lets a teammate join. */
function TeammateSync() {
  const saved = sync().link;
  const syncStatus = () => sync().status;
  const [relayUrl, setRelayUrl] = createSignal(saved?.relayUrl ?? '');
  const [workspaceId, setWorkspaceId] = createSignal(saved?.workspaceId ?? '');
  const [token, setToken] = createSignal(saved?.token ?? '');
  const current = (): RelayLink => ({ relayUrl: relayUrl().trim(), workspaceId: workspaceId().trim(), token: token().trim() });
  const valid = () => /^wss?:\/\//.test(current().relayUrl) && current().workspaceId !== '' && current().token !== '';
  return (
    <>
      <h2 class="section-title">Teammate sync</h2>
      <div class="card form-grid">
        <p class="muted">
          Mappings, decisions and notes sync through a relay (see server/README.md; the relay's operator creates the workspace and its tokens). Edits are saved on this device
          first, so nothing is lost offline.
        </p>
        <label>
          Relay address <input placeholder="ws://127.0.0.1:8787" value={relayUrl()} onInput={(e) => setRelayUrl(e.currentTarget.value)} data-testid="sync-relay" />
        </label>
        <label>
          Workspace <input value={workspaceId()} onInput={(e) => setWorkspaceId(e.currentTarget.value)} data-testid="sync-workspace" />
        </label>
        <label>
          Token <input value={token()} onInput={(e) => setToken(e.currentTarget.value)} data-testid="sync-token" />
        </label>
        <div class="form-actions">
          <button disabled={!valid()} onClick={() => void core.connect(current())} data-testid="sync-connect">Connect</button>
          <button class="secondary" disabled={syncStatus() === 'off'} onClick={() => void core.forgetSync()}>Disconnect</button>
        </div>
        <Show when={syncStatus() === 'refused' || syncStatus() === 'too-large' || syncStatus() === 'incompatible'}>
          {/* Sync stopped and will not retry on its own: say why; Connect tries again (e.g. with a new token). */}
          <p class="edit-refused" role="alert" data-testid="sync-message">
            {sync().message}
          </p>
        </Show>
        <Show when={valid() && syncStatus() !== 'off' && syncStatus() !== 'refused'}>
          <p>
            Share link for a teammate: <code data-testid="share-link">{shareLink(current(), `${location.origin}${location.pathname}`)}</code>
          </p>
        </Show>
      </div>
    </>
  );
}

/** How raw exports are read: the built-in profiles (copy one to change it) and this workspace's saved ones. */
function ImportProfiles(props: { onEdit: (e: { profile: SourceProfile; copy: boolean }) => void }) {
  const saved = follow('sourceProfiles', () => core.profiles(), []);
  const [message, setMessage] = createSignal('');
  const what = (p: SourceProfile) => (p.target === 'usage' ? `Usage · ${p.integration.name}${p.clientScope === 'file' ? ' (one file per client)' : ''}` : p.fields.service_id ? 'PSA lines' : 'PSA clients');
  const remove = async (p: SourceProfile) => {
    if (!confirm(`Delete the profile "${p.name}"? Files it reads will open the import wizard again.`)) return;
    setMessage((await core.deleteProfile(p.id)) ?? `Deleted "${p.name}".`);
  };
  return (
    <>
      <h2 class="section-title">Import profiles</h2>
      <div class="card" data-testid="import-profiles">
        <p class="muted">
          How a raw export (Microsoft 365, NinjaOne, Pax8, …) becomes usage or PSA data. A file whose header no profile knows opens the import wizard; what you map there is saved
          here for the whole workspace, and next month's file is read by it on its own.
        </p>
        <table class="profiles-table">
          <thead>
            <tr>
              <th>Profile</th>
              <th>Reads</th>
              <th>Origin</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={saved()}>
              {(p) => (
                <tr data-profile={p.id}>
                  <td>{p.name}</td>
                  <td>{what(p)}</td>
                  <td>
                    <span class="badge badge-mapped">saved</span>
                  </td>
                  <td class="actions">
                    <button class="small-button secondary" onClick={() => props.onEdit({ profile: p, copy: false })}>Edit</button>
                    <button class="small-button secondary" onClick={() => props.onEdit({ profile: p, copy: true })}>Copy</button>
                    <button class="small-button danger" onClick={() => remove(p)}>Delete</button>
                  </td>
                </tr>
              )}
            </For>
            <For each={BUILTIN_PROFILES}>
              {(p) => (
                <tr data-profile={p.id}>
                  <td>{p.name}</td>
                  <td>{what(p)}</td>
                  <td>
                    <span class="badge">built in</span>
                  </td>
                  <td class="actions">
                    <button class="small-button secondary" data-testid={`copy-${p.id}`} onClick={() => props.onEdit({ profile: p, copy: true })}>Copy</button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={saved().length === 0}>
          <p class="muted small">No saved profiles yet: drop a file Ledgerline does not know, or copy a built-in profile to adjust it.</p>
        </Show>
        <Show when={message()}>
          <p class="ok">{message()}</p>
        </Show>
      </div>
    </>
  );
}
