import { createSignal } from 'solid-js';

/**
 * What the update prompt needs to know about the service worker, without importing it: the
 * service worker exists in production builds only (vite.config.ts), so on the dev server this stays
 * "no update" and the prompt never shows.
 *
 * - `ready`: a new version is installed and waits until a tab says Reload;
 * - `elsewhere`: another tab said Reload, so the new version now serves this tab too, while the
 *   page still runs the old code: this tab is not reloaded under the user's hands (it may hold
 *   unsaved input), it is offered the reload like the first.
 */
export type UpdateOffer = 'none' | 'ready' | 'elsewhere';

const [updateOffer, setUpdateOffer] = createSignal<UpdateOffer>('none');
let activate: (() => Promise<void>) | undefined;

export { updateOffer };
export const updateReady = () => updateOffer() !== 'none';

/** Called by the registration when a new version is installed and waiting for this page. */
export function offerUpdate(apply: () => Promise<void>): void {
  if (updateOffer() === 'elsewhere') return;
  activate = apply;
  setUpdateOffer('ready');
}

/** Called by the registration when the new version took over because another tab asked for it. */
export function updatedElsewhere(): void {
  // Nothing to activate any more: a reload is all this tab needs to run the new version.
  activate = () => {
    location.reload();
    return Promise.resolve();
  };
  setUpdateOffer('elsewhere');
}

/** Lets the waiting version take over; the registration reloads the page once it controls it. */
export function applyUpdate(): Promise<void> {
  return activate ? activate() : Promise.resolve();
}
