import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import type { ServiceRule } from '../../worker/engine/model';
import { reconcile } from '../../worker/engine/reconcile';
import { findDoubleCounting } from '../../worker/mapping/doubleCounting';
import type { CountedPair } from '../../worker/mapping/doubleCounting';
import { WorkspaceView } from '../../worker/views/workspaceView';
import { baseBundle, integration } from '../helpers/bundle';
import type { BundleSpec } from '../helpers/bundle';

const NAMES = {
  client: (id: string) => ({ C1: 'Acme Dental', C2: 'Blue Sky' })[id] ?? '',
  service: (id: string) => ({ BP: 'Business Premium' })[id] ?? '',
  integration: (id: string) => ({ m365: 'Microsoft 365', pax8: 'Pax8', ninjaone: 'NinjaOne' })[id] ?? '',
};
/** Quantities in units of 1/10,000, as the engine keeps them. */
const pair = (clientId: string, serviceId: string, integrationIds: string[], systemCount = 240000n, invoicedQty = 120000n): CountedPair => ({ clientId, serviceId, integrationIds, systemCount, invoicedQty });
const mapRule = (ruleId: string, integrationId: string, psaServiceId: string): ServiceRule => ({ ruleId, integrationId, product: '*', category: '', action: 'map', psaServiceId, count: 'records' });

describe('findDoubleCounting', () => {
  it('warns when two integrations count the same service for the same client, naming both and their rules', () => {
    const found = findDoubleCounting([pair('C1', 'BP', ['m365', 'pax8'])], [mapRule('R-1', 'm365', 'BP'), mapRule('R-2', 'pax8', 'BP'), mapRule('R-3', 'pax8', 'OTHER')], NAMES);
    expect(found).toEqual([{
      clientId: 'C1', clientName: 'Acme Dental', serviceId: 'BP', serviceName: 'Business Premium',
      integrationIds: ['m365', 'pax8'], integrationNames: ['Microsoft 365', 'Pax8'], ruleIds: [['R-1'], ['R-2']],
      systemCount: '24', invoicedQty: '12',
      message: 'Business Premium for Acme Dental is counted by both Microsoft 365 and Pax8: keep one source (exclude the other\'s rule) or the count doubles. Rules: R-1 (Microsoft 365), R-2 (Pax8).',
    }]);
  });

  it('lists nothing for pairs one integration counts, however many tenants it has', () => {
    expect(findDoubleCounting([pair('C1', 'BP', ['m365']), pair('C2', 'BP', [])], [], NAMES)).toEqual([]);
  });

  it('says how often a seat is counted when three integrations count it', () => {
    const [found] = findDoubleCounting([pair('C1', 'BP', ['pax8', 'ninjaone', 'm365'])], [], NAMES);
    expect(found!.integrationIds).toEqual(['m365', 'ninjaone', 'pax8']);
    expect(found!.message).toBe('Business Premium for Acme Dental is counted by Microsoft 365, NinjaOne and Pax8: keep one source (exclude the others\' rules) or each seat is counted three times.');
  });

  it('falls back to ids where the workspace has no names, and sorts by client name, then service', () => {
    const found = findDoubleCounting([pair('C2', 'BP', ['a', 'b']), pair('C9', 'S9', ['a', 'b']), pair('C1', 'BP', ['a', 'b'])], [], NAMES);
    expect(found.map((f) => [f.clientName, f.serviceName])).toEqual([['Acme Dental', 'Business Premium'], ['Blue Sky', 'Business Premium'], ['C9', 'S9']]);
    expect(found[2]!.message).toBe('S9 for C9 is counted by both a and b: keep one source (exclude the other\'s rule) or the count doubles.');
  });
});

describe('WorkspaceView: double counting in the overview', () => {
  const view = (spec: BundleSpec): WorkspaceView => {
    const read = readBundle(baseBundle(spec));
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    return new WorkspaceView(read.bundle, reconcile(read.bundle));
  };
  const spec: BundleSpec = {
    workspace: { integrations: [integration('m365', { name: 'Microsoft 365' }), integration('pax8', { name: 'Pax8' })] },
    clients: [{ client_id: 'C1', client_name: 'Acme Dental Group' }],
    lines: [{ client_id: 'C1', service_id: 'SVC-BP', service_name: 'Microsoft 365 Business Premium', quantity: 2, unit_price: '22.00' }],
    usage: [
      { integration_id: 'm365', external_client_id: 'acmedental.com', record_id: 'ann@acmedental.com', product: 'Microsoft 365 Business Premium' },
      { integration_id: 'm365', external_client_id: 'acmedental.com', record_id: 'bob@acmedental.com', product: 'Microsoft 365 Business Premium' },
      { integration_id: 'pax8', external_client_id: 'Acme Dental Group', record_id: 'line-2', product: 'Microsoft 365 Business Premium', quantity: 2 },
    ],
    clientMap: [
      { integration_id: 'm365', external_client_id: 'acmedental.com', psa_client_id: 'C1' },
      { integration_id: 'pax8', external_client_id: 'Acme Dental Group', psa_client_id: 'C1' },
    ],
    serviceMap: [
      { rule_id: 'R-M365', integration_id: 'm365', product: 'Microsoft 365 Business Premium', psa_service_id: 'SVC-BP' },
      { rule_id: 'R-PAX8', integration_id: 'pax8', product: 'Microsoft 365 Business Premium', psa_service_id: 'SVC-BP', count: 'quantity' },
    ],
  };

  it('lists a Business Premium pair counted by both the tenant export and the Pax8 invoice (2 seats + 2 invoiced = 4)', () => {
    const v = view(spec);
    expect(v.overview().doubleCounted).toEqual([expect.objectContaining({
      clientId: 'C1', serviceId: 'SVC-BP', integrationIds: ['m365', 'pax8'], systemCount: '4', invoicedQty: '2',
      message: 'Microsoft 365 Business Premium for Acme Dental Group is counted by both Microsoft 365 and Pax8: keep one source (exclude the other\'s rule) or the count doubles. Rules: R-M365 (Microsoft 365), R-PAX8 (Pax8).',
    })]);
  });

  it('lists nothing once one source\'s rule excludes the product, and leaves the engine\'s numbers as they are', () => {
    const fixed = view({ ...spec, serviceMap: [spec.serviceMap![0]!, { ...spec.serviceMap![1]!, action: 'exclude', psa_service_id: '' }] });
    expect(fixed.overview().doubleCounted).toEqual([]);
    expect(fixed.report().discrepancies).toEqual([]);
    expect(view(spec).report().discrepancies.map((d) => [d.integration_ids, d.system_count, d.qty_delta])).toEqual([[['m365', 'pax8'], '4', '2']]);
  });
});
