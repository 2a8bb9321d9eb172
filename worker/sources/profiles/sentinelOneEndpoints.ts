import type { UsageProfile } from '../types';

/** SentinelOne › Sentinels › Endpoints › export (CSV): one agent per endpoint. */
export const sentinelOneEndpoints: UsageProfile = {
  id: 'sentinelone-endpoints',
  name: 'SentinelOne · Endpoints',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'sentinelone', name: 'SentinelOne', kind: 'security' },
  signature: ['Endpoint Name', 'Site', 'Last Active'],
  aliases: { 'Agent UUID': ['UUID', 'Agent Id'], 'Machine Type': ['Device Type'], Site: ['Site Name'], Account: ['Account Name'] },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  clientScope: 'column',
  lastActiveIsSyncTime: true,
  // Every SentinelOne Account has a "Default site": an MSP with one Account per customer (and no
  // sites of its own) would otherwise see all those customers as one client named "Default site".
  clientFallback: { column: 'Account', when: ['Default site'] },
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
    'client = Site (an MSP account holding one site per client); a site named "Default site" (any case or spacing) or a blank one takes the Account instead, since every account has a Default site (an MSP with one account per client).',
    'last_active = the date of Last Active.',
  ],
};
