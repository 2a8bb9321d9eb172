import type { ColDef, GridApi, ICellRendererParams, RowDragEndEvent } from 'ag-grid-community';
import { For, Show, createEffect, createMemo, createResource, createSignal } from 'solid-js';
import type { ServiceRule } from '../../worker/engine/model';
import { presetsFor, type Preset } from '../../worker/mapping/presets';
import type { RulePreview } from '../../worker/mapping/rulePreview';
import { badgeCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { countOf } from '../components/format';
import { PageHeader } from '../components/ui';
import { UndoBar } from '../components/UndoBar';
import { core, overview, revision } from '../state/workspace';
import { follow } from '../components/follow';
import './ServiceMapping.css';

type RuleRow = ServiceRule & { index: number; preview: RulePreview | undefined };
type Unaccounted = { integrationId: string; product: string; rows: number; clients: number };

export function ServiceMapping() {
  // The rules as the document has them: refetched whenever they change (an edit here, a teammate's).
  const rules = follow('serviceRules', () => core.rules(), []);
  const [previews] = createResource(() => ({ r: revision(), rules: rules() }), (k) => core.previewRules(k.rules));
  const [unaccounted] = createResource(revision, () => core.unaccountedProducts());
  const [services] = createResource(revision, () => core.psaServices());
  const [message, setMessage] = createSignal('');
  const apply = async (edit: Promise<string | null>) => setMessage((await edit) ?? '');

  const integrations = () => (overview()?.integrations ?? []).map((i) => i.id);
  const serviceLabel = (id: string) => {
    const s = (services() ?? []).find((x) => x.serviceId === id);
    return s?.serviceName ? `${s.serviceName} (${id})` : id;
  };
  const rows = createMemo<RuleRow[]>(() => rules().map((r, index) => ({ ...r, index, preview: previews()?.[index] })));
  // Integrations with usage and no rule, from the core's view (a preset offered for each): refetched with the numbers.
  const [withoutRulesNow] = createResource(revision, () => core.integrationsWithoutRules());
  const withoutRules = () => withoutRulesNow.latest ?? [];

  const mapProduct = (u: Unaccounted, serviceId: string) => {
    if (u.product.includes('*')) return apply(Promise.resolve(`"${u.product}" contains *, which a pattern reads as "anything": add a rule by hand.`));
    apply(core.addRule({ ruleId: '', integrationId: u.integrationId, product: u.product, category: '', action: 'map', psaServiceId: serviceId, count: 'records' }));
  };
  const excludeProduct = (u: Unaccounted) =>
    apply(core.addRule({ ruleId: '', integrationId: u.integrationId, product: u.product, category: '', action: 'exclude', psaServiceId: '', count: 'records' }));

  const unaccountedActions = (p: ICellRendererParams<Unaccounted>) => {
    const u = p.data!;
    const wrap = document.createElement('div');
    wrap.className = 'row-actions';
    const select = document.createElement('select');
    select.dataset.testid = 'map-to-service';
    select.setAttribute('aria-label', `Map ${u.product} to a PSA service`);
    select.append(new Option('Map to service…', ''));
    for (const s of services() ?? []) select.append(new Option(serviceLabel(s.serviceId), s.serviceId));
    // Chromium on Linux changes a closed select's value on ↑/↓ (or a typed letter) and fires `change`
    // at once: walking through the services by keys mapped the product to the first one passed. A
    // pick from the open list maps at once; a service reached by keys maps on Enter.
    let keyed = false;
    select.title = 'Pick a service, or choose one with the arrow keys and press Enter';
    select.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        if (select.value) mapProduct(u, select.value);
        return;
      }
      keyed = !e.altKey && (e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End' || e.key.startsWith('Page') || (e.key.length === 1 && e.key !== ' '));
    });
    select.addEventListener('change', () => !keyed && select.value && mapProduct(u, select.value));
    // Left without Enter: nothing was mapped, so the select does not say otherwise.
    select.addEventListener('blur', () => {
      if (keyed) select.value = '';
      keyed = false;
    });
    const exclude = document.createElement('button');
    exclude.className = 'small-button secondary';
    exclude.textContent = 'Exclude';
    exclude.addEventListener('click', () => excludeProduct(u));
    wrap.append(select, exclude);
    return wrap;
  };

  const previewCell = (p: ICellRendererParams<RuleRow>) => {
    const preview = p.data?.preview;
    const span = document.createElement('span');
    if (!preview) return span;
    span.textContent = preview.products.length === 0 ? 'matches nothing this month' : preview.products.slice(0, 3).map((x) => `${x.product} (${x.rows})`).join(', ') + (preview.products.length > 3 ? ` +${preview.products.length - 3} more` : '');
    if (preview.products.length === 0) span.className = 'muted';
    return span;
  };
  const shadowCell = (p: ICellRendererParams<RuleRow>) => {
    const preview = p.data?.preview;
    const span = document.createElement('span');
    if (!preview || preview.shadowedRows === 0) return span;
    span.className = 'shadowed';
    span.textContent = `${preview.shadowedRows} rows taken by ${preview.shadowedBy.join(', ')}`;
    return span;
  };
  // Rules move by keys as well as by drag (Alt+↑/↓ on a rule, or its ↑ ↓ buttons); focus follows the rule.
  let rulesApi: GridApi<RuleRow> | undefined;
  let following: { ruleId: string; index: number; colId: string } | null = null;
  const move = (row: RuleRow, to: number, colId: string) => {
    if (to < 0 || to >= rules().length || to === row.index) return;
    following = { ruleId: row.ruleId, index: to, colId };
    apply(core.moveRule(row.index, to));
  };
  createEffect(() => {
    const now = rows();
    const f = following;
    if (!f || now[f.index]?.ruleId !== f.ruleId) return;
    following = null;
    requestAnimationFrame(() => rulesApi?.setFocusedCell(f.index, f.colId));
  });
  const actionsCell = (p: ICellRendererParams<RuleRow>) => {
    const row = p.data!;
    const wrap = document.createElement('div');
    wrap.className = 'row-actions';
    const button = (text: string, label: string, className: string, run: () => void) => {
      const b = document.createElement('button');
      b.className = `small-button ${className}`;
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.title = label;
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        run();
      });
      wrap.append(b);
    };
    button('↑', `Move rule ${row.index + 1} up`, 'secondary', () => move(row, row.index - 1, 'actions'));
    button('↓', `Move rule ${row.index + 1} down`, 'secondary', () => move(row, row.index + 1, 'actions'));
    button('Delete', `Delete rule ${row.index + 1}`, 'danger', () => apply(core.deleteRule(row.index)));
    return wrap;
  };
  const editable = (field: keyof ServiceRule, extra: Partial<ColDef<RuleRow>> = {}): ColDef<RuleRow> => ({
    field,
    editable: true,
    valueSetter: (p) => {
      apply(core.updateRule(p.data.index, { [field]: String(p.newValue ?? '').trim() } as Partial<ServiceRule>));
      return false;
    },
    ...extra,
  });

  const columns = (): ColDef<RuleRow>[] => [
    { headerName: '#', width: 70, rowDrag: true, valueGetter: (p) => (p.data?.index ?? 0) + 1 },
    editable('integrationId', { headerName: 'Integration', width: 110, cellEditor: 'agSelectCellEditor', cellEditorParams: { values: integrations() } }),
    editable('product', { headerName: 'Product pattern', width: 200, minWidth: 170 }),
    editable('category', { headerName: 'Category', width: 105, valueFormatter: (p) => (p.value as string) || 'any' }),
    editable('action', { headerName: 'Action', width: 95, cellEditor: 'agSelectCellEditor', cellEditorParams: { values: ['map', 'exclude'] }, cellRenderer: badgeCell }),
    editable('psaServiceId', { headerName: 'PSA service', width: 190, cellEditor: 'agSelectCellEditor', cellEditorParams: { values: ['', ...(services() ?? []).map((s) => s.serviceId)] }, valueFormatter: (p) => (p.value ? serviceLabel(p.value as string) : '—') }),
    editable('count', { headerName: 'Counts', width: 95, cellEditor: 'agSelectCellEditor', cellEditorParams: { values: ['records', 'quantity'] } }),
    { headerName: 'Rows', width: 75, type: 'numericColumn', valueGetter: (p) => p.data?.preview?.rows ?? null, colId: 'previewRows' },
    { headerName: 'Matches (this month)', width: 200, minWidth: 200, cellRenderer: previewCell, colId: 'previewProducts' },
    { headerName: 'Shadowed', width: 170, cellRenderer: shadowCell, colId: 'shadowed', headerTooltip: 'Rows this rule matches that an earlier rule already decided' },
    { headerName: '', colId: 'actions', width: 170, minWidth: 170, pinned: 'right', cellRenderer: actionsCell, headerTooltip: 'Move (also Alt+↑ / Alt+↓ on a rule) or delete' },
  ];

  return (
    <section>
      <PageHeader title="Service mapping" subtitle="Rules, in order: the first rule whose integration, product pattern (* = anything) and category match a usage row decides it. Drag rows, or press Alt+↑ / Alt+↓ on a rule, to reorder." />
      <UndoBar message={message()} onDismiss={() => setMessage('')} />
      <For each={overview()?.doubleCounted ?? []}>{(d) => <div class="warning-band yellow" role="alert" data-testid="double-count" style={{ margin: '8px 0' }}>{d.message}</div>}</For>
      <For each={withoutRules()}>{(i) => <PresetOffer integrationId={i.id} name={i.name} kind={i.kind} onResult={apply} />}</For>

      <h2 class="section-title" data-testid="unaccounted-title">
        Products no rule covers (<span data-testid="unaccounted-count">{unaccounted()?.length ?? 0}</span>)
        <Show when={(overview()?.unaccountedGroups ?? 0) > 0}>
          <span class="muted"> · in {countOf(overview()?.unaccountedGroups ?? 0, 'client group')}, the Unaccounted rows on Billing</span>
        </Show>
      </h2>
      <Show when={(unaccounted() ?? []).length > 0} fallback={<p class="muted">Every product of every mapped client is mapped or excluded by a rule.</p>}>
        <DataGrid<Unaccounted>
          testId="unaccounted-grid"
          rows={unaccounted() ?? []}
          rowId={(r) => `${r.integrationId}\u0000${r.product}`}
          columns={[
            { field: 'integrationId', headerName: 'Integration', width: 130 },
            { field: 'product', headerName: 'Product', width: 200 },
            { field: 'rows', headerName: 'Rows', type: 'numericColumn', width: 100 },
            { field: 'clients', headerName: 'Clients', type: 'numericColumn', width: 100 },
            { headerName: 'Add a rule', width: 400, cellRenderer: unaccountedActions, sortable: false },
          ]}
        />
      </Show>

      <h2 class="section-title">Rules ({rules().length})</h2>
      <AddRuleForm integrations={integrations()} services={services() ?? []} serviceLabel={serviceLabel} onResult={apply} />
      <DataGrid<RuleRow>
        testId="rules-grid"
        rows={rows()}
        rowId={(r) => r.ruleId}
        columns={columns()}
        emptyMessage="No rules yet: add one above, apply a preset, or import a service_map.csv."
        onReady={(api) => (rulesApi = api)}
        onKey={(row, e) => {
          if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return false;
          move(row, row.index + (e.key === 'ArrowUp' ? -1 : 1), rulesApi?.getFocusedCell()?.column.getColId() ?? 'actions');
          return true;
        }}
        options={{
          rowDragManaged: true,
          defaultColDef: { sortable: false, resizable: true },
          singleClickEdit: false,
          stopEditingWhenCellsLoseFocus: true,
          onCellEditingStarted: (e) => e.data && core.announceWhere(`service mapping · rule ${e.data.index + 1}`),
          onCellEditingStopped: () => core.announceWhere('service-mapping'),
          onRowDragEnd: (e: RowDragEndEvent<RuleRow>) => {
            if (e.node.data) apply(core.moveRule(e.node.data.index, e.overIndex));
          },
        }}
      />
    </section>
  );
}

function AddRuleForm(props: { integrations: string[]; services: { serviceId: string; serviceName: string }[]; serviceLabel: (id: string) => string; onResult: (r: Promise<string | null>) => void }) {
  const blank = (): ServiceRule => ({ ruleId: '', integrationId: props.integrations[0] ?? '', product: '', category: '', action: 'map', psaServiceId: '', count: 'records' });
  const [draft, setDraft] = createSignal<ServiceRule>(blank());
  const set = (patch: Partial<ServiceRule>) => setDraft({ ...draft(), ...patch });
  const submit = async (e: Event) => {
    e.preventDefault();
    // A blank id: the core gives one that no teammate's rule has.
    const rule = { ...draft(), integrationId: draft().integrationId || props.integrations[0] || '', ruleId: '' };
    const result = await core.addRule(rule);
    props.onResult(Promise.resolve(result));
    if (!result) setDraft({ ...blank(), integrationId: rule.integrationId });
  };
  return (
    <form class="add-rule" onSubmit={submit} data-testid="add-rule">
      <select value={draft().integrationId} onChange={(e) => set({ integrationId: e.currentTarget.value })} aria-label="Integration">
        <For each={props.integrations}>{(i) => <option value={i}>{i}</option>}</For>
      </select>
      <input placeholder="Product pattern, e.g. Microsoft 365 E3* or *" value={draft().product} onInput={(e) => set({ product: e.currentTarget.value })} aria-label="Product pattern" />
      <input placeholder="Category (blank = any)" value={draft().category} onInput={(e) => set({ category: e.currentTarget.value })} aria-label="Category" style={{ width: '11em' }} />
      <select value={draft().action} onChange={(e) => set({ action: e.currentTarget.value as ServiceRule['action'] })} aria-label="Action">
        <option value="map">Map to</option>
        <option value="exclude">Exclude</option>
      </select>
      <select value={draft().psaServiceId} disabled={draft().action === 'exclude'} onChange={(e) => set({ psaServiceId: e.currentTarget.value })} aria-label="PSA service">
        <option value="">PSA service…</option>
        <For each={props.services}>{(s) => <option value={s.serviceId}>{props.serviceLabel(s.serviceId)}</option>}</For>
      </select>
      <select value={draft().count} onChange={(e) => set({ count: e.currentTarget.value as ServiceRule['count'] })} aria-label="Count">
        <option value="records">count records</option>
        <option value="quantity">sum quantity</option>
      </select>
      <button type="submit">Add rule</button>
    </form>
  );
}

function PresetOffer(props: { integrationId: string; name: string; kind: string; onResult: (r: Promise<string | null>) => void }) {
  const presets = presetsFor(props.kind, props.integrationId);
  const [choice, setChoice] = createSignal(0);
  const [unmatched, setUnmatched] = createSignal<string[]>([]);
  const applyPreset = async () => {
    const preset: Preset = presets[choice()]!;
    // Built in the core, from this month's products (ids left blank for the core to give).
    const { rules, unmatched: left } = await core.presetRules(preset.id, props.integrationId);
    setUnmatched(left);
    props.onResult(rules.length === 0 ? Promise.resolve('The preset found nothing to map: add rules by hand.') : core.addRules(rules));
  };
  return (
    <div class="preset-offer" data-testid={`preset-${props.integrationId}`}>
      <strong>{props.name}</strong> has usage but no rules yet. Start from a preset:{' '}
      <select value={choice()} onChange={(e) => setChoice(Number(e.currentTarget.value))} aria-label={`Preset for ${props.name}`}>
        <For each={presets}>{(p, i) => <option value={i()}>{p.label}</option>}</For>
      </select>{' '}
      <button onClick={() => void applyPreset()}>Add these rules</button>
      <span class="muted"> (they stay editable)</span>
      <Show when={unmatched().length > 0}>
        <div class="muted">No matching PSA service for: {unmatched().join(', ')}. Map them by hand below.</div>
      </Show>
    </div>
  );
}
