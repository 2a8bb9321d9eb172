import type { UsageProfile } from '../types';

/** SentinelOne › Sentinels › Endpoints › export (CSV): one agent per endpoint. */
export const sentinelOneEndpoints: UsageProfile = {
  id: 'sentinelone-endpoints',
  name: 'SentinelOne · Endpoints',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'sentinelone', name: 'SentinelOne', kind: 'security' },
  signature: ['Endpoint Name', 'Site', 'Last Active'],
  aliases: { 'Agent UUID': ['UUID', 'Agent Id'], 'Machine Type': ['Device Type'], 'Site': ['Site Name'] },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  clientScope: 'column',
  lastActiveIsSyncTime: true,
  fields: {
    external_client_id: { column: 'Site' },
    external_client_name: { column: 'Site' },
    record_id: { column: 'Agent UUID' },
    product: { const: 'SentinelOne agent' },
    category: { column: 'Machine Type' },
    last_active: { column: 'Last Active' },
  },
  assumptions: [
    'Last sync = the latest Last Active in the file (the export is at least that recent).',
    'One agent per endpoint: record_id = Agent UUID, product "SentinelOne agent", category = Machine Type (desktop, laptop, server).',
    'client = Site (an MSP account holds one site per client).',
    'last_active = the date of Last Active.',
  ],
};
