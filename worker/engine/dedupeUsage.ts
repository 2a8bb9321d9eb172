import { foldCase } from './dictionary';
import type { CodedColumn, UsageTable } from './model';
import { seatIds } from './seats';

/**
 * Spec §1: a usage row's identity is (integration_id, record_id, product), the product
 * compared case-insensitively; when it repeats, the later row wins. Survivors keep their
 * own file position, so "last non-blank name seen" still follows file order.
 */
export function dedupeUsage(usage: UsageTable): { usage: UsageTable; replaced: number } {
  const { seat } = seatIds(usage);
  const { folded, ofCode } = foldCase(usage.product.values);
  const products = folded.values.length;
  const lastRowOf = new Map<number, number>();
  const productCodes = usage.product.codes;
  for (let i = 0; i < usage.length; i++) {
    lastRowOf.set(seat[i]! * products + ofCode[productCodes[i]!]!, i);
  }
  const replaced = usage.length - lastRowOf.size;
  if (replaced === 0) return { usage, replaced };

  const keep = new Uint32Array(lastRowOf.size);
  let k = 0;
  for (let i = 0; i < usage.length; i++) {
    if (lastRowOf.get(seat[i]! * products + ofCode[productCodes[i]!]!) === i) keep[k++] = i;
  }
  return { usage: selectRows(usage, keep), replaced };
}

function selectColumn(column: CodedColumn, rows: Uint32Array): CodedColumn {
  const codes = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i]!]!;
  return { values: column.values, codes };
}

/** The given rows of a table, in the given order. */
export function selectRows(usage: UsageTable, rows: Uint32Array): UsageTable {
  const quantity = new BigInt64Array(rows.length);
  const lastActive = new Int32Array(rows.length);
  const recordId = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    quantity[i] = usage.quantity[r]!;
    lastActive[i] = usage.lastActive[r]!;
    recordId[i] = usage.recordId[r]!;
  }
  return {
    length: rows.length,
    integrationId: selectColumn(usage.integrationId, rows),
    externalClientId: selectColumn(usage.externalClientId, rows),
    externalClientName: selectColumn(usage.externalClientName, rows),
    recordId,
    product: selectColumn(usage.product, rows),
    category: selectColumn(usage.category, rows),
    quantity,
    lastActive,
  };
}
