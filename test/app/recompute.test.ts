import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  BATCH, addRule, batch, mappingSnapshot, settingsNow, addSnapshot, announceBatch, decide, replaceMappings, saveProfile, setClientMapping, setNote, setSharedSettings, setTenantName, stampDismissals, takeImport, undoManager, updateRule, ydoc, LOCAL,
} from '../../worker/core/doc';
import { DEFAULT_APP_SETTINGS } from '../../worker/core/db';
import { RECOMPUTE_BY_TYPE, classify, createScheduler, followDoc, type Recompute } from '../../worker/core/recompute';
import { DOC_TYPES, DOC_TYPE_NAMES, changedTypeNames, docTypes, type DocTypeName } from '../../worker/doc/schema';
import { clientMapKey, pairKey } from '../../worker/doc/keys';
import { openSession } from '../../worker/core/core';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import type { ServiceRule } from '../../worker/engine/model';

const rule = (ruleId: string, product: string): ServiceRule => ({ ruleId, integrationId: 'm365', product, category: '', action: 'map', psaServiceId: 'S1', count: 'records' });
const pair = { clientId: 'C1', serviceId: 'S1', qtyDelta: '2', amount: '40.00' };

/**
 * The core's wiring with a fake engine: the document's transactions go through followDoc and the
 * scheduler exactly as in worker/core/core.ts (`startOnce`), and the fake counts what ran.
 */
function fakeEngine() {
  const runs: Exclude<Recompute, 'none'>[] = [];
  const scheduler = createScheduler(async (what) => {
    runs.push(what);
  });
  const stop = followDoc(ydoc, (what) => void scheduler.request(what), new Set([BATCH]));
  const count = (what: Recompute) => runs.filter((r) => r === what).length;
  return { scheduler, runs, count, stop, refresh: () => scheduler.request('reconcile') };
}

let engine: ReturnType<typeof fakeEngine>;
beforeEach(() => {
  replaceMappings({ clientMap: [], serviceMap: [rule('R-1', 'A')] });
  engine = fakeEngine();
});
afterEach(() => engine.stop());

describe('the document schema', () => {
  it('is the layout of the app document: every top-level type, by name and kind', () => {
    const types = docTypes(ydoc);
    for (const name of DOC_TYPE_NAMES) {
      expect(types[name]).toBeInstanceOf(DOC_TYPES[name] === 'map' ? Y.Map : Y.Array);
      expect(ydoc.share.get(name)).toBe(types[name]);
    }
    // Nothing in the app's document lives outside the schema.
    expect([...ydoc.share.keys()].filter((k) => !DOC_TYPE_NAMES.includes(k as DocTypeName))).toEqual([]);
  });

  it('names an edit inside a rule (a nested Y.Map) after its top-level type', () => {
    const seen: Set<DocTypeName>[] = [];
    const record = (t: Y.Transaction) => seen.push(changedTypeNames(t));
    ydoc.on('afterTransaction', record);
    updateRule(0, { product: 'B' });
    ydoc.off('afterTransaction', record);
    expect(seen.map((s) => [...s].sort())).toEqual([['audit', 'serviceRules']]);
  });
});

describe('recompute by what changed', () => {
  it('classifies every top-level type', () => {
    expect(RECOMPUTE_BY_TYPE).toEqual({
      clientMap: 'reconcile', serviceRules: 'reconcile', settings: 'reconcile',
      decisions: 'review', notes: 'notes',
      audit: 'none', snapshots: 'none', datasets: 'none', sourceProfiles: 'none', tenantNames: 'none',
    });
    expect(classify([])).toBe('none');
    expect(classify(['audit', 'notes'])).toBe('notes');
    expect(classify(['notes', 'decisions', 'audit'])).toBe('review');
    expect(classify(['decisions', 'clientMap'])).toBe('reconcile');
  });

  it('a note runs no reconcile and no review, only a notes update', async () => {
    setNote('C1', 'S1', 'checked with the client');
    setNote('C1', null, 'a client note');
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['notes', 'notes']);
  });

  it('audit-only edits, a closed month, a profile, a tenant name and a shared batch run nothing', async () => {
    addSnapshot({ id: 'm1', name: 'Nov', createdAt: '2025-11-30T00:00:00Z', asOf: '2025-11-30T00:00:00Z', currency: 'USD', totals: { discrepancies: 0, amount: '0.00', amountAbs: '0.00' }, clients: [] });
    expect(saveProfile({ ...BUILTIN_PROFILES[0]!, id: 'saved-x', name: 'Mine' })).toBeNull();
    expect(setTenantName('m365', 'contoso.com', 'Contoso Ltd')).toBeNull();
    announceBatch({ id: 'b1', at: '2025-11-30T00:00:00Z', by: 'me', files: [] });
    ydoc.transact(() => docTypes(ydoc).audit.push([{ at: '', by: '', kind: 'note', clientId: '', what: 'an audit entry alone' }]), LOCAL);
    await engine.scheduler.idle();
    expect(engine.runs).toEqual([]);
  });

  it('a suggestion threshold changed alone, here or by a teammate, runs a notes update; with a setting the numbers read, a reconcile', async () => {
    setSharedSettings({ suggestionThreshold: 0.7 }, LOCAL);
    // A teammate's change arrives with the relay's origin, not this device's.
    ydoc.transact(() => docTypes(ydoc).settings.set('suggestionThreshold', 0.8), 'relay');
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['notes', 'notes']);
    ydoc.transact(() => {
      docTypes(ydoc).settings.set('suggestionThreshold', 0.9);
      docTypes(ydoc).settings.set('inactiveAfterDays', 30);
    }, 'relay');
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['notes', 'notes', 'reconcile']);
  });

  it('an approval runs no reconcile: one review-only update', async () => {
    expect(decide([pair], 'approve')).toBeNull();
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['review']);
    // Undoing it is a decision change too.
    undoManager.undo();
    await engine.scheduler.idle();
    expect(engine.count('reconcile')).toBe(0);
    expect(engine.count('review')).toBe(2);
  });

  it('dismissals stamped after an import are a review, not a reconcile', async () => {
    takeImport({ decisions: [{ clientId: 'C1', serviceId: 'S1', decision: 'dismiss', effectiveDate: null }] }, null, 'decisions.csv');
    stampDismissals([pair]);
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['review']);
  });

  it('mapping and settings edits reconcile, once each', async () => {
    expect(setClientMapping('m365', 't1', { status: 'mapped', psaClientId: 'C1' })).toBeNull();
    await engine.scheduler.idle();
    expect(addRule(rule('R-2', 'B'))).toBeNull();
    await engine.scheduler.idle();
    setSharedSettings({ ...DEFAULT_APP_SETTINGS, inactiveAfterDays: 30 }, LOCAL);
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['reconcile', 'reconcile', 'reconcile']);
  });

  it('an import\'s mappings, settings and decisions (one BATCH transaction) ask for no recompute of their own', async () => {
    // The core writes them inside `batch` (worker/core/core.ts runImport), then reconciles once
    // itself: the transaction must not schedule a second run. The whole path is the last test here.
    batch(() =>
      takeImport(
        {
          clientMap: [{ integrationId: 'm365', externalClientId: 't1', status: 'mapped', psaClientId: 'C1' }],
          serviceMap: [rule('R-7', 'X'), rule('R-8', 'Y')],
          decisions: [{ clientId: 'C1', serviceId: 'S1', decision: 'approve', effectiveDate: null, note: 'from the file' }],
        },
        { ...DEFAULT_APP_SETTINGS, asOfMode: 'fixed', asOf: '2025-11-30T00:00:00Z' },
        'decisions.csv',
      ),
    );
    await engine.scheduler.idle();
    expect(engine.runs).toEqual([]);
    expect(undoManager.canUndo()).toBe(false);
  });

  it('a burst of edits during a reconcile coalesces into one more run of the largest kind', async () => {
    const runs: Recompute[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const scheduler = createScheduler(async (what) => {
      runs.push(what);
      if (runs.length === 1) await gate;
    });
    const first = scheduler.request('reconcile');
    void scheduler.request('notes');
    void scheduler.request('review');
    void scheduler.request('notes');
    release();
    await first;
    await scheduler.idle();
    expect(runs).toEqual(['reconcile', 'review']);
  });

  it('a teammate\'s edit (a remote update) is classified like a local one', async () => {
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(ydoc));
    other.transact(() => docTypes(other).notes.set(pairKey('C9', 'S9'), { text: 'remote', at: '', by: 'them' }));
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(ydoc)), 'remote');
    other.transact(() => docTypes(other).clientMap.set(clientMapKey('m365', 't9'), { integrationId: 'm365', externalClientId: 't9', status: 'excluded', psaClientId: '' }));
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(ydoc)), 'remote');
    await engine.scheduler.idle();
    expect(engine.runs).toEqual(['notes', 'reconcile']);
    other.destroy();
  });
});

/**
 * Last in this file: it starts the real core (worker/core/core.ts) on this file's document, and the
 * core then follows every later edit of it.
 */
describe('one import through the core', () => {
  it('runs exactly one reconcile: the files stored, their mappings, settings and decisions written, the numbers recomputed once', async () => {
    const session = openSession();
    // A first start on an empty profile imports the demo (fake-indexeddb stands in for the browser's).
    await session.start({ displayName: 'Test' });
    const before = session.stats();
    // The demo bundle again: workspace.json (settings), client and service maps, decisions, PSA and usage data.
    const files = Object.entries(generateDemoBundle()).map(([name, text]) => ({ name, blob: new Blob([text]) }));
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['workspace.json', 'client_map.csv', 'service_map.csv', 'decisions.csv']));
    const outcome = await session.importFiles(files);
    expect(outcome.ok).toBe(true);
    // Anything the import scheduled would have run by now: importFiles resolves after its refresh,
    // and the scheduler runs what arrived meanwhile before that resolves.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = session.stats();
    expect(after.reconciles - before.reconciles).toBe(1);
    expect(after.calls['recompute:reconcile']!.count - before.calls['recompute:reconcile']!.count).toBe(1);
    // (The dismissals decisions.csv brought are then stamped with their numbers: a review, not a reconcile.)
  }, 60_000);

  it('keeps the suggestion threshold in the document: setting it moves "Accept N" and reconciles nothing, and "Accept N" maps what it counted', async () => {
    // Another tab's session on the core the test above started.
    const session = openSession();
    await session.start({ displayName: 'Test' });
    // An empty client_map.csv: every integration client unmapped, with suggestions of every strength.
    const header = generateDemoBundle()['client_map.csv']!.split('\n')[0]!;
    expect((await session.importFiles([{ name: 'client_map.csv', blob: new Blob([`${header}\n`]) }])).ok).toBe(true);
    const before = session.stats();
    const at90 = await session.clientMapping(null);
    expect(at90.threshold).toBe(DEFAULT_APP_SETTINGS.suggestionThreshold);
    const rows = at90.rows!;
    const byDefinition = (threshold: number) => rows.filter((r) => r.status === 'unmapped' && (r.suggestions[0]?.score ?? 0) >= threshold).length;
    expect(at90.confident).toBe(byDefinition(0.9));

    expect(session.setSuggestionThreshold(0.6)).toBeNull();
    expect(settingsNow()?.suggestionThreshold).toBe(0.6);
    expect(session.state().settings.suggestionThreshold).toBe(0.6);
    const at60 = await session.clientMapping(at90.version);
    expect(at60.threshold).toBe(0.6);
    expect(at60.confident).toBe(byDefinition(0.6));
    // The demo has suggestions between the two thresholds, so the count moved.
    expect(at60.confident).toBeGreaterThan(at90.confident);
    expect(session.stats().reconciles).toBe(before.reconciles);

    // Outside its range: refused, nothing written.
    expect(session.setSuggestionThreshold(0.2)).toMatch(/from 0.5 to 1/);
    expect(settingsNow()?.suggestionThreshold).toBe(0.6);
    // A bundle's settings (workspace.json has no threshold) leave it as the workspace set it.
    batch(() => takeImport({}, { asOfMode: 'fixed', asOf: '2025-11-30T00:00:00Z', inactiveAfterDays: 21, staleAfterHours: 24, currency: 'USD' }, 'workspace.json'));
    expect(settingsNow()?.suggestionThreshold).toBe(0.6);

    const mappedBefore = mappingSnapshot().clientMap.filter((e) => e.status === 'mapped').length;
    expect(await session.acceptConfidentSuggestions()).toBeNull();
    expect(mappingSnapshot().clientMap.filter((e) => e.status === 'mapped').length - mappedBefore).toBe(at60.confident);
  }, 60_000);
});
