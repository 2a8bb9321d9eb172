import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { DiscrepancyOut, Report } from '../../worker/engine/report.types';
import { clientsCsv, discrepanciesCsv } from '../../worker/export/reportCsv';

const BOM = '\uFEFF';

const discrepancy = (over: Partial<DiscrepancyOut>): DiscrepancyOut => ({
  client_id: 'C1',
  service_id: 'SVC-M365-E3',
  type: 'calculated',
  integration_ids: ['m365'],
  invoiced_qty: '10',
  system_count: '12',
  qty_delta: '2',
  unit_rate: '36.00',
  rate_source: 'invoice',
  amount: '72.00',
  ...over,
});

const REPORT: Report = {
  clients: [
    {
      client_id: 'C1',
      client_name: 'Søndergaard Arkitekter ApS',
      seat_count: 77,
      service_count: 8,
      discrepancy_count: 2,
      discrepancy_amount: '-12.50',
      discrepancy_amount_abs: '84.50',
      billing_cycle: 'annual',
    },
    {
      client_id: 'C2',
      client_name: '=HYPERLINK("http://evil.example","Smith, Jones")',
      seat_count: 0,
      service_count: 1,
      discrepancy_count: 1,
      discrepancy_amount: '0.00',
      discrepancy_amount_abs: '0.00',
      billing_cycle: '',
    },
  ],
  discrepancies: [
    discrepancy({ qty_delta: '-2.5', system_count: '7.5', amount: '-84.50', integration_ids: ['backup', 'm365'] }),
    discrepancy({ client_id: 'C2', service_id: 'SVC-EDR', type: 'unmapped', invoiced_qty: '0', system_count: '3', qty_delta: '3', unit_rate: null, rate_source: 'none', amount: null }),
    discrepancy({ client_id: 'C9', type: 'estimated', rate_source: 'median' }),
  ],
  unaccounted: [],
  unmapped_clients: [],
  flags: [],
  inactive_seats: [],
  integrations: [],
  adjustments: [],
};

const NAMES = new Map(REPORT.clients.map((c) => [c.client_id, c.client_name]));

const lines = (csv: string) => csv.slice(BOM.length).split('\r\n');
const cells = (csv: string) => Papa.parse<string[]>(csv.slice(BOM.length), { skipEmptyLines: true }).data;

describe('clientsCsv', () => {
  it('names the columns with the currency', () => {
    expect(lines(clientsCsv(REPORT, 'EUR'))[0]).toBe(
      'Client ID,Client,Seats,Services,Discrepancies,Discrepancy amount (EUR),Absolute amount (EUR),Billing cycle',
    );
  });

  it('writes one row per client with counts and amounts as bare numbers', () => {
    expect(lines(clientsCsv(REPORT, 'USD'))[1]).toBe('C1,Søndergaard Arkitekter ApS,77,8,2,-12.50,84.50,annual');
  });

  it('defuses a client name that is a formula', () => {
    expect(cells(clientsCsv(REPORT, 'USD'))[2]?.[1]).toBe(`'=HYPERLINK("http://evil.example","Smith, Jones")`);
  });

  it('writes a blank billing cycle as an empty cell', () => {
    expect(cells(clientsCsv(REPORT, 'USD'))[2]?.[7]).toBe('');
  });

  it('is an Excel-ready file: BOM first, CRLF last', () => {
    const csv = clientsCsv(REPORT, 'USD');
    expect(csv.startsWith(BOM) && csv.endsWith('\r\n')).toBe(true);
  });
});

describe('discrepanciesCsv', () => {
  it('names the columns with the currency', () => {
    expect(lines(discrepanciesCsv(REPORT, NAMES, 'USD'))[0]).toBe(
      'Client ID,Client,Service ID,Type,Integrations,Invoiced qty,System count,Qty delta,Unit rate (USD),Rate source,Amount (USD)',
    );
  });

  it('writes quantities and money as bare numbers, negatives unprefixed, and joins integrations with "; "', () => {
    expect(lines(discrepanciesCsv(REPORT, NAMES, 'USD'))[1]).toBe(
      'C1,Søndergaard Arkitekter ApS,SVC-M365-E3,calculated,backup; m365,10,7.5,-2.5,36.00,invoice,-84.50',
    );
  });

  it('leaves the unit rate and amount empty when there is no rate', () => {
    const row = cells(discrepanciesCsv(REPORT, NAMES, 'USD'))[2];
    expect([row?.[8], row?.[9], row?.[10]]).toEqual(['', 'none', '']);
  });

  it('looks the client name up, defused', () => {
    expect(cells(discrepanciesCsv(REPORT, NAMES, 'USD'))[2]?.[1]).toBe(`'=HYPERLINK("http://evil.example","Smith, Jones")`);
  });

  it('leaves the name empty for a client id with no name', () => {
    expect(cells(discrepanciesCsv(REPORT, NAMES, 'USD'))[3]?.slice(0, 2)).toEqual(['C9', '']);
  });

  it('writes only the header for a report with no discrepancies', () => {
    expect(cells(discrepanciesCsv({ ...REPORT, discrepancies: [] }, NAMES, 'USD'))).toHaveLength(1);
  });
});
