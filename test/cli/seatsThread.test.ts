/**
 * The CLI's second thread numbers the joined table's seats while the first prepares the
 * reconciliation (worker/cli/parallelUsage.ts numberSeatsElsewhere): from the columns where
 * they are in shared memory, the seats firstSightIds gives on this thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ByteRead } from '../../worker/bundle/readUsageBytes';
import { csvLayout } from '../../worker/bundle/csvLayout';
import { numberSeats } from '../../worker/engine/seats';
import { numberSeatsElsewhere, startUsageThread } from '../../worker/cli/parallelUsage';
import { bundleTables, render, type Row } from '../helpers/bundle';

// Ids kept where they are in the file's bytes, and ones read as text (a quoted field); each held twice or thrice.
const ids = ['alice@acme.example', 'Müller-PC', 'laptop, spare', 'ws-"7"', '😀-phone'];
const usage: Row[] = Array.from({ length: 3000 }, (_, k) => ({
  integration_id: k % 3 === 0 ? 'ninja' : 'm365',
  external_client_id: 'T1',
  record_id: `${ids[k % ids.length]}-${k % 1100}`,
  product: k % 2 === 0 ? 'M365 Premium' : 'Defender',
}));

/** usage.csv read from bytes in shared memory into a builder with shared columns, built without seats. */
function unseated(sharedMemory: boolean) {
  const encoded = new TextEncoder().encode(render(bundleTables({ usage }))['usage.csv']!);
  const bytes = new Uint8Array(new SharedArrayBuffer(encoded.length));
  bytes.set(encoded);
  const layout = csvLayout(bytes);
  const read = new ByteRead(bytes, layout.bodyStart, layout, { sharedMemory });
  read.header();
  read.records(Infinity);
  const { builder } = read.result();
  const table = builder.build(false);
  return { table, keys: builder.seatKeys() };
}

describe('seats numbered on the second thread', () => {
  const thread = startUsageThread();
  afterAll(() => thread.worker.terminate());

  it('are the seats this thread numbers, ids read from the file and read as text alike', async () => {
    const { table, keys } = unseated(true);
    expect(table.recordId.sources.some((source) => typeof source === 'string')).toBe(true);
    const elsewhere = numberSeatsElsewhere(thread, table, keys);
    expect(elsewhere).not.toBeNull();
    const { seat, count } = await elsewhere!;
    const here = numberSeats(table, keys);
    expect(count).toBe(here.count);
    expect(count).toBeLessThan(table.length);
    expect([...seat]).toEqual([...here.seat]);
  });

  it('fail, for the CLI to number them itself, when the thread has stopped', async () => {
    const stopped = startUsageThread();
    await stopped.started;
    await stopped.worker.terminate();
    const { table, keys } = unseated(true);
    await expect(numberSeatsElsewhere(stopped, table, keys)).rejects.toThrow('the second thread stopped');
  });

  it('are not asked of the thread when the columns are not shared memory', () => {
    const { table, keys } = unseated(false);
    expect(numberSeatsElsewhere(thread, table, keys)).toBeNull();
  });
});
