/**
 * `npm run -s import -- --out DIR [--profile ID] [--as-of ISO] [--client NAME] PATH...`: turns raw
 * exports (files or folders) into a bundle in DIR, merged with what DIR holds. One line per file
 * on stderr. Exit 2, naming file, row and column, on any problem, and then nothing is written.
 */
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatContractError, type ContractError } from '../bundle/contractError';
import { FILES } from '../bundle/schema';
import { readBundle } from '../bundle/readBundle';
import { BUILTIN_PROFILES } from '../sources/builtinProfiles';
import { convertFiles, type FileOutcome, type InputFile } from '../sources/convertFiles';
import { mergeBundle } from '../sources/mergeBundle';
import { describeOutcome } from '../sources/describeOutcome';
import { LOCALES, type LocaleName } from '../sources/locale';
import type { FileOverrides, SourceLocale } from '../sources/types';

const USAGE = 'usage: import --out DIR [--profile ID] [--as-of ISO-TIME] [--client [FILE=]NAME]... [--locale en-US|en-GB|de-DE|fr-FR|ISO] [--date-order MDY|DMY|YMD] PATH...';

class InputProblem extends Error {}

async function collect(path: string, root: string, out: InputFile[]): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputProblem(`${path}: no such file or folder`);
  if (info.isDirectory()) {
    for (const name of (await readdir(path)).sort()) await collect(join(path, name), root, out);
    return;
  }
  out.push({ name: relative(root, path) || path, bytes: new Uint8Array(await readFile(path)) });
}

async function readExisting(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of Object.values(FILES)) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (text !== null) files[name] = text;
  }
  return files;
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new InputProblem(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!values.out || positionals.length === 0) throw new InputProblem(USAGE);
  if (values.profile && !BUILTIN_PROFILES.some((p) => p.id === values.profile)) {
    throw new InputProblem(`--profile ${values.profile}: no such profile (${BUILTIN_PROFILES.map((p) => p.id).join(', ')})`);
  }

  const inputs: InputFile[] = [];
  for (const path of positionals) {
    const info = await stat(path).catch(() => null);
    await collect(path, info?.isDirectory() ? path : join(path, '..'), inputs);
  }
  const existing = await readExisting(values.out);
  const importedAt = new Date().toISOString();
  const asOf = values['as-of'] ?? asOfOf(existing[FILES.workspace]) ?? importedAt;
  const locale = localeOf(values.locale, values['date-order']);
  const overrides = Object.fromEntries(Object.entries(overridesFor(inputs, values.profile, values.client ?? [])).map(([file, o]) => [file, locale ? { ...o, locale } : o]));
  const outcomes = await convertFiles(inputs, BUILTIN_PROFILES, overrides, { asOf });

  const errors: ContractError[] = [];
  for (const outcome of outcomes) {
    process.stderr.write(`${describeOutcome(outcome)}\n`);
    errors.push(...problemsOf(outcome));
  }
  const conversions = outcomes.flatMap((o) => (o.status === 'converted' ? [o.conversion] : []));
  // A bundle usage.csv comes as bytes (the app reads it from them); the merged bundle is text.
  const textOf = (o: Extract<(typeof outcomes)[number], { status: 'bundle' }>) => (o.bytes ? new TextDecoder().decode(o.bytes) : o.text);
  const bundleFiles = Object.fromEntries(outcomes.flatMap((o) => (o.status === 'bundle' ? [[o.kind === 'workspace' ? FILES.workspace : `${o.kind}.csv`, textOf(o)]] : [])));
  if (errors.length === 0 && conversions.length === 0 && Object.keys(bundleFiles).length === 0) errors.push({ file: positionals.join(' '), message: 'no file to import' });
  if (errors.length > 0) return fail(errors);

  const merged = mergeBundle({ ...existing, ...bundleFiles }, conversions, importedAt, asOf);
  // The whole bundle is validated as `reconcile` will read it: a problem anywhere writes nothing.
  const check = readBundle(merged);
  if (!check.ok) return fail(check.errors);
  await writeAll(values.out, merged);
  process.stderr.write(`import: wrote ${Object.keys(merged).sort().join(', ')} to ${values.out}\n`);
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: 'string' }, profile: { type: 'string' }, 'as-of': { type: 'string' }, client: { type: 'string', multiple: true }, locale: { type: 'string' }, 'date-order': { type: 'string' } } });
}

/** How the files write numbers and dates, when not as their profiles say (an export made by a UK or German user). */
function localeOf(name: string | undefined, dateOrder: string | undefined): Partial<SourceLocale> | null {
  if (name === undefined && dateOrder === undefined) return null;
  let locale: Partial<SourceLocale> = {};
  if (name !== undefined) {
    if (!(name in LOCALES)) throw new InputProblem(`--locale ${name}: one of ${Object.keys(LOCALES).join(', ')}`);
    locale = { ...LOCALES[name as LocaleName] };
  }
  if (dateOrder !== undefined) {
    if (!['MDY', 'DMY', 'YMD'].includes(dateOrder)) throw new InputProblem(`--date-order ${dateOrder}: one of MDY, DMY, YMD`);
    locale.dateOrder = dateOrder as SourceLocale['dateOrder'];
  }
  return locale;
}

/**
 * Per-file choices. `--client NAME` names the tenant of the one file given; with several files
 * each needs `--client FILE=NAME` (FILE as listed on stderr), so two tenants never share a name.
 */
function overridesFor(inputs: readonly InputFile[], profile: string | undefined, clients: readonly string[]): Record<string, FileOverrides> {
  const names = new Map<string, string>();
  for (const entry of clients) {
    const at = entry.indexOf('=');
    if (at > 0) names.set(entry.slice(0, at), entry.slice(at + 1));
    else if (inputs.length === 1) names.set(inputs[0]!.name, entry);
    else throw new InputProblem(`--client ${entry}: with several files, say which: --client FILE=NAME`);
  }
  for (const file of names.keys()) {
    if (!inputs.some((f) => f.name === file)) throw new InputProblem(`--client ${file}=…: no such file among the inputs (${inputs.map((f) => f.name).join(', ')})`);
  }
  return Object.fromEntries(inputs.map((f) => [f.name, { ...(profile ? { profileId: profile } : {}), ...(names.has(f.name) ? { clientName: names.get(f.name)! } : {}) }]));
}

function asOfOf(workspace: string | undefined): string | null {
  if (workspace === undefined) return null;
  try {
    const json = JSON.parse(workspace.replace(/^\uFEFF/, '')) as { asOf?: unknown };
    return typeof json.asOf === 'string' ? json.asOf : null;
  } catch {
    return null;
  }
}

function problemsOf(outcome: FileOutcome): ContractError[] {
  if (outcome.status === 'failed') return outcome.errors;
  if (outcome.status !== 'unknown') return [];
  const near = outcome.nearest[0];
  const hint = near ? `; nearest is ${near.profile.id} (missing ${near.missing.map((m) => `"${m}"`).join(', ')})` : '';
  return [{ file: outcome.file, row: outcome.table.headerRow, message: `no profile knows this header${hint}: pass --profile ID, or map it once in the app's import wizard` }];
}

function fail(errors: readonly ContractError[]): number {
  for (const e of errors) process.stderr.write(`${formatContractError(e)}\n`);
  process.stderr.write('import: nothing written\n');
  return 2;
}

/** Every file to a temporary name first, then renamed: a failed write leaves the folder as it was. */
async function writeAll(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.tmp-${process.pid}`;
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name + suffix), text);
  for (const name of Object.keys(files)) await rename(join(dir, name + suffix), join(dir, name));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InputProblem) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`import: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
