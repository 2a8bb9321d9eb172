import { describe, expect, it } from 'vitest';
import { readUsageText } from '../../worker/bundle/readUsage';
import { readUsageParallel } from '../../worker/cli/parallelUsage';

const HEADER = 'integration_id,external_client_id,external_client_name,record_id,product,category,quantity,last_active';

/** ~10 MB of usage, so the CLI takes its two-thread path; row `bad` has a broken quantity. */
function bigUsage(rows: number, bad: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const quantity = i === bad ? '12,5' : i % 9 === 0 ? '2.5' : '';
    lines.push(`m365,t${i % 40},"Tenant, ${i % 40}",user-${i},Microsoft 365 E3 ${i % 3},license,${i === bad ? `"${quantity}"` : quantity},2026-11-${String((i % 28) + 1).padStart(2, '0')}`);
  }
  return lines.join('\n') + '\n';
}

describe('usage.csv on two threads (the CLI path)', () => {
  it('builds the same table as one thread', async () => {
    const text = bigUsage(120_000, -1);
    expect(text.length).toBeGreaterThan(8 << 20);
    const one = readUsageText(text).builder.build();
    const two = (await readUsageParallel(text)).builder.build();
    expect(two.length).toBe(one.length);
    expect(two.seatCount).toBe(one.seatCount);
    expect(two.recordId).toEqual(one.recordId);
    expect(Array.from(two.quantity)).toEqual(Array.from(one.quantity));
    const decode = (t: typeof one, i: number) => [t.product.values[t.product.codes[i]!], t.externalClientName.values[t.externalClientName.codes[i]!], t.seat[i]];
    for (const i of [0, 1, 59_999, 60_000, 60_001, 119_999]) expect(decode(two, i)).toEqual(decode(one, i));
  });

  it('names the row of an error in the second half as a row of the whole file', async () => {
    // Record 100,000 (0-based) is spreadsheet row 100,002: header is row 1, the first record row 2.
    const { errors } = await readUsageParallel(bigUsage(120_000, 100_000));
    expect(errors).toEqual([expect.objectContaining({ file: 'usage.csv', row: 100_002, column: 'quantity' })]);
  });
});
