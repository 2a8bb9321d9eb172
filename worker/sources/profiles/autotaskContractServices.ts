import type { PsaProfile } from '../types';

/**
 * Autotask recurring-service contracts, one row per contract service. The column names are those
 * of Autotask's contract-services grid export as best known (CompanyName, ContractName,
 * ServiceName, ServiceCode, Units, PeriodType, as the API's ContractServices entities and common
 * scripts write them): there is no official sample, so the wizard can remap any of them. Dates come
 * in the exporting user's locale, so the date order is a per-file choice (US by default).
 */
export const autotaskContractServices: PsaProfile = {
  id: 'autotask-contract-services',
  name: 'Autotask · Contract services',
  origin: 'builtin',
  target: 'psa',
  signature: ['Company Name', 'Contract Name', 'Service Name', 'Units'],
  aliases: {
    'Company Name': ['Account Name', 'Company'],
    'Service Code': ['Service ID', 'ServiceID', 'Code'],
    Units: ['Unit Quantity', 'Quantity'],
    'Unit Price': ['Adjusted Price', 'Price'],
    'Period Type': ['Billing Period', 'Period'],
    'Start Date': ['Contract Start Date', 'Effective Date'],
    'End Date': ['Contract End Date'],
  },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  fields: {
    client_name: { column: 'Company Name' },
    service_id: { column: 'Service Code' },
    service_name: { column: 'Service Name' },
    quantity: { column: 'Units' },
    unit_price: { column: 'Unit Price' },
    start_date: { column: 'Start Date' },
    end_date: { column: 'End Date' },
    agreement_id: { column: 'Contract Name' },
    billing_cycle: { column: 'Period Type' },
  },
  assumptions: [
    'PSA clients from Company Name; one line per contract service: service_id = Service Code, quantity = Units, unit price = Unit Price.',
    'Billing period = the month of asOf (Period Type "Yearly"/"Annual": the year from the start date\'s anniversary), clipped to Start/End Date.',
    'Period Type Monthly or Yearly/Annual only: any other (Quarterly, Semi-Annual, blank) is an error naming the row, never read as the nearest cycle (the spec bills monthly and annual lines).',
    'Column names as best known from Autotask\'s contract-services export (no official sample): remap them in the wizard if yours differ.',
    'Dates in the exporting user\'s locale: US month/day/year by default, set day/month/year per file when needed.',
  ],
};
