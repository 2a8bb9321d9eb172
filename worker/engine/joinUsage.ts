import { Dictionary } from './dictionary';
import type { CodedColumn, UsageTable } from './model';
import { RecordIds } from './recordIds';

const CODED = ['integrationId', 'externalClientId', 'externalClientName', 'product', 'category'] as const;

/**
 * Joins usage tables without hashing a single record id: dictionary codes are re-coded into shared
 * dictionaries, and seat ids are offset per source. Each source is a list of tables that share one
 * seat numbering (the blocks of one import) and its seat count. Sources must not share an
 * integration (a seat is per integration), which holds for the app's imports: each integration's
 * rows come from the one import that is current for it.
 */
export function joinUsage(sources: readonly { tables: readonly UsageTable[]; seatCount: number }[]): UsageTable {
  const length = sources.reduce((n, s) => n + s.tables.reduce((m, t) => m + t.length, 0), 0);
  const dictionaries = CODED.map(() => new Dictionary());
  const codes = CODED.map(() => new Uint32Array(length));
  const quantity = new BigInt64Array(length);
  const lastActive = new Int32Array(length);
  const seat = new Int32Array(length);
  let at = 0;
  let seatOffset = 0;
  for (const source of sources) {
    for (const table of source.tables) {
      CODED.forEach((name, k) => {
        const column: CodedColumn = table[name];
        const recode = Uint32Array.from(column.values, (value) => dictionaries[k]!.code(value));
        const target = codes[k]!;
        for (let i = 0; i < table.length; i++) target[at + i] = recode[column.codes[i]!]!;
      });
      quantity.set(table.quantity, at);
      lastActive.set(table.lastActive, at);
      for (let i = 0; i < table.length; i++) seat[at + i] = table.seat[i]! + seatOffset;
      at += table.length;
    }
    seatOffset += source.seatCount;
  }
  const column = (k: number): CodedColumn => ({ values: dictionaries[k]!.values, codes: codes[k]! });
  return {
    length,
    integrationId: column(0),
    externalClientId: column(1),
    externalClientName: column(2),
    recordId: RecordIds.join(sources.flatMap((s) => s.tables.map((t) => t.recordId))),
    product: column(3),
    category: column(4),
    quantity,
    lastActive,
    seat,
    seatCount: seatOffset,
  };
}
