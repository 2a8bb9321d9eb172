import { describe, expect, it } from 'vitest';
import { readCsvText } from '../../worker/sources/read/readCsv';
import { guessDraft, profileFromDraft, type FieldChoice, type ProfileDraft } from '../../worker/sources/profileDraft';
import { previewConversion } from '../../worker/sources/previewConversion';
import { AS_OF } from './fixtures';

/**
 * The wizard's "PSA lines" and "PSA clients" choices, through the path the wizard previews and
 * saves with: a draft (guessed from the header, then the user's picks) → profileFromDraft →
 * previewConversion (the conversion and the bundle's own validation, as the import does).
 */

const LINES = [
  'Customer,Agreement,Item ID,Item,Qty,Rate,Start,End',
  'Acme Dental Group,Acme MSA,MS-WKS,Managed Workstation,"1,002",$45.00,01/01/2026,',
  'Acme Dental Group,Acme MSA,EDR,Managed EDR,3,$8.00,01/01/2026,11/15/2026',
  'Contoso Ltd,Contoso MSA,MS-WKS,Managed Workstation,4,$44.50,02/01/2026,',
  'Contoso Ltd,Contoso MSA,MS-WKS,Managed Workstation,1,$44.50,12/01/2026,',
].join('\n');

function tableOf(file: string, text: string) {
  return readCsvText(file, text, { encoding: 'utf-8', notes: [] });
}

function draftFor(file: string, text: string, target: ProfileDraft['target'], picks: Record<string, string> = {}): ProfileDraft {
  const table = tableOf(file, text);
  const draft = guessDraft(file, table.header, table.rows.slice(0, 5).map((r) => r.map(String)), table.delimiter);
  const fields: Record<string, FieldChoice> = { ...draft.fields };
  for (const [field, column] of Object.entries(picks)) fields[field] = { mode: 'column', column, value: '', transform: [] };
  return { ...draft, target, fields, name: 'PSA export' };
}

describe('wizard: PSA lines', () => {
  it('turns a file mapped as PSA lines into clients, one invoice per client for the month, lines clipped to their dates', () => {
    const draft = draftFor('psa-lines.csv', LINES, 'psa', { client_name: 'Customer', service_id: 'Item ID', service_name: 'Item', quantity: 'Qty', unit_price: 'Rate', start_date: 'Start', end_date: 'End', agreement_id: 'Agreement' });
    const profile = profileFromDraft(draft);
    expect(profile.target).toBe('psa');
    const preview = previewConversion(tableOf('psa-lines.csv', LINES), profile, {}, AS_OF);
    expect(preview.errors).toEqual([]);
    expect(preview.target).toBe('psa');
    expect(preview.rows.map((l) => [l.client_id, l.invoice_id, l.service_id, l.quantity, l.unit_price, l.billing_cycle, l.period_start, l.period_end])).toEqual([
      ['acme-dental-group', 'acme-dental-group-2026-11', 'MS-WKS', '1002', '45', 'monthly', '2026-11-01', '2026-11-30'],
      ['acme-dental-group', 'acme-dental-group-2026-11', 'EDR', '3', '8', 'monthly', '2026-11-01', '2026-11-15'],
      ['contoso-ltd', 'contoso-ltd-2026-11', 'MS-WKS', '4', '44.5', 'monthly', '2026-11-01', '2026-11-30'],
    ]);
    // The line starting in December has no period in November's bill.
    expect(preview.skipped).toEqual({ 'not in the billing period of the as-of date': 1 });
    expect(preview.rowsRead).toBe(4);
  });

  it('shows the problems by row when a PSA lines file\'s numbers do not read under the chosen locale', () => {
    const draft = draftFor('psa-lines.csv', LINES, 'psa', { client_name: 'Customer', service_id: 'Item ID', quantity: 'Qty', unit_price: 'Rate', start_date: 'Start', end_date: 'End' });
    const german = profileFromDraft({ ...draft, locale: { decimal: ',', thousands: '.', dateOrder: 'MDY' } });
    const preview = previewConversion(tableOf('psa-lines.csv', LINES), german, {}, AS_OF);
    expect(preview.rows).toEqual([]);
    expect(preview.errors.map((e) => [e.row, e.column])).toEqual([[2, 'Rate'], [3, 'Rate'], [4, 'Rate'], [5, 'Rate']]);
  });
});

describe('wizard: PSA clients', () => {
  it('turns a file mapped as PSA clients into psa_clients rows only: ids from the name, or from a column when picked', () => {
    const text = 'Company,Account #,City\nAcme Dental Group,C-100,Springfield\nContoso Ltd,C-200,Redmond\nAcme Dental Group,C-100,Springfield\n';
    const byName = previewConversion(tableOf('clients.csv', text), profileFromDraft(draftFor('clients.csv', text, 'psa_clients', { client_name: 'Company' })), {}, AS_OF);
    expect(byName.errors).toEqual([]);
    expect(byName.columns).toEqual(['client_id', 'client_name']);
    expect(byName.rows).toEqual([
      { client_id: 'acme-dental-group', client_name: 'Acme Dental Group' },
      { client_id: 'contoso-ltd', client_name: 'Contoso Ltd' },
    ]);
    const byColumn = previewConversion(tableOf('clients.csv', text), profileFromDraft(draftFor('clients.csv', text, 'psa_clients', { client_name: 'Company', client_id: 'Account #' })), {}, AS_OF);
    expect(byColumn.rows).toEqual([
      { client_id: 'C-100', client_name: 'Acme Dental Group' },
      { client_id: 'C-200', client_name: 'Contoso Ltd' },
    ]);
  });

  it('saves a PSA clients profile without line fields, even when line fields were picked before switching to it', () => {
    const text = 'Company,Product,Qty\nAcme,X,1\n';
    const draft = draftFor('clients.csv', text, 'psa_clients', { client_name: 'Company', service_id: 'Product', quantity: 'Qty' });
    const profile = profileFromDraft(draft);
    expect(profile.target).toBe('psa');
    expect(Object.keys(profile.fields)).toEqual(['client_name']);
  });
});
