/**
 * Text typed on a page and not saved yet, so the update prompt can say so before a reload drops it.
 * The screens are not asked: the page's own events tell. A text field counts as a draft once its
 * value differs from what it held when the user came to it (or last saved). What saves it:
 * - a field in a form (the add-rule form): the form's submit; a failed submit leaves the text,
 *   which still counts;
 * - a field on its own (a client's note): its change event, which the screens save on;
 * - a grid's cell editor: leaving the editor (it then leaves the page).
 * A field that has left the page (another screen opened) holds nothing any more. Searches are not
 * drafts; a field saved some other way than these (History's month name, closed by its button) is
 * taken as saved once the user leaves it.
 */

type TextField = HTMLInputElement | HTMLTextAreaElement;

/** Input types whose value is typed text (an input without a type reads as "text"). */
const TYPED = new Set(['text', 'email', 'number', 'tel', 'url', 'password']);

function textField(target: EventTarget | null): TextField | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && TYPED.has(target.type)) return target;
  return null;
}

/** AG Grid's cell editors: the grid saves their value when editing stops, not on the input's change event. */
const inCellEditor = (field: TextField) => field.closest('.ag-cell-inline-editing, .ag-popup-editor') !== null;

/** Each field the user came to, with its saved value (what it held then, or what was last saved). */
const saved = new Map<TextField, string>();

/** Starts following the page's text fields; returns the function that stops. */
export function trackDrafts(root: Document = document): () => void {
  const came = (e: Event) => {
    const field = textField(e.target);
    if (field && !saved.has(field)) saved.set(field, field.value);
  };
  const typed = (e: Event) => {
    // Typed into without a focus event first (a script's focus, say): what the page set is the saved value.
    const field = textField(e.target);
    if (field && !saved.has(field)) saved.set(field, field.defaultValue);
  };
  const changed = (e: Event) => {
    const field = textField(e.target);
    if (field && !field.form && !inCellEditor(field)) saved.set(field, field.value);
  };
  const submitted = (e: Event) => {
    // After a successful submit the form is blank again; text still there is a submit that failed.
    for (const field of saved.keys()) if (field.form === e.target) saved.set(field, '');
  };
  const listeners: [string, (e: Event) => void][] = [
    ['focusin', came],
    ['input', typed],
    ['change', changed],
    ['submit', submitted],
  ];
  // Capture: a screen that stops an event's propagation still has its fields followed.
  for (const [type, listener] of listeners) root.addEventListener(type, listener, true);
  return () => {
    for (const [type, listener] of listeners) root.removeEventListener(type, listener, true);
    saved.clear();
  };
}

/** What each field with unsaved text is called on screen (its label, else its placeholder). */
export function unsavedDrafts(): string[] {
  const names: string[] = [];
  for (const [field, value] of saved) {
    if (!field.isConnected) {
      saved.delete(field);
      continue;
    }
    if (field.value === value || field.disabled || field.readOnly) continue;
    const label = field.getAttribute('aria-label') || field.labels?.[0]?.textContent?.trim() || field.placeholder || field.name || 'a text field';
    names.push(label);
  }
  return [...new Set(names)];
}
