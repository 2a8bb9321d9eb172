// The global stylesheet first: each screen's and component's own stylesheet, imported beside it, loads after it.
import './styles/base.css';
import { render } from 'solid-js/web';
import { afterFirstView, coreConnected, start } from './state/workspace';
import { formatMoney } from './components/format';

// The core (a SharedWorker) opens the workspace while the screens' chunk (AG Grid is most of its
// weight, and index.html preloads it) is fetched and compiled.
void start();
void import('./App').then(({ App }) => {
  render(() => <App />, document.getElementById('root')!);
  // The first currency format loads ICU's data (~0.1 s): done while the screen waits for the core's
  // first view, not when the table is sized with the workspace in hand.
  void coreConnected.then(() => setTimeout(() => formatMoney('1', 'USD')));
});
// What the first screen does not show waits until it has been drawn: the main thread's time until
// then is the table's.
afterFirstView(() => {
  // Offline use: the service worker precaches the built app. On the dev server vite-plugin-pwa makes
  // this a no-op (vite.config.ts), so its modules are never served from a cache.
  void import('./pwa/register').then(({ registerServiceWorker }) => registerServiceWorker());
  // Charts are a screen away: their library (~0.1 s to evaluate) loads in the first idle moment
  // after the first view, not during the first visit to Home, and is used once, unseen, in the next.
  const idle = window.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 500));
  idle(() => void import('./components/Chart').then((m) => m.loadCharts().then(() => idle(() => void m.warmCharts(), { timeout: 5000 }))), { timeout: 5000 });
});
