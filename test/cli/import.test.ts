/**
 * `import --out DIR PATH...`: raw exports to a bundle that `reconcile` reads. Spawns cost about a
 * second each, so few; the profiles are tested in test/sources.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../worker/engine/report.types';

const ROOT = resolve(import.meta.dirname, '../..');
// As `npm run -s import` / `reconcile` run them: the prebuilt bundle through the launcher.
const LAUNCHER = join(ROOT, 'scripts', 'cli.mjs');
const RAW = join(ROOT, 'test', 'fixtures', 'raw');
const AS_OF = '2026-11-28T12:00:00Z';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-import-'));
  dirs.push(dir);
  return dir;
}

function run(cli: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [LAUNCHER, cli.replace(/\.ts$/, ''), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe('import CLI', () => {
  it('turns a folder of raw exports into a bundle that reconcile reads, one line per file on stderr', async () => {
    const out = tempDir();
    const imported = await run('import.ts', '--out', out, '--as-of', AS_OF, join(RAW, '2026-11'));
    expect(imported.code).toBe(0);
    const lines = imported.stderr.trim().split('\n');
    expect(lines.filter((l) => /rows read, \d+ rows written/.test(l))).toHaveLength(7);
    expect(lines).toContainEqual(expect.stringMatching(/^m365-acmedental\.csv: Microsoft 365 · Active users, 6 rows read, 4 rows written .* 3 skipped \(Licenses is "Unlicensed": 3\)/));
    expect(readdirSync(out).sort()).toEqual(['client_map.csv', 'psa_catalog.csv', 'psa_clients.csv', 'psa_lines.csv', 'service_map.csv', 'usage.csv', 'workspace.json']);

    const reconciled = await run('reconcile.ts', '--bundle', out);
    expect(reconciled.code).toBe(0);
    const report = JSON.parse(reconciled.stdout) as Report;
    expect(report.clients.map((c) => c.client_id).sort()).toEqual(['acme-dental-group-llc', 'brightside-law-pllc', 'contoso-ltd']);
    // Nothing is mapped yet: every source's clients wait for the client mapping.
    expect(report.unmapped_clients.map((u) => `${u.integration_id}/${u.external_client_id}`)).toContain('m365/acmedental.com');
    expect(report.integrations.map((i) => `${i.integration_id}:${i.status}`).sort()).toEqual(['m365:green', 'nable:green', 'ninjaone:green', 'pax8:green', 'sentinelone:green']);
  });

  it('keeps the first tenant when a second Microsoft 365 tenant file comes, and replaces only a tenant that comes again', async () => {
    const out = tempDir();
    expect((await run('import.ts', '--out', out, '--as-of', AS_OF, join(RAW, '2026-11', 'm365-acmedental.csv'), join(RAW, '2026-11', 'm365-brightside-de.csv'))).code).toBe(0);
    const again = join(tempDir(), 'm365-acmedental.csv');
    writeFileSync(again, 'Display name,User principal name,Licenses,Blocked sign-in\nAnn Lee,ann@acmedental.com,Microsoft 365 Business Basic,False\n');
    expect((await run('import.ts', '--out', out, again)).code).toBe(0);
    const usage = readFileSync(join(out, 'usage.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
    expect(usage.filter((l) => l.includes('acmedental.com'))).toEqual(['m365,acmedental.com,acmedental.com,ann@acmedental.com,Microsoft 365 Business Basic,,,']);
    expect(usage.filter((l) => l.includes('brightside-law.de'))).toHaveLength(3);
  });

  it('exits 2 naming file, row and column, and writes nothing, when one file of the drop is bad', async () => {
    const input = tempDir();
    copyFileSync(join(RAW, '2026-11', 'ninjaone-devices.csv'), join(input, 'ninjaone-devices.csv'));
    mkdirSync(join(input, 'nable'));
    writeFileSync(join(input, 'nable', 'efile.csv'), 'Usage Customer,Device ID,Product,UOM,Quantity,Last Seen\nAcme,NB-1,Server,Device,12x,27/11/2026\n');
    const out = tempDir();
    const result = await run('import.ts', '--out', out, input);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nable\/efile\.csv, row 2, column Quantity: "12x"/);
    expect(result.stderr).toContain('import: nothing written');
    expect(readdirSync(out)).toEqual([]);
  });

  it('reads an export made with another date order when told so with --date-order', async () => {
    const input = join(tempDir(), 'ninjaone-uk.csv');
    writeFileSync(input, 'ID,Display Name,Client Name,Role,Last Online\n1001,ACME-DC01,Acme,WINDOWS_SERVER,27/11/2026 15:42\n');
    const out = tempDir();
    const refused = await run('import.ts', '--out', out, input);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ninjaone-uk\.csv, row 2, column Last Online: "27\/11\/2026 15:42" is not a real date read as M\/D\/Y .*set its date order/);
    expect((await run('import.ts', '--out', out, '--date-order', 'DMY', input)).code).toBe(0);
    expect(readFileSync(join(out, 'usage.csv'), 'utf8')).toContain('ninjaone,Acme,Acme,1001,WINDOWS_SERVER,,,2026-11-27');
  });

  it('reads one file by the profile given for it with --profile FILE=ID, the others by their header', async () => {
    const input = tempDir();
    // A Pax8 invoice cut down to three columns: too little for its header to be recognised.
    writeFileSync(join(input, 'pax8-lines.csv'), 'Company Name,Description,Quantity\nAcme Dental Group,Microsoft 365 Business Premium - Monthly,"1,005"\n');
    copyFileSync(join(RAW, '2026-11', 'sentinelone-endpoints.csv'), join(input, 'sentinelone-endpoints.csv'));
    const out = tempDir();
    const unknown = await run('import.ts', '--out', out, '--as-of', AS_OF, input);
    expect(unknown.code).toBe(2);
    const result = await run('import.ts', '--out', out, '--as-of', AS_OF, '--profile', 'pax8-lines.csv=pax8-invoice', input);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^pax8-lines\.csv: Pax8 · Invoice, 1 rows? read/m);
    expect(result.stderr).toMatch(/^sentinelone-endpoints\.csv: SentinelOne · Endpoints/m);
    expect(readFileSync(join(out, 'usage.csv'), 'utf8')).toContain('pax8,Acme Dental Group,Acme Dental Group,line-2,Microsoft 365 Business Premium,,1005,');
  });

  it('refuses --profile FILE=ID naming a file that is not among the inputs, writing nothing', async () => {
    const out = tempDir();
    const result = await run('import.ts', '--out', out, '--profile', 'nosuch.csv=pax8-invoice', join(RAW, '2026-11', 'pax8-invoice-2026-11.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--profile nosuch.csv=pax8-invoice: no file "nosuch.csv" among the inputs (pax8-invoice-2026-11.csv)');
    expect(readdirSync(out)).toEqual([]);
  });

  it('reads one file day-first with --date-order FILE=DMY while another keeps its profile\'s US dates', async () => {
    const input = tempDir();
    writeFileSync(join(input, 'ninjaone-uk.csv'), 'ID,Display Name,Client Name,Role,Last Online\n1001,ACME-DC01,Acme,WINDOWS_SERVER,03/11/2026 15:42\n');
    writeFileSync(join(input, 'ninjaone-us.csv'), 'ID,Display Name,Client Name,Role,Last Online\n2001,BSL-LT01,Brightside,MAC,03/11/2026 3:42 PM\n');
    const out = tempDir();
    const result = await run('import.ts', '--out', out, '--as-of', AS_OF, '--date-order', 'ninjaone-uk.csv=DMY', input);
    expect(result.code).toBe(0);
    const usage = readFileSync(join(out, 'usage.csv'), 'utf8');
    expect(usage).toContain('ninjaone,Acme,Acme,1001,WINDOWS_SERVER,,,2026-11-03');
    expect(usage).toContain('ninjaone,Brightside,Brightside,2001,MAC,,,2026-03-11');
  });

  it('reads one file\'s numbers the German way with --locale FILE=de-DE while another keeps its profile\'s', async () => {
    const input = tempDir();
    const header = 'Usage Customer,Device ID,Product,UOM,Quantity,Last Seen\n';
    writeFileSync(join(input, 'nable-de.csv'), `${header}Acme,NB-1,Cove Data Protection - Server,GB,"2.576,49",27.11.2026\n`);
    writeFileSync(join(input, 'nable-en.csv'), `${header}Contoso,NB-2,Cove Data Protection - Server,GB,"1,812.5",28/11/2026\n`);
    const out = tempDir();
    const result = await run('import.ts', '--out', out, '--as-of', AS_OF, '--locale', 'nable-de.csv=de-DE', input);
    expect(result.code).toBe(0);
    const usage = readFileSync(join(out, 'usage.csv'), 'utf8');
    expect(usage).toContain('nable,Acme,Acme,NB-1,Cove Data Protection - Server,GB,2576.49,2026-11-27');
    expect(usage).toContain('nable,Contoso,Contoso,NB-2,Cove Data Protection - Server,GB,1812.5,2026-11-28');
  });

  it('keeps an addition cancelled inside the as-of month before asOf as a line that is not current; one cancelled after asOf is current', async () => {
    const input = join(tempDir(), 'cw.csv');
    writeFileSync(input, [
      'Company Name,Agreement Name,Agreement Type,Product ID,Description,Quantity,Unit Price,Bill Customer,Effective Date,Cancelled Date',
      'Acme,Acme MSA,Managed Services,EDR,Managed EDR,3,$8.00,Billable,01/01/2026,11/15/2026',
      'Acme,Acme MSA,Managed Services,MS-WKS,Managed Workstation,2,$45.00,Billable,01/01/2026,11/29/2026',
    ].join('\n'));
    const out = tempDir();
    expect((await run('import.ts', '--out', out, '--as-of', AS_OF, input)).code).toBe(0);
    const report = JSON.parse((await run('reconcile.ts', '--bundle', out)).stdout) as Report;
    // asOf 2026-11-28: EDR's period (Nov 1–15) does not hold it, so the line is not current (spec §3); MS-WKS's (Nov 1–29) does.
    expect(report.clients.map((c) => [c.client_id, c.service_count])).toEqual([['acme', 1]]);
  });

  it('imports an .xlsx export: the sheet with the header, its typed numbers and dates', async () => {
    const out = tempDir();
    const result = await run('import.ts', '--out', out, '--as-of', AS_OF, join(RAW, 'xlsx', 'nable-efile-2026-11.xlsx'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^nable-efile-2026-11\.xlsx: N-able · Billing efile, 3 rows read, 3 rows written/m);
    expect(result.stderr).toContain('sheet "Usage"');
    expect(readFileSync(join(out, 'usage.csv'), 'utf8').trim().split(/\r?\n/).slice(1)).toEqual([
      'nable,Acme Dental Group,Acme Dental Group,NB-501,Cove Data Protection - Server,GB,2576.49,2026-11-27',
      'nable,Contoso Ltd,Contoso Ltd,NB-601,Cove Data Protection - Server,GB,812.5,2026-11-28',
      'nable,Contoso Ltd,Contoso Ltd,NB-602,Workstation,Device,1,2026-11-03',
    ]);
  });

  it('exits 2 for a file no profile knows, pointing at --profile and the wizard', async () => {
    const result = await run('import.ts', '--out', tempDir(), join(RAW, 'acronis-unknown.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/acronis-unknown\.csv, row \d+: no profile knows this header.*--profile/);
  });
});
