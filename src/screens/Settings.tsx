import { For, Show, createEffect, createSignal, on, onCleanup, onMount } from 'solid-js';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import type { SourceProfile } from '../../worker/sources/types';
import { ImportWizard } from '../components/ImportWizard';
import { shareLink, type NewLink, type RelayLink } from '../../worker/protocol/syncProtocol';
import type { SharedLinkView } from '../../worker/protocol/coreEvents';
import { follow } from '../components/follow';
import { download, PageHeader } from '../components/ui';
import { SUGGESTION_THRESHOLD_RANGE, thresholdProblem, type AppSettings } from '../../worker/doc/settings';
import { core, displayName, lastImport, lastTimings, opened, overview, persisted, setDisplayName, settings, sharing, sync } from '../state/workspace';
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
  const valid = () =>
    Number.isInteger(draft().inactiveAfterDays) && draft().inactiveAfterDays >= 0 && Number.isInteger(draft().staleAfterHours) && draft().staleAfterHours >= 0 && /^[A-Z]{3}$/.test(draft().currency) && thresholdProblem(draft().suggestionThreshold) === null;

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
        <label>
          Suggested client matches: one click at or above{' '}
          <input
            type="number"
            min={SUGGESTION_THRESHOLD_RANGE.min}
            max={SUGGESTION_THRESHOLD_RANGE.max}
            step="0.01"
            data-testid="settings-threshold"
            value={draft().suggestionThreshold}
            onInput={(e) => update({ suggestionThreshold: Number(e.currentTarget.value) })}
          />
          <span class="muted"> (below it, Client mapping asks for a confirmation; the same threshold as there)</span>
        </label>
        <div class="form-actions">
          <button type="submit" disabled={!valid()}>Save settings</button>
          <Show when={!valid()}>
            <span class="error">Days and hours are whole numbers ≥ 0; the currency is a 3-letter code; the threshold a score from {SUGGESTION_THRESHOLD_RANGE.min} to {SUGGESTION_THRESHOLD_RANGE.max}.</span>
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

      <ShareWorkspace />

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
  // A link set elsewhere (created under "Share this workspace", or in another tab) shows here too.
  createEffect(
    on(
      () => sync().link,
      (link) => {
        if (!link) return;
        setRelayUrl(link.relayUrl);
        setWorkspaceId(link.workspaceId);
        setToken(link.token);
      },
      { defer: true },
    ),
  );
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
        <Show when={sync().identity}>
          {(who) => (
            <p data-testid="sync-identity">
              {syncStatus() === 'online' ? 'Connected as' : 'This device’s link is'} <strong>{who().person}</strong>
              {who().role === 'ro' ? ' (read-only: your edits stay on this device)' : ''}
              {syncStatus() === 'online' ? '' : ` (${syncStatus()})`}. The history names this person for edits made with it.
            </p>
          )}
        </Show>
        <label>
          Relay address <input placeholder={appRelay()} value={relayUrl()} onInput={(e) => setRelayUrl(e.currentTarget.value)} data-testid="sync-relay" />
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
        <Show when={syncStatus() === 'refused' || syncStatus() === 'too-large' || syncStatus() === 'incompatible' || syncStatus() === 'rate-limited'}>
          {/* Sync stopped and will not retry on its own: say why; Connect tries again (e.g. with a new token). */}
          <p class="edit-refused" role="alert" data-testid="sync-message">
            {sync().message}
          </p>
        </Show>
        <Show when={valid() && syncStatus() !== 'off' && syncStatus() !== 'refused'}>
          <p>
            This device’s own link (whoever opens it joins as you; give teammates their own link from “Share this workspace”):{' '}
            <code data-testid="share-link">{shareLink(current(), appUrl())}</code>
          </p>
        </Show>
      </div>
    </>
  );
}

/** The app's own address, for share links. */
const appUrl = () => `${location.origin}${location.pathname}`;

/** The relay this app came from (`npm start` serves both from one process), as a websocket address. */
const appRelay = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

/** One spelling of a relay address, to tell whether the sync link is on the admin key's relay. */
const sameRelay = (a: string, b: string) => a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');

const STATUS_TEXT: Record<SharedLinkView['status'], string> = { live: 'works', revoked: 'revoked', expired: 'expired' };

/**
 * Sharing without a terminal: with the relay's admin key (kept on this device), create the shared
 * workspace on the relay, give each teammate a link of their own, see who is connected, revoke.
 * Every call is a core command (worker/core/sharing.ts); this shows its state.
 */
function ShareWorkspace() {
  const view = sharing;
  const [relay, setRelay] = createSignal(view().adminRelay ?? appRelay());
  const [key, setKey] = createSignal('');
  const link = () => sync().link;
  const sharedHere = () => {
    const l = link();
    const admin = view().adminRelay;
    return l !== null && admin !== null && sameRelay(l.relayUrl, admin);
  };
  const namedYet = () => displayName() !== 'Someone' && displayName().trim() !== '';
  onMount(() => void core.refreshLinks());
  // Live counts change as teammates come and go: read them again while this screen is open.
  const timer = setInterval(() => sharedHere() && !view().busy && void core.refreshLinks(), 5000);
  onCleanup(() => clearInterval(timer));
  return (
    <>
      <h2 class="section-title">Share this workspace</h2>
      <div class="card form-grid share" data-testid="share-section">
        <Show
          when={view().adminRelay}
          fallback={
            <>
              <p class="muted">
                To share, paste the relay’s admin key: <code>npm start</code> prints it when the relay starts (it is also in the relay’s <code>relay-data/admin.key</code>). It is
                kept on this device only, never in the shared workspace; whoever has it can create workspaces and links on that relay.
              </p>
              <label>
                Relay address <input value={relay()} onInput={(e) => setRelay(e.currentTarget.value)} data-testid="admin-relay" />
              </label>
              <label>
                Admin key <input type="password" autocomplete="off" value={key()} onInput={(e) => setKey(e.currentTarget.value)} data-testid="admin-key" />
              </label>
              <div class="form-actions">
                <button disabled={view().busy || key().trim() === '' || !/^wss?:\/\//.test(relay().trim())} onClick={() => void core.saveAdminKey(relay(), key()).then(() => setKey(''))} data-testid="admin-save">
                  Use this key
                </button>
              </div>
            </>
          }
        >
          {(adminRelay) => (
            <>
              <p class="muted">
                This device holds the admin key of <code>{adminRelay()}</code>.{' '}
                <button class="link" onClick={() => void core.forgetAdminKey()} data-testid="admin-forget">
                  Forget the key
                </button>
              </p>
              <Show
                when={sharedHere()}
                fallback={
                  <>
                    <p>
                      Create a workspace on this relay and connect this one to it: your mappings, decisions and notes go there, and you then give each teammate a link of
                      their own.
                    </p>
                    <div class="form-actions">
                      <button disabled={view().busy || !namedYet()} onClick={() => void core.createSharedWorkspace()} data-testid="share-create">
                        Create a shared workspace on this relay
                      </button>
                      <Show when={!namedYet()}>
                        <span class="muted">Give your name under “You” first: your link is issued to it.</span>
                      </Show>
                    </div>
                  </>
                }
              >
                <ShareLinks />
              </Show>
            </>
          )}
        </Show>
        <Show when={view().busy}>
          <p class="muted small">Asking the relay…</p>
        </Show>
        <Show when={view().error}>
          <p class="edit-refused" role="alert" data-testid="share-error">
            {view().error}
          </p>
        </Show>
      </div>
    </>
  );
}

/** The shared workspace's links (one per person), revoking them, and a new one for a teammate. */
function ShareLinks() {
  const links = () => sharing().links ?? [];
  const [person, setPerson] = createSignal('');
  const [role, setRole] = createSignal<NewLink['role']>('rw');
  const [expires, setExpires] = createSignal('');
  const [minted, setMinted] = createSignal<{ person: string; url: string } | null>(null);
  const [copied, setCopied] = createSignal(false);
  const mint = async () => {
    const name = person().trim();
    // A date means "until the end of that day", here.
    const expiresAt = expires() ? new Date(`${expires()}T23:59:59.999`).toISOString() : null;
    const answer = await core.createLink({ person: name, role: role(), expiresAt });
    if (!answer) return;
    setMinted({ person: name, url: shareLink(answer, appUrl()) });
    setCopied(false);
    setPerson('');
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // No clipboard permission: the link is selectable on screen.
      setCopied(false);
    }
  };
  const revoke = (l: SharedLinkView) => {
    if (!confirm(`Revoke ${l.person}’s link? Their open sessions end within a second, and the link stops working for good.`)) return;
    void core.revokeLink(l.linkId);
  };
  return (
    <>
      <p>
        Workspace <code>{sync().link?.workspaceId}</code>: each person has a link of their own, with a role and an expiry. Revoking one ends that person’s sessions at
        once; the history names the person a link was issued to.
      </p>
      <table class="profiles-table links-table" data-testid="share-links">
        <thead>
          <tr>
            <th>Person</th>
            <th>Role</th>
            <th>Expires</th>
            <th>Status</th>
            <th>Connected</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For each={links()}>
            {(l) => (
              <tr data-link={l.linkId} data-person={l.person} data-status={l.status}>
                <td>{l.person}</td>
                <td>{l.role === 'rw' ? 'read-write' : 'read-only'}</td>
                <td>{l.expiresAt ? new Date(l.expiresAt).toLocaleDateString() : 'never'}</td>
                <td>
                  <span class={`badge ${l.status === 'live' ? 'badge-mapped' : 'badge-red'}`}>{STATUS_TEXT[l.status]}</span>
                </td>
                <td data-testid="link-live">{l.live}</td>
                <td class="actions">
                  <Show when={l.linkId === sync().identity?.linkId}>
                    <span class="muted small">this device</span>
                  </Show>
                  <Show when={l.status === 'live' && l.linkId !== sync().identity?.linkId}>
                    <button class="small-button danger" disabled={sharing().busy} onClick={() => revoke(l)} data-testid="link-revoke">
                      Revoke
                    </button>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <form
        class="new-link"
        data-testid="new-link"
        onSubmit={(e) => {
          e.preventDefault();
          void mint();
        }}
      >
        <h3>New link for a teammate</h3>
        <label>
          Name <input value={person()} onInput={(e) => setPerson(e.currentTarget.value)} maxLength={120} data-testid="new-link-person" />
        </label>
        <label>
          Role{' '}
          <select value={role()} onChange={(e) => setRole(e.currentTarget.value as NewLink['role'])} data-testid="new-link-role">
            <option value="rw">read-write: edits mappings, decisions, notes</option>
            <option value="ro">read-only: sees everything, edits stay on their device</option>
          </select>
        </label>
        <label>
          Expires <input type="date" value={expires()} onInput={(e) => setExpires(e.currentTarget.value)} data-testid="new-link-expires" />
        </label>
        <p class="muted small">Leave the date empty for a link that works until it is revoked.</p>
        <div class="form-actions">
          <button type="submit" disabled={sharing().busy || person().trim() === ''} data-testid="new-link-create">
            Create link
          </button>
        </div>
      </form>
      <Show when={minted()}>
        {(m) => (
          <div class="minted" data-testid="minted">
            <p>
              Link for <strong>{m().person}</strong>: send it to them privately. It is shown only now; if it is lost, revoke it and create another.
            </p>
            <code class="minted-link" data-testid="minted-link">
              {m().url}
            </code>
            <div class="form-actions">
              <button class="secondary" onClick={() => void copy(m().url)} data-testid="minted-copy">
                {copied() ? 'Copied' : 'Copy'}
              </button>
            </div>
          </div>
        )}
      </Show>
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
