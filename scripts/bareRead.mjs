// The bare read the benchmark compares everything with: a Node process that reads every CSV of a
// folder as bytes and counts its lines, and nothing else. Plain JavaScript (no tsx), so it is the
// floor a reader of those bytes cannot go under on this machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let lines = 0;
let bytes = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.csv'))) {
  const data = readFileSync(join(dir, name));
  bytes += data.length;
  for (let i = 0; i < data.length; i++) if (data[i] === 10) lines++;
}
process.stdout.write(`${bytes} bytes, ${lines} lines\n`);
