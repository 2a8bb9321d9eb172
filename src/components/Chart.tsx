import type { AgCartesianChartOptions, AgChartInstance, AgCharts, AgChartTheme } from 'ag-charts-community';
import { createEffect, onCleanup, onMount, type JSX } from 'solid-js';
import { afterPaint } from './afterPaint';
import './Chart.css';

/**
 * A chart in the grid's look (AG Charts, the grid's vendor, MIT). The library is loaded when the
 * first chart mounts, so screens without a chart do not pay for it and the app's first paint does
 * not wait for it.
 */

/** The app's colours (base.css): green = under-billed (revenue to add), red = over-billed (credit). */
export const CHART_COLOURS = {
  under: '#157f3b',
  over: '#c0262d',
  accent: '#2563eb',
  muted: '#98a2b3',
  amber: '#9a6700',
} as const;

function chartTheme(fontFamily: string): AgChartTheme {
  return {
    baseTheme: 'ag-default',
    palette: { fills: [CHART_COLOURS.accent, CHART_COLOURS.muted, CHART_COLOURS.under, CHART_COLOURS.amber], strokes: [CHART_COLOURS.accent, CHART_COLOURS.muted, CHART_COLOURS.under, CHART_COLOURS.amber] },
    params: {
      // A canvas cannot inherit a CSS font: the page's own font is read and handed over.
      fontFamily,
      fontSize: 12,
      foregroundColor: '#1b2430',
      subtleTextColor: '#667085',
      backgroundColor: '#ffffff',
      accentColor: CHART_COLOURS.accent,
      borderColor: '#e3e7ed',
    },
    overrides: { bar: { series: { cornerRadius: 3 } } },
  };
}

const themes = new Map<string, AgChartTheme>();
/**
 * One theme object per font: AG Charts keeps the theme it builds from an object by that object's
 * identity, so a new object for every chart and every update had it built again each time.
 */
function themeFor(fontFamily: string): AgChartTheme {
  let theme = themes.get(fontFamily);
  if (!theme) themes.set(fontFamily, (theme = chartTheme(fontFamily)));
  return theme;
}

export type ChartOptions = Omit<AgCartesianChartOptions, 'container' | 'theme'>;

// The formatters live apart so the unit tests reach them without AG Charts (chartFormat.ts).
export { barLength, moneyTick } from './chartFormat';

let library: Promise<{ AgCharts: typeof AgCharts }> | undefined;

/**
 * Fetches and evaluates the chart library when the page has nothing else to do, so the first visit
 * to a screen with a chart does not stall on it (~0.25 s at 1M rows, measured by the bench's screen switches).
 */
export function loadCharts(): Promise<{ AgCharts: typeof AgCharts }> {
  return (library ??= import('ag-charts-community'));
}

/**
 * Charts are made one per frame, in the order they mount: making a chart resolves its options
 * (~0.1 s each on a 2-core machine), and Home's two made in one task held the page for a quarter second.
 */
let lastMade: Promise<unknown> = Promise.resolve();
/** `make` may return a promise: the next chart then waits for it too. */
function inTurn(make: () => void | Promise<unknown>): Promise<unknown> {
  const made = lastMade.then(() => new Promise<void>((next) => afterPaint(next))).then(make);
  // A chart that failed to be made leaves the next ones their turn; its own error still reaches the caller.
  lastMade = made.catch(() => undefined);
  return made;
}

/**
 * Makes one small chart off screen and drops it once drawn, in turn with the screens' charts, so no
 * screen's first chart pays for AG Charts' first use: its theme built, its code run for the first
 * time (Home's first chart held the page ~0.1-0.2 s at 1M usage rows, the second a third of that).
 */
export function warmCharts(): Promise<unknown> {
  return loadCharts().then(({ AgCharts }) =>
    inTurn(() => {
      const host = document.createElement('div');
      host.setAttribute('aria-hidden', 'true');
      host.style.cssText = 'position:fixed;left:-10000px;top:0;width:480px;height:180px;visibility:hidden;pointer-events:none';
      document.body.append(host);
      // The shapes Home draws (horizontal stacked bars, a category and a number axis, a legend).
      const series = (yKey: string) => ({ type: 'bar' as const, direction: 'horizontal' as const, xKey: 'label', yKey, stacked: true });
      const chart = AgCharts.create({
        container: host,
        theme: themeFor(getComputedStyle(host).fontFamily.replace(/"/g, '')),
        data: [{ label: 'a', under: 1, over: -1 }],
        series: [series('under'), series('over')],
        axes: [
          { type: 'category', position: 'left' },
          { type: 'number', position: 'bottom', crossLines: [{ type: 'line', value: 0 }] },
        ],
        legend: { position: 'bottom' },
      });
      return chart.waitForUpdate().finally(() => {
        chart.destroy();
        host.remove();
      });
    }),
  );
}

export function Chart(props: { options: ChartOptions; height: number; label: string; testId?: string; children?: JSX.Element }) {
  const bars = () => (Array.isArray(props.options.data) ? props.options.data.length : 0);
  let host!: HTMLDivElement;
  let chart: AgChartInstance | undefined;
  let disposed = false;
  const full = (): AgCartesianChartOptions => ({ ...props.options, container: host, theme: themeFor(getComputedStyle(host).fontFamily.replace(/"/g, '')) });

  onMount(() => {
    // Loaded on first use: statically imported it doubled the screens' chunk (1.1 → 2.1 MB) and so
    // the time to reopen a workspace. The dev server pre-bundles it (vite.config.ts optimizeDeps),
    // so this import never makes it re-optimise mid-page.
    void loadCharts().then(({ AgCharts }) =>
      inTurn(() => {
        if (disposed) return;
        chart = AgCharts.create(full());
        host.dataset.ready = 'true';
      }),
    );
  });
  createEffect(() => {
    const options = full();
    if (chart) void chart.update(options);
  });
  onCleanup(() => {
    disposed = true;
    chart?.destroy();
  });

  return (
    <figure class="chart" data-testid={props.testId} data-bars={bars()}>
      <figcaption class="chart-title">{props.label}</figcaption>
      <div class="chart-canvas" ref={host} style={{ height: `${props.height}px` }} />
      {props.children}
    </figure>
  );
}
