import { readBundle, type BundleFiles, type ReadOptions, type ReadResult } from './bundle/readBundle';
import type { ContractError } from './bundle/contractError';
import { reconcile, type PreparedReconcile } from './engine/reconcile';
import type { InactiveSeat } from './engine/usageGroups';
import { toReport } from './engine/report';
import type { Report } from './engine/report.types';
import type { InactiveSeatRows } from './engine/inactiveSeatsJson';
import { reportJsonPieces } from './engine/reportJson';

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

export type ReconcileJsonResult =
  | { ok: true; json: () => AsyncGenerator<string | Uint8Array>; notes: string[] }
  | { ok: false; errors: ContractError[] };

/**
 * Writes the inactive_seats member elsewhere (another thread) while the rest is reconciled: its
 * bytes, as inactiveSeatsJson gives them, or null when it cannot take these rows.
 */
export type InactiveSeatsWriter = (rows: InactiveSeatRows) => Promise<Uint8Array[]> | null;

/**
 * A bundle read (or its problems) in, the §8 report's JSON text out, in pieces (the CLI's
 * output): `JSON.stringify(report, null, 2)` and a line break, with the long inactive_seats list
 * written from the usage rows instead of made into objects first, by `writeElsewhere` when given.
 * `prepared`: prepareReconcile of the bundle, done earlier (see ReconcileOptions).
 */
export function reconcileReadToJson(read: ReadResult, writeElsewhere?: InactiveSeatsWriter, prepared?: PreparedReconcile): ReconcileJsonResult {
  if (!read.ok) return read;
  const usage = read.bundle.usage;
  let written: Promise<Uint8Array[] | null> | null = null;
  const onInactive = writeElsewhere && ((seats: InactiveSeat[], clientIds: readonly string[]) => (written = writeElsewhere({ usage, seats, clientIds })?.catch(() => null) ?? null));
  const rec = reconcile(read.bundle, { onInactive, prepared });
  const report = toReport(read.bundle, rec, { withoutInactiveSeats: true });
  const rows: InactiveSeatRows = { usage, seats: rec.inactive, clientIds: rec.clientIds };
  return {
    ok: true,
    notes: read.notes,
    json: async function* () {
      // Written elsewhere unless that failed: then here, as without a writer.
      const chunks = written === null ? null : await written;
      yield* reportJsonPieces(report, undefined, chunks === null ? rows : { written: chunks });
    },
  };
}
