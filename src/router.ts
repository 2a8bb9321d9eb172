import { createSignal } from 'solid-js';

/**
 * Hash routes (#/billing, #/billing/client/C1001): deep links and the Back button work, and no
 * server routing is needed for a local-first app.
 */
export type Route =
  | { screen: 'home' | 'integrations' | 'client-mapping' | 'service-mapping' | 'adjustments' | 'history' | 'settings' }
  | { screen: 'join'; query: string }
  | { screen: 'billing'; tab: 'invoices' | 'review' | 'flags' | 'inactive' }
  | { screen: 'client'; clientId: string; tab: string };

function parse(hash: string): Route {
  const join = /^#\/join\?(.*)$/.exec(hash);
  if (join) return { screen: 'join', query: join[1]! };
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'integrations':
    case 'client-mapping':
    case 'service-mapping':
    case 'adjustments':
    case 'history':
    case 'settings':
      return { screen: parts[0] };
    case 'billing':
      if (parts[1] === 'client' && parts[2]) return { screen: 'client', clientId: parts[2], tab: parts[3] ?? 'services' };
      return { screen: 'billing', tab: parts[1] === 'flags' || parts[1] === 'inactive' || parts[1] === 'review' ? parts[1] : 'invoices' };
    default:
      return { screen: 'home' };
  }
}

const [route, setRoute] = createSignal<Route>(parse(location.hash));
window.addEventListener('hashchange', () => setRoute(parse(location.hash)));

export { route };

export function go(path: string): void {
  location.hash = `#/${path}`;
}

export function clientPath(clientId: string, tab = 'services'): string {
  return `billing/client/${encodeURIComponent(clientId)}/${tab}`;
}
