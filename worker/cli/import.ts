/**
 * `npm run -s import -- --out DIR [--profile [FILE=]ID] [--as-of ISO] [--client [FILE=]NAME]
 * [--locale [FILE=]NAME] [--date-order [FILE=]ORDER] PATH...`: turns raw exports (files or
 * folders) into a bundle in DIR, merged with what DIR holds. One line per file on stderr. Exit 2,
 * naming file, row and column, on any problem, and then nothing is written.
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

const USAGE = 'usage: import --out DIR [--profile [FILE=]ID]... [--as-of ISO-TIME] [--client [FILE=]NAME]... [--locale [FILE=]en-US|en-GB|de-DE|fr-FR|ISO]... [--date-order [FILE=]MDY|DMY|YMD]... PATH...';

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
  const inputs: InputFile[] = [];
  for (const path of positionals) {
    const info = await stat(path).catch(() => null);
    await collect(path, info?.isDirectory() ? path : join(path, '..'), inputs);
  }
  const overrides = overridesFor(inputs, values);
  const existing = await readExisting(values.out);
  const importedAt = new Date().toISOString();
  const asOf = values['as-of'] ?? asOfOf(existing[FILES.workspace]) ?? importedAt;
  const outcomes = await convertFiles(inputs, BUILTIN_PROFILES, overrides, { asOf, importedAt });

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
  return parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { out: { type: 'string' }, profile: { type: 'string', multiple: true }, 'as-of': { type: 'string' }, client: { type: 'string', multiple: true }, locale: { type: 'string', multiple: true }, 'date-order': { type: 'string', multiple: true } },
  });
}

type Values = ReturnType<typeof parse>['values'];

/**
 * An option given run-wide (`--locale de-DE`) and per file (`--locale FILE=de-DE`, FILE as listed
 * on stderr), each at most once: a per-file value wins over the run-wide one for its file. The
 * value is after the last "=" (profile ids, locales and orders have none); `--client` splits at
 * the first instead, since a tenant's name may hold one.
 */
function perFile(option: string, entries: readonly string[], inputs: readonly InputFile[], split: 'first' | 'last' = 'last'): { all: string | undefined; files: Map<string, string> } {
  let all: string | undefined;
  const files = new Map<string, string>();
  for (const entry of entries) {
    const at = split === 'first' ? entry.indexOf('=') : entry.lastIndexOf('=');
    if (at <= 0) {
      if (all !== undefined) throw new InputProblem(`--${option} ${entry}: given twice for all files (${all} and ${entry}); for one file: --${option} FILE=${entry}`);
      all = entry;
      continue;
    }
    const file = entry.slice(0, at);
    if (!inputs.some((f) => f.name === file)) throw new InputProblem(`--${option} ${entry}: no file "${file}" among the inputs (${inputs.map((f) => f.name).join(', ')})`);
    if (files.has(file)) throw new InputProblem(`--${option} ${entry}: given twice for ${file}`);
    files.set(file, entry.slice(at + 1));
  }
  return { all, files };
}

function profileId(id: string, option: string): string {
  if (!BUILTIN_PROFILES.some((p) => p.id === id)) throw new InputProblem(`--profile ${option}: no such profile (${BUILTIN_PROFILES.map((p) => p.id).join(', ')})`);
  return id;
}

/**
 * Per-file choices, each from its per-file form or else its run-wide one. `--client NAME` names
 * the tenant of the one file given; with several files each needs `--client FILE=NAME`, so two
 * tenants never share a name. A per-file `--locale` replaces the run-wide locale and date order
 * for its file, and a per-file `--date-order` then sets the order.
 */
function overridesFor(inputs: readonly InputFile[], values: Values): Record<string, FileOverrides> {
  const profiles = perFile('profile', values.profile ?? [], inputs);
  const clients = perFile('client', values.client ?? [], inputs, 'first');
  if (clients.all !== undefined && inputs.length > 1) throw new InputProblem(`--client ${clients.all}: with several files, say which: --client FILE=NAME`);
  const locales = perFile('locale', values.locale ?? [], inputs);
  const orders = perFile('date-order', values['date-order'] ?? [], inputs);
  const runLocale = { ...localeNamed(locales.all), ...dateOrderOf(orders.all) };
  return Object.fromEntries(inputs.map((f) => {
    const profile = profiles.files.get(f.name) ?? profiles.all;
    const client = clients.files.get(f.name) ?? clients.all;
    const fileLocale = locales.files.has(f.name) ? localeNamed(locales.files.get(f.name)) : {};
    const locale = { ...runLocale, ...fileLocale, ...dateOrderOf(orders.files.get(f.name)) };
    const override: FileOverrides = {
      ...(profile !== undefined ? { profileId: profileId(profile, profiles.files.has(f.name) ? `${f.name}=${profile}` : profile) } : {}),
      ...(client !== undefined ? { clientName: client } : {}),
      ...(Object.keys(locale).length > 0 ? { locale } : {}),
    };
    return [f.name, override];
  }));
}

/** How a file writes numbers and dates, when not as its profile says (an export made by a UK or German user). */
function localeNamed(name: string | undefined): Partial<SourceLocale> {
  if (name === undefined) return {};
  if (!(name in LOCALES)) throw new InputProblem(`--locale ${name}: one of ${Object.keys(LOCALES).join(', ')}`);
  return { ...LOCALES[name as LocaleName] };
}

function dateOrderOf(order: string | undefined): Partial<SourceLocale> {
  if (order === undefined) return {};
  if (!['MDY', 'DMY', 'YMD'].includes(order)) throw new InputProblem(`--date-order ${order}: one of MDY, DMY, YMD`);
  return { dateOrder: order as SourceLocale['dateOrder'] };
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
