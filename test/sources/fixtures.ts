import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import { convertFile, type FileOutcome } from '../../worker/sources/convertFiles';
import type { Conversion, FileOverrides } from '../../worker/sources/types';

export const RAW = join(__dirname, '..', 'fixtures', 'raw');
export const AS_OF = '2026-11-28T12:00:00Z';
/** After every time in the fixtures, so an export's own time is never capped by it; fixed, so no test depends on the clock. */
export const IMPORTED_AT = '2026-11-30T08:00:00Z';

export function rawBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(RAW, name)));
}

export async function outcomeOf(name: string, bytes = rawBytes(name), override: FileOverrides = {}): Promise<FileOutcome> {
  return convertFile({ name, bytes }, BUILTIN_PROFILES, override, { asOf: AS_OF, importedAt: IMPORTED_AT });
}

/** The conversion of a fixture that must convert; its errors otherwise, so a failure says why. */
export async function converted(name: string, bytes = rawBytes(name), override: FileOverrides = {}): Promise<Conversion> {
  const outcome = await outcomeOf(name, bytes, override);
  if (outcome.status !== 'converted') throw new Error(`${name}: ${JSON.stringify(outcome).slice(0, 600)}`);
  return outcome.conversion;
}

/** Usage rows as compact tuples: [client, record, product, category, quantity, last_active]. */
export function usageTuples(c: Conversion): string[][] {
  return c.usage.map((r) => [r.external_client_id, r.record_id, r.product, r.category, r.quantity, r.last_active]);
}
