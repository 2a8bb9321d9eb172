import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../worker/sources/builtinProfiles';
import { tenantNameKey } from '../../worker/doc/keys';
import { convertFile } from '../../worker/sources/convertFiles';
import { cycleOfPeriod } from '../../worker/sources/convert';
import { AS_OF, converted, outcomeOf, rawBytes, usageTuples } from './fixtures';
import { encode1252 } from './helpers/encodings';

/** Each built-in profile on a small raw export with its real header and warts; rows worked out by hand. */

describe('Microsoft 365 · Active users', () => {
  it('gives one usage row per assigned licence, Unlicensed users none', async () => {
    const c = await converted('2026-11/m365-acmedental.csv');
    expect(c.profile.id).toBe('m365-active-users');
    expect(usageTuples(c)).toEqual([
      ['acmedental.com', 'ann@acmedental.com', 'Microsoft 365 Business Premium', '', '', ''],
      ['acmedental.com', 'ann@acmedental.com', 'Microsoft Teams Exploratory', '', '', ''],
      ['acmedental.com', 'bob@acmedental.com', 'Microsoft 365 Business Premium', 'Blocked sign-in', '', ''],
      ['acmedental.com', 'dan@acmedental.com', 'Microsoft 365 Business Basic', '', '', ''],
    ]);
    expect(c.skipped).toEqual({ 'Licenses is "Unlicensed"': 3 });
    expect(c.rowsRead).toBe(6);
  });

  it('names the tenant after its most common UPN domain, guests (#EXT#) not splitting it', async () => {
    const c = await converted('2026-11/m365-acmedental.csv');
    expect(new Set(c.usage.map((r) => r.external_client_id))).toEqual(new Set(['acmedental.com']));
    expect(c.scope).toEqual({ integrationId: 'm365', externalClientId: 'acmedental.com', foundName: 'acmedental.com' });
  });

  it('lets the user name the tenant of one file', async () => {
    const c = await converted('2026-11/m365-acmedental.csv', undefined, { clientName: 'Acme Dental' });
    expect(new Set(c.usage.map((r) => `${r.external_client_id}|${r.external_client_name}`))).toEqual(new Set(['Acme Dental|Acme Dental']));
  });

  it('keeps a name the workspace gave the tenant for next month\'s file, and says so', async () => {
    const outcome = await convertFile({ name: 'm365.csv', bytes: rawBytes('2026-11/m365-acmedental.csv') }, BUILTIN_PROFILES, {}, { asOf: AS_OF, tenantNames: { [tenantNameKey('m365', 'acmedental.com')]: 'Acme Dental' } });
    expect(outcome.status).toBe('converted');
    if (outcome.status !== 'converted') return;
    expect(outcome.conversion.scope).toEqual({ integrationId: 'm365', externalClientId: 'Acme Dental', foundName: 'acmedental.com' });
    expect(outcome.conversion.notes).toContain('m365.csv: the Microsoft 365 tenant "acmedental.com" is named "Acme Dental" in this workspace');
  });

  it('replaces the rows of the name it had before when a tenant is renamed', async () => {
    const c = await converted('2026-11/m365-acmedental.csv', undefined, { clientName: 'Acme Dental', replacesClient: 'acmedental.com' });
    expect(c.scope?.replaces).toEqual(['acmedental.com']);
  });

  it('reads a German Excel re-save: Windows-1252, semicolons, German headers, WAHR/FALSCH', async () => {
    const c = await converted('2026-11/m365-brightside-de.csv');
    expect(usageTuples(c)).toEqual([
      ['brightside-law.de', 'juergen.mueller@brightside-law.de', 'Microsoft 365 Business Standard', '', '', ''],
      ['brightside-law.de', 'anna.schaefer@brightside-law.de', 'Microsoft 365 Business Standard', 'Blocked sign-in', '', ''],
      ['brightside-law.de', 'anna.schaefer@brightside-law.de', 'Exchange Online (Plan 1)', 'Blocked sign-in', '', ''],
    ]);
    expect(c.skipped).toEqual({ 'Lizenzen is "Nicht lizenziert"': 1 });
    expect(c.notes.some((n) => n.includes('m365-brightside-de.csv') && n.includes('Windows-1252'))).toBe(true);
  });

  it('is one integration, Microsoft 365, of kind licenses', async () => {
    const c = await converted('2026-11/m365-acmedental.csv');
    expect(c.integration).toEqual({ id: 'm365', name: 'Microsoft 365', kind: 'licenses', exportedAt: null });
  });
});

describe('NinjaOne · Devices', () => {
  it('gives one row per device: client, device id, role as product, Last Online as a date', async () => {
    const c = await converted('2026-11/ninjaone-devices.csv');
    expect(usageTuples(c)).toEqual([
      ['Acme Dental Group', '1001', 'WINDOWS_SERVER', '', '', '2026-11-27'],
      ['Acme Dental Group', '1002', 'WINDOWS_WORKSTATION', '', '', '2026-11-28'],
      ['Acme Dental Group', '1003', 'WINDOWS_WORKSTATION', '', '', '2026-10-01'],
      ['Brightside Law', '2001', 'MAC', '', '', '2026-11-26'],
      ['Brightside Law', '2002', 'NMS_SWITCH', '', '', '2026-11-28'],
      ['Contoso Ltd', '3001', 'WINDOWS_SERVER', '', '', '2026-11-28'],
    ]);
    expect(c.scope).toEqual({ integrationId: 'ninjaone', externalClientId: null });
  });
});

describe('Pax8 · Invoice', () => {
  it('counts by quantity, product before " - " without [Deprecated] or [options:…], each line its own record', async () => {
    const c = await converted('2026-11/pax8-invoice-2026-11.csv');
    expect(usageTuples(c)).toEqual([
      ['Acme Dental Group', 'line-2', 'Microsoft 365 Business Premium', '', '5', ''],
      ['Acme Dental Group', 'line-3', 'Exchange Online (Plan 1)', '', '2', ''],
      ['Acme Dental Group', 'line-4', 'Microsoft 365 Business Premium', '', '1', ''],
      ['Contoso Ltd', 'line-5', 'Microsoft 365 E3', '', '1200', ''],
    ]);
  });

  it('reads Unit Price and Total as money under the file\'s locale, naming file, row and column of one that does not read', async () => {
    const text = [
      'Invoice Number,Invoice Date,Company Name,Description,SKU,Quantity,Unit Price,Total',
      'INV-1,11/01/2026,Acme,Microsoft 365 E3 - Annual,SKU1,"1,200",$36.00,"$43,200.00"',
      'INV-1,11/01/2026,Acme,Microsoft 365 E5 - Annual,SKU2,2,"$57,00",$114.00',
      'INV-1,11/01/2026,Acme,Exchange Online (Plan 1) - Monthly,SKU3,2,$4.00,four dollars',
    ].join('\n');
    const outcome = await outcomeOf('pax8.csv', new TextEncoder().encode(text));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors.map((e) => [e.file, e.row, e.column])).toEqual([
      ['pax8.csv', 3, 'Unit Price'],
      ['pax8.csv', 4, 'Total'],
    ]);
  });
});

describe('N-able · Billing efile', () => {
  it('reads Usage Customer, Device ID, UOM as category, quantities with thousands separators, day/month/year dates', async () => {
    const c = await converted('2026-11/nable-efile-2026-11.csv');
    expect(usageTuples(c)).toEqual([
      ['Acme Dental Group', 'NB-501', 'Cove Data Protection - Server', 'GB', '2576.49', '2026-11-27'],
      ['Contoso Ltd', 'NB-601', 'Cove Data Protection - Server', 'GB', '812.5', '2026-11-28'],
      ['Contoso Ltd', 'NB-602', 'Workstation', 'Device', '1', '2026-11-03'],
    ]);
  });

  it('reads the .xlsx efile (a summary sheet first, typed numbers and dates) to the same rows as the CSV', async () => {
    const xlsx = await converted('xlsx/nable-efile-2026-11.xlsx');
    expect(usageTuples(xlsx)).toEqual(usageTuples(await converted('2026-11/nable-efile-2026-11.csv')));
    expect(xlsx.notes.join(' ')).toContain('Usage');
  });
});

describe('SentinelOne · Endpoints', () => {
  it('gives one agent per endpoint, client = Site, category = machine type', async () => {
    const c = await converted('2026-11/sentinelone-endpoints.csv');
    expect(usageTuples(c)).toEqual([
      ['Acme Dental Group', '6f1c2a90e2b14c7d', 'SentinelOne agent', 'desktop', '', '2026-11-28'],
      ['Acme Dental Group', '6f1c2a90e2b14c7e', 'SentinelOne agent', 'server', '', '2026-11-27'],
      ['Brightside Law', '9a0b7c6d5e4f3a21', 'SentinelOne agent', 'laptop', '', '2026-11-26'],
    ]);
  });

  it('takes the Account as the client where the site is "Default site" (any case or spacing) or blank, so two accounts do not merge', async () => {
    const c = await converted('sentinelone/two-accounts-default-sites.csv');
    expect(c.usage.map((r) => [r.external_client_id, r.external_client_name, r.record_id])).toEqual([
      ['Fabrikam Dental', 'Fabrikam Dental', '1a2b3c4d5e6f7081'],
      ['Fabrikam Dental', 'Fabrikam Dental', '1a2b3c4d5e6f7082'],
      ['Northwind Traders', 'Northwind Traders', '2b3c4d5e6f708192'],
      ['Northwind Traders', 'Northwind Traders', '2b3c4d5e6f708193'],
      // A site of its own stays the client.
      ['Northwind Warehouse', 'Northwind Warehouse', '2b3c4d5e6f708194'],
    ]);
  });

  it('refuses a "Default site" row whose account is blank, naming file, row and column', async () => {
    const text = 'Endpoint Name,Account Name,Site,Machine Type,Last Active,Agent UUID\nFAB-WS01,,Default Site,desktop,2026-11-28T09:00:00Z,1a2b\n';
    const outcome = await outcomeOf('s1.csv', new TextEncoder().encode(text));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors.map((e) => [e.file, e.row, e.column, e.message])).toEqual([['s1.csv', 2, 'Site', '"Default Site" names no client of its own, and Account Name is blank too']]);
  });
});

describe('ConnectWise · Agreement additions', () => {
  it('gives PSA clients with ids stable across exports (the name in dashes)', async () => {
    const c = await converted('2026-11/connectwise-additions.csv');
    expect(c.clients).toEqual([
      { client_id: 'acme-dental-group-llc', client_name: 'Acme Dental Group, LLC' },
      { client_id: 'brightside-law-pllc', client_name: 'Brightside Law PLLC' },
      { client_id: 'contoso-ltd', client_name: 'Contoso Ltd' },
    ]);
  });

  it('bills the month of asOf on one invoice per client, clipped to Effective/Cancelled; a cancelled addition is not current', async () => {
    const c = await converted('2026-11/connectwise-additions.csv');
    const lines = c.lines.map((l) => [l.client_id, l.invoice_id, l.service_id, l.quantity, l.unit_price, l.billing_cycle, l.period_start, l.period_end]);
    expect(lines).toEqual([
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'M365-BP', '6', '22', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'MS-SERVER', '1', '150', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'MS-WKS', '2', '45', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'M365-BP (no charge)', '1', '0', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'BACKUP-GB', '2500', '0.1', 'monthly', '2026-11-01', '2026-11-30'],
      // Annual agreement type: the year from the Effective Date's anniversary.
      ['brightside-law-pllc', 'brightside-law-pllc-2026-11', 'M365-BS', '3', '12.5', 'annual', '2026-03-15', '2027-03-14'],
      ['contoso-ltd', 'contoso-ltd-2026-11', 'M365-E3', '1150', '36', 'monthly', '2026-11-01', '2026-11-30'],
      ['contoso-ltd', 'contoso-ltd-2026-11', 'MS-SERVER', '1', '150', 'monthly', '2026-11-01', '2026-11-30'],
      ['contoso-ltd', 'contoso-ltd-2026-11', 'BACKUP-GB', '800', '0.1', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'M365-BB', '1', '6', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'EXO-P1', '2', '4', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group-llc', 'acme-dental-group-llc-2026-11', 'EDR', '2', '8', 'monthly', '2026-11-01', '2026-11-30'],
      ['brightside-law-pllc', 'brightside-law-pllc-2026-11', 'EXO-P1', '1', '4', 'annual', '2026-03-15', '2027-03-14'],
      ['brightside-law-pllc', 'brightside-law-pllc-2026-11', 'EDR', '1', '8', 'monthly', '2026-11-01', '2026-11-30'],
    ]);
    expect(c.skipped).toEqual({ 'cancelled before the as-of date': 1 });
  });

  it('clips an addition cancelled inside the as-of month to its Cancelled Date, before or after asOf', async () => {
    const text = [
      'Company Name,Agreement Name,Agreement Type,Product ID,Description,Quantity,Unit Price,Bill Customer,Effective Date,Cancelled Date',
      'Acme,Acme MSA,Managed Services,EDR,Managed EDR,3,$8.00,Billable,01/01/2026,11/15/2026',
      'Acme,Acme MSA,Managed Services,MS-WKS,Managed Workstation,2,$45.00,Billable,01/01/2026,11/29/2026',
    ].join('\n');
    const c = await converted('cw.csv', new TextEncoder().encode(text));
    // asOf is 2026-11-28: EDR ends before it (listed, not current), MS-WKS after it (current).
    expect(c.lines.map((l) => [l.service_id, l.quantity, l.period_start, l.period_end])).toEqual([
      ['EDR', '3', '2026-11-01', '2026-11-15'],
      ['MS-WKS', '2', '2026-11-01', '2026-11-29'],
    ]);
    expect(c.skipped).toEqual({});
  });

  it('puts a No Charge addition under its own service at 0, so it is not compared with the billed one', async () => {
    const c = await converted('2026-11/connectwise-additions.csv');
    const free = c.lines.filter((l) => l.service_id.endsWith('(no charge)'));
    expect(free.map((l) => [l.service_id, l.service_name, l.unit_price])).toEqual([['M365-BP (no charge)', 'Microsoft 365 Business Premium (no charge)', '0']]);
    expect(c.lines.filter((l) => l.service_id === 'M365-BP').map((l) => l.unit_price)).toEqual(['22']);
  });

  it('lists each service once in the catalog with its name', async () => {
    const c = await converted('2026-11/connectwise-additions.csv');
    expect(c.catalog.map((s) => [s.service_id, s.service_name])).toContainEqual(['BACKUP-GB', 'Cloud Backup per GB']);
    expect(new Set(c.catalog.map((s) => s.service_id)).size).toBe(c.catalog.length);
  });
});

describe('recognition and errors', () => {
  it('sends a file no profile knows to the wizard, with the nearest profiles and hints', async () => {
    // A NinjaOne export re-saved by German Excel: Windows-1252, semicolons, "Last Online" renamed.
    const text = 'ID;Gerätename;Client Name;Role;Zuletzt online\r\n1001;ACME-DC01;Müller Zahnärzte;WINDOWS_SERVER;27.11.2026 15:42\r\n';
    const outcome = await outcomeOf('ninja-de.csv', encode1252(text));
    expect(outcome.status).toBe('unknown');
    if (outcome.status !== 'unknown') return;
    expect(outcome.table.header).toEqual(['ID', 'Gerätename', 'Client Name', 'Role', 'Zuletzt online']);
    // NinjaOne first (2 of its 3 signature columns); Pax8 knows "Client Name" as a Company Name too.
    expect(outcome.nearest.map((n) => [n.profile.id, n.matched, n.missing])).toEqual([
      ['ninjaone-devices', ['Client Name', 'Role'], ['Last Online']],
      ['pax8-invoice', ['Company Name'], ['Invoice Number', 'Description', 'Quantity', 'Unit Price']],
    ]);
    expect(outcome.hints).toEqual([
      'ninja-de.csv: not valid UTF-8, read as Windows-1252 (Excel\'s "CSV" on Western Windows)',
      'Separated by semicolons: probably saved by Excel with European settings, so numbers may use a decimal comma.',
    ]);
  });

  it('sends an unknown file with a title line to the wizard with its header found below it, and no nearest profile when none shares a column', async () => {
    const outcome = await outcomeOf('acronis-unknown.csv');
    expect(outcome.status).toBe('unknown');
    if (outcome.status !== 'unknown') return;
    expect(outcome.table.header).toEqual(['Tenant', 'Protected machine', 'Plan', 'Storage used (GB)', 'Last backup']);
    expect(outcome.nearest).toEqual([]);
    expect(outcome.hints).toEqual(['The header is on row 2; the rows above it are skipped.']);
  });

  it('names file, row and column of a number that does not read under the profile\'s locale', async () => {
    const text = 'Usage Customer,Device ID,Product,UOM,Quantity,Last Seen\nAcme,NB-1,Server,Device,"1.234,5",27/11/2026\n';
    const outcome = await outcomeOf('nable.csv', new TextEncoder().encode(text));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors[0]).toMatchObject({ file: 'nable.csv', row: 2, column: 'Quantity' });
  });

  it('refuses an ambiguous date when the profile has no date order, naming the cell', async () => {
    const text = 'Usage Customer,Device ID,Product,UOM,Quantity,Last Seen\nAcme,NB-1,Server,Device,1,03/04/2026\n';
    const outcome = await outcomeOf('nable.csv', new TextEncoder().encode(text), { locale: { dateOrder: null } });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors[0]).toMatchObject({ file: 'nable.csv', row: 2, column: 'Last Seen' });
  });

  it('says which required column is missing, on the header row', async () => {
    const text = 'Company Name,Agreement Name,Product ID,Quantity\nAcme,MSA,X,1\n';
    const outcome = await outcomeOf('cw.csv', new TextEncoder().encode(text), { profileId: 'pax8-invoice' });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors.map((e) => [e.row, e.column, e.message])).toEqual([[1, 'Description', 'column "Description" (for product) is missing from the header']]);
  });

  it('lists a file that is not a table as skipped with the reason', async () => {
    const outcome = await outcomeOf('invoice.pdf', new Uint8Array([37, 80, 68, 70]));
    expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringContaining('.pdf') });
  });

  it('lists a stray JSON as skipped, and reads a workspace.json as a bundle file', async () => {
    expect(await outcomeOf('notes.json', new TextEncoder().encode('{"a":1}'))).toMatchObject({ status: 'skipped' });
    expect(await outcomeOf('workspace.json', new TextEncoder().encode(`{"asOf":"${AS_OF}"}`))).toMatchObject({ status: 'bundle', kind: 'workspace' });
  });

  it('keeps a bundle file on the bundle path', async () => {
    const outcome = await outcomeOf('psa_clients.csv', new TextEncoder().encode('client_id,client_name\nC1,Acme\n'));
    expect(outcome).toMatchObject({ status: 'bundle', kind: 'psa_clients' });
  });

  it('reads the fixtures byte for byte as given (sanity of the helper)', () => {
    expect(rawBytes('2026-11/m365-acmedental.csv').slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });
});

describe('Autotask · Contract services', () => {
  it('reads CompanyName/ContractName/ServiceName/Units as PSA lines, yearly services over the year from their start', async () => {
    const c = await converted('autotask/contract-services.csv');
    expect(c.profile.id).toBe('autotask-contract-services');
    expect(c.clients).toEqual([{ client_id: 'fabrikam-dental', client_name: 'Fabrikam Dental' }]);
    expect(c.lines.map((l) => [l.service_id, l.quantity, l.unit_price, l.billing_cycle, l.period_start, l.period_end, l.agreement_id])).toEqual([
      ['MWKS', '12', '45', 'monthly', '2026-11-01', '2026-11-30', 'Fabrikam Recurring'],
      ['M365BP', '1024', '22', 'monthly', '2026-11-01', '2026-11-30', 'Fabrikam Recurring'],
      ['BKP-APPL', '1', '1200', 'annual', '2026-07-01', '2027-06-30', 'Fabrikam Licensing'],
    ]);
  });

  it('reads a period type that names one cycle among other words, and refuses one that names another length', () => {
    expect(['Monthly', 'monthly commitment', 'Month-to-month', 'Yearly', 'Annual Commitment', 'Jährlich'].map(cycleOfPeriod)).toEqual(['monthly', 'monthly', 'monthly', 'annual', 'annual', 'annual']);
    expect(['Quarterly', 'Semi-Annual', 'Bi-Monthly', 'Every 6 months', '12 months', 'Monthly or Yearly', 'One-Time'].map(cycleOfPeriod)).toEqual([null, null, null, null, null, null, null]);
  });

  it('refuses a Quarterly or Semi-Annual period type, naming file, row and column, instead of billing it monthly or yearly', async () => {
    const text = [
      'CompanyName,ContractName,ServiceName,ServiceCode,Units,UnitPrice,PeriodType,StartDate,EndDate',
      'Fabrikam Dental,Fabrikam Recurring,Managed Workstation,MWKS,12,$45.00,Monthly,01/01/2026,12/31/2026',
      'Fabrikam Dental,Fabrikam Recurring,Firewall Service,FW,1,$90.00,Quarterly,01/01/2026,12/31/2026',
      'Fabrikam Dental,Fabrikam Licensing,Backup Appliance,BKP-APPL,1,$600.00,Semi-Annual,07/01/2025,06/30/2027',
      'Fabrikam Dental,Fabrikam Licensing,Backup Storage,BKP-GB,1,$10.00,,07/01/2025,06/30/2027',
    ].join('\n');
    const outcome = await outcomeOf('autotask.csv', new TextEncoder().encode(text));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors.map((e) => [e.file, e.row, e.column, e.message])).toEqual([
      ['autotask.csv', 3, 'PeriodType', '"Quarterly" is not a billing cycle Ledgerline can bill: monthly or annual only (Monthly, Yearly, Annual); a quarterly or semi-annual charge is not turned into either'],
      ['autotask.csv', 4, 'PeriodType', '"Semi-Annual" is not a billing cycle Ledgerline can bill: monthly or annual only (Monthly, Yearly, Annual); a quarterly or semi-annual charge is not turned into either'],
      ['autotask.csv', 5, 'PeriodType', 'a value is required here but it is blank'],
    ]);
  });
});

describe('integration from an import', () => {
  it('takes the last sync of a device export from its latest last contact', async () => {
    const c = await converted('2026-11/ninjaone-devices.csv');
    expect(c.integration).toEqual({ id: 'ninjaone', name: 'NinjaOne', kind: 'devices', exportedAt: '2026-11-28T23:59:59.000Z' });
  });

  it('caps the export time at the import time when the file\'s latest contact is later', async () => {
    const outcome = await convertFile({ name: 'ninja.csv', bytes: rawBytes('2026-11/ninjaone-devices.csv') }, BUILTIN_PROFILES, {}, { asOf: AS_OF, importedAt: '2026-11-28T13:00:00Z' });
    expect(outcome.status === 'converted' && outcome.conversion.integration?.exportedAt).toBe('2026-11-28T13:00:00.000Z');
  });
});
