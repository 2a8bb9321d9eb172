import { describe, expect, it } from 'vitest';
import type { ServiceRule } from '../../worker/engine/model';
import { buildPresetRules, PRESETS, presetsFor } from '../../worker/mapping/presets';
import type { Preset, PresetService, PresetUsage } from '../../worker/mapping/presets';

const SERVICES: PresetService[] = [
  { serviceId: 'SVC-M365-BP', serviceName: 'Microsoft 365 Business Premium' },
  { serviceId: 'SVC-M365-E3', serviceName: 'Microsoft 365 E3' },
  { serviceId: 'SVC-RMM-SRV', serviceName: 'Managed Server' },
  { serviceId: 'SVC-RMM-WS', serviceName: 'Managed Workstation' },
  { serviceId: 'SVC-BACKUP-GB', serviceName: 'Cloud Backup Storage (per GB)' },
  { serviceId: 'SVC-EDR', serviceName: 'Endpoint Detection & Response' },
  { serviceId: 'SVC-HELPDESK', serviceName: 'Help Desk Block Hours' },
];

const usage = (...pairs: [product: string, category: string][]): PresetUsage => ({ products: pairs.map(([product, category]) => ({ product, category, rows: 3 })) });
const preset = (id: Preset['id']): Preset => PRESETS.find((p) => p.id === id)!;
const build = (id: Preset['id'], u: PresetUsage, services: readonly PresetService[] = SERVICES) => buildPresetRules(preset(id), 'int-1', u, services, (i) => `R${i + 1}`);
const rule = (ruleId: string, action: ServiceRule['action'], product: string, category: string, psaServiceId: string, count: ServiceRule['count']): ServiceRule =>
  ({ ruleId, integrationId: 'int-1', product, category, action, psaServiceId, count });

describe('presetsFor', () => {
  it('offers the kind\'s own preset first, then the others', () => {
    expect(presetsFor('devices').map((p) => p.id)).toEqual(['devices', 'licenses', 'storage', 'security']);
    expect(presetsFor('Security').map((p) => p.id)).toEqual(['security', 'licenses', 'devices', 'storage']);
  });

  it('offers every preset, in the usual order, for a kind it does not know', () => {
    expect(presetsFor('tickets').map((p) => p.id)).toEqual(['licenses', 'devices', 'storage', 'security']);
    expect(presetsFor('licenses')[0]!.label).toBe('Microsoft 365: one rule per SKU');
  });
});

describe('buildPresetRules', () => {
  it('licenses: excludes trials and free SKUs first, then maps each product to the closest service by name', () => {
    const r = build('licenses', usage(
      ['Microsoft 365 E3', 'license'],
      ['Microsoft 365 Business Premium', 'license'],
      ['Microsoft 365 Business Premium Trial', 'license'],
      ['Microsoft Power Automate Free', 'license'],
      ['microsoft 365 e3', 'license'],
    ));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*Trial*', '', '', 'records'),
      rule('R2', 'exclude', '*Free*', '', '', 'records'),
      rule('R3', 'map', 'Microsoft 365 Business Premium', '', 'SVC-M365-BP', 'records'),
      rule('R4', 'map', 'Microsoft 365 E3', '', 'SVC-M365-E3', 'records'),
    ]);
    expect(r.unmatched).toEqual([]);
  });

  it('licenses: leaves a product without a service scoring 0.5 unmatched, and one containing *', () => {
    const r = build('licenses', usage(['Power BI Pro', 'license'], ['Visio *Plan 2*', 'license'], ['Microsoft 365 Business Premium', 'license']));
    expect(r.rules.map((x) => x.product)).toEqual(['*Trial*', '*Free*', 'Microsoft 365 Business Premium']);
    expect(r.unmatched).toEqual(['Power BI Pro', 'Visio *Plan 2*']);
  });

  it('devices: excludes network devices, maps servers and workstations by category, counts records', () => {
    const r = build('devices', usage(['Windows 11 Pro', 'workstation'], ['FortiGate 60F', 'Network'], ['Windows Server 2022', 'server'], ['Ubuntu Server', 'server']));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*', 'Network', '', 'records'),
      rule('R2', 'map', '*', 'server', 'SVC-RMM-SRV', 'records'),
      rule('R3', 'map', '*', 'workstation', 'SVC-RMM-WS', 'records'),
    ]);
    expect(r.unmatched).toEqual([]);
  });

  it('devices: maps laptops and desktops to the workstation service, and lists categories with no service', () => {
    const r = build('devices', usage(['MacBook', 'laptop'], ['iPhone 15', 'mobile'], ['Printer', '']));
    expect(r.rules).toEqual([rule('R1', 'map', '*', 'laptop', 'SVC-RMM-WS', 'records')]);
    expect(r.unmatched).toEqual(['(no category)', 'mobile']);
  });

  it('storage: maps everything to the backup service by quantity', () => {
    expect(build('storage', usage(['Cloud Backup Storage', 'storage'])).rules).toEqual([rule('R1', 'map', '*', '', 'SVC-BACKUP-GB', 'quantity')]);
  });

  it('security: maps everything to the endpoint security service by agent', () => {
    expect(build('security', usage(['EDR Agent', 'endpoint'])).rules).toEqual([rule('R1', 'map', '*', '', 'SVC-EDR', 'records')]);
  });

  it('leaves every product unmatched when no service fits the preset', () => {
    const r = build('security', usage(['EDR Agent', 'endpoint'], ['MTR', 'endpoint']), [{ serviceId: 'SVC-HELPDESK', serviceName: 'Help Desk Block Hours' }]);
    expect(r).toEqual({ rules: [], unmatched: ['EDR Agent', 'MTR'] });
  });

  it('prefers a service that names only its own family ("Managed Server" over "Server Backup")', () => {
    const services = [{ serviceId: 'SVC-SB', serviceName: 'Server Backup' }, { serviceId: 'SVC-MS', serviceName: 'Managed Servers' }];
    expect(build('devices', usage(['Windows Server', 'server']), services).rules[0]!.psaServiceId).toBe('SVC-MS');
    expect(build('storage', usage(['Backup', 'storage']), services).rules[0]!.psaServiceId).toBe('SVC-SB');
  });

  it('takes rule ids from nextRuleId, numbered from 0 in rule order', () => {
    const seen: number[] = [];
    const r = buildPresetRules(preset('licenses'), 'm365', usage(['Microsoft 365 E3', 'license']), SERVICES, (i) => {
      seen.push(i);
      return `rule-${100 + i}`;
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(r.rules.map((x) => [x.ruleId, x.integrationId])).toEqual([['rule-100', 'm365'], ['rule-101', 'm365'], ['rule-102', 'm365']]);
  });

  it('any integration may use any preset', () => {
    const r = build('storage', usage(['Windows 11 Pro', 'workstation']));
    expect(r.rules).toEqual([rule('R1', 'map', '*', '', 'SVC-BACKUP-GB', 'quantity')]);
  });
});

describe('license preset refuses look-alike SKUs', () => {
  it('does not map Business Basic to the Business Premium service, however similar the names', () => {
    const preset = presetsFor('licenses')[0]!;
    const { rules, unmatched } = buildPresetRules(
      preset,
      'm365',
      { products: [{ product: 'Microsoft 365 Business Basic', category: 'license', rows: 4 }, { product: 'Microsoft 365 E3 (no Teams)', category: 'license', rows: 2 }] },
      [{ serviceId: 'SVC-BP', serviceName: 'Microsoft 365 Business Premium' }, { serviceId: 'SVC-E3', serviceName: 'Microsoft 365 E3' }],
      (i) => `P-${i}`,
    );
    expect(unmatched).toContain('Microsoft 365 Business Basic');
    expect(rules.filter((r) => r.action === 'map').map((r) => [r.product, r.psaServiceId])).toEqual([['Microsoft 365 E3 (no Teams)', 'SVC-E3']]);
  });
});
