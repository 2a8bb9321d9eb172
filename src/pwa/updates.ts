import { createSignal } from 'solid-js';

/**
 * What the update prompt needs to know about the service worker, without importing it: the
 * service worker exists in production builds only (vite.config.ts), so on the dev server this stays
 * "no update" and the prompt never shows.
 */
const [updateReady, setUpdateReady] = createSignal(false);
let activate: (() => Promise<void>) | undefined;

export { updateReady };

/** Called by the registration when a new version is installed and waiting for this page. */
export function offerUpdate(apply: () => Promise<void>): void {
  activate = apply;
  setUpdateReady(true);
}

/** Lets the waiting version take over; the registration reloads the page once it controls it. */
export function applyUpdate(): Promise<void> {
  return activate ? activate() : Promise.resolve();
}
