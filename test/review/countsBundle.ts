/**
 * A small bundle with every edge of the counts (test/review/counts.test.ts and
 * test/browser/counts.browser.test.ts read it):
 * - Alpha: E3 +1 (invoice rate, approved in decisions.csv), Defender used with no PSA line (new
 *   revenue, catalog rate), Visio used with no rule (unaccounted), one inactive seat;
 * - Beta: E3 even, Backup −1 dismissed in decisions.csv; its second tenant `ext-b2` holds one of the
 *   Backup rows, so excluding that tenant moves the dismissed numbers (back for review);
 * - Gamma: E3 +2 with a missing price (estimated, flagged), Teams Phone used with no PSA line and
 *   no price anywhere (new revenue with no amount), Visio again (the same product for a second client);
 * - Prospect (ext-x): usage from a tenant no mapping covers (an unmapped client); ext-y is excluded.
 */
import { baseBundle, type Row } from '../helpers/bundle';

const usage = (externalClientId: string, product: string, n: number, extra: Row = {}): Row[] =>
  Array.from({ length: n }, () => ({ external_client_id: externalClientId, product, last_active: '2026-11-27', ...extra }));

export function countsBundle(): Record<string, string> {
  return baseBundle({
    clients: [
      { client_id: 'C1', client_name: 'Alpha Dental' },
      { client_id: 'C2', client_name: 'Beta Logistics' },
      { client_id: 'C3', client_name: 'Gamma Law' },
    ],
    catalog: [
      { service_id: 'S1', service_name: 'Microsoft 365 E3', list_price: '20' },
      { service_id: 'S2', service_name: 'Defender for Business', list_price: '5' },
      { service_id: 'S3', service_name: 'Teams Phone', list_price: '' },
      { service_id: 'S4', service_name: 'Cloud Backup', list_price: '10' },
    ],
    lines: [
      { client_id: 'C1', service_id: 'S1', quantity: '5', unit_price: '20' },
      { client_id: 'C2', service_id: 'S1', quantity: '3', unit_price: '20' },
      { client_id: 'C2', service_id: 'S4', quantity: '3', unit_price: '10' },
      { client_id: 'C3', service_id: 'S1', quantity: '2', unit_price: '' },
    ],
    usage: [
      ...usage('ext-a', 'Microsoft 365 E3', 5),
      ...usage('ext-a', 'Microsoft 365 E3', 1, { last_active: '2026-09-01' }),
      ...usage('ext-a', 'Defender for Business', 2),
      ...usage('ext-a', 'Visio Plan 2', 1),
      ...usage('ext-b1', 'Microsoft 365 E3', 3),
      ...usage('ext-b1', 'Backup', 1),
      ...usage('ext-b2', 'Backup', 1),
      ...usage('ext-c', 'Microsoft 365 E3', 4),
      ...usage('ext-c', 'Teams Phone', 2),
      ...usage('ext-c', 'Visio Plan 2', 2),
      ...usage('ext-x', 'Microsoft 365 E3', 2, { external_client_name: 'Prospect Ltd' }),
      ...usage('ext-y', 'Microsoft 365 E3', 1, { external_client_name: 'Internal IT' }),
    ].map((r, i) => ({ ...r, record_id: `u${i + 1}`, external_client_name: r.external_client_name ?? `Tenant ${r.external_client_id}` })),
    clientMap: [
      { external_client_id: 'ext-a', psa_client_id: 'C1' },
      { external_client_id: 'ext-b1', psa_client_id: 'C2' },
      { external_client_id: 'ext-b2', psa_client_id: 'C2' },
      { external_client_id: 'ext-c', psa_client_id: 'C3' },
      { external_client_id: 'ext-y', status: 'excluded' },
    ],
    serviceMap: [
      { product: 'Microsoft 365 E3', psa_service_id: 'S1' },
      { product: 'Defender*', psa_service_id: 'S2' },
      { product: 'Teams Phone', psa_service_id: 'S3' },
      { product: 'Backup', psa_service_id: 'S4' },
    ],
    decisions: [
      { client_id: 'C1', service_id: 'S1', decision: 'approve' },
      { client_id: 'C2', service_id: 'S4', decision: 'dismiss' },
    ],
  });
}
