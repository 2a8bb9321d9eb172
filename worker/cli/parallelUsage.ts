import { Worker } from 'node:worker_threads';
import { readUsageText, shiftRows, type UsagePart } from '../bundle/readUsage';
import { splitCsvRecords } from '../bundle/splitCsv';
import type { UsageTable } from '../engine/model';
import type { ContractError } from '../bundle/contractError';

/**
 * Node cannot start a worker thread on a .ts file, even under tsx (privatenumber/tsx#354), so a
 * two-line bootstrap registers tsx in the thread and then imports the TypeScript entry.
 */
const TS_THREAD = (entry: URL) => `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;

/** Below this size one thread is quicker than starting a second one. */
const PARALLEL_FROM_CHARS = 8 << 20;

/**
 * Parses usage.csv on two cores: a worker thread takes the second half of the records while this
 * thread parses the first; the halves are joined into one builder (codes and seats re-numbered),
 * and the worker's error rows renumbered as rows of the whole file.
 */
export async function readUsageParallel(text: string): Promise<UsagePart> {
  if (text.length < PARALLEL_FROM_CHARS) return readUsageText(text);
  const { header, bodies } = splitCsvRecords(text, 2);
  if (bodies.length < 2) return readUsageText(text);

  const worker = new Worker(TS_THREAD(new URL('./usagePartThread.ts', import.meta.url)), { eval: true });
  const second = new Promise<{ table: UsageTable; errors: ContractError[]; rows: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage({ header, body: bodies[1]! });
  const first = readUsageText(bodies[0]!, undefined, header);
  try {
    const rest = await second;
    first.builder.appendTable(rest.table);
    // Rows of the second part: its own numbering minus its header, after all records of the first.
    const errors = [...first.errors, ...shiftRows(rest.errors, first.rows - 1)];
    return { builder: first.builder, errors, rows: first.rows + rest.rows - 1 };
  } finally {
    void worker.terminate();
  }
}
