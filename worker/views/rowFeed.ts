/**
 * A long list a screen shows (the client mapping screen's ~8,000 integration clients at a million
 * usage rows), sent to a tab as what changed since the version the tab holds rather than whole after
 * every edit: cloning, comparing and re-rendering every row cost more than the edit itself.
 *
 * The core keeps the last few versions of the list. Views reuse the row objects an edit left alone,
 * so the change between two versions is found by identity: rows that are new objects are sent with
 * their index in the list now, and the keys of rows gone (or replaced) are sent to remove. The tab
 * applies it to its copy (`applyRowChange`) and the grid applies the same as transactions. Pure.
 */

/** What a tab receives: the whole list, or the change from the version it asked from. */
export interface RowFeedAnswer<T> {
  /** The list's version this answer brings the tab to (pass it back to ask for the next change). */
  version: string;
  /** The whole list (a first fetch, a tab too far behind, or a change too large to be worth it), else null. */
  rows: T[] | null;
  /** Keys of rows to take out of the tab's copy: rows gone, and rows replaced by an upsert. */
  removed: string[];
  /** Rows to put in after the removals, each with its index in the list now, by ascending index. */
  upserts: RowUpsert<T>[];
}

export interface RowUpsert<T> {
  index: number;
  row: T;
}

/** How many past versions a feed keeps: a tab further behind gets the whole list. */
const KEPT_VERSIONS = 8;

let feeds = 0;

export class RowFeed<T> {
  /** Versions are `<feed>:<n>`: a version of another feed (another core) never passes for one of this one. */
  private readonly id = `${Date.now().toString(36)}.${(feeds++).toString(36)}`;
  private serial = 0;
  private readonly versions: { version: string; rows: readonly T[] }[] = [];

  /**
   * @param key a row's key, unique in the list
   * @param maxChange the most rows a change may carry before the whole list is sent instead
   */
  constructor(
    private readonly key: (row: T) => string,
    private readonly maxChange = 200,
  ) {}

  /** The list now; a new version when it is another array than the last one. */
  set(rows: readonly T[]): void {
    if (this.versions.at(-1)?.rows === rows) return;
    this.versions.push({ version: `${this.id}:${++this.serial}`, rows });
    if (this.versions.length > KEPT_VERSIONS) this.versions.shift();
  }

  /** The whole list when `since` is null or not kept, else the change from that version to now. */
  since(since: string | null): RowFeedAnswer<T> {
    const now = this.versions.at(-1);
    if (!now) throw new Error('the row feed has no list yet');
    const whole = (): RowFeedAnswer<T> => ({ version: now.version, rows: now.rows as T[], removed: [], upserts: [] });
    const from = since === null ? undefined : this.versions.find((v) => v.version === since);
    if (!from) return whole();
    const change = rowChange(from.rows, now.rows, this.key, this.maxChange);
    return change ? { version: now.version, rows: null, ...change } : whole();
  }
}

/**
 * The change from `before` to `after`, rows compared by identity; null when it is larger than
 * `maxChange` rows or the rows both lists hold are not in the same order (then the whole list is
 * simpler). Removing `removed` from `before` and inserting `upserts` in order gives `after`.
 */
export function rowChange<T>(before: readonly T[], after: readonly T[], key: (row: T) => string, maxChange = Infinity): Pick<RowFeedAnswer<T>, 'removed' | 'upserts'> | null {
  const position = new Map<T, number>();
  for (let i = 0; i < before.length; i++) position.set(before[i]!, i);
  const upserts: RowUpsert<T>[] = [];
  const kept = new Set<T>();
  let last = -1;
  for (let i = 0; i < after.length; i++) {
    const row = after[i]!;
    const at = position.get(row);
    if (at === undefined || kept.has(row)) {
      upserts.push({ index: i, row });
      if (upserts.length > maxChange) return null;
      continue;
    }
    // The rows both lists hold must keep their order: the change moves only the rows it carries.
    if (at < last) return null;
    last = at;
    kept.add(row);
  }
  const removed: string[] = [];
  if (kept.size < before.length) {
    for (const row of before) if (!kept.has(row)) removed.push(key(row));
  }
  if (removed.length > maxChange) return null;
  return { removed, upserts };
}

/** A tab's copy of the list after an answer: a new array (the old one is left as it was). */
export function applyRowChange<T>(rows: readonly T[], answer: RowFeedAnswer<T>, key: (row: T) => string): T[] {
  if (answer.rows) return answer.rows;
  const out: T[] = [];
  if (answer.removed.length > 0) {
    const gone = new Set(answer.removed);
    for (const row of rows) if (!gone.has(key(row))) out.push(row);
  } else out.push(...rows);
  for (const { index, row } of answer.upserts) out.splice(index, 0, row);
  return out;
}
