import type { UsageProfile } from '../types';

/** N-able (N-sight / N-central / Cove) billing efile, CSV or XLSX: one row per device and product. */
export const nableEfile: UsageProfile = {
  id: 'nable-efile',
  name: 'N-able · Billing efile',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'nable', name: 'N-able', kind: 'devices' },
  signature: ['Usage Customer', 'Device ID', 'Product', 'Quantity'],
  aliases: { 'Usage Customer': ['Customer Usage', 'Usage Customer Name'], UOM: ['Unit of Measure', 'Unit'], 'Last Seen': ['Last Check-In', 'Usage Date'] },
  locale: { decimal: '.', thousands: ',', dateOrder: 'DMY' },
  clientScope: 'column',
  fields: {
    external_client_id: { column: 'Usage Customer' },
    external_client_name: { column: 'Usage Customer' },
    record_id: { column: 'Device ID' },
    product: { column: 'Product' },
    category: { column: 'UOM' },
    quantity: { column: 'Quantity' },
    last_active: { column: 'Last Seen' },
  },
  assumptions: [
    'client = Usage Customer; record_id = Device ID; product = Product; category = UOM (Device, GB).',
    'quantity = Quantity, with thousands separators ("2,576.49" GB).',
    'Dates are day/month/year (27/11/2026).',
  ],
};
