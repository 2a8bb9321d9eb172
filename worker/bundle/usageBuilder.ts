import { parseUnits, UNIT } from '../engine/decimal';
import { parseIsoDate } from '../engine/dates';
import { Dictionary } from '../engine/dictionary';
import { NO_DAY, type UsageTable } from '../engine/model';
import { RecordIds, type RecordIdSource } from '../engine/recordIds';
import { numberSeats as numberSeatsOf } from '../engine/seats';
import { hashKey } from '../engine/stringIds';

/** BigInt64Array wraps silently past ±2^63; refuse such quantities instead. */
export const MAX_USAGE_UNITS = 1n << 62n;
const MAX_UNITS = MAX_USAGE_UNITS;
export const tooLarge = (quantity: string): string => `"${quantity}" is too large`;

/** A builder's rows in transferable form (UsageBuilder.pack); the builder that appends them numbers the seats. */
export interface PackedUsage {
  length: number;
  /** Dictionary values and row codes of the coded columns, in UsageBuilder's coded order. */
  values: string[][];
  codes: Uint32Array[];
  /** Row i's record id is the range [idStart[i], idEnd[i]) of idSources[idSource[i]] (see RecordIds). */
  idSources: RecordIdSource[];
  idSource: Uint32Array;
  idStart: Int32Array;
  idEnd: Int32Array;
  quantity: BigInt64Array;
  lastActive: Int32Array;
  /** hashKey of each row's record id. */
  keyHash: Int32Array;
}

/** Whether a BigInt64Array's low 32 bits come first in memory (see addRow). */
const LITTLE_ENDIAN = new Uint8Array(new BigInt64Array([1n]).buffer)[0] === 1;
const TWO_32 = 4294967296;

const CODED = ['integrationId', 'externalClientId', 'externalClientName', 'product', 'category'] as const;

type Column = Uint32Array | Int32Array | BigInt64Array;
/** A column's typed-array class. */
interface ColumnType<T extends Column> {
  new (buffer: ArrayBufferLike): T;
  new (length: number): T;
  BYTES_PER_ELEMENT: number;
}

/**
 * Collects validated usage rows (USAGE_COLUMNS order) into the columnar UsageTable. Columns grow
 * as typed arrays (doubling), so a million rows make a handful of allocations, not a million
 * boxed numbers for the garbage collector to trace.
 */
export class UsageBuilder {
  private length = 0;
  private capacity: number;
  private readonly dictionaries = CODED.map(() => new Dictionary());
  private codes: Uint32Array[];
  private quantity: BigInt64Array;
  /** The quantity column's memory as 32-bit halves (addRow writes small units without a BigInt). */
  private quantityWords: Int32Array;
  private lastActive: Int32Array;
  /** hashKey of each row's record id: seats are numbered from them once, in build(). */
  private keyHash: Int32Array;
  /** Where each row's record id is: a range of idSources[idSource[i]] (see RecordIds). */
  private idSource: Uint32Array;
  private idStart: Int32Array;
  private idEnd: Int32Array;
  private readonly idSources: RecordIdSource[] = [];
  /** The bytes addRow reads ids from, and their index in idSources (-1 before the first). */
  private bytes: Uint8Array | null = null;
  private byteSource = -1;
  /** Ids given as strings, one after another: one source once built (index textSource, -1 before the first). */
  private readonly texts: string[] = [];
  private textLength = 0;
  private textSource = -1;
  /** Set once build() or pack() has handed the columns out (see handOver). */
  private handedOver = false;

  /**
   * `shared`: the columns live in SharedArrayBuffers, so that another thread reads the table
   * built where it is (the CLI's second thread numbers its seats).
   */
  constructor(expectedRows = 1024, private readonly shared = false) {
    this.capacity = Math.max(1024, expectedRows);
    this.codes = CODED.map(() => this.allocate(Uint32Array, this.capacity));
    this.quantity = this.allocate(BigInt64Array, this.capacity);
    this.quantityWords = new Int32Array(this.quantity.buffer);
    this.lastActive = this.allocate(Int32Array, this.capacity);
    this.keyHash = this.allocate(Int32Array, this.capacity);
    this.idSource = this.allocate(Uint32Array, this.capacity);
    this.idStart = this.allocate(Int32Array, this.capacity);
    this.idEnd = this.allocate(Int32Array, this.capacity);
  }

  private allocate<T extends Column>(type: ColumnType<T>, length: number): T {
    return this.shared ? new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT)) : new type(length);
  }

  add(values: readonly string[], report: (column: string, message: string) => void): void {
    const quantity = values[6]!;
    const units = quantity === '' ? UNIT : parseUnits(quantity)!;
    if (units > MAX_UNITS || units < -MAX_UNITS) {
      report('quantity', tooLarge(quantity));
      return;
    }
    if (this.length === this.capacity || this.handedOver) this.grow();
    const i = this.length++;
    const d = this.dictionaries;
    const c = this.codes;
    c[0]![i] = d[0]!.code(values[0]!);
    c[1]![i] = d[1]!.code(values[1]!);
    c[2]![i] = d[2]!.code(values[2]!);
    c[3]![i] = d[3]!.code(values[4]!);
    c[4]![i] = d[4]!.code(values[5]!);
    const recordId = values[3]!;
    this.placeText(i, recordId);
    this.keyHash[i] = hashKey(recordId);
    this.quantity[i] = units;
    const lastActive = values[7]!;
    this.lastActive[i] = lastActive === '' ? NO_DAY : parseIsoDate(lastActive)!;
  }

  /**
   * The dictionary of each coded column (integration_id, external_client_id, external_client_name,
   * product, category), for a reader that interns values itself before calling addCoded.
   */
  get codedDictionaries(): readonly Dictionary[] {
    return this.dictionaries;
  }

  /**
   * Adds a valid row whose values are already coded (codedDictionaries) and parsed: the same row
   * `add` would store for their strings. The caller checks the quantity against MAX_USAGE_UNITS.
   */
  addCoded(integration: number, client: number, clientName: number, product: number, category: number, recordId: string, units: bigint, lastActive: number): void {
    const i = this.placeCoded(integration, client, clientName, product, category);
    this.placeText(i, recordId);
    this.keyHash[i] = hashKey(recordId);
    this.quantity[i] = units;
    this.lastActive[i] = lastActive;
  }

  /**
   * addCoded for a reader of bytes: the record id is bytes [idStart, idEnd) (UTF-8; always of
   * the same array), kept there rather than made a string; `units` is a safe integer
   * (|units| < 2^53, so exact as a double) and is stored through the column's 32-bit halves,
   * sparing a BigInt per row; `recordKeyHash` is hashKey of the id, computed by the caller from
   * the bytes it already walks.
   */
  addRow(integration: number, client: number, clientName: number, product: number, category: number, bytes: Uint8Array, idStart: number, idEnd: number, recordKeyHash: number, units: number, lastActive: number): void {
    const i = this.placeCoded(integration, client, clientName, product, category);
    this.idSource[i] = bytes === this.bytes ? this.byteSource : this.byteSourceOf(bytes);
    this.idStart[i] = idStart;
    this.idEnd[i] = idEnd;
    this.keyHash[i] = recordKeyHash;
    if (LITTLE_ENDIAN) {
      // Two's complement halves of an integer below 2^53: both divisions are exact on doubles.
      const high = Math.floor(units / TWO_32);
      this.quantityWords[2 * i] = units - high * TWO_32;
      this.quantityWords[2 * i + 1] = high;
    } else this.quantity[i] = BigInt(units);
    this.lastActive[i] = lastActive;
  }

  /**
   * This builder's rows as another thread sends them to the builder that appends them
   * (appendPacked): typed arrays and the bytes the ids are in, to transfer (no string per id), and
   * the ids' key hashes, so the receiver hashes nothing; it numbers the seats of all its rows at
   * once, so this part numbers none.
   */
  pack(): PackedUsage {
    const n = this.length;
    return {
      length: n,
      values: this.dictionaries.map((dictionary) => dictionary.values),
      codes: this.codes.map((codes) => this.handOver(codes)),
      idSources: this.finishedSources(),
      idSource: this.handOver(this.idSource),
      idStart: this.handOver(this.idStart),
      idEnd: this.handOver(this.idEnd),
      quantity: this.handOver(this.quantity),
      lastActive: this.handOver(this.lastActive),
      keyHash: this.handOver(this.keyHash),
    };
  }

  /**
   * Appends a part packed elsewhere (another thread's part of the file), re-coding it into this
   * builder's dictionaries. `shared`: the part's id source (left empty in the part) that is
   * `bytes`, the memory this builder's own byte rows come from.
   */
  appendPacked(part: PackedUsage, shared?: { source: number; bytes: Uint8Array }): void {
    const recode = part.values.map((values, k) => Uint32Array.from(values, (value) => this.dictionaries[k]!.code(value)));
    while (this.length + part.length > this.capacity || this.handedOver) this.grow();
    const offset = this.length;
    for (let k = 0; k < recode.length; k++) {
      const map = recode[k]!;
      const from = part.codes[k]!;
      const to = this.codes[k]!;
      for (let i = 0; i < part.length; i++) to[offset + i] = map[from[i]!]!;
    }
    const sourceMap = part.idSources.map((source, k) => (k === shared?.source ? this.byteSourceOf(shared.bytes) : this.idSources.push(source) - 1));
    for (let i = 0; i < part.length; i++) this.idSource[offset + i] = sourceMap[part.idSource[i]!]!;
    this.idStart.set(part.idStart, offset);
    this.idEnd.set(part.idEnd, offset);
    this.keyHash.set(part.keyHash, offset);
    this.quantity.set(part.quantity, offset);
    this.lastActive.set(part.lastActive, offset);
    this.length += part.length;
  }

  /** A new row's coded columns; returns its index. */
  private placeCoded(integration: number, client: number, clientName: number, product: number, category: number): number {
    if (this.length === this.capacity || this.handedOver) this.grow();
    const i = this.length++;
    const c = this.codes;
    c[0]![i] = integration;
    c[1]![i] = client;
    c[2]![i] = clientName;
    c[3]![i] = product;
    c[4]![i] = category;
    return i;
  }

  /** The index in idSources of the bytes addRow reads (registered on first sight; always the same array). */
  private byteSourceOf(bytes: Uint8Array): number {
    if (bytes === this.bytes) return this.byteSource;
    if (this.bytes !== null) throw new Error('UsageBuilder reads the ids of one array of bytes');
    this.bytes = bytes;
    return (this.byteSource = this.idSources.push(bytes) - 1);
  }

  /** Row i's record id, given as a string. */
  private placeText(i: number, recordId: string): void {
    if (this.textSource < 0) this.textSource = this.idSources.push('') - 1;
    this.texts.push(recordId);
    this.idSource[i] = this.textSource;
    this.idStart[i] = this.textLength;
    this.idEnd[i] = this.textLength += recordId.length;
  }

  /** idSources with the string ids joined into their source. */
  private finishedSources(): RecordIdSource[] {
    if (this.textSource >= 0) this.idSources[this.textSource] = this.texts.join('');
    return this.idSources;
  }

  /** hashKey of each row's record id, what seats are numbered from (numberSeats), for a caller that numbers them itself. */
  seatKeys(): Int32Array {
    return this.handOver(this.keyHash);
  }

  /** `numberSeats: false` leaves every row on seat 0, for a caller that numbers seats itself (from seatKeys()). */
  build(numberSeats = true): UsageTable {
    const n = this.length;
    const sources = this.finishedSources();
    const recordIds = new RecordIds(sources, sources.length > 1 ? this.handOver(this.idSource) : null, this.handOver(this.idStart), this.handOver(this.idEnd), n);
    const seats = numberSeats ? numberSeatsOf({ length: n, integrationId: { codes: this.codes[0]! }, recordId: recordIds }, this.keyHash) : { seat: new Int32Array(n), count: 0 };
    const column = (k: number) => ({ values: this.dictionaries[k]!.values, codes: this.handOver(this.codes[k]!) });
    return {
      length: n,
      integrationId: column(0),
      externalClientId: column(1),
      externalClientName: column(2),
      recordId: recordIds,
      product: column(3),
      category: column(4),
      quantity: this.handOver(this.quantity),
      lastActive: this.handOver(this.lastActive),
      seat: seats.seat,
      seatCount: seats.count,
    };
  }

  /**
   * A column's filled part, handed over as a view of the builder's own memory: at 1M rows a copy
   * of every column (~50 MB) cost its time and the pages it touched. The builder is done then
   * (build() or pack() is its last call): a later row would write into the table handed out.
   */
  private handOver<T extends Column>(column: T): T {
    this.handedOver = true;
    return column.subarray(0, this.length) as T;
  }

  private grow(): void {
    if (this.handedOver) throw new Error('UsageBuilder: a row added after build() or pack()');
    this.capacity *= 2;
    const grow = <T extends Column>(old: T, type: ColumnType<T>): T => {
      const next = this.allocate(type, this.capacity);
      next.set(old as never);
      return next;
    };
    this.codes = this.codes.map((old) => grow(old, Uint32Array));
    this.quantity = grow(this.quantity, BigInt64Array);
    this.quantityWords = new Int32Array(this.quantity.buffer);
    this.lastActive = grow(this.lastActive, Int32Array);
    this.keyHash = grow(this.keyHash, Int32Array);
    this.idSource = grow(this.idSource, Uint32Array);
    this.idStart = grow(this.idStart, Int32Array);
    this.idEnd = grow(this.idEnd, Int32Array);
  }
}
