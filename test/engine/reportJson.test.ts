import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportJsonPieces } from '../../worker/engine/reportJson';
import type { Report } from '../../worker/engine/report.types';

const SEED = 20261201;

const text = fc.string({ unit: 'binary', maxLength: 12 });
const item = fc.record({ client_id: text, amount: fc.option(text, { nil: null }), records: fc.integer(), integration_ids: fc.array(text, { maxLength: 3 }) });
const list = fc.array(item, { maxLength: 9 });
const report = fc.record({
  clients: list,
  discrepancies: list,
  unaccounted: list,
  unmapped_clients: list,
  flags: list,
  inactive_seats: list,
  integrations: list,
  adjustments: list,
}) as unknown as fc.Arbitrary<Report>;

describe('the report as JSON, in pieces', () => {
  it('joins to exactly JSON.stringify(report, null, 2) and a line break, wherever the lists are cut', () => {
    fc.assert(
      fc.property(report, fc.integer({ min: 1, max: 4 }), (r, itemsPerPiece) => {
        expect([...reportJsonPieces(r, itemsPerPiece)].join('')).toBe(`${JSON.stringify(r, null, 2)}\n`);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('cuts a long list into pieces of bounded size', () => {
    const long = { clients: Array.from({ length: 5001 }, (_, i) => ({ client_id: `C${i}`, client_name: 'Évora Ltd' })) } as unknown as Report;
    const pieces = [...reportJsonPieces(long)];
    expect(pieces.join('')).toBe(`${JSON.stringify(long, null, 2)}\n`);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(JSON.stringify(long, null, 2).length / 2);
  });

  it('leaves out a member whose value is undefined, as JSON.stringify does', () => {
    const partial = { clients: [], flags: undefined, adjustments: [] } as unknown as Report;
    expect([...reportJsonPieces(partial)].join('')).toBe(`${JSON.stringify(partial, null, 2)}\n`);
  });

  it('writes an empty report as {}', () => {
    expect([...reportJsonPieces({} as Report)].join('')).toBe('{}\n');
  });
});
