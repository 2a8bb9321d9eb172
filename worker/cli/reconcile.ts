/**
 * `npm run -s reconcile -- --bundle DIR [--decisions FILE]`: prints the §8 report as JSON.
 * Exit 2, with one line per problem on stderr and nothing on stdout, when the input breaks the
 * contract (§9) or a folder or file cannot be read; exit 1 only for a bug.
 */
import { open, readFile, readdir, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatContractError } from '../bundle/contractError';
import { readUsageBytes } from '../bundle/readUsageBytes';
import { FILES } from '../bundle/schema';
import { PARALLEL_FROM_BYTES, numberSeatsElsewhere, readUsageParallel, startUsageThread, writeInactiveSeats, type UsageThread } from './parallelUsage';
import { completeBundle, completeBundleSeatedElsewhere, readPsaSide } from '../bundle/readBundle';
import { prepareReconcile } from '../engine/reconcile';
import type { UsageTable } from '../engine/model';
import { numberSeats } from '../engine/seats';
import { readUsageText } from '../bundle/readUsage';
import { reconcileReadToJson, type BundleFiles } from '../reconcileFiles';

const USAGE = 'usage: reconcile --bundle DIR [--decisions FILE]';
const BUNDLE_FILES = new Set<string>(Object.values(FILES));

class InputProblem extends Error {}

async function readBundleFolder(dir: string): Promise<BundleFiles> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new InputProblem(`${dir}: bundle folder not found`);
  if (!info.isDirectory()) throw new InputProblem(`${dir}: not a folder (--bundle takes the bundle's folder)`);
  const files: BundleFiles = {};
  for (const name of await readdir(dir)) {
    if (BUNDLE_FILES.has(name) && name !== FILES.usage) files[name] = await readFile(join(dir, name), 'utf8');
  }
  return files;
}

/**
 * usage.csv as bytes, parsed without decoding it to one big string (see
 * worker/bundle/readUsageBytes.ts), in shared memory so that a second thread reads its part in
 * place; undefined when absent.
 */
async function readUsageBytesOf(dir: string): Promise<Uint8Array | undefined> {
  const file = await open(join(dir, FILES.usage)).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (file === undefined) return undefined;
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer((await file.stat()).size));
    // In two halves at once, on two of libuv's threads: copying from the page cache runs at about
    // one core's speed, so two cores take half the time (1M rows: 55 ms against 105 ms, 2026-12-01).
    const half = Math.floor(bytes.length / 2);
    const [firstEnd, secondEnd] = await Promise.all([readRange(file, bytes, 0, half), readRange(file, bytes, half, bytes.length)]);
    // A file that shrank while read ends where its first half stopped short, else where the second did.
    const length = firstEnd < half ? firstEnd : secondEnd;
    return length === bytes.length ? bytes : bytes.subarray(0, length);
  } finally {
    await file.close();
  }
}

/** Reads the file's bytes [from, to) into the same place of `bytes`; resolves to where reading stopped (before `to` at the file's end). */
async function readRange(file: FileHandle, bytes: Uint8Array, from: number, to: number): Promise<number> {
  let at = from;
  while (at < to) {
    const { bytesRead } = await file.read(bytes, at, to - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at;
}

async function main(argv: string[]): Promise<number> {
  let values: { bundle?: string; decisions?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { bundle: { type: 'string' }, decisions: { type: 'string' } }, strict: true }));
  } catch (e) {
    throw new InputProblem(`${(e as Error).message}\n${USAGE}`);
  }
  if (!values.bundle) throw new InputProblem(USAGE);
  const timer = stageTimer(process.env.LEDGERLINE_TIMINGS === '1');
  // The second parsing thread takes a while to load its modules (~0.5 s under tsx): start it before reading anything.
  const usageSize = await stat(join(values.bundle, FILES.usage)).then((info) => info.size, () => 0);
  // Two threads where there are two cores: in alternating runs on the 2-vCPU target (2026-12-01) they
  // took 2.28 s against one thread's 2.47 s (medians of 6) and were never the slower by much. The
  // second thread takes less than half of the bytes: the end of a file can cost more per byte (the
  // bench's has the shorter device rows there), and it joins nothing. LEDGERLINE_USAGE_THREADS=1
  // keeps to one; =2 always takes two, waiting for the second to be up (what the tests check).
  const threads = process.env.LEDGERLINE_USAGE_THREADS;
  const oneThread = threads === '1' || (threads !== '2' && availableParallelism() < 2);
  const thread: UsageThread | undefined = usageSize >= PARALLEL_FROM_BYTES && !oneThread ? startUsageThread() : undefined;
  try {
    return await reconcileFolder(values.bundle, values.decisions, thread && { thread, wait: threads === '2' }, timer);
  } finally {
    if (thread) void thread.worker.terminate();
  }
}

/** `second`: the second thread, and whether to wait for it to be up rather than read on without it. */
async function reconcileFolder(dir: string, decisionsFile: string | undefined, second: { thread: UsageThread; wait: boolean } | undefined, timer: ReturnType<typeof stageTimer>): Promise<number> {
  const thread = second?.thread;
  const [files, usageBytes] = await Promise.all([readBundleFolder(dir), readUsageBytesOf(dir)]);
  timer('read files');
  let decisions: { name: string; text: string } | undefined;
  if (decisionsFile) {
    const text = await readFile(decisionsFile, 'utf8').catch(() => null);
    if (text === null) throw new InputProblem(`${decisionsFile}: decisions file not found`);
    decisions = { name: basename(decisionsFile), text };
  }
  // The bundle reader only checks that the file is there once it is given parsed.
  if (usageBytes !== undefined) files[FILES.usage] = '';
  // With two threads this call returns once this thread has read its part of usage.csv: the other
  // files are then read while the second thread still reads its part.
  const log = timer.enabled ? (note: string) => process.stderr.write(`timing:   ${note}\n`) : undefined;
  const usage = usageBytes === undefined ? undefined : second ? readUsageParallel(usageBytes, second.thread, log, second.wait) : readUsageBytes(usageBytes);
  timer(thread ? 'parse usage.csv, this thread\'s part (2 threads)' : 'parse usage.csv (1 thread)');
  const side = readPsaSide(files, { decisions });
  timer('read the other files');
  const usagePart = await usage;
  if (thread) timer('wait for and join the second part of usage.csv');
  // The second thread numbers the seats while this one prepares the reconciliation (lines, mappings);
  // this one numbers them itself if the columns are not shared or the thread has failed.
  const seatsOn = (on: UsageThread) => async (table: UsageTable, keys: Int32Array) => {
    const elsewhere = numberSeatsElsewhere(on, table, keys);
    return (elsewhere && (await elsewhere.catch(() => null))) ?? numberSeats(table, keys);
  };
  const { read, prepared } =
    side.ok && thread && usagePart
      ? await completeBundleSeatedElsewhere(side, usagePart, seatsOn(thread), prepareReconcile)
      : { read: side.ok ? completeBundle(side, usagePart ?? readUsageText('')) : side, prepared: undefined };
  timer('number seats (second thread) beside preparing');
  // The second thread, done with its part, writes the long inactive seats list meanwhile.
  const result = reconcileReadToJson(read, thread && ((rows) => writeInactiveSeats(thread, rows)), prepared);
  timer('reconcile + report');
  if (!result.ok) {
    process.stderr.write(result.errors.map(formatContractError).join('\n') + '\n');
    return 2;
  }
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  for await (const piece of result.json()) process.stdout.write(piece);
  timer('write JSON');
  return 0;
}

/** LEDGERLINE_TIMINGS=1 prints where the time goes (the benchmark's breakdown) to stderr. */
function stageTimer(enabled: boolean): ((stage: string) => void) & { enabled: boolean } {
  let last = performance.now();
  const timer = (stage: string) => {
    const now = performance.now();
    if (enabled) process.stderr.write(`timing: ${stage} ${Math.round(now - last)} ms (at ${Math.round(now)} ms since start)\n`);
    last = now;
  };
  return Object.assign(timer, { enabled });
}

// A reader that stops early (`| head`) closes the pipe: the rest of the report is not wanted, which is no error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputProblem) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`reconcile: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
