import type { ColDef } from 'ag-grid-community';
import { For, Show, createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import type { ContractError } from '../../worker/bundle/contractError';
import type { RawTable, SourceLocale, SourceProfile, Transform } from '../../worker/sources/types';
import { columnIndex } from '../../worker/sources/header';
import type { UnknownFile } from '../../worker/core/importBatch';
import type { ConversionPreview } from '../../worker/sources/previewConversion';
import { core, pendingImport } from '../state/workspace';
import { DataGrid } from './DataGrid';
import { TRANSFORMS, draftFromProfile, draftProblem, fieldsFor, guessDraft, profileFromDraft, type DraftTarget, type FieldChoice, type ProfileDraft } from '../../worker/sources/profileDraft';
import { PageHeader } from './ui';
import './ImportWizard.css';

/** The wizard for the drop waiting on files no profile knows: one file at a time. */
export function PendingImportWizard() {
  return (
    <Show when={pendingImport()}>
      {(p) => (
        <Show when={p().unknown[p().index]} keyed>
          {(file) => <ImportWizard file={file} position={p().index + 1} total={p().unknown.length} />}
        </Show>
      )}
    </Show>
  );
}

const TARGETS: { id: DraftTarget; label: string; hint: string }[] = [
  { id: 'usage', label: 'Usage of an integration', hint: 'licences, devices, mailboxes, backups… one row per record' },
  { id: 'psa', label: 'PSA invoice or agreement lines', hint: 'what each client is billed for' },
  { id: 'psa_clients', label: 'PSA clients', hint: 'the list of clients only' },
];

const DECIMALS: SourceLocale['decimal'][] = ['.', ','];
const THOUSANDS: { value: SourceLocale['thousands']; label: string }[] = [
  { value: ',', label: 'comma (1,024.5)' },
  { value: '.', label: 'dot (1.024,5)' },
  { value: ' ', label: 'space (1 024,5)' },
  { value: "'", label: "apostrophe (1'024.5)" },
  { value: '', label: 'none' },
];
const DATE_ORDERS: { value: SourceLocale['dateOrder']; label: string }[] = [
  { value: 'MDY', label: 'M/D/Y (11/28/2026)' },
  { value: 'DMY', label: 'D/M/Y (28.11.2026)' },
  { value: 'YMD', label: 'Y/M/D (2026/11/28)' },
  { value: null, label: 'ISO only (2026-11-28)' },
];

/** The columns a profile names (fields, skip rules, domain, flag), for editing it without a file. */
function columnsOf(profile: SourceProfile): string[] {
  const named = Object.values(profile.fields as Record<string, { column?: string }>).flatMap((s) => (s.column ? [s.column] : []));
  const usage = profile.target === 'usage' ? profile : null;
  const psa = profile.target === 'psa' ? profile : null;
  const more = [...(profile.skip ?? []).map((r) => r.column), usage?.domainFrom, usage?.flagCategory?.column, psa?.noCharge?.column].filter((c): c is string => !!c);
  return [...new Set([...named, ...more])];
}

/**
 * Where a profile is edited: for a file of a pending drop (with its rows and a live preview), or a
 * profile on its own from Settings (copy a built-in one, edit a saved one).
 */
export function ImportWizard(props: { file?: UnknownFile; position?: number; total?: number; profile?: { profile: SourceProfile; copy: boolean }; onClose?: () => void }) {
  const editing = props.profile;
  const f: UnknownFile = props.file ?? {
    file: '', header: editing ? columnsOf(editing.profile) : [], headerRow: 1, sample: [], sampleRowNumbers: [], rowCount: 0, encoding: 'utf-8', delimiter: ',', notes: [], hints: [], nearest: [],
  };
  const position = props.position ?? 1;
  const total = props.total ?? 1;
  const near = f.nearest[0];
  const [draft, setDraft] = createSignal<ProfileDraft>(
    editing ? draftFromProfile(editing.profile, null, { copy: editing.copy }) : near && near.score >= 0.5 ? draftFromProfile(near.profile, f.header, { copy: true }) : guessDraft(f.file, f.header, f.sample, f.delimiter),
  );
  const [preview, setPreview] = createSignal<ConversionPreview | null>(null);
  const [message, setMessage] = createSignal('');
  const [saving, setSaving] = createSignal(false);
  // Settings has no dropped file: a sample export the user picks gives the editor its live preview.
  const [sample, setSample] = createSignal<{ file: string; table: RawTable } | null>(null);
  const [sampleProblem, setSampleProblem] = createSignal('');
  const header = () => sample()?.table.header ?? f.header;
  const chooseSample = async (file: File | undefined) => {
    if (!file) return;
    const { readSample } = await import('./profileSample');
    const read = await readSample(file, profileFromDraft(draft()));
    setSampleProblem(read.ok ? '' : read.message);
    setSample(read.ok ? { file: file.name, table: read.table } : null);
  };
  const update = (patch: Partial<ProfileDraft>) => setDraft({ ...draft(), ...patch });
  const setField = (field: string, patch: Partial<FieldChoice>) => update({ fields: { ...draft().fields, [field]: { ...draft().fields[field]!, ...patch } } });
  const startFrom = (profile: SourceProfile) => {
    setDraft(draftFromProfile(profile, f.header, { copy: true }));
    setMessage(`Started from "${profile.name}": check the columns below.`);
  };

  const problem = createMemo(() => draftProblem(draft()));
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on([draft, sample], ([d, s]) => {
      clearTimeout(timer);
      if ((editing && !s) || (draftProblem(d) !== null && draftProblem(d)!.startsWith('Pick'))) {
        setPreview(null);
        return;
      }
      const mine = ++sequence;
      timer = setTimeout(async () => {
        const profile = profileFromDraft({ ...d, name: d.name || 'draft', integration: { ...d.integration, id: d.integration.id || 'draft' } });
        const overrides = d.clientName ? { clientName: d.clientName } : {};
        const result = s ? (await import('./profileSample')).previewSample(s.table, profile, overrides) : await core.previewProfile(f.file, profile, overrides);
        if (mine === sequence) setPreview(result);
      }, 150);
    }),
  );
  onCleanup(() => clearTimeout(timer));

  const save = async () => {
    const p = problem();
    if (p) return setMessage(p);
    setSaving(true);
    try {
      if (editing) {
        const refused = await core.saveProfile(profileFromDraft(draft()));
        if (refused) setMessage(refused);
        else props.onClose?.();
        return;
      }
      const refused = await core.resolveUnknown({ profile: profileFromDraft(draft()), clientName: draft().clientName.trim() || undefined });
      if (refused) setMessage(refused);
    } finally {
      setSaving(false);
    }
  };

  type RawRow = Record<string, string | number>;
  const rawColumns = (): ColDef<RawRow>[] => [
    { field: '__row', headerName: 'Row', width: 70, pinned: 'left', sortable: false },
    ...f.header.map((h, i): ColDef<RawRow> => ({ field: `c${i}`, headerName: h || `(column ${i + 1})`, minWidth: 120, tooltipField: `c${i}` })),
  ];
  const rawRows: RawRow[] = f.sample.map((row, r) => Object.fromEntries([['__row', f.sampleRowNumbers[r]!], ...row.map((v, i) => [`c${i}`, v])]) as RawRow);
  const columnOptions = () => header().filter((h) => h !== '');
  // A profile's column found in the file under another spelling (an alias: "UserPrincipalName" for "User principal name").
  const spelledAs = (column: string) => {
    const at = columnIndex({ aliases: draft().carry.aliases }, header(), column);
    return at >= 0 ? header()[at]! : null;
  };

  return (
    <section class="wizard" data-testid="import-wizard">
      <Show when={editing}>
        <PageHeader
          title={editing!.copy ? `Copy of ${editing!.profile.name}` : `Edit ${editing!.profile.name}`}
          subtitle="How a raw export is read. Saved in this workspace's shared document: teammates' imports use it too. Choose a sample export below to see, as you edit, the rows it gives."
          actions={
            <button class="secondary" data-testid="profile-editor-back" onClick={() => props.onClose?.()}>
              Back to settings
            </button>
          }
        />
      </Show>
      <Show when={!editing}>
      <PageHeader
        title={`Map ${baseName(f.file)}`}
        subtitle={
          f.nearest[0]?.score === 1
            ? `${f.nearest[0].profile.name} recognised this file, but some of its values do not read that way. Adjust how it is read (often the date order or the decimal separator); the preview shows the rows it will give. Saved as a profile of its own, it reads next month's file too.`
            : `No profile knows this file${total > 1 ? ` (${position} of ${total} such files in this drop)` : ''}. Say what it is and which column is which; the preview shows the rows it will give. Nothing of the drop is imported until every file is mapped or skipped.`
        }
        actions={
          <>
            <button class="secondary" data-testid="wizard-skip-file" onClick={() => void core.resolveUnknown('skip')}>
              Skip this file
            </button>
            <button class="secondary" data-testid="wizard-cancel" onClick={() => void core.cancelPendingImport()}>
              Cancel the import
            </button>
          </>
        }
      />

      <div class="card wizard-found">
        <div class="found-line">
          <code class="file-name">{f.file}</code>
          <span class="muted">
            {plural(f.rowCount, 'row')} · {f.encoding === 'xlsx' ? `Excel workbook${f.sheet ? `, sheet "${f.sheet}"` : ''}` : `${f.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}, ${DELIMITER[f.delimiter ?? ','] ?? 'comma'}-separated`} · header on row {f.headerRow}
          </span>
        </div>
        <Show when={f.hints.length > 0}>
          <ul class="hints" data-testid="wizard-hints">
            <For each={f.hints}>{(h) => <li>{h}</li>}</For>
          </ul>
        </Show>
        <Show
          when={f.nearest.length > 0}
          fallback={<p class="muted">No built-in or saved profile is close to this header: the columns below are guessed from their names.</p>}
        >
          <div class="nearest" data-testid="wizard-nearest">
            <span>Closest profiles:</span>
            <For each={f.nearest}>
              {(n) => (
                <span class="near">
                  <strong>{n.profile.name}</strong>{' '}
                  <span class="muted">
                    ({n.matched.length} of {n.matched.length + n.missing.length} columns{n.missing.length > 0 ? `; missing ${n.missing.map((m) => `"${m}"`).join(', ')}` : ''})
                  </span>{' '}
                  <button class="small-button secondary" onClick={() => startFrom(n.profile)}>
                    Start from it
                  </button>
                </span>
              )}
            </For>
          </div>
        </Show>
      </div>

      <h2 class="section-title">{f.sample.length < f.rowCount ? `The file as read (first ${f.sample.length} of ${f.rowCount.toLocaleString('en-US')} rows)` : 'The file as read'}</h2>
      <div class="wizard-raw">
        <DataGrid<RawRow> testId="raw-grid" rows={rawRows} rowId={(r) => String(r.__row)} columns={rawColumns()} height={rawRows.length > 6 ? '260px' : undefined} options={f.header.length > 6 ? { autoSizeStrategy: undefined } : {}} />
      </div>
      </Show>

      <Show when={editing}>
        <div class="card wizard-sample" data-testid="profile-sample">
          <label class="inline">
            Preview with a sample export{' '}
            <input type="file" accept=".csv,.tsv,.txt,.xlsx,.xlsm" data-testid="profile-sample-file" onChange={(e) => void chooseSample(e.currentTarget.files?.[0])} />
          </label>
          <p class="muted small" data-testid="profile-sample-status">
            {sample()
              ? `Previewing with ${sample()!.file}: ${plural(sample()!.table.rows.length, 'row')}, header on row ${sample()!.table.headerRow}. It is only read here to check this profile: nothing is imported.`
              : 'Without a file there is nothing to preview: choose one of the exports this profile should read (it is only read here, nothing is imported), or save and drop the file on the page, where a file this profile cannot read opens the wizard with its rows.'}
          </p>
          <Show when={sampleProblem()}>
            <p class="error" data-testid="profile-sample-problem">{sampleProblem()}</p>
          </Show>
        </div>
      </Show>

      <div class="wizard-form">
        <div class="card">
          <h3>What is this file?</h3>
          <div class="target-choice" role="radiogroup" aria-label="What is this file?">
            <For each={TARGETS}>
              {(t) => (
                <label class="radio" data-testid={`wizard-target-${t.id}`}>
                  <input type="radio" name="wizard-target" checked={draft().target === t.id} onChange={() => update({ target: t.id })} />
                  <span>
                    {t.label} <span class="muted small">— {t.hint}</span>
                  </span>
                </label>
              )}
            </For>
          </div>
          <Show when={draft().target === 'usage'}>
            <div class="form-rows">
              <label>
                <span>Integration</span>
                <input
                  data-testid="integration-name"
                  value={draft().integration.name}
                  onInput={(e) => {
                    const name = e.currentTarget.value;
                    const id = draft().integration.id === slugOf(draft().integration.name) ? slugOf(name) : draft().integration.id;
                    update({ integration: { ...draft().integration, name, id } });
                  }}
                />
              </label>
              <label>
                <span>Integration id</span>
                <input data-testid="integration-id" value={draft().integration.id} onInput={(e) => update({ integration: { ...draft().integration, id: e.currentTarget.value } })} />
              </label>
              <label>
                <span>Kind</span>
                <input placeholder="backup, rmm, licenses…" value={draft().integration.kind} onInput={(e) => update({ integration: { ...draft().integration, kind: e.currentTarget.value } })} />
              </label>
              <label>
                <span>Clients</span>
                <select data-testid="client-scope" value={draft().clientScope} onChange={(e) => update({ clientScope: e.currentTarget.value as ProfileDraft['clientScope'] })}>
                  <option value="column">Each row names its client</option>
                  <option value="file">One client per file (per tenant)</option>
                </select>
              </label>
              <Show when={draft().clientScope === 'file'}>
                <label>
                  <span>Name it after the e-mail domain in</span>
                  <ColumnSelect value={draft().domainFrom} columns={columnOptions()} allowNone onChange={(v) => update({ domainFrom: v })} />
                </label>
                <label>
                  <span>Client of this file</span>
                  <input placeholder="(most common domain)" value={draft().clientName} onInput={(e) => update({ clientName: e.currentTarget.value })} />
                </label>
              </Show>
              <label>
                <span>Several products in a cell, separated by</span>
                <input class="narrow" data-testid="explode" placeholder="(one per row)" value={draft().explode} onInput={(e) => update({ explode: e.currentTarget.value })} />
              </label>
            </div>
          </Show>

          <h3>Numbers and dates</h3>
          <div class="form-rows">
            <label>
              <span>Decimal separator</span>
              <select data-testid="locale-decimal" value={draft().locale.decimal} onChange={(e) => update({ locale: { ...draft().locale, decimal: e.currentTarget.value as SourceLocale['decimal'] } })}>
                <For each={DECIMALS}>{(d) => <option value={d}>{d === '.' ? 'dot (12.5)' : 'comma (12,5)'}</option>}</For>
              </select>
            </label>
            <label>
              <span>Thousands separator</span>
              <select data-testid="locale-thousands" value={draft().locale.thousands} onChange={(e) => update({ locale: { ...draft().locale, thousands: e.currentTarget.value as SourceLocale['thousands'] } })}>
                <For each={THOUSANDS}>{(t) => <option value={t.value}>{t.label}</option>}</For>
              </select>
            </label>
            <label>
              <span>Dates</span>
              <select data-testid="locale-date" value={draft().locale.dateOrder ?? 'ISO'} onChange={(e) => update({ locale: { ...draft().locale, dateOrder: e.currentTarget.value === 'ISO' ? null : (e.currentTarget.value as 'MDY') } })}>
                <For each={DATE_ORDERS}>{(d) => <option value={d.value ?? 'ISO'}>{d.label}</option>}</For>
              </select>
            </label>
          </div>

          <h3>Rows to leave out</h3>
          <div class="skip-rules" data-testid="skip-rules">
            <For each={draft().skip} fallback={<p class="muted small">Every row is read. Add a rule to leave rows out, e.g. Licenses equals "Unlicensed".</p>}>
              {(rule, i) => (
                <div class="skip-rule">
                  <ColumnSelect testId={`skip-column-${i()}`} value={rule.column} columns={columnOptions()} onChange={(v) => update({ skip: draft().skip.map((r, k) => (k === i() ? { ...r, column: v } : r)) })} />
                  <span>equals</span>
                  <input data-testid={`skip-values-${i()}`} placeholder="value, another value" value={rule.values} onInput={(e) => update({ skip: draft().skip.map((r, k) => (k === i() ? { ...r, values: e.currentTarget.value } : r)) })} />
                  <button class="small-button secondary" aria-label="Remove this rule" onClick={() => update({ skip: draft().skip.filter((_, k) => k !== i()) })}>
                    Remove
                  </button>
                </div>
              )}
            </For>
            <button class="small-button secondary" data-testid="add-skip" onClick={() => update({ skip: [...draft().skip, { column: columnOptions()[0] ?? '', values: '' }] })}>
              Add a rule
            </button>
          </div>
        </div>

        <div class="card">
          <h3>Which column is which</h3>
          <table class="field-map">
            <thead>
              <tr>
                <th>Ledgerline field</th>
                <th>From</th>
                <th>Then</th>
              </tr>
            </thead>
            <tbody>
              <For each={fieldsFor(draft())}>
                {(spec) => {
                  const choice = () => draft().fields[spec.field]!;
                  return (
                    <tr>
                      <td>
                        <span class="field-label">
                          {spec.label}
                          {spec.required ? <span class="required" title="required"> *</span> : null}
                        </span>
                        <Show when={spec.hint}>
                          <span class="muted small field-hint">{spec.hint}</span>
                        </Show>
                      </td>
                      <td>
                        <select
                          data-testid={`field-${spec.field}`}
                          value={choice().mode === 'column' ? `col:${choice().column}` : choice().mode}
                          onChange={(e) => {
                            const v = e.currentTarget.value;
                            if (v.startsWith('col:')) setField(spec.field, { mode: 'column', column: v.slice(4) });
                            else setField(spec.field, { mode: v as FieldChoice['mode'] });
                          }}
                        >
                          <option value="none">{spec.required ? '— pick a column —' : '(none)'}</option>
                          <For each={columnOptions()}>{(h) => <option value={`col:${h}`}>{h}</option>}</For>
                          <Show when={choice().mode === 'column' && !columnOptions().includes(choice().column)}>
                            <option value={`col:${choice().column}`}>
                              {choice().column} ({spelledAs(choice().column) ? `"${spelledAs(choice().column)}" in this file` : 'not in this file'})
                            </option>
                          </Show>
                          <option value="const">a fixed value…</option>
                          <option value="row">the row number</option>
                        </select>
                      </td>
                      <td>
                        <Show when={choice().mode === 'const' || choice().mode === 'row'}>
                          <input class="narrow" placeholder={choice().mode === 'row' ? 'prefix' : 'value'} value={choice().value} onInput={(e) => setField(spec.field, { value: e.currentTarget.value })} />
                        </Show>
                        <Show when={choice().mode === 'column'}>
                          <select class="transform" value={choice().transform.join('+')} onChange={(e) => setField(spec.field, { transform: e.currentTarget.value ? (e.currentTarget.value.split('+') as Transform[]) : [] })}>
                            <option value="">as is</option>
                            <For each={TRANSFORMS}>{(t) => <option value={t.value}>{t.label}</option>}</For>
                            <Show when={choice().transform.length > 1}>
                              <option value={choice().transform.join('+')}>{choice().transform.join(', then ')}</option>
                            </Show>
                          </select>
                        </Show>
                      </td>
                    </tr>
                  );
                }}
              </For>
            </tbody>
          </table>
        </div>
      </div>

      <Show when={!editing || sample()}>
        <h2 class="section-title">Preview: the rows {sample() ? 'the sample' : 'this file'} gives</h2>
        <PreviewPanel preview={preview()} problem={problem()} target={draft().target} />
      </Show>

      <div class="card wizard-save">
        <label class="inline">
          Save as profile{' '}
          <input data-testid="profile-name" value={draft().name} onInput={(e) => update({ name: e.currentTarget.value })} />
        </label>
        <button data-testid="save-profile" disabled={saving() || problem() !== null || (!editing && (preview()?.errors.length ?? 1) > 0)} onClick={() => void save()}>
          {editing ? 'Save profile' : position < total ? 'Save profile, next file' : 'Save profile and import'}
        </button>
        <span class="muted small">Saved in this workspace (teammates get it too); next month's file with the same header is read by it without this wizard.</span>
        <Show when={message() || problem()}>
          <span class={problem() ? 'error' : 'ok'} data-testid="wizard-message">
            {problem() ?? message()}
          </span>
        </Show>
      </div>
    </section>
  );
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

const DELIMITER: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

function baseName(file: string): string {
  return file.replace(/^.*\//, '');
}

function slugOf(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function ColumnSelect(props: { value: string; columns: string[]; onChange: (v: string) => void; allowNone?: boolean; testId?: string }) {
  return (
    <select data-testid={props.testId} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <Show when={props.allowNone || props.value === ''}>
        <option value="">(none)</option>
      </Show>
      <For each={props.columns}>{(c) => <option value={c}>{c}</option>}</For>
    </select>
  );
}

function PreviewPanel(props: { preview: ConversionPreview | null; problem: string | null; target: DraftTarget }) {
  const p = () => props.preview;
  const skippedTotal = () => Object.values(p()?.skipped ?? {}).reduce((a, b) => a + b, 0);
  const what = () => (props.target === 'usage' ? 'usage row' : props.target === 'psa' ? 'PSA line' : 'PSA client');
  return (
    <div class="card preview" data-testid="wizard-preview">
      <Show when={p()} fallback={<p class="muted">{props.problem ?? 'Reading the file…'}</p>}>
        {(pv) => (
          <>
            <p data-testid="preview-summary" class={pv().errors.length > 0 ? 'error' : ''}>
              <strong>
                {plural(pv().rowsRead, 'row')} read → {plural(pv().produced, what())}
              </strong>
              {skippedTotal() > 0 ? `, ${plural(skippedTotal(), 'row')} left out (${Object.entries(pv().skipped).map(([why, n]) => `${why}: ${n}`).join('; ')})` : ''}
              {pv().client ? ` · client of this file: ${pv().client}` : ''}
              {pv().errors.length > 0 ? ` · ${pv().errors.length} problem${pv().errors.length === 1 ? '' : 's'}: fix the mapping or the locale` : ''}
            </p>
            <Show when={pv().errors.length > 0}>
              <ul class="error-list" data-testid="preview-errors">
                <For each={pv().errors}>{(e) => <li>{describe(e)}</li>}</For>
              </ul>
            </Show>
            <Show when={pv().rows.length > 0}>
              <DataGrid<Record<string, string>>
                testId="preview-grid"
                rows={pv().rows.map((r, i) => ({ ...r, __i: String(i) }))}
                rowId={(r) => r.__i!}
                columns={pv().columns.map((c): ColDef<Record<string, string>> => ({ field: c, headerName: c.replace(/_/g, ' '), headerTooltip: c, flex: 1, minWidth: 72, tooltipField: c }))}
                height={pv().rows.length > 6 ? '260px' : undefined}
                options={{ defaultColDef: { sortable: true, resizable: true, minWidth: 80, wrapHeaderText: true, autoHeaderHeight: true } }}
              />
            </Show>
            <For each={pv().notes}>{(n) => <div class="note">{n}</div>}</For>
          </>
        )}
      </Show>
    </div>
  );
}

function describe(e: ContractError): string {
  const where = [e.row !== undefined ? `row ${e.row}` : '', e.column ? `column ${e.column}` : ''].filter(Boolean).join(', ');
  return `${where ? `${where}: ` : ''}${e.message}`;
}
