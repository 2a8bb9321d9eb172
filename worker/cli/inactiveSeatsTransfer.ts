import type { InactiveSeatRows } from '../engine/inactiveSeatsJson';
import { RecordIds } from '../engine/recordIds';

/**
 * The inactive seats' rows as the CLI's second thread needs them to write their JSON
 * (inactiveSeatsJson): per seat its columns, with its record id as a range of the shared
 * usage.csv bytes, so no id is copied, or, for an id read the text way (a quoted field), a
 * range of `texts`; the dictionaries' values whole (they are short).
 */
export interface PackedInactiveSeats {
  shared: SharedArrayBuffer;
  /** The ids read as text, one after another. */
  texts: string;
  /** Per seat: its id's source, 0 for `shared`, 1 for `texts` (RecordIds' sourceOf). */
  source: Uint32Array;
  idStart: Int32Array;
  idEnd: Int32Array;
  integration: Uint32Array;
  product: Uint32Array;
  lastActive: Int32Array;
  client: Int32Array;
  days: Int32Array;
  integrationIds: string[];
  products: string[];
  clientIds: string[];
}

/**
 * The seats packed, or null when their record ids' bytes are not in one shared buffer (usage.csv
 * not read into shared memory): another thread could not read them where they are.
 */
export function packInactiveSeats(rows: InactiveSeatRows): PackedInactiveSeats | null {
  const { usage, seats } = rows;
  const ids = usage.recordId;
  const shared = ids.sources.find((source) => typeof source !== 'string')?.buffer;
  if (!(shared instanceof SharedArrayBuffer)) return null;
  // Where each byte source starts in the shared buffer (null for any other), -1 for a text.
  const offsets = ids.sources.map((source) => (typeof source === 'string' ? -1 : source.buffer === shared ? source.byteOffset : null));
  if (offsets.includes(null)) return null;
  const texts: string[] = [];
  let textLength = 0;
  const n = seats.length;
  const packed: PackedInactiveSeats = {
    shared,
    texts: '',
    source: new Uint32Array(n),
    idStart: new Int32Array(n),
    idEnd: new Int32Array(n),
    integration: new Uint32Array(n),
    product: new Uint32Array(n),
    lastActive: new Int32Array(n),
    client: new Int32Array(n),
    days: new Int32Array(n),
    integrationIds: usage.integrationId.values,
    products: usage.product.values,
    clientIds: rows.clientIds.slice(),
  };
  for (let k = 0; k < n; k++) {
    const { row, clientIndex, daysInactive } = seats[k]!;
    const offset = offsets[ids.sourceOf === null ? 0 : ids.sourceOf[row]!]!;
    if (offset < 0) {
      const id = ids.at(row);
      texts.push(id);
      packed.source[k] = 1;
      packed.idStart[k] = textLength;
      packed.idEnd[k] = textLength += id.length;
    } else {
      packed.idStart[k] = offset + ids.starts[row]!;
      packed.idEnd[k] = offset + ids.ends[row]!;
    }
    packed.integration[k] = usage.integrationId.codes[row]!;
    packed.product[k] = usage.product.codes[row]!;
    packed.lastActive[k] = usage.lastActive[row]!;
    packed.client[k] = clientIndex;
    packed.days[k] = daysInactive;
  }
  packed.texts = texts.join('');
  return packed;
}

/** The packed seats as rows again: seat k is row k of columns holding only the seats. */
export function unpackInactiveSeats(packed: PackedInactiveSeats): InactiveSeatRows {
  const n = packed.idStart.length;
  const usage: InactiveSeatRows['usage'] = {
    recordId: new RecordIds([new Uint8Array(packed.shared), packed.texts], packed.texts === '' ? null : packed.source, packed.idStart, packed.idEnd, n),
    integrationId: { values: packed.integrationIds, codes: packed.integration },
    product: { values: packed.products, codes: packed.product },
    lastActive: packed.lastActive,
  };
  const seats = Array.from({ length: n }, (_, k) => ({ row: k, clientIndex: packed.client[k]!, daysInactive: packed.days[k]! }));
  return { usage, seats, clientIds: packed.clientIds };
}

/** The packed seats' own buffers, to move to the other thread rather than copy. */
export function transferList(packed: PackedInactiveSeats): ArrayBuffer[] {
  return [packed.source, packed.idStart, packed.idEnd, packed.integration, packed.product, packed.lastActive, packed.client, packed.days].map((a) => a.buffer as ArrayBuffer);
}
