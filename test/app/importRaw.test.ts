import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { draftFromProfile, guessDraft, profileFromDraft } from '../../worker/sources/profileDraft';
import { LedgerlineDb } from '../../worker/core/db';
import { importBatch, type ImportInput, type ImportOutcome } from '../../worker/core/importBatch';
import { loadWorkspace } from '../../worker/core/loadWorkspace';
import { previewConversion } from '../../worker/sources/previewConversion';
import { tenantNameKey } from '../../worker/doc/keys';
import type { RawTable } from '../../worker/sources/types';
import type { UsageTable } from '../../worker/engine/model';

const RAW = join(__dirname, '../fixtures/raw');
const month = (dir: string): ImportInput[] => readdirSync(join(RAW, dir)).sort().map((name) => ({ name: `${dir}/${name}`, blob: new Blob([readFileSync(join(RAW, dir, name))]) }));
const file = (path: string, as = path): ImportInput => ({ name: as, blob: new Blob([readFileSync(join(RAW, path))]) });
const text = (name: string, body: string): ImportInput => ({ name, blob: new Blob([body]) });
const NOW = () => new Date('2026-11-28T13:00:00Z');
let db: LedgerlineDb;
let n = 0;

beforeEach(() => {
  db = new LedgerlineDb(`raw-${n++}`);
});

function ok(outcome: ImportOutcome) {
  if (!outcome.ok) throw new Error(`import failed: ${outcome.messages.join('\n')} ${outcome.unknown.map((u) => u.file).join(', ')}`);
  return outcome;
}

/** Usage rows per (integration, external client). */
function perClient(usage: UsageTable): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < usage.length; i++) {
    const key = `${usage.integrationId.values[usage.integrationId.codes[i]!]}/${usage.externalClientId.values[usage.externalClientId.codes[i]!]}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const M365_HEADER = 'Display name,User principal name,Licenses,Blocked sign-in\n';
const tenant = (domain: string, users: string[]) => M365_HEADER + users.map((u) => `${u},${u}@${domain},Microsoft 365 Business Premium,False\n`).join('');

describe('importing raw exports', () => {
  it('imports a folder of real exports, accounting for every file and row', async () => {
    const outcome = ok(await importBatch(db, [...month('2026-11'), text('2026-11/.DS_Store', 'junk'), text('2026-11/readme.pdf', '%PDF')], () => undefined, { now: NOW }));
    const byFile = Object.fromEntries(outcome.report.map((r) => [r.file.replace(/^2026-11\//, ''), r]));
    expect(byFile['m365-acmedental.csv']).toMatchObject({ status: 'imported', profile: 'Microsoft 365 · Active users', client: 'acmedental.com', rowsRead: 6, skippedRows: { 'Licenses is "Unlicensed"': 3 } });
    expect(byFile['m365-brightside-de.csv']!.notes.join(' ')).toMatch(/read as Windows-1252/);
    expect(byFile['m365-brightside-de.csv']!.notes.join(' ')).toContain('m365-brightside-de.csv');
    expect(byFile['.DS_Store']).toMatchObject({ status: 'skipped' });
    expect(byFile['readme.pdf']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/not a table/) });
    expect(byFile['connectwise-additions.csv']).toMatchObject({ status: 'imported', rowsWritten: 14 });
    for (const r of outcome.report.filter((x) => x.status === 'imported')) expect(r.rowsWritten).toBeGreaterThan(0);

    const bundle = await loadWorkspace(db);
    expect(perClient(bundle.usage)).toMatchObject({ 'm365/acmedental.com': 4, 'm365/brightside-law.de': 3 });
    const m365 = bundle.settings.integrations.find((i) => i.id === 'm365')!;
    expect(m365).toMatchObject({ name: 'Microsoft 365', kind: 'licenses', lastSyncStatus: 'ok' });
    expect(bundle.settings.integrations.map((i) => i.name)).not.toContain('m365');
    expect(bundle.clients.length).toBeGreaterThan(0);
    expect(bundle.lines.length).toBe(14);
  });

  it('replaces only that tenant when a second Microsoft 365 file comes later', async () => {
    ok(await importBatch(db, [text('contoso.csv', tenant('contoso.com', ['a', 'b', 'c'])), text('fabrikam.csv', tenant('fabrikam.com', ['x', 'y']))], () => undefined, { now: NOW }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/contoso.com': 3, 'm365/fabrikam.com': 2 });
    ok(await importBatch(db, [text('contoso-december.csv', tenant('contoso.com', ['a']))], () => undefined, { now: NOW }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/contoso.com': 1, 'm365/fabrikam.com': 2 });
    // A whole-integration bundle usage file replaces every tenant of it.
    ok(await importBatch(db, [text('usage.csv', 'integration_id,external_client_id,record_id,product\nm365,t1,u1,E3\n')], () => undefined, { now: NOW }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/t1': 1 });
    // …and a tenant file after it takes only its tenant's rows out of it.
    ok(await importBatch(db, [text('contoso.csv', tenant('contoso.com', ['a', 'b']))], () => undefined, { now: NOW }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/t1': 1, 'm365/contoso.com': 2 });
    const current = await db.getMeta('current', { usage: {} });
    expect(Object.keys(current.usage).sort()).toEqual(['m365', 'm365\u0000contoso.com']);
  });

  it('renames a tenant: its rows move to the new name, and next month\'s file keeps it', async () => {
    ok(await importBatch(db, [text('contoso.csv', tenant('contoso.com', ['a', 'b'])), text('fabrikam.csv', tenant('fabrikam.com', ['x']))], () => undefined, { now: NOW }));
    const names = { [tenantNameKey('m365', 'contoso.com')]: 'Contoso Ltd' };
    ok(await importBatch(db, [text('contoso.csv', tenant('contoso.com', ['a', 'b']))], () => undefined, { now: NOW, tenantNames: names, overrides: { 'contoso.csv': { replacesClient: 'contoso.com' } } }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/Contoso Ltd': 2, 'm365/fabrikam.com': 1 });
    ok(await importBatch(db, [text('contoso-december.csv', tenant('contoso.com', ['a']))], () => undefined, { now: NOW, tenantNames: names }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/Contoso Ltd': 1, 'm365/fabrikam.com': 1 });
  });

  it('offers a recognised file whose values do not read to the wizard, from its profile, and keeps nothing', async () => {
    const uk = 'ID,Display Name,Client Name,Role,Last Online\n1001,ACME-DC01,Acme,WINDOWS_SERVER,27/11/2026 15:42\n';
    const outcome = await importBatch(db, [text('ninjaone-uk.csv', uk)], () => undefined, { now: NOW });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors[0]).toMatchObject({ file: 'ninjaone-uk.csv', row: 2, column: 'Last Online' });
    expect(outcome.adjustable.map((f) => [f.file, f.nearest[0]?.profile.id, f.nearest[0]?.score])).toEqual([['ninjaone-uk.csv', 'ninjaone-devices', 1]]);
    expect(outcome.report[0]).toMatchObject({ status: 'failed', adjustable: true, profile: 'NinjaOne · Devices' });
    expect((await loadWorkspace(db)).usage.length).toBe(0);
  });

  it('takes a tenant out of a whole-integration import when its own file arrives', async () => {
    ok(await importBatch(db, [text('usage.csv', 'integration_id,external_client_id,record_id,product\nm365,contoso.com,old@contoso.com,E3\nm365,t2,u2,E3\n')], () => undefined, { now: NOW }));
    ok(await importBatch(db, [text('contoso.csv', tenant('contoso.com', ['a', 'b']))], () => undefined, { now: NOW }));
    expect(perClient((await loadWorkspace(db)).usage)).toEqual({ 'm365/t2': 1, 'm365/contoso.com': 2 });
  });

  it('refuses two files of the same tenant in one drop, and writes nothing', async () => {
    const outcome = await importBatch(db, [text('a.csv', tenant('contoso.com', ['a'])), text('b.csv', tenant('contoso.com', ['b']))], () => undefined, { now: NOW });
    expect(!outcome.ok && outcome.messages.join('\n')).toMatch(/a\.csv and b\.csv are both Microsoft 365 usage of "contoso\.com"/);
    expect((await loadWorkspace(db)).usage.length).toBe(0);
  });

  it('keeps nothing of a drop when one raw file has a bad value, naming file, row and column', async () => {
    const broken = 'Usage Customer,Device ID,Device Name,Product,UOM,Quantity,Last Seen\nAcme,NB-1,DC01,Cove,GB,lots,27/11/2026\n';
    const outcome = await importBatch(db, [file('2026-11/ninjaone-devices.csv', 'ninja.csv'), text('efile.csv', broken)], () => undefined, { now: NOW });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.messages[0]).toMatch(/^efile\.csv, row 2, column Quantity: /);
    expect((await loadWorkspace(db)).usage.length).toBe(0);
    expect(!outcome.ok && outcome.report.find((r) => r.file === 'efile.csv')?.status).toBe('failed');
  });

  it('records the export time as the last sync when the file carries one, else the import time', async () => {
    const later = () => new Date('2026-11-30T08:00:00Z');
    ok(await importBatch(db, [file('2026-11/ninjaone-devices.csv'), file('2026-11/m365-acmedental.csv')], () => undefined, { now: later }));
    const integrations = (await loadWorkspace(db)).settings.integrations;
    const ninja = integrations.find((i) => i.id === 'ninjaone')!;
    expect(ninja.name).toBe('NinjaOne');
    // The latest Last Online, "11/28/2026 11:59:59 PM": no zone in the file, so read as UTC.
    expect(ninja.lastSyncAt).toBe(Date.parse('2026-11-28T23:59:59Z'));
    // An M365 user list carries no time of its own.
    expect(integrations.find((i) => i.id === 'm365')!.lastSyncAt).toBe(Date.parse('2026-11-30T08:00:00Z'));
  });

  it('caps the export time at the import time: an export is never newer than its import', async () => {
    // Imported at 13:00 UTC while the file's latest Last Online reads 23:59:59 (a local time east of UTC, or a clock ahead).
    ok(await importBatch(db, [file('2026-11/ninjaone-devices.csv')], () => undefined, { now: NOW }));
    const ninja = (await loadWorkspace(db)).settings.integrations.find((i) => i.id === 'ninjaone')!;
    expect(ninja.lastSyncAt).toBe(Date.parse('2026-11-28T13:00:00Z'));
  });

  it('reads raw exports inside a .zip, and lists a stray JSON as skipped', async () => {
    const zip = zipSync({ 'export/contoso.csv': strToU8(tenant('contoso.com', ['a'])), 'export/notes.json': strToU8('{"hello":1}'), '__MACOSX/export/._contoso.csv': strToU8('x') });
    const outcome = ok(await importBatch(db, [{ name: 'm365.zip', blob: new Blob([zip as BlobPart]) }], () => undefined, { now: NOW }));
    expect(outcome.report.map((r) => [r.file, r.status])).toEqual(expect.arrayContaining([
      ['m365.zip/export/contoso.csv', 'imported'],
      ['m365.zip/export/notes.json', 'skipped'],
    ]));
    expect(outcome.report.every((r) => r.status === 'imported' || r.reason)).toBe(true);
  });

  it('maps an unknown file with a saved profile, and applies it next month without asking', async () => {
    const first = await importBatch(db, [file('acronis-unknown.csv')], () => undefined, { now: NOW, unknownTables: new Map() });
    expect(first.ok).toBe(false);
    const unknown = !first.ok ? first.unknown[0]! : null;
    expect(unknown?.header).toEqual(['Tenant', 'Protected machine', 'Plan', 'Storage used (GB)', 'Last backup']);
    const draft = guessDraft(unknown!.file, unknown!.header, unknown!.sample, unknown!.delimiter);
    expect(draft.fields.record_id).toMatchObject({ mode: 'column', column: 'Protected machine' });
    expect(draft.fields.external_client_id).toMatchObject({ mode: 'column', column: 'Tenant' });
    expect(draft.locale).toMatchObject({ decimal: ',', dateOrder: 'DMY' });
    const profile = profileFromDraft({ ...draft, name: 'Acronis backup report' });

    const tables = new Map<string, RawTable>();
    await importBatch(db, [file('acronis-unknown.csv')], () => undefined, { now: NOW, unknownTables: tables });
    const preview = previewConversion(tables.get('acronis-unknown.csv')!, profile);
    expect(preview.errors).toEqual([]);
    expect(preview.rows[0]).toMatchObject({ integration_id: 'acronis', external_client_id: 'acme', record_id: 'ACME-DC01', product: 'Server', quantity: '1024.5', last_active: '2026-11-28' });

    const second = ok(await importBatch(db, [file('acronis-unknown.csv')], () => undefined, { now: NOW, profiles: [profile], overrides: { 'acronis-unknown.csv': { profileId: profile.id } } }));
    expect(second.report[0]).toMatchObject({ status: 'imported', profile: 'Acronis backup report (saved profile)' });
    // Next month: the same header, no override: recognised by the saved profile.
    const next = ok(await importBatch(db, [file('acronis-unknown.csv', 'acronis-december.csv')], () => undefined, { now: NOW, profiles: [profile] }));
    expect(next.report[0]).toMatchObject({ status: 'imported', profile: 'Acronis backup report (saved profile)' });
  });

  it('lets the user skip an unknown file and import the rest', async () => {
    const outcome = ok(await importBatch(db, [file('acronis-unknown.csv'), file('2026-11/ninjaone-devices.csv', 'ninja.csv')], () => undefined, { now: NOW, skip: ['acronis-unknown.csv'] }));
    expect(outcome.report.map((r) => [r.file, r.status])).toEqual([['acronis-unknown.csv', 'skipped'], ['ninja.csv', 'imported']]);
  });

  it('turns a built-in profile into an editable draft and back unchanged', async () => {
    const { BUILTIN_PROFILES } = await import('../../worker/sources/builtinProfiles');
    for (const builtin of BUILTIN_PROFILES) {
      const copy = profileFromDraft(draftFromProfile(builtin, null, { copy: false }));
      expect({ ...copy, origin: 'builtin' }).toEqual(builtin);
    }
  });
});
