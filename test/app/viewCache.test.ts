import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LedgerlineDb } from '../../worker/core/db';
import { asOfKey, readViewCache, viewKey, worthShowingEarly, writeViewCache, type ViewCacheRecord, type ViewInputs } from '../../worker/core/viewCache';
import { OPENING_FILTER, filterKey } from '../../worker/views/billingFilter';
import type { Overview } from '../../worker/views/types';

const inputs: ViewInputs = {
  dataVersion: 7,
  document: { clientMap: [{ integrationId: 'm365', externalClientId: 'contoso', status: 'mapped', psaClientId: 'C1' }], serviceMap: [], settings: null, review: { entries: [], notes: {} } },
  asOf: '2026-11-28T12:00:00.000Z',
};

const kept = (over: Partial<ViewCacheRecord> = {}): ViewCacheRecord => ({
  key: viewKey(inputs), dataVersion: 7, asOf: inputs.asOf, settings: { asOfMode: 'fixed', asOf: inputs.asOf, inactiveAfterDays: 21, staleAfterHours: 24, currency: 'USD' },
  isDemo: false, overview: { clients: 2 } as unknown as Overview, clientRows: { [filterKey(OPENING_FILTER)]: [] }, ...over,
});

describe('the views kept for the next opening', () => {
  it('have one key for the same inputs', () => {
    expect(viewKey(structuredClone(inputs))).toBe(viewKey(inputs));
  });

  it('have another key when the data, a mapping or the as-of differs', () => {
    const key = viewKey(inputs);
    expect(viewKey({ ...inputs, dataVersion: 8 })).not.toBe(key);
    expect(viewKey({ ...inputs, document: { ...(inputs.document as object), clientMap: [] } })).not.toBe(key);
    expect(viewKey({ ...inputs, asOf: '2026-11-29T12:00:00.000Z' })).not.toBe(key);
  });

  it('take "now" to the hour, so an earlier hour’s numbers are never shown as this one’s', () => {
    expect(asOfKey(null, new Date('2026-11-30T13:05:00Z'))).toBe(asOfKey(null, new Date('2026-11-30T13:59:00Z')));
    expect(asOfKey(null, new Date('2026-11-30T13:59:00Z'))).not.toBe(asOfKey(null, new Date('2026-11-30T14:00:00Z')));
    expect(asOfKey('2026-11-28T12:00:00.000Z', new Date())).toBe('2026-11-28T12:00:00.000Z');
  });

  it('are read back only under the key they were kept with', async () => {
    const db = new LedgerlineDb(`view-cache-${Math.random()}`);
    const overview = { clients: 2 } as unknown as Overview;
    await writeViewCache(db, kept({ overview }));
    expect((await readViewCache(db, viewKey(inputs)))?.overview).toEqual(overview);
    expect(await readViewCache(db, viewKey({ ...inputs, dataVersion: 8 }))).toBeNull();
  });

  it('are shown before the document loads only for the same data and the same as-of', () => {
    const now = new Date('2026-11-30T13:05:00Z');
    expect(worthShowingEarly(kept(), 7, now)).toBe(true);
    expect(worthShowingEarly(kept(), 8, now)).toBe(false);
    const nowMode = kept({ settings: { ...kept().settings!, asOfMode: 'now', asOf: null }, asOf: asOfKey(null, now) });
    expect(worthShowingEarly(nowMode, 7, new Date('2026-11-30T13:59:00Z'))).toBe(true);
    expect(worthShowingEarly(nowMode, 7, new Date('2026-12-01T09:00:00Z'))).toBe(false);
  });

  it('name the opening table’s filter the same however a screen spells it', () => {
    expect(filterKey({ integrationId: undefined, types: [] })).toBe(filterKey(OPENING_FILTER));
    expect(filterKey({ integrationId: 'm365', types: [] })).not.toBe(filterKey(OPENING_FILTER));
  });
});
