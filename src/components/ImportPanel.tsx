import { For, Show, createSignal } from 'solid-js';
import { lastImport, progress } from '../state/workspace';
import { ProgressBar } from './ui';

const PHASE = { reading: 'Reading', parsing: 'Checking', storing: 'Saving', done: 'Done' } as const;

/** Import progress while it runs; afterwards what was imported, or every problem found (and that nothing was kept). */
export function ImportPanel() {
  const [dismissed, setDismissed] = createSignal<unknown>(null);
  const outcome = () => (lastImport() !== dismissed() ? lastImport() : null);
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
          <div class={`import-panel ${o().ok ? 'ok' : 'failed'}`} data-testid="import-result" role={o().ok ? 'status' : 'alert'}>
            <button class="close" aria-label="Dismiss" onClick={() => setDismissed(lastImport())}>
              ×
            </button>
            <Show
              when={o().ok ? o() : null}
              fallback={
                <>
                  <strong>Import failed: nothing was imported.</strong> Fix these problems and drop the files again.
                  <ul class="error-list" data-testid="import-errors">
                    <For each={o().ok ? [] : (o() as { messages: string[] }).messages}>{(m) => <li>{m}</li>}</For>
                  </ul>
                </>
              }
            >
              {(ok) => {
                const files = () => (ok() as { files: { fileName: string; kind: string; rows: number }[]; notes: string[] });
                return (
                  <>
                    <strong>Imported {files().files.length} file{files().files.length === 1 ? '' : 's'}.</strong>{' '}
                    {files().files.map((f) => `${f.fileName} (${f.kind}, ${f.rows.toLocaleString('en-US')} rows)`).join(' · ')}
                    <For each={files().notes}>{(n) => <div class="note">{n}</div>}</For>
                  </>
                );
              }}
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}
