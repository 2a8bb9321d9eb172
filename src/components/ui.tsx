import { Index, Show, onCleanup, onMount, type JSX } from 'solid-js';
import type { HealthStatus } from '../../worker/engine/report.types';
import { go } from '../router';
import { formatMagnitude, formatMoney, signOf } from './format';
import './ui.css';

export function PageHeader(props: { title: string; subtitle?: string; actions?: JSX.Element }) {
  return (
    <header class="page-header">
      <div>
        <h1 tabIndex={-1}>{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="subtitle">{props.subtitle}</p>
        </Show>
      </div>
      <div class="actions">{props.actions}</div>
    </header>
  );
}

/** What to do next when there is nothing to show. */
export function EmptyState(props: { title: string; children: JSX.Element }) {
  return (
    <div class="empty-state" role="status">
      <h2>{props.title}</h2>
      <div>{props.children}</div>
    </div>
  );
}

export function ProgressBar(props: { fraction: number; label: string }) {
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(props.fraction * 100)} aria-label={props.label}>
      <div class="progress-label">
        <span>{props.label}</span>
        <span>{Math.round(props.fraction * 100)}%</span>
      </div>
      <div class="progress-track">
        <div class="progress-fill" style={{ width: `${Math.max(2, props.fraction * 100)}%` }} />
      </div>
    </div>
  );
}

export function StatusDot(props: { status: HealthStatus }) {
  const label = { red: 'Failed', yellow: 'Needs attention', green: 'Healthy' } as const;
  return (
    <span class={`status-dot status-${props.status}`} title={label[props.status]}>
      <span class="dot" aria-hidden="true" />
      {label[props.status]}
    </span>
  );
}

/** A signed amount (green under-billed, red over-billed), or with `absolute` a plain magnitude. */
export function Money(props: { amount: string | null; currency: string; absolute?: boolean }) {
  const sign = () => signOf(props.amount);
  return (
    <span class={`money ${props.absolute ? '' : sign() > 0 ? 'pos' : sign() < 0 ? 'neg' : 'zero'}`}>
      {props.absolute ? formatMagnitude(props.amount, props.currency) : formatMoney(props.amount, props.currency)}
    </span>
  );
}

/** A headline number with a link to where it can be worked down. */
export function StatCard(props: { label: string; value: JSX.Element; hint?: string; href?: string; tone?: 'good' | 'warn' | 'bad' | 'neutral'; testId?: string }) {
  return (
    <a class={`stat-card tone-${props.tone ?? 'neutral'}`} href={props.href ? `#/${props.href}` : undefined} data-testid={props.testId}>
      <span class="stat-label">{props.label}</span>
      <span class="stat-value">{props.value}</span>
      <Show when={props.hint}>
        <span class="stat-hint">{props.hint}</span>
      </Show>
    </a>
  );
}

/**
 * Tabs that navigate to `${base}/${id}`, or, with `onSelect`, switch state within a screen. One tab
 * is in the Tab order (the active one); arrow keys, Home and End move between tabs and select them.
 */
export function Tabs(props: { tabs: { id: string; label: string; count?: number }[]; active: string; base?: string; onSelect?: (id: string) => void; testIdPrefix?: string }) {
  let list!: HTMLElement;
  const select = (id: string) => (props.onSelect ? props.onSelect(id) : go(`${props.base ?? ''}/${id}`));
  const onKeyDown = (e: KeyboardEvent) => {
    const ids = props.tabs.map((t) => t.id);
    const at = ids.indexOf(props.active);
    const to = e.key === 'ArrowRight' ? (at + 1) % ids.length : e.key === 'ArrowLeft' ? (at - 1 + ids.length) % ids.length : e.key === 'Home' ? 0 : e.key === 'End' ? ids.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    select(ids[to]!);
    // The tab keeps focus through the switch (a route change re-renders the screen around it).
    queueMicrotask(() => list.querySelector<HTMLElement>(`[data-tab="${CSS.escape(ids[to]!)}"]`)?.focus());
  };
  return (
    <nav class="tabs" role="tablist" ref={list} onKeyDown={onKeyDown}>
      {/* By position, not by object: a client's tabs are new objects each time its detail is refetched
          (every tab switch), and buttons made anew dropped the focused tab to <body>. */}
      <Index each={props.tabs}>
        {(tab) => (
          <button
            role="tab"
            aria-selected={props.active === tab().id}
            tabIndex={props.active === tab().id ? 0 : -1}
            data-tab={tab().id}
            classList={{ tab: true, active: props.active === tab().id }}
            data-testid={props.testIdPrefix ? `${props.testIdPrefix}${tab().id}` : undefined}
            onClick={() => select(tab().id)}
          >
            {tab().label}
            <Show when={tab().count !== undefined}>
              <span class="tab-count">{tab().count}</span>
            </Show>
          </button>
        )}
      </Index>
    </nav>
  );
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: takes focus when it opens (the first control, or `initialFocus`), keeps Tab inside
 * itself, closes on Esc, and gives focus back to what had it before.
 */
export function Dialog(props: { labelledBy: string; onClose: () => void; testId?: string; children: JSX.Element }) {
  let box!: HTMLDivElement;
  const opener = document.activeElement as HTMLElement | null;
  onMount(() => (box.querySelector<HTMLElement>('[data-autofocus]') ?? box.querySelector<HTMLElement>(FOCUSABLE) ?? box).focus());
  onCleanup(() => {
    if (opener?.isConnected) opener.focus();
  });
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      props.onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const controls = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (controls.length === 0) return e.preventDefault();
    const first = controls[0]!;
    const last = controls.at(-1)!;
    if (e.shiftKey && (document.activeElement === first || document.activeElement === box)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div class="modal-backdrop">
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby={props.labelledBy} data-testid={props.testId} tabIndex={-1} ref={box} onKeyDown={onKeyDown}>
        {props.children}
      </div>
    </div>
  );
}

/** Triggers a browser download of text or bytes (exports are always an explicit click). */
export function download(name: string, content: string | Uint8Array, type: string): void {
  const blob = new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
