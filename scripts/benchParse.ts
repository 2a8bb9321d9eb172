/**
 * `npx tsx scripts/benchParse.ts DIR`: what parsing usage.csv costs, one thread, against the floor of
 * reading the file. Four ways, alternated in each of 3 rounds so a busy machine slows them alike:
 *  - bare read: the file's bytes, counting its '\n' bytes;
 *  - papaparse alone: the file as UTF-8 text, rows discarded;
 *  - text path: readUsageText (papaparse + TableReader + UsageBuilder), what the app does;
 *  - byte path: readUsageBytes, what the CLI does (on each of its two threads).
 * Each time includes reading the file. A bundle: `npm run bench -- --skip-browser` leaves one
 * under bench-out/bundle-1000000 (generated data stays out of git).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { readUsageText } from '../worker/bundle/readUsage';
import { readUsageBytes } from '../worker/bundle/readUsageBytes';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx scripts/benchParse.ts DIR');
  process.exit(2);
}
const file = join(dir, 'usage.csv');
const ROUNDS = 3;

const readBytes = () => {
  const buffer = readFileSync(file);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
};

const ways: { name: string; run: () => number }[] = [
  {
    name: 'bare read (bytes, count \\n)',
    run: () => {
      const bytes = readBytes();
      let lines = 0;
      for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
      return lines;
    },
  },
  {
    name: 'papaparse alone (utf8 text)',
    run: () => {
      let rows = 0;
      Papa.parse<string[]>(readFileSync(file, 'utf8'), { delimiter: ',', chunkSize: 4 << 20, chunk: (r: Papa.ParseResult<string[]>) => void (rows += r.data.length), complete: () => undefined });
      return rows;
    },
  },
  { name: 'text path (readUsageText)', run: () => readUsageText(readFileSync(file, 'utf8')).builder.build().length },
  { name: 'byte path (readUsageBytes)', run: () => readUsageBytes(readBytes()).builder.build().length },
];

const times = ways.map(() => [] as number[]);
const counts = ways.map(() => 0);
for (let round = 0; round < ROUNDS; round++) {
  ways.forEach((way, i) => {
    const started = performance.now();
    counts[i] = way.run();
    times[i]!.push((performance.now() - started) / 1000);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const bare = median(times[0]!);
const mb = (readFileSync(file).length / 1024 / 1024).toFixed(1);
console.log(`${file}: ${mb} MB, ${new Date().toISOString()}, one thread, ${ROUNDS} rounds alternated (median, then each round)`);
ways.forEach((way, i) => {
  const m = median(times[i]!);
  console.log(`${way.name.padEnd(30)} ${m.toFixed(2)} s  ×${(m / bare).toFixed(1)} of bare read  [${times[i]!.map((t) => t.toFixed(2)).join(', ')}]  (${counts[i]!.toLocaleString('en-US')} ${i < 2 ? 'lines/rows' : 'usage rows'})`);
});
