import { readBundle, type BundleFiles, type ReadOptions, type ReadResult } from './bundle/readBundle';
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
  return reconcileRead(readBundle(files, options));
}

/** A bundle read (or its problems) in, §8 report out. */
export function reconcileRead(read: ReadResult): ReconcileResult {
  if (!read.ok) return read;
  return { ok: true, report: toReport(read.bundle, reconcile(read.bundle)), notes: read.notes };
}
