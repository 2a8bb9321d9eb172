import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { LedgerlineDb } from '../../worker/core/db';
import { importBatch, type ImportInput } from '../../worker/core/importBatch';
import { loadWorkspace } from '../../worker/core/loadWorkspace';
import { WorkspaceView } from '../../worker/views/workspaceView';

const DEMO = generateDemoBundle({ seed: 11 });
const inputs = (files: Record<string, string>): ImportInput[] => Object.entries(files).map(([name, text]) => ({ name, blob: new Blob([text]) }));
const GOOD_AT = new Date('2026-11-27T09:00:00Z');
const FAILED_AT = new Date('2026-11-28T13:00:00Z');
const RMM_GOOD = 'integration_id,external_client_id,external_client_name,record_id,product,category\nrmm,new-tenant,New Tenant,dev-1,Windows 11 Pro,workstation\n';
const RMM_BROKEN = 'integration_id,external_client_id,record_id,product,quantity\nrmm,t1,u1,E3,abc\n';
let db: LedgerlineDb;
let n = 0;

beforeEach(() => {
  db = new LedgerlineDb(`failed-import-${n++}`);
});

const importAt = (at: Date, files: Record<string, string>) => importBatch(db, inputs(files), () => undefined, { now: () => at });

/** The Integrations screen's rows as a fresh start reads them (no cache: what a reload shows). */
async function integrations() {
  const bundle = await loadWorkspace(db, {}, () => FAILED_AT.getTime());
  return new WorkspaceView(bundle, reconcile(bundle)).integrations();
}

describe('a refused import', () => {
  it('marks only the source the refused file carried as a failed import, in yellow, with the data in use from the previous import', async () => {
    await importAt(GOOD_AT, DEMO);
    await importAt(GOOD_AT, { 'rmm.csv': RMM_GOOD });
    const before = await integrations();
    const outcome = await importAt(FAILED_AT, { 'rmm.csv': RMM_BROKEN });
    expect(outcome.ok).toBe(false);
    const after = await integrations();
    const rmm = after.find((i) => i.id === 'rmm')!;
    expect(rmm).toMatchObject({ status: 'yellow', importFailedAt: FAILED_AT.toISOString(), lastSyncAt: GOOD_AT.toISOString(), lastSyncStatus: 'ok' });
    expect(rmm.statusReason).toBe('Last import failed (2026-11-28 13:00 UTC): nothing of it was imported. The data in use is from the previous import (2026-11-27 09:00 UTC).');
    const others = (list: typeof after) => list.filter((i) => i.id !== 'rmm').map(({ id, status, statusReason, importFailedAt }) => ({ id, status, statusReason, importFailedAt }));
    expect(others(after)).toEqual(others(before));
    expect(after.some((i) => i.status === 'red')).toBe(false);
  });

  it('stays a warning after a reload, and the numbers are the previous import\'s', async () => {
    await importAt(GOOD_AT, DEMO);
    const bundleBefore = await loadWorkspace(db, {}, () => FAILED_AT.getTime());
    await importAt(FAILED_AT, { 'rmm.csv': RMM_BROKEN });
    // A second load from IndexedDB alone is what a reload shows.
    const bundleAfter = await loadWorkspace(db, {}, () => FAILED_AT.getTime());
    expect(bundleAfter.usage.length).toBe(bundleBefore.usage.length);
    expect((await integrations()).find((i) => i.id === 'rmm')?.status).toBe('yellow');
  });

  it('is forgotten once an import of that source succeeds', async () => {
    await importAt(GOOD_AT, DEMO);
    await importAt(FAILED_AT, { 'rmm.csv': RMM_BROKEN });
    await importAt(FAILED_AT, { 'rmm.csv': RMM_GOOD });
    const rmm = (await integrations()).find((i) => i.id === 'rmm')!;
    expect(rmm).toMatchObject({ importFailedAt: null, lastSyncAt: FAILED_AT.toISOString() });
    expect(rmm.status).not.toBe('red');
  });

  it('is red when the source has no earlier import in use', async () => {
    await importAt(FAILED_AT, { 'rmm.csv': RMM_BROKEN });
    const rmm = (await integrations()).find((i) => i.id === 'rmm')!;
    expect(rmm.status).toBe('red');
    expect(rmm.statusReason).toMatch(/^The import failed \(2026-11-28 13:00 UTC\) and no earlier import of it is in use/);
  });

  it('reads a failed sync kept the old way as a failed import over the data still in use', async () => {
    await importAt(GOOD_AT, DEMO);
    await importAt(GOOD_AT, { 'rmm.csv': RMM_GOOD });
    // Before failures were kept apart, a refused file overwrote the source's sync with "failed".
    const log = await db.getMeta('syncLog', {});
    await db.setMeta('syncLog', { ...log, rmm: { at: FAILED_AT.toISOString(), status: 'failed' } });
    const rmm = (await integrations()).find((i) => i.id === 'rmm')!;
    expect(rmm).toMatchObject({ status: 'yellow', importFailedAt: FAILED_AT.toISOString(), lastSyncAt: GOOD_AT.toISOString() });
  });
});
