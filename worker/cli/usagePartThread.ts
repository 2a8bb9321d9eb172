/** A worker thread that parses the second part of usage.csv's bytes (see parallelUsage.ts). */
import { parentPort } from 'node:worker_threads';
import type { Newline } from '../bundle/csvLayout';
import { readUsageTail } from '../bundle/usageSplit';

parentPort!.once('message', ({ tail, header, newline }: { tail: ArrayBuffer; header: string[]; newline: Newline }) => {
  const part = readUsageTail(new Uint8Array(tail), header, newline);
  const table = part.table;
  const transfer = table === null ? [] : [table.quantity, table.lastActive, table.seat, table.integrationId.codes, table.externalClientId.codes, table.externalClientName.codes, table.product.codes, table.category.codes].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(part, transfer);
});
