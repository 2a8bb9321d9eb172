/** A worker thread that parses one part of usage.csv (see parallelUsage.ts). */
import { parentPort } from 'node:worker_threads';
import { readUsageText } from '../bundle/readUsage';
import { UsageBuilder } from '../bundle/usageBuilder';

parentPort!.once('message', ({ header, body }: { header: string; body: string }) => {
  const part = readUsageText(body, new UsageBuilder(Math.ceil(body.length / 80), false), header);
  const table = part.builder.build();
  const transfer = [table.quantity, table.lastActive, table.seat, table.integrationId.codes, table.externalClientId.codes, table.externalClientName.codes, table.product.codes, table.category.codes].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage({ table, errors: part.errors, rows: part.rows }, transfer);
});
