/// <reference types="vite-plugin-pwa/client" />
import { registerSW } from 'virtual:pwa-register';
import { offerUpdate } from './updates';

/** A tab left open for days still hears of a new version; the browser itself checks only on navigation. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Lets the waiting version take over. A page the old version controls is reloaded by the
 * registration once the new one controls it; a page opened before any version was installed (the
 * first visit) is controlled by none, hears nothing, and reloads itself once the new one is active.
 */
async function activateWaiting(skipWaiting: () => Promise<void>): Promise<void> {
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
