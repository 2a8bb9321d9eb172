import type { PsaProfile } from '../types';

/** ConnectWise PSA › Agreements › Additions (export of the additions list across agreements). */
export const connectwiseAdditions: PsaProfile = {
  id: 'connectwise-additions',
  name: 'ConnectWise · Agreement additions',
  origin: 'builtin',
  target: 'psa',
  signature: ['Company Name', 'Agreement Name', 'Product ID', 'Quantity'],
  aliases: {
    'Company Name': ['Company'],
    'Agreement Name': ['Agreement'],
    'Product ID': ['Product Identifier', 'Product'],
    'Unit Price': ['Price'],
    'Effective Date': ['Effective'],
    'Cancelled Date': ['Cancelled', 'Canceled Date', 'Date Cancelled'],
    'Bill Customer': ['Billing', 'Bill'],
  },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  fields: {
    client_name: { column: 'Company Name' },
    service_id: { column: 'Product ID' },
    service_name: { column: 'Description' },
    quantity: { column: 'Quantity' },
    unit_price: { column: 'Unit Price' },
    start_date: { column: 'Effective Date' },
    end_date: { column: 'Cancelled Date' },
    agreement_id: { column: 'Agreement Name' },
    agreement_type: { column: 'Agreement Type' },
  },
  cycleByAgreementType: [
    { contains: 'annual', cycle: 'annual' },
    { contains: 'yearly', cycle: 'annual' },
  ],
  noCharge: { column: 'Bill Customer', equals: ['No Charge', 'NoCharge'] },
  assumptions: [
    'PSA clients from Company Name (client_id = the name in lower-case dashes, stable across exports); one invoice per client for the month of asOf.',
    'Each addition is a line: service_id = Product ID, quantity, unit price ("$1,234.50"), agreement = Agreement Name.',
    'Billing period = the month of asOf (annual agreements: the year from the Effective Date\'s anniversary), clipped to Effective/Cancelled; an addition cancelled before asOf is not current.',
    'Cycle from Agreement Type ("Annual…" → annual, else monthly).',
    '"No Charge" additions: own service id "<Product ID> (no charge)" at 0, shown but never compared, so they neither raise a price flag nor drag the rate.',
  ],
};
