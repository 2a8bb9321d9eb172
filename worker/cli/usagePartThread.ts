/** A worker thread that parses the second part of usage.csv's bytes (see parallelUsage.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { Newline } from '../bundle/csvLayout';
import { readUsageTail } from '../bundle/usageSplit';

// Loaded and ready: the main thread, busy reading the first part, polls this flag between slices.
const { ready } = workerData as { ready: Int32Array };
Atomics.store(ready, 0, 1);
parentPort!.postMessage('ready');

/** The second part: the file's bytes shared with the first thread, or a copy of the part moved here. */
export type TailMessage = { header: string[]; newline: Newline } & ({ shared: SharedArrayBuffer; byteOffset: number; length: number; start: number; end: number } | { tail: ArrayBuffer; split: number });

parentPort!.once('message', (message: TailMessage) => {
  const part =
    'shared' in message
      ? readUsageTail(new Uint8Array(message.shared, message.byteOffset, message.length), { start: message.start, end: message.end, base: 0, shared: true }, message.header, message.newline)
      : readUsageTail(new Uint8Array(message.tail), { start: 0, end: message.tail.byteLength, base: message.split, shared: false }, message.header, message.newline);
  const table = part.table;
  // A copied part's bytes go back with it: its record ids stay ranges of them (see RecordIds).
  const bytes = table === null ? [] : table.idSources.filter((source) => typeof source !== 'string');
  const transfer = table === null ? [] : [table.quantity, table.lastActive, table.keyHash, table.idSource, table.idStart, table.idEnd, ...table.codes, ...bytes].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(part, transfer);
});
