import { selectRows } from '../engine/dedupeUsage';
import type { UsageTable } from '../engine/model';
import { joinUsage } from '../engine/joinUsage';
import { RecordIds } from '../engine/recordIds';

/**
 * Usage as stored in IndexedDB and sent between threads: the dictionaries once per import, rows
 * in blocks of typed arrays, and each block's record ids packed into one string with end offsets.
 * A million record ids as one string clone in milliseconds; as a million strings they take
 * hundreds (IndexedDB and postMessage both structured-clone).
 */
export interface PackedUsage {
  length: number;
  /** Seats (distinct integration, record) numbered at import; blocks carry each row's seat id. */
  seatCount: number;
  dictionaries: Record<CodedName, string[]>;
  blocks: UsageBlock[];
}

export interface UsageBlock {
  length: number;
  codes: Record<CodedName, Uint32Array>;
  recordIds: string;
  /** recordId i is recordIds.slice(recordEnds[i - 1] ?? 0, recordEnds[i]). */
  recordEnds: Uint32Array;
  quantity: BigInt64Array;
  lastActive: Int32Array;
  seat: Int32Array;
}

const CODED_NAMES = ['integrationId', 'externalClientId', 'externalClientName', 'product', 'category'] as const;
type CodedName = (typeof CODED_NAMES)[number];

export const BLOCK_ROWS = 1 << 16;

export function packUsage(table: UsageTable, blockRows = BLOCK_ROWS): PackedUsage {
  const dictionaries = Object.fromEntries(CODED_NAMES.map((name) => [name, table[name].values])) as Record<CodedName, string[]>;
  const blocks: UsageBlock[] = [];
  for (let start = 0; start < table.length; start += blockRows) {
    const end = Math.min(table.length, start + blockRows);
    const ids = table.recordId.text(start, end);
    blocks.push({
      length: end - start,
      codes: Object.fromEntries(CODED_NAMES.map((name) => [name, table[name].codes.slice(start, end)])) as Record<CodedName, Uint32Array>,
      recordIds: ids.text,
      recordEnds: ids.ends,
      quantity: table.quantity.slice(start, end),
      lastActive: table.lastActive.slice(start, end),
      seat: table.seat.slice(start, end),
    });
  }
  return { length: table.length, seatCount: table.seatCount, dictionaries, blocks };
}

/** The transferable buffers of a packed table (for postMessage's transfer list). */
export function packedBuffers(packed: PackedUsage): ArrayBuffer[] {
  return packed.blocks.flatMap((b) => [...CODED_NAMES.map((n) => b.codes[n].buffer), b.recordEnds.buffer, b.quantity.buffer, b.lastActive.buffer, b.seat.buffer] as ArrayBuffer[]);
}

/**
 * Joins packed imports into one table, keeping from each only the rows of the integrations it is
 * current for (a later import of an integration replaces that integration's rows). Seat ids were
 * numbered at import, so joining hashes nothing (see joinUsage).
 */
export function unpackUsage(parts: readonly { packed: PackedUsage; integrations?: ReadonlySet<string> }[]): UsageTable {
  return joinUsage(
    parts.map(({ packed, integrations }) => {
      const keepCodes = integrations ? packed.dictionaries.integrationId.map((id) => integrations.has(id)) : null;
      const tables = packed.blocks.map((block) => {
        const view = blockTable(packed, block);
        if (!keepCodes || keepCodes.every(Boolean)) return view;
        const keep: number[] = [];
        for (let i = 0; i < view.length; i++) if (keepCodes[view.integrationId.codes[i]!]) keep.push(i);
        return selectRows(view, Uint32Array.from(keep));
      });
      return { tables, seatCount: packed.seatCount };
    }),
  );
}

function blockTable(packed: PackedUsage, block: UsageBlock): UsageTable {
  // The ids stay in the block's text: no string per row on a reopen.
  const starts = new Int32Array(block.length);
  const ends = new Int32Array(block.recordEnds);
  for (let i = 1; i < block.length; i++) starts[i] = ends[i - 1]!;
  const recordId = new RecordIds([block.recordIds], null, starts, ends, block.length);
  const column = (name: CodedName) => ({ values: packed.dictionaries[name], codes: block.codes[name] });
  return {
    length: block.length,
    integrationId: column('integrationId'),
    externalClientId: column('externalClientId'),
    externalClientName: column('externalClientName'),
    recordId,
    product: column('product'),
    category: column('category'),
    quantity: block.quantity,
    lastActive: block.lastActive,
    seat: block.seat,
    seatCount: packed.seatCount,
  };
}
