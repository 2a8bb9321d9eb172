import { createSignal, onCleanup } from 'solid-js';

/** A Yjs array as a signal for the life of the component that reads it (the audit trail, closed months). */
export function follow<T>(array: { toArray(): T[]; observe(f: () => void): void; unobserve(f: () => void): void }) {
  const [items, setItems] = createSignal(array.toArray());
  const update = () => setItems(array.toArray());
  array.observe(update);
  onCleanup(() => array.unobserve(update));
  return items;
}
