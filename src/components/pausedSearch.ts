import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** How long typing must pause before a search goes to the core. */
const PAUSE_MS = 200;

/**
 * A search box's text and the text to ask the core for: the core searches every row, so it is
 * asked once typing pauses, not per key. Call inside a component (the timer ends with it).
 */
export function pausedSearch(): { search: Accessor<string>; asked: Accessor<string>; type: (text: string) => void } {
  const [search, setSearch] = createSignal('');
  const [asked, setAsked] = createSignal('');
  let pause: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(pause));
  const type = (text: string) => {
    setSearch(text);
    clearTimeout(pause);
    pause = setTimeout(() => setAsked(text), PAUSE_MS);
  };
  return { search, asked, type };
}
