import { parseUnits, UNIT } from '../engine/decimal';
import { parseIsoDate } from '../engine/dates';
import { Dictionary } from '../engine/dictionary';
import { NO_DAY, type UsageTable } from '../engine/model';
import { StringIds } from '../engine/stringIds';

/** BigInt64Array wraps silently past ±2^63; refuse such quantities instead. */
export const MAX_USAGE_UNITS = 1n << 62n;
const MAX_UNITS = MAX_USAGE_UNITS;
export const tooLarge = (quantity: string): string => `"${quantity}" is too large`;

const CODED = ['integrationId', 'externalClientId', 'externalClientName', 'product', 'category'] as const;

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
  private lastActive: Int32Array;
  private seat: Int32Array;
  private readonly recordIds: string[] = [];
  private readonly seatIds: StringIds;

  /** `numberSeats: false` for a part that another builder will append (it numbers the seats then). */
  constructor(expectedRows = 1024, private readonly numberSeats = true) {
    this.capacity = Math.max(1024, expectedRows);
    // Sized for the rows expected (record ids are mostly distinct), so the table is not rebuilt as it fills.
    this.seatIds = new StringIds(numberSeats ? Math.max(1 << 16, expectedRows) : 1024);
    this.codes = CODED.map(() => new Uint32Array(this.capacity));
    this.quantity = new BigInt64Array(this.capacity);
    this.lastActive = new Int32Array(this.capacity);
    this.seat = new Int32Array(this.capacity);
  }

  add(values: readonly string[], report: (column: string, message: string) => void): void {
    const quantity = values[6]!;
    const units = quantity === '' ? UNIT : parseUnits(quantity)!;
    if (units > MAX_UNITS || units < -MAX_UNITS) {
      report('quantity', tooLarge(quantity));
      return;
    }
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const d = this.dictionaries;
    const c = this.codes;
    const integrationCode = d[0]!.code(values[0]!);
    c[0]![i] = integrationCode;
    c[1]![i] = d[1]!.code(values[1]!);
    c[2]![i] = d[2]!.code(values[2]!);
    c[3]![i] = d[3]!.code(values[4]!);
    c[4]![i] = d[4]!.code(values[5]!);
    const recordId = values[3]!;
    this.recordIds.push(recordId);
    if (this.numberSeats) this.seat[i] = this.seatIds.id(integrationCode, recordId);
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
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const c = this.codes;
    c[0]![i] = integration;
    c[1]![i] = client;
    c[2]![i] = clientName;
    c[3]![i] = product;
    c[4]![i] = category;
    this.recordIds.push(recordId);
    if (this.numberSeats) this.seat[i] = this.seatIds.id(integration, recordId);
    this.quantity[i] = units;
    this.lastActive[i] = lastActive;
  }

  /** Appends a table built elsewhere (another thread's part of the file), re-coding it into this builder's dictionaries and seats. */
  appendTable(part: UsageTable): void {
    const columns = [part.integrationId, part.externalClientId, part.externalClientName, part.product, part.category];
    const recode = columns.map((column, k) => Uint32Array.from(column.values, (value) => this.dictionaries[k]!.code(value)));
    while (this.length + part.length > this.capacity) this.grow();
    const offset = this.length;
    for (let i = 0; i < part.length; i++) {
      const at = offset + i;
      for (let k = 0; k < columns.length; k++) this.codes[k]![at] = recode[k]![columns[k]!.codes[i]!]!;
      const recordId = part.recordId[i]!;
      this.recordIds.push(recordId);
      this.seat[at] = this.seatIds.id(this.codes[0]![at]!, recordId);
    }
    this.quantity.set(part.quantity, offset);
    this.lastActive.set(part.lastActive, offset);
    this.length += part.length;
  }

  build(): UsageTable {
    const n = this.length;
    const column = (k: number) => ({ values: this.dictionaries[k]!.values, codes: this.codes[k]!.slice(0, n) });
    return {
      length: n,
      integrationId: column(0),
      externalClientId: column(1),
      externalClientName: column(2),
      recordId: this.recordIds,
      product: column(3),
      category: column(4),
      quantity: this.quantity.slice(0, n),
      lastActive: this.lastActive.slice(0, n),
      seat: this.seat.slice(0, n),
      seatCount: this.seatIds.size,
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Uint32Array | Int32Array | BigInt64Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old as never);
      return next;
    };
    this.codes = this.codes.map((old) => grow(old, (n) => new Uint32Array(n)));
    this.quantity = grow(this.quantity, (n) => new BigInt64Array(n));
    this.lastActive = grow(this.lastActive, (n) => new Int32Array(n));
    this.seat = grow(this.seat, (n) => new Int32Array(n));
  }
}
