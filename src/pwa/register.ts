/// <reference types="vite-plugin-pwa/client" />
import { registerSW } from 'virtual:pwa-register';
import { offerUpdate, updatedElsewhere } from './updates';

/** A tab left open for days still hears of a new version; the browser itself checks only on navigation. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/** Set once this tab's user said Reload: the new version taking over is then this tab's doing. */
let accepted = false;

/**
 * Lets the waiting version take over. A page the old version controls is reloaded once the new one
 * controls it (onNeedReload below); a page opened before any version was installed (the first
 * visit) is controlled by none, hears nothing, and reloads itself once the new one is active.
 */
async function activateWaiting(skipWaiting: () => Promise<void>): Promise<void> {
  accepted = true;
  if (navigator.serviceWorker.controller) return skipWaiting();
  const next = (await navigator.serviceWorker.getRegistration())?.waiting;
  const activated = new Promise<void>((resolve) => {
    if (!next || next.state === 'activated') return resolve();
    next.addEventListener('statechange', () => next.state === 'activated' && resolve());
  });
  await skipWaiting();
  await activated;
  location.reload();
}

/** Registers the service worker that precaches the app (vite.config.ts), so it opens with no network. */
export function registerServiceWorker(): void {
  const update = registerSW({
    onNeedRefresh: () => offerUpdate(() => activateWaiting(update)),
    // The new version controls this page now. It activates for every tab of the old one at once, and
    // vite-plugin-pwa's default here reloads them all (its 'controlling' listener, registered in every
    // tab that saw the version waiting): a tab where nobody said Reload could lose a draft or a drop
    // held in the import wizard. Only the tab that asked reloads; the others are offered the reload.
    onNeedReload: () => (accepted ? location.reload() : updatedElsewhere()),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      setInterval(() => {
        // Offline the check fails; the next one (or the next visit) tries again.
        if (navigator.onLine) registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    },
    onRegisterError: (error: unknown) => console.warn('Ledgerline could not install for offline use', error),
  });
}
