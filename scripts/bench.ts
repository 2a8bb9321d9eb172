/**
 * `npm run bench`: the numbers the README quotes. Machines here are shared and noisy, so every
 * time is printed beside a bare read of the same bytes measured in the same run, alternating
 * (scripts/bareRead.mjs: a Node process reads every CSV of the bundle and counts its lines).
 *  1. CLI: reconcile generated bundles of 1, 2 and 5 million usage rows (~100 MB of CSV per
 *     million); wall time and peak memory of the whole process, each beside the bare read.
 *  2. Decimal choice: parse and sum a million 4-place quantities with scaled BigInt (ours)
 *     and with big.js (the usual decimal library).
 *  3. The app in headless Chromium: importing that bundle, and reopening the page (benchBrowser.ts).
 *  4. Raw exports: a NinjaOne and a German Microsoft 365 export converted and validated (benchRaw.ts).
 *  5. The relay: updates per second, fan-out latency and memory through one and three relays
 *     (scripts/benchRelay.ts, also `npm run bench:relay`; server/README.md quotes it).
 * Options: --sizes N,N,… (default 1000000,2000000,5000000; the first is the one the app imports),
 * --runs N (default 5), --raw-rows N (default 200000), --skip-browser, --skip-relay.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Big from 'big.js';
import Papa from 'papaparse';
import { parseUnits } from '../worker/engine/decimal';
import { generateDemoBundlePieces } from '../worker/demo/generateDemo';
import { benchBrowser } from './benchBrowser';
import { benchRaw } from './benchRaw';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000000,2000000,5000000' }, runs: { type: 'string', default: '5' }, 'skip-browser': { type: 'boolean', default: false }, 'skip-relay': { type: 'boolean', default: false }, 'raw-rows': { type: 'string', default: '200000' } } });
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A fresh folder with the generated bundle and nothing else (no file of an earlier run). */
function writeBundle(dir: string, rows: number): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const files = generateDemoBundlePieces({ clients: Math.max(36, Math.round(rows / 500)), usageRows: rows });
  for (const [name, pieces] of Object.entries(files)) {
    const fd = openSync(join(dir, name), 'w');
    for (const piece of pieces) writeSync(fd, piece);
    closeSync(fd);
  }
  console.log(`generated ${rows.toLocaleString('en-US')} usage rows (${mb(statSync(join(dir, 'usage.csv')).size)} MB usage.csv) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return statSync(join(dir, 'usage.csv')).size;
}

/** Seconds of a bare read of the bundle's CSV files in a fresh Node process. */
function bareRead(dir: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['scripts/bareRead.mjs', dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bare read failed: ${child.stderr}`);
  return (performance.now() - started) / 1000;
}

interface CliFigures {
  /** Median wall time with stdout to a file, as `npm run -s reconcile -- --bundle DIR > report.json`. */
  wall: number;
  /** Median wall time with stdout through a pipe into this process (spawnSync reads 64 KB at a time). */
  pipeWall: number;
  bare: number;
  peakBytes: number;
}

/**
 * One run of the CLI as `npm run -s reconcile` runs it, without npm's own ~0.25 s start: the
 * prebuilt CLI (scripts/cli.mjs). Its stdout goes to `toFile` when given, else through a pipe.
 */
function runCli(dir: string, toFile: string | null, timings: boolean): { seconds: number; stdout: string; stderr: string } {
  const fd = toFile === null ? null : openSync(toFile, 'w');
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', './scripts/report-rusage.mjs', 'scripts/cli.mjs', 'reconcile', '--bundle', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
    env: { ...process.env, LEDGERLINE_TIMINGS: timings ? '1' : '0' },
  });
  const seconds = (performance.now() - started) / 1000;
  if (fd !== null) closeSync(fd);
  if (child.status !== 0) throw new Error(`reconcile exited ${child.status}: ${child.stderr}`);
  return { seconds, stdout: toFile === null ? child.stdout : readFileSync(toFile, 'utf8'), stderr: child.stderr };
}

/**
 * The CLI `runs` times with its report written to a file and `runs` times through a pipe, each
 * pair right after a bare read of the same bytes; medians of each.
 */
function benchCli(dir: string, rows: number): CliFigures {
  const walls: number[] = [];
  const pipeWalls: number[] = [];
  const bares: number[] = [];
  const peaks: number[] = [];
  const reportFile = join(dir, '..', `report-${rows}.json`);
  for (let run = 0; run < runs; run++) {
    bares.push(bareRead(dir));
    const toFile = runCli(dir, reportFile, false);
    walls.push(toFile.seconds);
    // The process's peak: the last line, printed at the main thread's exit (report-rusage.mjs).
    peaks.push(Math.max(...[...toFile.stderr.matchAll(/BENCH maxrss_kb=(\d+)/g)].map((m) => Number(m[1]))) * 1024);
    const piped = runCli(dir, null, false);
    pipeWalls.push(piped.seconds);
    if (run === 0) {
      if (piped.stdout !== toFile.stdout) throw new Error('the report through a pipe differs from the report written to a file');
      const report = JSON.parse(toFile.stdout) as { clients: unknown[]; discrepancies: unknown[]; inactive_seats: unknown[] };
      console.log(`report: ${report.clients.length} clients, ${report.discrepancies.length} discrepancies, ${report.inactive_seats.length} inactive seats (${mb(Buffer.byteLength(toFile.stdout))} MB of JSON)`);
    }
  }
  // One more run, only for the breakdown of where the time goes.
  const breakdown = runCli(dir, reportFile, true);
  console.log(breakdown.stderr.split('\n').filter((l) => l.startsWith('timing:')).map((l) => `  ${l}`).join('\n'));
  rmSync(reportFile, { force: true });
  const figures = { wall: median(walls), pipeWall: median(pipeWalls), bare: median(bares), peakBytes: Math.max(...peaks) };
  // Each run beside the bare read just before it: a slow spell of the shared machine then slows both.
  const paired = median(walls.map((wall, i) => wall / bares[i]!));
  console.log(
    `reconcile CLI, ${rows.toLocaleString('en-US')} usage rows (${runs} runs): report to a file: wall median ${figures.wall.toFixed(2)} s (min ${Math.min(...walls).toFixed(2)}, max ${Math.max(...walls).toFixed(2)}); ` +
      `through a pipe: ${figures.pipeWall.toFixed(2)} s; bare read of the same bytes ${figures.bare.toFixed(2)} s; ` +
      `ratio ${(figures.wall / figures.bare).toFixed(1)}x (pipe ${(figures.pipeWall / figures.bare).toFixed(1)}x; median of each run's own ratio ${paired.toFixed(1)}x); peak RSS ${mb(figures.peakBytes)} MB`,
  );
  return figures;
}

/** The floor under any CSV-reading design here: papaparse alone, one thread, rows discarded. */
function benchPapaparse(dir: string): void {
  // V8's longest string is ~512 M characters: a 5M-row file (524 MB) cannot be one.
  if (statSync(join(dir, 'usage.csv')).size >= 0x1fffffe8) {
    console.log('papaparse alone on usage.csv: skipped (the file is longer than the longest string)');
    return;
  }
  const text = readFileSync(join(dir, 'usage.csv'), 'utf8');
  const started = performance.now();
  let rowCount = 0;
  Papa.parse<string[]>(text, { delimiter: ',', chunkSize: 4 << 20, chunk: (r: Papa.ParseResult<string[]>) => void (rowCount += r.data.length), complete: () => undefined });
  console.log(`papaparse alone on usage.csv, one thread: ${((performance.now() - started) / 1000).toFixed(2)} s for ${rowCount.toLocaleString('en-US')} rows`);
}

function benchDecimals(): void {
  const texts = Array.from({ length: 1_000_000 }, (_, i) => `${i % 5000}.${String(i % 10_000).padStart(4, '0')}`);
  let started = performance.now();
  let units = 0n;
  for (const t of texts) units += parseUnits(t)!;
  const bigintMs = performance.now() - started;
  started = performance.now();
  let big = new Big(0);
  for (const t of texts) big = big.plus(new Big(t));
  const bigJsMs = performance.now() - started;
  if (big.times(10_000).toFixed(0) !== units.toString()) throw new Error('decimal implementations disagree');
  console.log(`1,000,000 parse+sum: scaled BigInt ${bigintMs.toFixed(0)} ms, big.js ${bigJsMs.toFixed(0)} ms (same total ${big.toFixed(4)})`);
}

console.log(`bench ${new Date().toISOString()}`);
// Build the CLI once before timing it (the launcher rebuilds only when a source changed).
spawnSync(process.execPath, ['scripts/cli.mjs', 'reconcile'], { encoding: 'utf8' });
const cli: CliFigures[] = [];
for (const rows of sizes) {
  const dir = join('bench-out', `bundle-${rows}`);
  writeBundle(dir, rows);
  cli.push(benchCli(dir, rows));
}
if (cli.length > 1) {
  const perMillion = cli.map((f, i) => `${(f.wall / (sizes[i]! / 1e6)).toFixed(2)} s and ${mb(f.peakBytes / (sizes[i]! / 1e6))} MB`);
  console.log(`per million usage rows: ${perMillion.join(' / ')} (${sizes.map((n) => `${n / 1e6}M`).join(' / ')})`);
}
const mainDir = join('bench-out', `bundle-${sizes[0]}`);
benchPapaparse(mainDir);
if (!values['skip-browser']) await benchBrowser(mainDir, Math.max(36, Math.round(sizes[0]! / 500)), { cliSeconds: cli[0]!.wall, bareSeconds: () => bareRead(mainDir) });
benchDecimals();
const rawDir = join('bench-out', 'raw');
mkdirSync(rawDir, { recursive: true });
await benchRaw(rawDir, Number(values['raw-rows']), runs);

if (!values['skip-relay']) {
  console.log('\n=== relay (scripts/benchRelay.ts) ===');
  const relay = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/benchRelay.ts'], { stdio: 'inherit' });
  if (relay.status !== 0) process.exitCode = relay.status ?? 1;
}
