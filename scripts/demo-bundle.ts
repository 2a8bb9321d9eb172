/**
 * Writes the demo workspace bundle to a folder (--quiet: say nothing; `npm start` runs it).
 *
 *   tsx scripts/demo-bundle.ts [--out DIR] [--clients N] [--rows N] [--seed N] [--as-of ISO]
 *
 * Default out: demo/bundle. `--clients 2000 --rows 1000000` builds the benchmark bundle (~100 MB).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoBundle, type DemoOptions } from '../worker/demo/generateDemo';

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Accept 1_000_000 and 1,000,000 as typed by humans.
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got "${value}"`);
  return n;
}

function parseCli(argv: string[]): { out: string; quiet: boolean; options: DemoOptions } {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'demo/bundle' },
      clients: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const options: DemoOptions = {};
  const clients = integerFlag('clients', values.clients);
  const rows = integerFlag('rows', values.rows);
  const seed = integerFlag('seed', values.seed);
  if (clients !== undefined) options.clients = clients;
  if (rows !== undefined) options.usageRows = rows;
  if (seed !== undefined) options.seed = seed;
  if (values['as-of'] !== undefined) options.asOf = values['as-of'];
  return { out: values.out ?? 'demo/bundle', quiet: values.quiet ?? false, options };
}

function countRows(name: string, text: string): string {
  if (!name.endsWith('.csv')) return '';
  let lines = text.length > 0 ? 1 : 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  // Quoted fields in the demo never hold line breaks, so lines − header = records.
  return ` ${Math.max(0, lines - 1)} rows`;
}

function main(): void {
  const { out, quiet, options } = parseCli(process.argv.slice(2));
  const log = quiet ? () => undefined : console.log;
  const started = performance.now();
  const files = generateDemoBundle(options);
  const generatedMs = performance.now() - started;
  mkdirSync(out, { recursive: true });
  let total = 0;
  for (const [name, text] of Object.entries(files)) {
    const path = join(out, name);
    writeFileSync(path, text, 'utf8');
    const bytes = Buffer.byteLength(text, 'utf8');
    total += bytes;
    log(`wrote ${path} (${bytes.toLocaleString('en-US')} bytes,${countRows(name, text)})`);
  }
  const totalMs = performance.now() - started;
  log(`${Object.keys(files).length} files, ${total.toLocaleString('en-US')} bytes; generated in ${Math.round(generatedMs)} ms, written in ${Math.round(totalMs - generatedMs)} ms`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
