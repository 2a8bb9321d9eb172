import type { UsageProfile } from '../types';

/** Pax8 › Billing › Invoices › export (CSV): one row per subscription line, counted by quantity. */
export const pax8Invoice: UsageProfile = {
  id: 'pax8-invoice',
  name: 'Pax8 · Invoice',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'pax8', name: 'Pax8', kind: 'licenses' },
  signature: ['Invoice Number', 'Company Name', 'Description', 'Quantity', 'Unit Price'],
  aliases: { 'Invoice Number': ['Invoice', 'Invoice #', 'Invoice Id'], 'Company Name': ['Company', 'Customer', 'Client Name'], 'Unit Price': ['Price'] },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  clientScope: 'column',
  // Not written (the PSA invoice sets the rate), but read: a price that does not read as "$1,234.50"
  // means the file is not read the way it was written, and the quantities cannot be trusted either.
  checkNumbers: ['Unit Price', 'Total'],
  fields: {
    external_client_id: { column: 'Company Name' },
    external_client_name: { column: 'Company Name' },
    record_id: { rowNumber: true, prefix: 'line-' },
    product: { column: 'Description', transform: ['stripBracketTags', 'beforeDash'] },
    quantity: { column: 'Quantity' },
  },
  assumptions: [
    'Counted by quantity: one usage row per invoice line, quantity = Quantity (thousands separators allowed).',
    'product = Description before " - ", without "[Deprecated] " or "[options: …]".',
    'record_id = "line-" and the spreadsheet row, so two lines of one company and product both count.',
    'Unit Price and Total are read as money ("$1,234.50") under the file\'s locale, and a value that does not read is an error naming its cell; they are not written to the bundle: the PSA invoice sets the rate.',
  ],
};
