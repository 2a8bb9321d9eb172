import { readBundle, type BundleFiles, type ReadOptions } from './bundle/readBundle';
import type { ContractError } from './bundle/contractError';
import { reconcile } from './engine/reconcile';
import { toReport } from './engine/report';
import type { Report } from './engine/report.types';

export type { BundleFiles } from './bundle/readBundle';

export type ReconcileResult =
  | { ok: true; report: Report; notes: string[] }
  | { ok: false; errors: ContractError[] };

/** Bundle texts in, §8 report out: the one path the CLI, the tests and the worker share. */
export function reconcileFiles(files: BundleFiles, options: ReadOptions = {}): ReconcileResult {
  const read = readBundle(files, options);
  if (!read.ok) return read;
  return { ok: true, report: toReport(read.bundle, reconcile(read.bundle)), notes: read.notes };
}
