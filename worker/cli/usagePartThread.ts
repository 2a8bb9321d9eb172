/** A worker thread that parses the second part of usage.csv's bytes (see parallelUsage.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { Newline } from '../bundle/csvLayout';
import { readUsageTail } from '../bundle/usageSplit';

// Loaded and ready: the main thread, busy reading the first part, polls this flag between slices.
const { ready } = workerData as { ready: Int32Array };
Atomics.store(ready, 0, 1);
parentPort!.postMessage('ready');

parentPort!.once('message', ({ tail, header, newline }: { tail: ArrayBuffer; header: string[]; newline: Newline }) => {
  const part = readUsageTail(new Uint8Array(tail), header, newline);
  const table = part.table;
  // The part's bytes go back with it: its record ids stay ranges of them (see RecordIds).
  const bytes = table === null ? [] : table.idSources.filter((source) => typeof source !== 'string');
  const transfer = table === null ? [] : [table.quantity, table.lastActive, table.keyHash, table.idSource, table.idStart, table.idEnd, ...table.codes, ...bytes].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(part, transfer);
});
