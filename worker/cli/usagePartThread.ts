/**
 * A worker thread that parses the second part of usage.csv's bytes (see parallelUsage.ts), then,
 * asked, numbers the joined table's seats while the main thread prepares the reconciliation,
 * and writes the report's inactive seats while the main thread reconciles.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Newline } from '../bundle/csvLayout';
import { readUsageTail, type TailPart } from '../bundle/usageSplit';
import { inactiveSeatsJson } from '../engine/inactiveSeatsJson';
import { RecordIds, type RecordIdSource } from '../engine/recordIds';
import { numberSeats } from '../engine/seats';
import { unpackInactiveSeats, type PackedInactiveSeats } from './inactiveSeatsTransfer';

// Loaded and ready: the main thread, busy reading the first part, polls this flag between slices.
const { ready } = workerData as { ready: Int32Array };
Atomics.store(ready, 0, 1);
parentPort!.postMessage('ready');

/** The second part: the file's bytes shared with the first thread, or a copy of the part moved here. */
export type TailMessage = { kind: 'tail'; header: string[]; newline: Newline } & ({ shared: SharedArrayBuffer; byteOffset: number; length: number; start: number; end: number } | { tail: ArrayBuffer; split: number });

/**
 * A table's seats to number (numberSeats) from its columns in shared memory, into `seat`
 * (shared memory too): the record ids as RecordIds holds them, and their key hashes.
 */
export interface SeatsRequest {
  kind: 'seats';
  length: number;
  integration: Uint32Array;
  keys: Int32Array;
  sources: RecordIdSource[];
  sourceOf: Uint32Array | null;
  starts: Int32Array;
  ends: Int32Array;
  seat: Int32Array;
}

/** What the thread is asked, and what it answers (besides 'ready'). */
export type ThreadRequest = TailMessage | SeatsRequest | { kind: 'inactiveSeats'; seats: PackedInactiveSeats };
export type ThreadAnswer = { kind: 'part'; part: TailPart } | { kind: 'seats'; count: number } | { kind: 'inactiveSeats'; chunks: Uint8Array[] };

parentPort!.on('message', (message: ThreadRequest) => {
  if (message.kind === 'seats') {
    const { length, integration, keys, sources, sourceOf, starts, ends } = message;
    const { seat, count } = numberSeats({ length, integrationId: { codes: integration }, recordId: new RecordIds(sources, sourceOf, starts, ends, length) }, keys);
    message.seat.set(seat);
    answer({ kind: 'seats', count }, []);
    return;
  }
  if (message.kind === 'inactiveSeats') {
    const chunks = [...inactiveSeatsJson(unpackInactiveSeats(message.seats))];
    answer({ kind: 'inactiveSeats', chunks }, chunks.map((chunk) => chunk.buffer as ArrayBuffer));
    return;
  }
  const part =
    'shared' in message
      ? readUsageTail(new Uint8Array(message.shared, message.byteOffset, message.length), { start: message.start, end: message.end, base: 0, shared: true }, message.header, message.newline)
      : readUsageTail(new Uint8Array(message.tail), { start: 0, end: message.tail.byteLength, base: message.split, shared: false }, message.header, message.newline);
  const table = part.table;
  // A copied part's bytes go back with it: its record ids stay ranges of them (see RecordIds).
  const bytes = table === null ? [] : table.idSources.filter((source) => typeof source !== 'string');
  const transfer = table === null ? [] : [table.quantity, table.lastActive, table.keyHash, table.idSource, table.idStart, table.idEnd, ...table.codes, ...bytes].map((a) => a.buffer as ArrayBuffer);
  answer({ kind: 'part', part }, transfer);
});

function answer(message: ThreadAnswer, transfer: ArrayBuffer[]): void {
  parentPort!.postMessage(message, transfer);
}
