import { For, Show, createSignal } from 'solid-js';
import type { FileReport, ImportOutcome } from '../../worker/core/importBatch';
import { core, lastImport, overview, pendingImport, progress } from '../state/workspace';
import { ProgressBar } from './ui';
import './ImportPanel.css';

const PHASE = { reading: 'Reading', parsing: 'Checking', storing: 'Saving', done: 'Done' } as const;
const STATUS = { imported: 'Imported', skipped: 'Skipped', failed: 'Failed', unknown: 'Needs a profile' } as const;

const sourceNames = (ids: readonly string[]) => ids.map((id) => (id === 'psa' ? 'the PSA data' : (overview()?.integrations.find((i) => i.id === id)?.name ?? id))).join(', ');
const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Import progress while it runs; afterwards every file of the drop and what became of it, or every problem found (and that nothing was kept). */
export function ImportPanel() {
  const [dismissed, setDismissed] = createSignal<unknown>(null);
  const outcome = () => (lastImport() !== dismissed() ? lastImport() : null);
  const tone = (o: ImportOutcome) => (o.ok ? 'ok' : o.errors.length > 0 ? 'failed' : 'pending');
  return (
    <>
      <Show when={progress()}>
        {(p) => (
          <div class="import-panel" data-testid="import-progress">
            <ProgressBar fraction={p().fraction} label={`${PHASE[p().phase]} ${p().fileName || 'files'}…`} />
          </div>
        )}
      </Show>
      <Show when={!progress() && outcome()}>
        {(o) => (
          <div class={`import-panel ${tone(o())}`} data-testid="import-result" role={tone(o()) === 'failed' ? 'alert' : 'status'}>
            <button class="close" aria-label="Dismiss" onClick={() => setDismissed(lastImport())}>
              ×
            </button>
            <Headline outcome={o()} />
            <Show when={!o().ok && (o() as { messages: string[] }).messages.length > 0}>
              <ul class="error-list" data-testid="import-errors">
                <For each={o().ok ? [] : (o() as { messages: string[] }).messages}>{(m) => <li>{m}</li>}</For>
              </ul>
            </Show>
            <ImportReport files={o().report ?? []} />
            <For each={o().ok ? (o() as { notes: string[] }).notes : []}>{(n) => <div class="note">{n}</div>}</For>
          </div>
        )}
      </Show>
    </>
  );
}

function Headline(props: { outcome: ImportOutcome }) {
  const files = () => props.outcome.report ?? [];
  const n = (status: FileReport['status']) => files().filter((f) => f.status === status).length;
  const tail = () => (n('skipped') > 0 ? ` ${plural(n('skipped'), 'file')} skipped (see why below).` : '');
  return (
    <Show
      when={props.outcome.ok}
      fallback={
        <Show
          when={(props.outcome as { errors: unknown[] }).errors.length > 0}
          fallback={
            <p class="headline">
              <strong>{plural(n('unknown'), 'file')} no profile knows: nothing is imported yet.</strong>{' '}
              {pendingImport() ? 'Map each one in the import wizard below (or skip it), and the whole drop is imported at once.' : 'Drop the files again to map them.'}
            </p>
          }
        >
          <p class="headline">
            <strong>Import failed: nothing was imported.</strong> Fix these problems and drop the files again.
          </p>
          <p data-testid="import-failed-sources">
            The numbers in use have not changed: they are still from the previous import of each source.
            <Show when={(props.outcome as { failedSources?: string[] }).failedSources?.length}>
              {' '}Marked "last import failed" on Integrations: {sourceNames((props.outcome as { failedSources?: string[] }).failedSources ?? [])}.
            </Show>
          </p>
        </Show>
      }
    >
      <p class="headline">
        <strong>Imported {plural(n('imported'), 'file')}.</strong>
        {tail()}
      </p>
    </Show>
  );
}

/** One line per file of a drop: profile, rows read, rows written, rows skipped and why; or why the file was skipped. */
export function ImportReport(props: { files: FileReport[] }) {
  const skippedText = (f: FileReport) => {
    const entries = Object.entries(f.skippedRows);
    if (entries.length === 0) return f.rowsRead === null || f.status === 'unknown' ? '—' : '0';
    return `${entries.reduce((s, [, k]) => s + k, 0)}: ${entries.map(([why, k]) => `${why} (${k})`).join('; ')}`;
  };
  return (
    <Show when={props.files.length > 0}>
      {/* It scrolls when a drop has many files: focusable, so the keyboard scrolls it too (axe: scrollable-region-focusable). */}
      <div class="import-report-wrap" tabIndex={0} role="region" aria-label="Import report">
        <table class="import-report" data-testid="import-report">
          <thead>
            <tr>
              <th>File</th>
              <th>Result</th>
              <th>Read as</th>
              <th class="num">Rows read</th>
              <th class="num">Rows written</th>
              <th>Rows skipped</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.files}>
              {(f) => (
                <>
                  <tr data-file={f.file} data-status={f.status}>
                    <td class="file" title={f.file}>
                      {f.file}
                    </td>
                    <td>
                      <span class={`badge badge-report-${f.status}`}>{STATUS[f.status]}</span>
                    </td>
                    <td>
                      <Show when={f.profile} fallback={<span class="muted">{f.reason}</span>}>
                        {f.profile}
                        <span class="muted">
                          {' '}
                          · {f.what}
                          {f.client ? ` · client ${f.client}` : ''}
                        </span>
                        <Show when={f.status === 'imported' && f.tenant && f.client}>
                          <RenameTenant file={f.file} tenant={f.tenant!} current={f.client!} />
                        </Show>
                        <Show when={f.status === 'failed' && f.reason}>
                          <span class="error"> · {f.reason}</span>
                        </Show>
                        <Show when={f.status === 'failed' && f.adjustable && !pendingImport()}>
                          <button class="link" data-testid="adjust-file" onClick={() => void core.adjustFile(f.file)}>
                            Adjust how it is read…
                          </button>
                        </Show>
                      </Show>
                    </td>
                    <td class="num">{count(f.rowsRead)}</td>
                    <td class="num">{count(f.rowsWritten)}</td>
                    <td class="skipped-rows">{skippedText(f)}</td>
                  </tr>
                  <For each={f.notes}>
                    {(note) => (
                      <tr class="report-note">
                        <td colSpan={6}>{note}</td>
                      </tr>
                    )}
                  </For>
                </>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/**
 * "Rename" beside a per-client export's client (a Microsoft 365 tenant is named after its most
 * common domain): the name holds for every later file of that tenant, for every teammate.
 */
function RenameTenant(props: { file: string; tenant: { integrationId: string; foundName: string }; current: string }) {
  const [editing, setEditing] = createSignal(false);
  const [name, setName] = createSignal(props.current);
  const [problem, setProblem] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const save = async () => {
    if (name().trim() === props.current) return setEditing(false);
    setBusy(true);
    const refused = await core.renameTenant(props.file, props.tenant, props.current, name());
    setBusy(false);
    setProblem(refused);
    if (refused === null) setEditing(false);
  };
  return (
    <Show
      when={editing()}
      fallback={
        <button class="link" data-testid="rename-tenant" onClick={() => setEditing(true)}>
          Rename
        </button>
      }
    >
      <form
        class="rename-tenant"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input aria-label={`Name of the client in ${props.file}`} value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder={props.tenant.foundName} />
        <button type="submit" disabled={busy()}>
          Save
        </button>
        <button type="button" class="secondary" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <Show when={problem()}>{(p) => <span class="error">{p()}</span>}</Show>
      </form>
    </Show>
  );
}
