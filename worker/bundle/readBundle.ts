import { dedupeUsage } from '../engine/dedupeUsage';
import type { Bundle } from '../engine/model';
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

  const usagePart = options.usage ?? readUsageText(files[FILES.usage]!);
  errors.push(...usagePart.errors);

  if (errors.length > 0 || !workspace.ok) return { ok: false, errors };
  const { usage, replaced } = dedupeUsage(usagePart.builder.build());
  const notes = replaced > 0 ? [`${FILES.usage}: ${replaced} ${replaced === 1 ? 'row was' : 'rows were'} replaced by a later row with the same identity (integration_id, record_id, product)`] : [];
  return { ok: true, bundle: { settings: workspace.settings, clients, lines, catalog, usage, clientMap, serviceMap, decisions }, notes };
}
