/** Above this many keys a Map holds the values instead of a typed array (64 MiB of Int32). */
const DENSE_LIMIT = 1 << 24;

/**
 * Numbers by small-integer key (keys come from dictionary codes and their products): a typed
 * array when the key space allows, so a lookup per usage row costs an index, not a hash; a Map
 * beyond. `missing` for a key never set.
 */
export class DenseInts {
  private readonly dense: Int32Array | null;
  private readonly map: Map<number, number> | null;

  constructor(
    space: number,
    private readonly missing: number,
  ) {
    this.dense = space <= DENSE_LIMIT ? new Int32Array(space).fill(missing) : null;
    this.map = this.dense === null ? new Map() : null;
  }

  get(key: number): number {
    return this.dense !== null ? this.dense[key]! : (this.map!.get(key) ?? this.missing);
  }

  set(key: number, value: number): void {
    if (this.dense !== null) this.dense[key] = value;
    else this.map!.set(key, value);
  }
}
