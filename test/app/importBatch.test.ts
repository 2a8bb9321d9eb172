import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcile } from '../../worker/engine/reconcile';
import { toReport } from '../../worker/engine/report';
import type { Report } from '../../worker/engine/report.types';
import { reconcileFiles } from '../../worker/reconcileFiles';
import { LedgerlineDb } from '../../worker/core/db';
import { importBatch, type ImportedMappings, type ImportInput, type ImportOutcome } from '../../worker/core/importBatch';
import { parseIsoDate } from '../../worker/engine/dates';
import { loadWorkspace } from '../../worker/core/loadWorkspace';

const DEMO = generateDemoBundle({ seed: 11 });
const inputs = (files: Record<string, string>): ImportInput[] => Object.entries(files).map(([name, text]) => ({ name, blob: new Blob([text]) }));
const NOW = () => new Date('2026-11-28T13:00:00Z');
let db: LedgerlineDb;
let n = 0;

beforeEach(() => {
  db = new LedgerlineDb(`test-${n++}`);
  doc = {};
});

/**
 * The workspace document's share, as the app keeps it: a successful import's mappings, decisions
 * and settings go to the document (their one home), not to IndexedDB.
 */
let doc: ImportedMappings = {};
async function importing(files: ImportInput[]): Promise<ImportOutcome> {
  const outcome = await importBatch(db, files, () => undefined, { now: NOW });
  if (outcome.ok) doc = { ...doc, ...outcome.mappings };
  return outcome;
}

/** The §8 report with every list in a canonical order (the spec leaves order free). */
async function report() {
  const bundle = await loadWorkspace(db, {}, undefined, { clientMap: doc.clientMap ?? [], serviceMap: doc.serviceMap ?? [], settings: doc.settings ?? null });
  bundle.decisions = (doc.decisions ?? []).map((d) => ({ ...d, effectiveDate: d.effectiveDate === null ? null : parseIsoDate(d.effectiveDate) }));
  return canonical(toReport(bundle, reconcile(bundle)));
}

function canonical(r: Report): Report {
  const sort = <T>(list: T[]) => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, sort(v as unknown[])])) as unknown as Report;
}

function cliReport(files: Record<string, string>): Report {
  const result = reconcileFiles(files);
  if (!result.ok) throw new Error('the bundle must be valid');
  return canonical(result.report);
}

describe('importing files into the local workspace', () => {
  it('stores a whole bundle so that it reconciles exactly as the CLI does', async () => {
    const outcome = await importing(inputs(DEMO));
    expect(outcome.ok).toBe(true);
    expect(await report()).toEqual(cliReport(DEMO));
  });

  it('keeps imported data only: a bundle\'s mappings, decisions and settings go to the document, not to IndexedDB', async () => {
    const outcome = await importing(inputs(DEMO));
    expect(outcome.ok && outcome.mappings.settings?.asOf).toBe(new Date(JSON.parse(DEMO['workspace.json']!).asOf).toISOString());
    expect(outcome.ok && outcome.mappings.clientMap?.length).toBeGreaterThan(0);
    const stored = (await db.datasets.toArray()).map((d) => d.dataset.kind).sort();
    expect(stored).toEqual(['psa_catalog', 'psa_clients', 'psa_lines', 'usage', 'workspace']);
    expect(await db.meta.get('settings')).toBeUndefined();
    // Their imports are still in the history.
    expect((await db.imports.toArray()).map((r) => r.kind)).toEqual(expect.arrayContaining(['client_map', 'service_map', 'decisions']));
  });

  it('recognises files by their header, whatever they are called', async () => {
    const renamed = Object.fromEntries(Object.entries(DEMO).map(([name, text], i) => [name.endsWith('.json') ? 'settings.json' : `export ${i}.csv`, text]));
    const outcome = await importBatch(db, inputs(renamed), () => undefined, { now: NOW });
    expect(outcome.ok && outcome.files.map((f) => f.kind).sort()).toEqual(['client_map', 'decisions', 'psa_catalog', 'psa_clients', 'psa_lines', 'service_map', 'usage', 'workspace']);
  });

  it('keeps nothing of a batch with one broken file, and lists the file, row and column', async () => {
    await importing(inputs(DEMO));
    const before = await report();
    const lines = DEMO['psa_lines.csv']!.split('\n');
    lines[2] = lines[2]!.replace(/,(\d+),/, ',1e3,');
    const outcome = await importBatch(db, inputs({ 'psa_clients.csv': 'client_id,client_name\nX,Only me\n', 'lines.csv': lines.join('\n') }), () => undefined, { now: NOW });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.messages).toEqual([expect.stringMatching(/^lines\.csv, row 3, column quantity: "1e3" is not a plain decimal/)]);
    expect(await report()).toEqual(before);
    const history = (await db.imports.toArray()).filter((h) => h.status === 'failed');
    expect(history.map((h) => h.fileName).sort()).toEqual(['lines.csv', 'psa_clients.csv']);
  });

  it('counts a failed usage import as a failed sync of its integrations (red)', async () => {
    const outcome = await importBatch(db, inputs({ 'usage.csv': 'integration_id,external_client_id,record_id,product,quantity\nm365,t1,u1,E3,abc\n' }), () => undefined, { now: NOW });
    expect(outcome.ok).toBe(false);
    expect((await report()).integrations).toEqual([{ integration_id: 'm365', status: 'red' }]);
  });

  it('replaces only the integrations a later usage file brings, and counts the import as their sync', async () => {
    await importing(inputs(DEMO));
    const rmmOnly = 'integration_id,external_client_id,external_client_name,record_id,product,category\nrmm,new-tenant,New Tenant,dev-1,Windows 11 Pro,workstation\n';
    const outcome = await importBatch(db, inputs({ 'rmm-sync.csv': rmmOnly }), () => undefined, { now: NOW });
    expect(outcome.ok).toBe(true);
    const bundle = await loadWorkspace(db);
    const perIntegration = new Map<string, number>();
    for (let i = 0; i < bundle.usage.length; i++) {
      const id = bundle.usage.integrationId.values[bundle.usage.integrationId.codes[i]!]!;
      perIntegration.set(id, (perIntegration.get(id) ?? 0) + 1);
    }
    expect(perIntegration.get('rmm')).toBe(1);
    expect(perIntegration.get('m365')).toBeGreaterThan(100);
    expect(bundle.settings.integrations.find((i) => i.id === 'rmm')?.lastSyncAt).toBe(NOW().getTime());
  });

  it('reports how many usage rows a later row with the same identity replaced', async () => {
    const usage = 'integration_id,external_client_id,record_id,product\nm365,t1,u1,E3\nm365,t1,u1,e3\nm365,t1,u2,E3\n';
    const outcome = await importBatch(db, inputs({ 'usage.csv': usage }), () => undefined, { now: NOW });
    expect(outcome.ok && outcome.files[0]).toMatchObject({ rows: 2, replaced: 1 });
    expect(outcome.ok && outcome.notes[0]).toContain('1 row was replaced');
  });

  it('holds back a drop with a file no profile knows, for the wizard, and writes nothing', async () => {
    const outcome = await importBatch(db, inputs({ 'notes.csv': 'when,what\n2026-11-01,hello\n', 'psa_clients.csv': 'client_id,client_name\nX,Only me\n' }), () => undefined, { now: NOW });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.messages).toEqual([]);
    expect(!outcome.ok && outcome.unknown.map((u) => [u.file, u.header])).toEqual([['notes.csv', ['when', 'what']]]);
    expect(await db.imports.count()).toBe(0);
    expect((await loadWorkspace(db)).clients).toEqual([]);
  });

  it('reads a bundle .zip like the folder it came from', async () => {
    const { zipBundle } = await import('../../worker/bundle/zip');
    const zip = zipBundle(DEMO);
    const outcome = await importing([{ name: 'november.zip', blob: new Blob([zip as BlobPart]) }]);
    expect(outcome.ok).toBe(true);
    expect(await report()).toEqual(cliReport(DEMO));
  });
});

describe('loading the workspace again', () => {
  it('hands the engine the very same data while no import changed it, and new data after one', async () => {
    await importing(inputs(DEMO));
    const cache = {};
    const first = await loadWorkspace(db, cache);
    const second = await loadWorkspace(db, cache);
    expect(second.usage).toBe(first.usage);
    expect(second.lines).toBe(first.lines);
    expect(second.clients).toBe(first.clients);
    await importing(inputs({ 'psa_lines.csv': DEMO['psa_lines.csv']! }));
    const third = await loadWorkspace(db, cache);
    expect(third.lines).not.toBe(first.lines);
    expect(third.lines).toEqual(first.lines);
    expect(third.clients).toBe(first.clients);
  });
});
