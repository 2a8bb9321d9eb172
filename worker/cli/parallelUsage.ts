import { Worker } from 'node:worker_threads';
import type { UsagePart } from '../bundle/readUsage';
import { readUsageBytes } from '../bundle/readUsageBytes';
import { planUsageSplit, UsageHead, type TailPart } from '../bundle/usageSplit';

/**
 * Node cannot start a worker thread on a .ts file, even under tsx (privatenumber/tsx#354), so a
 * two-line bootstrap registers tsx in the thread and then imports the TypeScript entry.
 */
const TS_THREAD = (entry: URL) => `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;

/** Below this size one thread is quicker than starting a second one. */
const PARALLEL_FROM_BYTES = 8 << 20;

/**
 * Parses usage.csv's bytes on two cores: a worker thread takes the records after a line break
 * near the middle while this thread reads the first half, which also checks that the break ends
 * a record (see worker/bundle/usageSplit.ts); the halves are joined into one builder (codes and
 * seats re-numbered), the worker's error rows renumbered as rows of the whole file. The result
 * is readUsageBytes's for the whole file (and so readUsageText's for its text).
 */
export async function readUsageParallel(input: Uint8Array | string): Promise<UsagePart> {
  // Text (older callers, tests) is read as the UTF-8 file it came from.
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  if (bytes.length < PARALLEL_FROM_BYTES) return readUsageBytes(bytes);
  const plan = planUsageSplit(bytes);
  if (!plan) return readUsageBytes(bytes);

  // The worker gets its own copy of the second half, moved (not cloned) to it.
  const tailBytes = bytes.slice(plan.split, plan.layout.bodyEnd);
  const worker = new Worker(TS_THREAD(new URL('./usagePartThread.ts', import.meta.url)), { eval: true });
  const tail = new Promise<TailPart>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage({ tail: tailBytes.buffer, header: plan.header, newline: plan.layout.newline }, [tailBytes.buffer]);
  try {
    const head = new UsageHead(bytes, plan);
    return head.join(head.needsTail ? await tail : undefined);
  } finally {
    void worker.terminate();
  }
}
