import { For, Show, createEffect, createSignal, on, onMount, type Component } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { filesFromDrop } from './components/dropFiles';
import { formatDateTime } from './components/format';
import { FilePicker } from './components/FilePicker';
import { ImportPanel } from './components/ImportPanel';
import { PendingImportWizard } from './components/ImportWizard';
import { route, type Route } from './router';
import { Adjustments } from './screens/Adjustments';
import { Billing } from './screens/Billing';
import { ClientDetail } from './screens/ClientDetail';
import { ClientMapping } from './screens/ClientMapping';
import { History } from './screens/History';
import { Home } from './screens/Home';
import { Integrations } from './screens/Integrations';
import { ServiceMapping } from './screens/ServiceMapping';
import { Join } from './screens/Join';
import { Settings } from './screens/Settings';
import { SyncBadge } from './components/SyncBadge';
import { UpdatePrompt } from './pwa/UpdatePrompt';
import { core, isDemo, loadState, overview, pendingImport, persisted, progress } from './state/workspace';

const NAV = [
  { id: 'home', label: 'Home', href: '' },
  { id: 'integrations', label: 'Integrations', href: 'integrations' },
  { id: 'client-mapping', label: 'Client mapping', href: 'client-mapping' },
  { id: 'service-mapping', label: 'Service mapping', href: 'service-mapping' },
  { id: 'billing', label: 'Billing & Invoices', href: 'billing' },
  { id: 'adjustments', label: 'Adjustments', href: 'adjustments' },
  { id: 'history', label: 'History', href: 'history' },
  { id: 'settings', label: 'Settings', href: 'settings' },
] as const;

const SCREENS: Record<Route['screen'], Component> = {
  join: Join,
  home: Home,
  integrations: Integrations,
  'client-mapping': ClientMapping,
  'service-mapping': ServiceMapping,
  billing: Billing,
  client: ClientDetail,
  adjustments: Adjustments,
  history: History,
  settings: Settings,
};

export function App() {
  const [dragging, setDragging] = createSignal(false);
  const activeNav = () => {
    const r = route();
    return r.screen === 'client' ? 'billing' : r.screen;
  };
  const unhealthy = () => (overview()?.integrations ?? []).filter((i) => i.status !== 'green');

  // The list a client was opened from: Esc returns there in one step, however many of its tabs were visited.
  let listHash = '#/billing';
  createEffect(() => {
    if (route().screen !== 'client') listHash = location.hash || '#/';
  });
  let main!: HTMLElement;
  // After a navigation, focus goes where the eyes go: the new screen's heading. A tab that was just
  // chosen keeps focus (arrow keys through tabs), and focus is never left on <body>.
  createEffect(
    on(
      route,
      () => {
        const start = performance.now();
        const place = () => {
          const active = document.activeElement;
          // (A grid's row is the other place: the list a client was opened from puts focus back on its row.)
          if (active instanceof HTMLElement && active !== document.body && active.isConnected && main.contains(active) && active.closest('[role=tablist], .ag-cell')) return;
          const heading = main.querySelector<HTMLElement>('h1');
          if (!heading) {
            if (performance.now() - start < 3000) requestAnimationFrame(place);
            return;
          }
          heading.tabIndex = -1;
          heading.focus({ preventScroll: false });
        };
        requestAnimationFrame(place);
      },
      { defer: true },
    ),
  );
  onMount(() => {
    // Escape leaves a detail view (keyboard users never need the mouse to leave it).
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented && route().screen === 'client' && !(e.target as HTMLElement).closest('input, select, textarea, dialog')) location.hash = listHash.startsWith('#/billing') ? listHash : '#/billing';
    });
  });

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!e.dataTransfer || progress()) return;
    const inputs = await filesFromDrop(e.dataTransfer);
    if (inputs.length > 0) await core.importFiles(inputs);
  };

  return (
    <div
      class="app"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.relatedTarget) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          // The hash is the router's: move focus without navigating.
          e.preventDefault();
          const heading = main.querySelector<HTMLElement>('h1');
          if (heading) heading.tabIndex = -1;
          (heading ?? main).focus();
        }}
      >
        Skip to content
      </a>
      <aside class="sidebar">
        <div class="brand">
          <span class="logo" aria-hidden="true">◧</span> Ledgerline
        </div>
        <nav aria-label="Main">
          <For each={NAV}>
            {(item) => (
              <a href={`#/${item.href}`} classList={{ 'nav-item': true, active: activeNav() === item.id }} aria-current={activeNav() === item.id ? 'page' : undefined}>
                {item.label}
              </a>
            )}
          </For>
        </nav>
        <FilePicker />
        <div class="sidebar-foot">
          <SyncBadge />
          <Show when={overview()}>
            {(o) => (
              <div class="asof" title="Every number is as of this time (Settings)">
                As of <strong>{o().asOfDate}</strong>
                <br />
                <span class="muted">{o().currency}</span>
              </div>
            )}
          </Show>
          <div class="muted small" data-testid="persistence">
            {persisted() === null ? 'Checking storage…' : persisted() ? 'Stored on this device (persistent)' : 'Stored on this device (browser may evict)'}
          </div>
        </div>
      </aside>

      <main class="content" id="main" tabIndex={-1} ref={main}>
        <Show when={unhealthy().length > 0}>
          <div class={`warning-band ${unhealthy().some((i) => i.status === 'red') ? 'red' : 'yellow'}`} role="alert" data-testid="health-warning">
            <strong>{unhealthy().some((i) => i.status === 'red') ? 'A sync failed.' : unhealthy().some((i) => i.importFailedAt) ? 'An import failed; the numbers are from the previous import.' : 'Some data is stale.'}</strong>{' '}
            <For each={unhealthy()}>{(i, n) => <>{n() > 0 ? '; ' : ''}{i.name} ({i.status === 'red' ? 'failed' : i.importFailedAt ? `last import failed ${formatDateTime(i.importFailedAt)}` : `last sync ${formatDateTime(i.lastSyncAt)}`})</>}</For>.{' '}
            <a href="#/integrations">Review integrations</a> before relying on these numbers.
          </div>
        </Show>
        <Show when={isDemo() && !progress()}>
          <div class="demo-band" data-testid="demo-notice">
            You are looking at the <strong>demo workspace</strong> (a fictional MSP with 36 clients). Drop your own CSV exports anywhere to replace it, or clear it in{' '}
            <a href="#/settings">Settings</a>.
          </div>
        </Show>
        <ImportPanel />
        <UpdatePrompt />
        <Show when={loadState() !== 'starting'} fallback={<div class="loading">Opening your workspace…</div>}>
          {/* A drop with files no profile knows: the wizard takes the screen until each is mapped or skipped. */}
          <Show when={!pendingImport()} fallback={<PendingImportWizard />}>
            <Dynamic component={SCREENS[route().screen]} />
          </Show>
        </Show>
      </main>

      <Show when={dragging()}>
        <div class="drop-overlay" aria-hidden="true">
          <div>Drop exports (CSV, Excel .xlsx), a bundle folder or a .zip to import</div>
        </div>
      </Show>
    </div>
  );
}
