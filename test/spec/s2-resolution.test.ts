/**
 * §2 Resolution of each usage row (first that applies): excluded client → ignored; no mapped entry →
 * unmapped clients; first matching service_map rule decides (exclude → ignored, map → counted);
 * no rule → unaccounted.
 */
import { describe, expect, it } from 'vitest';
import {
  baseBundle, client, disc, findClient, findDisc, findUnmapped, run, seats, unaccounted, unmapped,
  type BundleSpec,
} from '../helpers/bundle';

const clients = [
  { client_id: 'C1', client_name: 'Acme' },
  { client_id: 'C2', client_name: 'Beta' },
];
const clientMap = [
  { external_client_id: 'T1', psa_client_id: 'C1' },
  { external_client_id: 'T2', psa_client_id: 'C2' },
];

describe('§2.1 excluded clients', () => {
  it('ignores rows of an excluded (integration_id, external_client_id) everywhere', () => {
    const r = run(baseBundle({
      clients,
      clientMap: [...clientMap, { external_client_id: 'TX', psa_client_id: 'C1', status: 'excluded' }],
      serviceMap: [{ rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' }],
      lines: [{ client_id: 'C1', service_id: 'S1', quantity: 2, unit_price: '10.00' }],
      usage: [
        ...seats(2, { external_client_id: 'T1', product: 'M365 Premium' }),
        ...seats(3, { external_client_id: 'TX', product: 'M365 Premium', last_active: '2026-01-01' }),
        { external_client_id: 'TX', record_id: 'x9', product: 'Mystery box', last_active: '2026-01-01' },
      ],
    }));
    // C1: 2 seats from T1 against 2 invoiced → no discrepancy; TX's 3 seats are not added
    expect(findDisc(r, 'C1', 'S1')).toBeUndefined();
    expect(client(r, 'C1').seat_count).toBe(2);
    expect(r.unmapped_clients).toEqual([]);
    expect(r.unaccounted).toEqual([]);
    expect(r.inactive_seats).toEqual([]);
  });

  it('excludes only in the integration of the client_map entry', () => {
    const r = run(baseBundle({
      clients,
      clientMap: [{ external_client_id: 'TX', status: 'excluded' }],
      usage: [{ integration_id: 'sentinelone', external_client_id: 'TX', record_id: 'a1', product: 'Agent' }],
    }));
    expect(unmapped(r, 'sentinelone', 'TX').records).toBe(1);
  });
});

describe('§2.2 unmapped clients', () => {
  it('lists rows with no mapped entry as unmapped clients with the row count and the last non-blank name', () => {
    const r = run(baseBundle({
      clients, clientMap,
      serviceMap: [{ rule_id: 'R1', product: '*', psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T9', external_client_name: 'Old Name', record_id: 'a', product: 'M365 Premium' },
        { external_client_id: 'T9', external_client_name: '', record_id: 'b', product: 'M365 Premium' },
        { external_client_id: 'T9', external_client_name: 'New Name', record_id: 'c', product: 'Visio' },
        { external_client_id: 'T9', external_client_name: '  ', record_id: 'd', product: 'Visio' },
      ],
    }));
    const u = unmapped(r, 'm365', 'T9');
    expect(u.external_client_name).toBe('New Name');
    expect(u.records).toBe(4);
    // the rows matched a map rule but belong to no PSA client: nothing is reconciled, nobody gets them
    expect(r.discrepancies).toEqual([]);
    expect(r.clients).toEqual([]);
    expect(r.unaccounted).toEqual([]);
  });

  it('counts rows, not records: one record with two products is 2 rows', () => {
    const r = run(baseBundle({
      clients, clientMap,
      usage: [
        { external_client_id: 'T9', record_id: 'a', product: 'M365 Premium' },
        { external_client_id: 'T9', record_id: 'a', product: 'Visio' },
      ],
    }));
    expect(unmapped(r, 'm365', 'T9').records).toBe(2);
  });

  it('lists a client with only blank names with an empty name', () => {
    const r = run(baseBundle({ clients, clientMap, usage: [{ external_client_id: 'T9', record_id: 'a', product: 'X' }] }));
    expect(unmapped(r, 'm365', 'T9').external_client_name).toBe('');
  });

  it('does not take a mapping of the same external id in another integration', () => {
    const r = run(baseBundle({
      clients, clientMap,
      usage: [{ integration_id: 'sentinelone', external_client_id: 'T1', record_id: 'a', product: 'Agent' }],
    }));
    expect(unmapped(r, 'sentinelone', 'T1').records).toBe(1);
    expect(findClient(r, 'C1')).toBeUndefined();
  });

  it('does not list mapped or excluded clients', () => {
    const r = run(baseBundle({
      clients,
      clientMap: [...clientMap, { external_client_id: 'TX', status: 'excluded' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'X' },
        { external_client_id: 'TX', record_id: 'b', product: 'X' },
      ],
    }));
    expect(findUnmapped(r, 'm365', 'T1')).toBeUndefined();
    expect(findUnmapped(r, 'm365', 'TX')).toBeUndefined();
    expect(r.unmapped_clients).toEqual([]);
  });
});

describe('§2.3 service_map rules', () => {
  const base: BundleSpec = { clients, clientMap };

  it('lets the first matching rule in file order decide, not the lowest rule_id', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R9', product: '*Trial*', action: 'exclude' },
        { rule_id: 'R1', product: '*', psa_service_id: 'S1' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'M365 Trial' },
        { external_client_id: 'T1', record_id: 'b', product: 'M365 Premium' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1'); // only b; the trial row is excluded by R9
    expect(client(r, 'C1').seat_count).toBe(1); // an excluded row is not a seat
  });

  it('counts everything when the catch-all map rule comes first', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: '*', psa_service_id: 'S1' },
        { rule_id: 'R9', product: '*Trial*', action: 'exclude' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'M365 Trial' },
        { external_client_id: 'T1', record_id: 'b', product: 'M365 Premium' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2'); // a + b
  });

  it('sends a row to the service of the first matching map rule only', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: 'M365 *', psa_service_id: 'S1' },
        { rule_id: 'R2', product: '*Premium', psa_service_id: 'S2' },
      ],
      usage: [{ external_client_id: 'T1', record_id: 'a', product: 'M365 Premium' }],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1');
    expect(findDisc(r, 'C1', 'S2')).toBeUndefined(); // S2 has no line and no usage for C1
  });

  it('applies a rule only to rows of its integration_id', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', integration_id: 'sentinelone', product: '*', psa_service_id: 'S2' }],
      usage: [{ external_client_id: 'T1', record_id: 'a', product: 'Agent' }],
    }));
    expect(findDisc(r, 'C1', 'S2')).toBeUndefined();
    expect(unaccounted(r, 'C1', 'm365', 'Agent').records).toBe(1);
  });

  it('treats regex characters in a pattern literally', () => {
    const pattern = 'Plan (1) [EU] $5.00+';
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: pattern, psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Plan (1) [EU] $5.00+' },
        { external_client_id: 'T1', record_id: 'b', product: 'plan (1) [eu] $5.00+' },
        { external_client_id: 'T1', record_id: 'c', product: 'Plan (1) [EU] $5x00+' }, // "." is not "any character"
        { external_client_id: 'T1', record_id: 'd', product: 'Plan 1 E $5.00' }, // "(", "[", "+" are not special
        { external_client_id: 'T1', record_id: 'e', product: 'Plan (1) [EU] $5.000' }, // "+" is not "one or more"
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2'); // a and b
    expect(unaccounted(r, 'C1', 'm365', 'Plan (1) [EU] $5x00+').records).toBe(1);
    expect(unaccounted(r, 'C1', 'm365', 'Plan 1 E $5.00').records).toBe(1);
    expect(unaccounted(r, 'C1', 'm365', 'Plan (1) [EU] $5.000').records).toBe(1);
  });

  it('treats ? and . as ordinary characters', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: 'Plan?', psa_service_id: 'S1' },
        { rule_id: 'R2', product: 'E.3', psa_service_id: 'S2' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Plans' },
        { external_client_id: 'T1', record_id: 'b', product: 'E53' },
        { external_client_id: 'T1', record_id: 'c', product: 'plan?' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1'); // only "plan?"
    expect(findDisc(r, 'C1', 'S2')).toBeUndefined();
    expect(unaccounted(r, 'C1', 'm365', 'Plans').records).toBe(1);
    expect(unaccounted(r, 'C1', 'm365', 'E53').records).toBe(1);
  });

  it('matches * in the middle of a pattern', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: 'Microsoft * Premium', psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Microsoft 365 Business Premium' },
        { external_client_id: 'T1', record_id: 'b', product: 'Microsoft 365 Business Basic' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1');
    expect(unaccounted(r, 'C1', 'm365', 'Microsoft 365 Business Basic').records).toBe(1);
  });

  it('matches * at the start and at the end of a pattern', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: 'Dropbox*', psa_service_id: 'S1' },
        { rule_id: 'R2', product: '*Backup', psa_service_id: 'S2' },
        { rule_id: 'R3', product: '*Defender*', psa_service_id: 'S3' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Dropbox Business Plus' },
        { external_client_id: 'T1', record_id: 'b', product: 'My Dropbox' }, // does not start with Dropbox
        { external_client_id: 'T1', record_id: 'c', product: 'Cloud Backup' },
        { external_client_id: 'T1', record_id: 'd', product: 'Backup Vault' }, // does not end with Backup
        { external_client_id: 'T1', record_id: 'e', product: 'Microsoft Defender for Endpoint' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('1');
    expect(disc(r, 'C1', 'S2').system_count).toBeDecimal('1');
    expect(disc(r, 'C1', 'S3').system_count).toBeDecimal('1');
    expect(unaccounted(r, 'C1', 'm365', 'My Dropbox').records).toBe(1);
    expect(unaccounted(r, 'C1', 'm365', 'Backup Vault').records).toBe(1);
  });

  it('matches the whole product: a pattern without * is not a substring search', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: 'Premium', psa_service_id: 'S1' }],
      usage: [{ external_client_id: 'T1', record_id: 'a', product: 'M365 Premium' }],
    }));
    expect(findDisc(r, 'C1', 'S1')).toBeUndefined();
    expect(unaccounted(r, 'C1', 'm365', 'M365 Premium').records).toBe(1);
  });

  it('matches patterns case-insensitively', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: 'M365 PREMIUM*', psa_service_id: 'S1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'm365 premium (annual)' },
        { external_client_id: 'T1', record_id: 'b', product: 'M365 Premium Plus' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2');
  });

  it('matches a rule category case-insensitively; a blank rule category matches every row', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: '*', category: 'Security', psa_service_id: 'S1' },
        { rule_id: 'R2', product: '*', category: '', psa_service_id: 'S2' },
      ],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Defender', category: 'SECURITY' },
        { external_client_id: 'T1', record_id: 'b', product: 'Defender', category: ' security ' },
        { external_client_id: 'T1', record_id: 'c', product: 'Word', category: 'Productivity' },
        { external_client_id: 'T1', record_id: 'd', product: 'Teams', category: '' },
      ],
    }));
    expect(disc(r, 'C1', 'S1').system_count).toBeDecimal('2'); // a, b
    expect(disc(r, 'C1', 'S2').system_count).toBeDecimal('2'); // c (other category), d (blank category)
  });

  it('does not match a rule with a category to a row with a blank category', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: '*', category: 'Security', psa_service_id: 'S1' }],
      usage: [{ external_client_id: 'T1', record_id: 'a', product: 'Defender', category: '' }],
    }));
    expect(findDisc(r, 'C1', 'S1')).toBeUndefined();
    expect(unaccounted(r, 'C1', 'm365', 'Defender').records).toBe(1);
  });

  it('ignores rows of an exclude rule: not billable, not a seat, not unaccounted, not inactive', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [
        { rule_id: 'R1', product: 'Free*', action: 'exclude' },
        { rule_id: 'R2', product: 'M365 Premium', psa_service_id: 'S1' },
      ],
      lines: [{ client_id: 'C1', service_id: 'S1', quantity: 1, unit_price: '10.00' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'M365 Premium' },
        ...seats(3, { external_client_id: 'T1', product: 'Free Teams', last_active: '2026-01-01' }),
      ],
    }));
    expect(findDisc(r, 'C1', 'S1')).toBeUndefined(); // 1 seat vs 1 invoiced
    expect(client(r, 'C1').seat_count).toBe(1);
    expect(r.unaccounted).toEqual([]);
    expect(r.inactive_seats).toEqual([]);
  });

  it('gives no client row to a client whose only usage is excluded by a rule', () => {
    const r = run(baseBundle({
      ...base,
      serviceMap: [{ rule_id: 'R1', product: '*', action: 'exclude' }],
      usage: [{ external_client_id: 'T2', record_id: 'a', product: 'Free Teams' }],
    }));
    expect(r.clients).toEqual([]);
  });
});

describe('§2.4 unaccounted rows', () => {
  it('groups unaccounted rows of a mapped client by (client, integration, product) with the row count', () => {
    const r = run(baseBundle({
      clients,
      clientMap: [...clientMap, { integration_id: 'sentinelone', external_client_id: 'S-1', psa_client_id: 'C1' }],
      usage: [
        ...seats(3, { external_client_id: 'T1', product: 'Visio Plan 2' }),
        ...seats(1, { external_client_id: 'T1', product: 'Project' }),
        ...seats(2, { integration_id: 'sentinelone', external_client_id: 'S-1', product: 'Visio Plan 2' }),
        ...seats(1, { external_client_id: 'T2', product: 'Project' }),
      ],
    }));
    expect(unaccounted(r, 'C1', 'm365', 'Visio Plan 2').records).toBe(3);
    expect(unaccounted(r, 'C1', 'm365', 'Project').records).toBe(1);
    expect(unaccounted(r, 'C1', 'sentinelone', 'Visio Plan 2').records).toBe(2);
    expect(unaccounted(r, 'C2', 'm365', 'Project').records).toBe(1);
    expect(r.unaccounted).toHaveLength(4);
  });

  it('groups products case-insensitively and shows the first spelling seen', () => {
    const r = run(baseBundle({
      clients, clientMap,
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Visio Plan 2' },
        { external_client_id: 'T1', record_id: 'b', product: 'VISIO PLAN 2' },
        { external_client_id: 'T1', record_id: 'c', product: 'visio plan 2' },
      ],
    }));
    expect(r.unaccounted).toEqual([{ client_id: 'C1', integration_id: 'm365', product: 'Visio Plan 2', records: 3 }]);
  });

  it('merges two external tenants mapped to the same PSA client', () => {
    const r = run(baseBundle({
      clients,
      clientMap: [...clientMap, { external_client_id: 'T1b', psa_client_id: 'C1' }],
      usage: [
        { external_client_id: 'T1', record_id: 'a', product: 'Visio' },
        { external_client_id: 'T1b', record_id: 'b', product: 'Visio' },
      ],
    }));
    expect(unaccounted(r, 'C1', 'm365', 'Visio').records).toBe(2);
  });

  it('does not list rows of unmapped clients as unaccounted', () => {
    const r = run(baseBundle({ clients, clientMap, usage: [{ external_client_id: 'T9', record_id: 'a', product: 'Visio' }] }));
    expect(r.unaccounted).toEqual([]);
    expect(unmapped(r, 'm365', 'T9').records).toBe(1);
  });

  it('gives a client row (with seats) to a client whose only usage is unaccounted', () => {
    const r = run(baseBundle({ clients, clientMap, usage: seats(2, { external_client_id: 'T2', product: 'Visio' }) }));
    const c = client(r, 'C2');
    expect(c.seat_count).toBe(2);
    expect(c.discrepancy_count).toBe(1); // one unaccounted group
    expect(c.discrepancy_amount).toBeDecimal('0'); // unaccounted groups have no amount
  });
});
