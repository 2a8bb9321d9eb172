import { Worker } from 'node:worker_threads';
import type { UsagePart } from '../bundle/readUsage';
import { readUsageBytes } from '../bundle/readUsageBytes';
import { breakAfter, planUsageSplit, UsageHead, type TailPart, type UsageSplit } from '../bundle/usageSplit';
import type { InactiveSeatRows } from '../engine/inactiveSeatsJson';
import type { UsageTable } from '../engine/model';
import { packInactiveSeats, transferList } from './inactiveSeatsTransfer';
import type { TailMessage, ThreadAnswer, ThreadRequest } from './usagePartThread';

/**
 * Node cannot start a worker thread on a .ts file, even under tsx (privatenumber/tsx#354), so a
 * two-line bootstrap registers tsx in the thread and then imports the TypeScript entry.
 */
const TS_THREAD = (entry: URL) => `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;

/**
 * Whether this module runs as TypeScript (tsx, vitest) rather than from the CLI's esbuild bundle
 * (scripts/cli.mjs), which builds the thread's entry as a sibling file, usagePartThread.mjs.
 */
const runsFromSource = import.meta.url.endsWith('.ts');

/** Below this size one thread is quicker than starting a second one. */
export const PARALLEL_FROM_BYTES = 8 << 20;

/** Bytes the first thread reads between two looks at whether the second thread is up. */
const STEP_BYTES = 1 << 20;

/** A second part smaller than this is not worth handing over (the join and the transfer cost more). */
const MIN_TAIL_BYTES = 4 << 20;

/**
 * Share of the bytes still unread that the first thread keeps when it hands the rest over: a
 * little over half, as it also joins the second part's rows into its own (measured on 1M rows).
 */
const HEAD_SHARE = 0.55;

/** The joined table's columns in shared memory: the thread can be asked to number its seats (numberSeatsElsewhere). */
const SHARED = { sharedMemory: true };

/** A worker thread started ahead of time (its start-up, ~0.5 s for tsx and the modules, overlaps reading the files). */
export interface UsageThread {
  worker: Worker;
  /** [0] becomes 1 once the thread has loaded its modules. */
  ready: Int32Array;
  /** Resolves once the thread is up (the same moment `ready` turns 1). */
  started: Promise<void>;
}

export function startUsageThread(): UsageThread {
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const worker = runsFromSource
    ? new Worker(TS_THREAD(new URL('./usagePartThread.ts', import.meta.url)), { eval: true, workerData: { ready } })
    : new Worker(new URL('./usagePartThread.mjs', import.meta.url), { workerData: { ready } });
  const started = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  // A thread never used (the file was read before it was up) must not fail the run.
  started.catch(() => undefined);
  return { worker, ready, started };
}

/**
 * Parses usage.csv's bytes on two cores: a worker thread takes the records after a line break
 * while this thread reads the first part, which also checks that the break ends a record (see
 * worker/bundle/usageSplit.ts); the parts are joined into one builder (codes and seats
 * re-numbered), the worker's error rows renumbered as rows of the whole file. The result is
 * readUsageBytes's for the whole file (and so readUsageText's for its text).
 *
 * Given a `thread` started earlier, this thread does not wait for it: it reads from the start and
 * hands over the second half of what is left once the thread is up (or reads it all alone if the
 * thread comes too late). Without one, or told to `wait` for it, it waits for the thread, then
 * splits in the middle.
 */
export async function readUsageParallel(input: Uint8Array | string, thread?: UsageThread, log?: (note: string) => void, wait = false): Promise<UsagePart> {
  // Text (older callers, tests) is read as the UTF-8 file it came from.
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const plan = bytes.length < PARALLEL_FROM_BYTES ? null : planUsageSplit(bytes);
  if (!plan) {
    return readUsageBytes(bytes);
  }
  const own = thread ?? startUsageThread();
  try {
    if (!thread || wait) {
      await own.started;
      const tail = sendTail(own, bytes, plan, plan.split);
      log?.(`waited for the second thread; it takes the last ${pct(plan.layout.bodyEnd - plan.split, plan.layout.bodyEnd)} of usage.csv`);
      const head = new UsageHead(bytes, plan, SHARED);
      return head.join(head.needsTail ? await tail : undefined);
    }
    const head = new UsageHead(bytes, plan, SHARED, true);
    const end = plan.layout.bodyEnd;
    let tail: Promise<TailPart> | undefined;
    // The thread is usually up by now (it loads while the files are read): it then starts at once.
    for (let more = true; more; more = head.step(head.position + STEP_BYTES)) {
      if (Atomics.load(own.ready, 0) !== 1) continue;
      const at = head.position;
      const split = end - at >= MIN_TAIL_BYTES / (1 - HEAD_SHARE) ? breakAfter(bytes, at + Math.floor((end - at) * HEAD_SHARE), end, plan.layout.newline) : -1;
      if (split <= at || split >= end) break;
      // Sent before this thread reads on to the split, so that both parts are read at once.
      tail = sendTail(own, bytes, plan, split);
      log?.(`second thread up after ${pct(at, end)} of usage.csv, takes the last ${pct(end - split, end)}`);
      head.readTo(split);
      break;
    }
    if (!tail) {
      head.readRest();
      log?.('second thread not up in time: one thread read usage.csv');
      return head.join();
    }
    const waited = performance.now();
    const part = head.needsTail ? await tail : undefined;
    log?.(`first part read; waited ${Math.round(performance.now() - waited)} ms for the second`);
    const joined = performance.now();
    const result = head.join(part);
    log?.(`joined in ${Math.round(performance.now() - joined)} ms`);
    return result;
  } finally {
    // A thread it was given is the caller's, who may have more for it to do (writeInactiveSeats).
    if (!thread) void own.worker.terminate();
  }
}

/**
 * Has the thread, once it has sent its part of usage.csv, write the report's inactive seats
 * (inactiveSeatsJson) while this thread goes on reconciling; null when it cannot read their
 * record ids where they are (see packInactiveSeats).
 */
export function writeInactiveSeats(thread: UsageThread, rows: InactiveSeatRows): Promise<Uint8Array[]> | null {
  const packed = packInactiveSeats(rows);
  if (packed === null) return null;
  const written = answerOf(thread, 'inactiveSeats');
  const request: ThreadRequest = { kind: 'inactiveSeats', seats: packed };
  thread.worker.postMessage(request, transferList(packed));
  return written.then((answer) => answer.chunks);
}

/**
 * Has the thread number the seats of a table built without them (UsageBuilder.build(false)) from
 * its columns where they are; `keys`: UsageBuilder.seatKeys(). What numberSeats gives, or
 * null when a column is not in shared memory (the caller then numbers them itself).
 */
export function numberSeatsElsewhere(thread: UsageThread, table: UsageTable, keys: Int32Array): Promise<{ seat: Int32Array; count: number }> | null {
  const ids = table.recordId;
  const arrays = [table.integrationId.codes, keys, ids.starts, ids.ends, ...(ids.sourceOf ? [ids.sourceOf] : []), ...ids.sources.filter((source) => typeof source !== 'string')];
  if (!arrays.every((array) => array.buffer instanceof SharedArrayBuffer)) return null;
  const seat = new Int32Array(new SharedArrayBuffer(table.length * Int32Array.BYTES_PER_ELEMENT));
  const numbered = answerOf(thread, 'seats').then(({ count }) => ({ seat, count }));
  const request: ThreadRequest = { kind: 'seats', length: table.length, integration: table.integrationId.codes, keys, sources: [...ids.sources], sourceOf: ids.sourceOf, starts: ids.starts, ends: ids.ends, seat };
  thread.worker.postMessage(request);
  return numbered;
}

/** The thread's next answer of this kind (its 'ready' and other answers pass by); rejects if the thread fails or stops first. */
function answerOf<K extends ThreadAnswer['kind']>(thread: UsageThread, kind: K): Promise<Extract<ThreadAnswer, { kind: K }>> {
  return new Promise((resolve, reject) => {
    // A stopped thread (Node's threadId is then -1) has had its 'exit': waiting would be forever.
    if (thread.worker.threadId === -1) {
      reject(new Error('the second thread stopped'));
      return;
    }
    const onMessage = (message: ThreadAnswer | 'ready') => {
      if (message === 'ready' || message.kind !== kind) return;
      thread.worker.off('message', onMessage);
      resolve(message as Extract<ThreadAnswer, { kind: K }>);
    };
    thread.worker.on('message', onMessage);
    thread.worker.once('error', reject);
    thread.worker.once('exit', () => reject(new Error('the second thread stopped')));
  });
}

const pct = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

/**
 * Sends the records from `split` to the thread: where they are when the bytes are shared memory
 * (the CLI reads usage.csv into a SharedArrayBuffer), else a copy of them, moved, not cloned.
 * Resolves to the thread's part.
 */
function sendTail(thread: UsageThread, bytes: Uint8Array, plan: UsageSplit, split: number): Promise<TailPart> {
  // The thread's 'ready' message may still be on its way: the part is the next answer of its kind.
  const tail = answerOf(thread, 'part').then((answer) => answer.part);
  // When this thread read on alone (the split fell in a quoted field), the part is never awaited.
  tail.catch(() => undefined);
  const { header, layout } = plan;
  if (bytes.buffer instanceof SharedArrayBuffer) {
    const message: TailMessage = { kind: 'tail', header, newline: layout.newline, shared: bytes.buffer, byteOffset: bytes.byteOffset, length: bytes.length, start: split, end: layout.bodyEnd };
    thread.worker.postMessage(message);
  } else {
    const copy = bytes.slice(split, layout.bodyEnd);
    const message: TailMessage = { kind: 'tail', header, newline: layout.newline, tail: copy.buffer, split };
    thread.worker.postMessage(message, [copy.buffer]);
  }
  return tail;
}
