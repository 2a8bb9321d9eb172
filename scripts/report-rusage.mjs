// Preloaded into a benchmarked process (node --import): prints its peak memory at exit,
// so the benchmark needs no /usr/bin/time. Node preloads this into worker threads too; only the
// main thread's exit is the process's (a worker that stops first would report the peak so far).
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.on('exit', () => {
    process.stderr.write(`BENCH maxrss_kb=${process.resourceUsage().maxRSS}\n`);
  });
}
