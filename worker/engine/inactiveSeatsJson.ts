import { formatDay } from './dates';
import type { UsageTable } from './model';
import type { InactiveSeat } from './usageGroups';

/** The usage columns an inactive seat's item is written from. */
export type InactiveSeatColumns = Pick<UsageTable, 'recordId' | 'integrationId' | 'product' | 'lastActive'>;

/** The §5 inactive seats as the engine finds them: rows of the usage table, before any object per seat. */
export interface InactiveSeatRows {
  usage: InactiveSeatColumns;
  seats: readonly InactiveSeat[];
  /** PSA client ids by client index (Reconciliation.clientIds). */
  clientIds: readonly string[];
}

/** Bytes gathered before a chunk is handed out. */
const CHUNK_BYTES = 1 << 20;

const encoder = new TextEncoder();
const ascii = (text: string) => encoder.encode(text);

// The member as JSON.stringify(report, null, 2) lays it out: items at four spaces, their keys at six.
const OPEN = ascii('  "inactive_seats": [\n');
const EMPTY = ascii('  "inactive_seats": []');
const CLOSE = ascii('\n  ]');
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A growing byte buffer handed out in chunks. */
class ByteSink {
  buffer = new Uint8Array(CHUNK_BYTES + (CHUNK_BYTES >> 2));
  length = 0;

  /** Room for n more bytes at `length`. */
  reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  put(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** What was gathered so far; the sink starts a new buffer. */
  take(): Uint8Array {
    const out = this.buffer.subarray(0, this.length);
    this.buffer = new Uint8Array(this.buffer.length);
    this.length = 0;
    return out;
  }
}

/** Whether bytes [start, end) are printable ASCII other than `"` and `\`: their JSON string is themselves in quotes. */
function plainAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e || b === QUOTE || b === BACKSLASH) return false;
  }
  return true;
}

/**
 * The report's `inactive_seats` member, exactly as `JSON.stringify(toReport(…), null, 2)` writes
 * it inside the top-level object (no comma after it), as UTF-8 in chunks of about a megabyte.
 * At 1M usage rows the list is ~48k seats and 70% of the report's 13 MB: written from the rows,
 * a record id read from a file goes from its bytes to the output. An object per seat, a string
 * per id and JSON.stringify's text, copied again into UTF-8, took ~0.11 s there against ~0.07 s.
 * test/engine/inactiveSeatsJson.test.ts holds it to JSON.stringify's text byte for byte.
 */
export function* inactiveSeatsJson(rows: InactiveSeatRows): Generator<Uint8Array> {
  if (rows.seats.length === 0) {
    yield EMPTY.slice();
    return;
  }
  const writer = new SeatWriter(rows);
  const sink = new ByteSink();
  sink.put(OPEN);
  for (let k = 0; k < rows.seats.length; ) {
    k = writer.write(sink, k);
    if (k === rows.seats.length) sink.put(CLOSE);
    yield sink.take();
  }
}

/**
 * Writes the items. An item is three runs of bytes: what comes before the record id (fixed by
 * the client and the integration), the id, and what comes after it (fixed by the product and the
 * last-active day, as days_inactive is the asOf day minus it). The runs around the id are made
 * once per distinct pair and copied whole (copying every piece byte by byte took about twice as long).
 */
class SeatWriter {
  private readonly heads = new Map<number, Uint8Array>();
  private readonly tails = new Map<number, Map<number, Uint8Array>>();

  constructor(private readonly rows: InactiveSeatRows) {}

  /** Items from the k-th on, until a chunk's worth is gathered; returns the next item's index. */
  write(sink: ByteSink, from: number): number {
    const { usage, seats } = this.rows;
    const ids = usage.recordId;
    const integrationCodes = usage.integrationId.codes;
    const integrationCount = usage.integrationId.values.length;
    const productCodes = usage.product.codes;
    const lastActive = usage.lastActive;
    let k = from;
    while (k < seats.length && sink.length < CHUNK_BYTES) {
      const { row, clientIndex, daysInactive } = seats[k]!;
      const integration = integrationCodes[row]!;
      const headKey = clientIndex * integrationCount + integration;
      let head = this.heads.get(headKey);
      if (head === undefined) {
        head = encoder.encode(`    {\n      "client_id": ${JSON.stringify(this.rows.clientIds[clientIndex])},\n      "integration_id": ${JSON.stringify(usage.integrationId.values[integration])},\n      "record_id": `);
        this.heads.set(headKey, head);
      }
      const product = productCodes[row]!;
      const day = lastActive[row]!;
      let byDay = this.tails.get(product);
      if (byDay === undefined) this.tails.set(product, (byDay = new Map()));
      let tail = byDay.get(day);
      if (tail === undefined) {
        tail = encoder.encode(`,\n      "product": ${JSON.stringify(usage.product.values[product])},\n      "last_active": ${JSON.stringify(formatDay(day))},\n      "days_inactive": ${daysInactive}\n    }`);
        byDay.set(day, tail);
      }
      const source = ids.sourceAt(row);
      const start = ids.starts[row]!;
      const end = ids.ends[row]!;
      const plain = typeof source !== 'string' && plainAscii(source, start, end);
      const id = plain ? null : encoder.encode(JSON.stringify(ids.at(row)));
      sink.reserve(2 + head.length + (id === null ? end - start + 2 : id.length) + tail.length);
      const buffer = sink.buffer;
      let at = sink.length;
      if (k > 0) {
        buffer[at++] = COMMA;
        buffer[at++] = NEWLINE;
      }
      buffer.set(head, at);
      at += head.length;
      if (id === null) {
        const bytes = source as Uint8Array;
        buffer[at++] = QUOTE;
        for (let i = start; i < end; i++) buffer[at++] = bytes[i]!;
        buffer[at++] = QUOTE;
      } else {
        buffer.set(id, at);
        at += id.length;
      }
      buffer.set(tail, at);
      sink.length = at + tail.length;
      k++;
    }
    return k;
  }
}
