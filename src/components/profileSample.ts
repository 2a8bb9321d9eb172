import { previewConversion, type ConversionPreview } from '../../worker/sources/previewConversion';
import { tryReadTable } from '../../worker/sources/read/readTable';
import { recognizeSource } from '../../worker/sources/recognizeSource';
import type { FileOverrides, RawTable, SourceProfile } from '../../worker/sources/types';

/**
 * A sample export for the profile editor in Settings, which has no dropped file to preview with.
 * Read in the page, not the import worker: it is one file the user picked to check a profile
 * against, never imported or stored, and the worker keeps only the tables of a pending drop.
 * Loaded on demand (the wizard imports this module when a sample is chosen), so the .xlsx reader
 * does not weigh on the app's first load.
 */

export type SampleRead = { ok: true; table: RawTable } | { ok: false; message: string };

/** The file's table, its header found the way the profile finds it (a title line above it is skipped). */
export async function readSample(file: File, profile: SourceProfile): Promise<SampleRead> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const read = await tryReadTable(file.name, bytes, (cells) => recognizeSource(cells, [profile]) !== null);
  if (!read.ok) return { ok: false, message: read.error.message };
  return { ok: true, table: read.table };
}

/**
 * The same preview as a dropped file's (conversion, then the bundle's own checks), with one
 * difference: PSA lines are billed for the month of now, not of a fixed as-of the workspace may
 * have set (the core knows that one; a sample only checks how the file reads).
 */
export function previewSample(table: RawTable, profile: SourceProfile, overrides: FileOverrides): ConversionPreview {
  return previewConversion(table, profile, overrides);
}
