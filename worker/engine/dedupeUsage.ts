import { foldCase } from './dictionary';
import type { CodedColumn, UsageTable } from './model';
import { rowsBySeat } from './seats';

/** Above this many rows for one seat, duplicates are found with a Map instead of pairwise. */
const PAIRWISE_LIMIT = 32;

/**
 * Spec §1: a usage row's identity is (integration_id, record_id, product), the product
 * compared case-insensitively; when it repeats, the later row wins. Survivors keep their
 * own file position, so "last non-blank name seen" still follows file order.
 */
export function dedupeUsage(usage: UsageTable): { usage: UsageTable; replaced: number } {
  const bySeat = rowsBySeat(usage);
  // An identity repeats only within a seat.
  if (bySeat === null) return { usage, replaced: 0 };
  const { order, start } = bySeat;
  const { ofCode } = foldCase(usage.product.values);
  const product = (row: number) => ofCode[usage.product.codes[row]!]!;
  const replacedRow = new Uint8Array(usage.length);
  let replaced = 0;
  for (let s = 0; s < usage.seatCount; s++) {
    const from = start[s]!;
    const to = start[s + 1]!;
    if (to - from < 2) continue;
    if (to - from <= PAIRWISE_LIMIT) {
      for (let a = from; a < to - 1; a++) {
        const p = product(order[a]!);
        for (let b = a + 1; b < to; b++) {
          if (product(order[b]!) === p) {
            replacedRow[order[a]!] = 1;
            replaced++;
            break;
          }
        }
      }
    } else {
      const seen = new Set<number>();
      for (let a = to - 1; a >= from; a--) {
        const p = product(order[a]!);
        if (seen.has(p)) {
          replacedRow[order[a]!] = 1;
          replaced++;
        } else seen.add(p);
      }
    }
  }
  if (replaced === 0) return { usage, replaced };
  const keep = new Uint32Array(usage.length - replaced);
  let k = 0;
  for (let i = 0; i < usage.length; i++) if (replacedRow[i] === 0) keep[k++] = i;
  return { usage: selectRows(usage, keep), replaced };
}

function selectColumn(column: CodedColumn, rows: Uint32Array): CodedColumn {
  const codes = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i]!]!;
  return { values: column.values, codes };
}

/** The given rows of a table, in the given order; seat ids stay valid (a seat keeps at least one row). */
export function selectRows(usage: UsageTable, rows: Uint32Array): UsageTable {
  const quantity = new BigInt64Array(rows.length);
  const lastActive = new Int32Array(rows.length);
  const seat = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    quantity[i] = usage.quantity[r]!;
    lastActive[i] = usage.lastActive[r]!;
    seat[i] = usage.seat[r]!;
  }
  return {
    length: rows.length,
    integrationId: selectColumn(usage.integrationId, rows),
    externalClientId: selectColumn(usage.externalClientId, rows),
    externalClientName: selectColumn(usage.externalClientName, rows),
    recordId: usage.recordId.select(rows),
    product: selectColumn(usage.product, rows),
    category: selectColumn(usage.category, rows),
    quantity,
    lastActive,
    seat,
    seatCount: usage.seatCount,
  };
}
