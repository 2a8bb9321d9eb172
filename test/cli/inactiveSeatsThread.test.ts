/**
 * The CLI's second thread, done with its part of usage.csv, writes the report's inactive seats
 * while the first reconciles (worker/cli/parallelUsage.ts writeInactiveSeats): its bytes are
 * the ones the first thread would have written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { readUsageBytes } from '../../worker/bundle/readUsageBytes';
import { inactiveSeatsJson, type InactiveSeatRows } from '../../worker/engine/inactiveSeatsJson';
import { reconcile } from '../../worker/engine/reconcile';
import { packInactiveSeats, unpackInactiveSeats } from '../../worker/cli/inactiveSeatsTransfer';
import { startUsageThread, writeInactiveSeats } from '../../worker/cli/parallelUsage';
import { bundleTables, render, type Row } from '../helpers/bundle';

const clients = [{ client_id: 'C1', client_name: 'Acme' }, { client_id: 'C "2"', client_name: 'Beta' }];
const clientMap = [
  { integration_id: 'm365', external_client_id: 'T1', psa_client_id: 'C1', status: 'mapped' },
  { integration_id: 'ninja', external_client_id: 'N2', psa_client_id: 'C "2"', status: 'mapped' },
];

// Ids the byte reader keeps where they are in the file, and ones it reads as text (a quoted field).
const ids = ['alice@acme.example', 'Müller-PC', 'ws-"7"', 'laptop, spare', 'tab\there', '😀-phone', 'x\\y'];

function usageRows(): Row[] {
  return Array.from({ length: 60 }, (_, k) => ({
    integration_id: k % 2 === 0 ? 'm365' : 'ninja',
    external_client_id: k % 2 === 0 ? 'T1' : 'N2',
    record_id: `${ids[k % ids.length]}-${k}`,
    product: k % 3 === 0 ? 'Workstation "W"' : 'M365 Premium',
    last_active: k % 4 === 0 ? '' : k % 4 === 1 ? '2026-05-19' : '2026-10-01',
  }));
}

/** The test bundle's inactive seats, usage.csv read from bytes in shared memory (as the CLI reads it) or not. */
function inactiveRows(shared: boolean): InactiveSeatRows {
  const files = render(bundleTables({ clients, clientMap, usage: usageRows() }));
  const encoded = new TextEncoder().encode(files['usage.csv']!);
  const bytes = shared ? new Uint8Array(new SharedArrayBuffer(encoded.length)) : encoded;
  if (shared) bytes.set(encoded);
  const read = readBundle(files, { usage: readUsageBytes(bytes) });
  if (!read.ok) throw new Error('valid bundle expected');
  const rec = reconcile(read.bundle);
  return { usage: read.bundle.usage, seats: rec.inactive, clientIds: rec.clientIds };
}

const text = (chunks: Iterable<Uint8Array>) => Buffer.concat([...chunks]).toString('utf8');

describe('inactive seats written on the second thread', () => {
  const thread = startUsageThread();
  afterAll(() => thread.worker.terminate());

  it('are the bytes this thread writes, ids read from the file and read as text alike', async () => {
    const rows = inactiveRows(true);
    expect(rows.seats.length).toBeGreaterThan(20);
    expect(rows.usage.recordId.sources.some((source) => typeof source === 'string')).toBe(true);
    const written = await writeInactiveSeats(thread, rows);
    expect(written).not.toBeNull();
    expect(text(written!)).toBe(text(inactiveSeatsJson(rows)));
  });

  it('come back from packing as the same seats', () => {
    const rows = inactiveRows(true);
    expect(text(inactiveSeatsJson(unpackInactiveSeats(packInactiveSeats(rows)!)))).toBe(text(inactiveSeatsJson(rows)));
  });

  it('are not asked of the thread when the file was not read into shared memory', () => {
    expect(packInactiveSeats(inactiveRows(false))).toBeNull();
    expect(writeInactiveSeats(thread, inactiveRows(false))).toBeNull();
  });
});

describe('a second thread that has stopped', () => {
  it('is not waited for: asking it fails at once (reconcileReadToJson then writes the seats itself)', async () => {
    const stopped = startUsageThread();
    await stopped.worker.terminate();
    const written = writeInactiveSeats(stopped, inactiveRows(true));
    await expect(written).rejects.toThrow('the second thread stopped');
  });
});
