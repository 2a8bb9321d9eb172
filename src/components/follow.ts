import { createResource, type Accessor } from 'solid-js';
import type { Change } from '../../worker/protocol/coreEvents';
import { changed } from '../state/workspace';

/**
 * A part of the workspace as a signal (the rules, notes, audit trail, closed months, profiles):
 * fetched from the core, and again whenever the core says that part changed.
 */
export function follow<T>(change: Change, fetch: () => Promise<T>, initial: T): Accessor<T> {
  const [value] = createResource(changed(change), () => fetch(), { initialValue: initial });
  return () => value.latest;
}
