import type { UsageTable } from './model';

/**
 * Numbers each distinct (integration_id, record_id): a "seat" (spec §3 counts records and
 * §4 counts seats by that pair). One Map per integration keyed by the raw record id avoids
 * building a million concatenated key strings.
 */
export function seatIds(usage: UsageTable): { seat: Int32Array; count: number } {
  const perIntegration = usage.integrationId.values.map(() => new Map<string, number>());
  const seat = new Int32Array(usage.length);
  const codes = usage.integrationId.codes;
  let count = 0;
  for (let i = 0; i < usage.length; i++) {
    const map = perIntegration[codes[i]!]!;
    const recordId = usage.recordId[i]!;
    let id = map.get(recordId);
    if (id === undefined) {
      id = count++;
      map.set(recordId, id);
    }
    seat[i] = id;
  }
  return { seat, count };
}
