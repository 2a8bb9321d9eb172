import { dedupeUsage } from '../engine/dedupeUsage';
import type { Bundle, UsageTable } from '../engine/model';
import type { ContractError } from './contractError';
import { feedCsvText } from './parseCsv';
import { readUsageText, type UsagePart } from './readUsage';
import { FILES, REQUIRED_FILES } from './schema';
import { catalogBuilder, clientMapBuilder, clientsBuilder, decisionsBuilder, linesBuilder, serviceMapBuilder, type TableBuilder } from './tableBuilders';
import { parseWorkspaceJson } from './workspaceJson';

/** File name → UTF-8 text (a BOM is allowed). */
export type BundleFiles = Record<string, string>;

export type ReadResult =
  | { ok: true; bundle: Bundle; notes: string[] }
  | { ok: false; errors: ContractError[] };

export interface ReadOptions {
  /** A decisions file given apart from the bundle (CLI --decisions); it replaces decisions.csv. */
  decisions?: { name: string; text: string };
  /** usage.csv already parsed (e.g. in parallel, see worker/cli/parallelUsage.ts); files['usage.csv'] is then only checked for presence. */
  usage?: UsagePart;
}

/**
 * Reads and validates a whole bundle (spec §1, §9). All or nothing: any violation anywhere
 * yields the full list of problems and no bundle.
 */
export function readBundle(files: BundleFiles, options: ReadOptions = {}): ReadResult {
  const side = readPsaSide(files, options);
  if (!side.ok) return side;
  return completeBundle(side, options.usage ?? readUsageText(files[FILES.usage]!));
}

/** Every file of a bundle but usage.csv, read and checked; its problems so far. */
export type PsaSide =
  | { ok: true; errors: ContractError[]; build: (usage: UsageTable) => Bundle | null }
  | { ok: false; errors: ContractError[] };

/**
 * The part of readBundle that needs no usage: the CLI reads it while another thread reads
 * usage.csv (see worker/cli/reconcile.ts). Not ok only when a required file is missing.
 */
export function readPsaSide(files: BundleFiles, options: Pick<ReadOptions, 'decisions'> = {}): PsaSide {
  const missing = REQUIRED_FILES.filter((name) => files[name] === undefined);
  if (missing.length > 0) return { ok: false, errors: missing.map((file) => ({ file, message: 'required file is missing' })) };

  const errors: ContractError[] = [];
  const workspace = parseWorkspaceJson(files[FILES.workspace]!);
  if (!workspace.ok) errors.push(...workspace.errors);

  const read = <T>(text: string | undefined, build: TableBuilder<T>): T => {
    if (text !== undefined) {
      feedCsvText(text, build.reader);
      errors.push(...build.reader.finish());
    }
    return build.result();
  };
  const clients = read(files[FILES.clients], clientsBuilder());
  const lines = read(files[FILES.lines], linesBuilder());
  const catalog = read(files[FILES.catalog], catalogBuilder());
  const clientMap = read(files[FILES.clientMap], clientMapBuilder());
  const serviceMap = read(files[FILES.serviceMap], serviceMapBuilder());
  const decisionFile = options.decisions ?? (files[FILES.decisions] !== undefined ? { name: FILES.decisions, text: files[FILES.decisions]! } : undefined);
  const decisions = decisionFile ? read(decisionFile.text, decisionsBuilder(decisionFile.name)) : [];
  const build = (usage: UsageTable) => (workspace.ok ? { settings: workspace.settings, clients, lines, catalog, usage, clientMap, serviceMap, decisions } : null);
  return { ok: true, errors, build };
}

/** The bundle of a checked PSA side and usage.csv's part: all or nothing, as readBundle. */
export function completeBundle(side: Extract<PsaSide, { ok: true }>, usagePart: UsagePart): ReadResult {
  const errors = [...side.errors, ...usagePart.errors];
  if (errors.length > 0) return { ok: false, errors };
  return dedupedBundle(side, usagePart.builder.build(), errors).read;
}

/**
 * completeBundle, with the seats numbered by `numberSeats` (elsewhere: the CLI's second thread)
 * while `prepare` works on the bundle whose table has no seats yet (prepareReconcile reads no
 * seat). `prepared` is given only when it holds for the bundle read: no row was replaced.
 */
export async function completeBundleSeatedElsewhere<T>(
  side: Extract<PsaSide, { ok: true }>,
  usagePart: UsagePart,
  numberSeats: (table: UsageTable, keys: Int32Array) => Promise<{ seat: Int32Array; count: number }>,
  prepare: (bundle: Bundle) => T,
): Promise<{ read: ReadResult; prepared?: T }> {
  const errors = [...side.errors, ...usagePart.errors];
  if (errors.length > 0) return { read: { ok: false, errors } };
  const table = usagePart.builder.build(false);
  const seating = numberSeats(table, usagePart.builder.seatKeys());
  const unseated = side.build(table);
  const prepared = unseated && prepare(unseated);
  const { seat, count } = await seating;
  const { read, replaced } = dedupedBundle(side, { ...table, seat, seatCount: count }, errors);
  return replaced === 0 && prepared !== null ? { read, prepared } : { read };
}

function dedupedBundle(side: Extract<PsaSide, { ok: true }>, table: UsageTable, errors: ContractError[]): { read: ReadResult; replaced: number } {
  const { usage, replaced } = dedupeUsage(table);
  const bundle = side.build(usage);
  if (bundle === null) return { read: { ok: false, errors }, replaced };
  const notes = replaced > 0 ? [`${FILES.usage}: ${replaced} ${replaced === 1 ? 'row was' : 'rows were'} replaced by a later row with the same identity (integration_id, record_id, product)`] : [];
  return { read: { ok: true, bundle, notes }, replaced };
}
