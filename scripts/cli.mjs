// `node scripts/cli.mjs reconcile|import ARGS...`: runs a CLI of worker/cli/ from one esbuild
// bundle instead of through tsx, which compiled the CLI's ~100 modules at every start (~0.5 s of a
// 1M-row reconcile). The bundle lives in node_modules/.cache/ledgerline-cli/ and is rebuilt before
// the run whenever it is missing or any file it was built from (esbuild's metafile inputs, plus
// this script and tsconfig.json) differs in modification time or size from when it was built, so
// a fresh clone or an edited source never runs a stale CLI. Plain JavaScript: no tsx here.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'ledgerline-cli');
const STAMP = join(OUT, 'inputs.json');
// usagePartThread is the second thread's entry: parallelUsage.ts starts the built sibling file.
const ENTRIES = { reconcile: 'worker/cli/reconcile.ts', import: 'worker/cli/import.ts', usagePartThread: 'worker/cli/usagePartThread.ts' };
const COMMANDS = ['reconcile', 'import'];
// Files that shape the output without being in esbuild's metafile.
const EXTRA_INPUTS = ['scripts/cli.mjs', 'tsconfig.json'];
// A file modified this close to the build's start may have changed after esbuild read it: it is
// recorded as unseen, so the next run builds again rather than trust a bundle of the old text.
const RACE_MS = 2000;
// Bumped when the stamp's shape changes.
const STAMP_VERSION = 1;

const [command, ...args] = process.argv.slice(2);
if (!COMMANDS.includes(command)) {
  process.stderr.write(`usage: node scripts/cli.mjs ${COMMANDS.join('|')} ARGS...\n`);
  process.exit(2);
}
const entry = await ensureBuilt();
// Stack traces (an unexpected error's report) name the TypeScript sources, as under tsx.
process.setSourceMapsEnabled(true);
// The CLI reads its own arguments from process.argv, as if it had been started directly.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);

/** The built file of `command`, built first when the bundle is missing or stale. */
async function ensureBuilt() {
  const output = join(OUT, `${command}.mjs`);
  if (!isFresh(readStamp())) await build();
  return output;
}

function readStamp() {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return stamp.version === STAMP_VERSION ? stamp : null;
  } catch {
    return null;
  }
}

/** `[mtimeMs, size]` of a file relative to ROOT, or null when it cannot be read. */
function fileState(path) {
  try {
    const info = statSync(join(ROOT, path));
    return [info.mtimeMs, info.size];
  } catch {
    return null;
  }
}

function isFresh(stamp) {
  if (!stamp) return false;
  for (const path of stamp.outputs) if (fileState(path) === null) return false;
  for (const [path, mtime, size] of stamp.inputs) {
    const state = fileState(path);
    if (state === null || state[0] !== mtime || state[1] !== size) return false;
  }
  return true;
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  const started = Date.now();
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    // papaparse (CommonJS) requires 'stream' at run time, which an ES module can only do through createRequire.
    banner: { js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);" },
    sourcemap: 'linked',
    metafile: true,
    write: false,
    // Nothing on stderr from the build: the CLI's stderr is part of its contract. Errors still throw.
    logLevel: 'silent',
  });
  mkdirSync(OUT, { recursive: true });
  // Each file is written whole and renamed into place, so a CLI running alongside never reads half a file.
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const inputs = [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS].map((path) => {
    const state = fileState(path);
    const settled = state !== null && state[0] < started - RACE_MS;
    return [path, settled ? state[0] : -1, state?.[1] ?? -1];
  });
  const outputs = result.outputFiles.map((file) => file.path.slice(ROOT.length + 1));
  writeAtomically(STAMP, JSON.stringify({ version: STAMP_VERSION, inputs, outputs }));
}

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
