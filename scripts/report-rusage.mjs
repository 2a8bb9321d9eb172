// Preloaded into a benchmarked process (node --import): prints its peak memory at exit,
// so the benchmark needs no /usr/bin/time.
process.on('exit', () => {
  process.stderr.write(`BENCH maxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
