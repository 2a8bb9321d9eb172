import { describe, expect, it } from 'vitest';
import type { ServiceRule } from '../../worker/engine/model';
import { buildPresetRules, PRESETS, presetsFor, productClass, roleClass } from '../../worker/mapping/presets';
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
    expect(presetsFor('devices').map((p) => p.id)).toEqual(['devices', 'device-roles', 'licenses', 'licenses-quantity', 'storage', 'security']);
    expect(presetsFor('Security').map((p) => p.id)).toEqual(['security', 'licenses', 'licenses-quantity', 'devices', 'device-roles', 'storage']);
  });

  it('offers every preset, in the usual order, for a kind it does not know', () => {
    expect(presetsFor('tickets').map((p) => p.id)).toEqual(['licenses', 'licenses-quantity', 'devices', 'device-roles', 'storage', 'security']);
    expect(presetsFor('licenses')[0]!.label).toBe('Microsoft 365: one rule per SKU');
  });

  it('offers a known source\'s own preset first: Pax8 by quantity, NinjaOne and N-able by role, SentinelOne by agent', () => {
    expect(presetsFor('licenses', 'pax8').map((p) => p.id).slice(0, 2)).toEqual(['licenses-quantity', 'licenses']);
    expect(presetsFor('licenses', 'm365')[0]!.id).toBe('licenses');
    expect(presetsFor('devices', 'ninjaone')[0]!.id).toBe('device-roles');
    expect(presetsFor('backup', 'nable').map((p) => p.id).slice(0, 2)).toEqual(['device-roles', 'storage']);
    expect(presetsFor('security', 'sentinelone')[0]!.id).toBe('security');
  });

  it('reads the kind "backup" as storage', () => {
    expect(presetsFor('backup')[0]!.id).toBe('storage');
  });
});

describe('buildPresetRules', () => {
  it('licenses: excludes trials and free SKUs (Free, Exploratory) first, then maps each product to the closest service by name', () => {
    const r = build('licenses', usage(
      ['Microsoft 365 E3', 'license'],
      ['Microsoft 365 Business Premium', 'license'],
      ['Microsoft 365 Business Premium Trial', 'license'],
      ['Microsoft Power Automate Free', 'license'],
      ['Microsoft Teams Exploratory', 'license'],
      ['microsoft 365 e3', 'license'],
    ));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*Trial*', '', '', 'records'),
      rule('R2', 'exclude', '*Free*', '', '', 'records'),
      rule('R3', 'exclude', '*Exploratory*', '', '', 'records'),
      rule('R4', 'map', 'Microsoft 365 Business Premium', '', 'SVC-M365-BP', 'records'),
      rule('R5', 'map', 'Microsoft 365 E3', '', 'SVC-M365-E3', 'records'),
    ]);
    expect(r.unmatched).toEqual([]);
  });

  it('licenses: leaves a product without a service scoring 0.5 unmatched, and one containing *', () => {
    const r = build('licenses', usage(['Power BI Pro', 'license'], ['Visio *Plan 2*', 'license'], ['Microsoft 365 Business Premium', 'license']));
    expect(r.rules.map((x) => x.product)).toEqual(['*Trial*', '*Free*', '*Exploratory*', 'Microsoft 365 Business Premium']);
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
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r.rules.map((x) => [x.ruleId, x.integrationId])).toEqual([['rule-100', 'm365'], ['rule-101', 'm365'], ['rule-102', 'm365'], ['rule-103', 'm365']]);
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

describe('licenses-quantity preset (a Pax8 invoice)', () => {
  it('maps each SKU like the licenses preset, counting the invoiced quantity', () => {
    const r = build('licenses-quantity', usage(['Microsoft 365 Business Premium', ''], ['Microsoft 365 E3', ''], ['Microsoft 365 E3 Trial', '']));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*Trial*', '', '', 'records'),
      rule('R2', 'exclude', '*Free*', '', '', 'records'),
      rule('R3', 'exclude', '*Exploratory*', '', '', 'records'),
      rule('R4', 'map', 'Microsoft 365 Business Premium', '', 'SVC-M365-BP', 'quantity'),
      rule('R5', 'map', 'Microsoft 365 E3', '', 'SVC-M365-E3', 'quantity'),
    ]);
    expect(r.unmatched).toEqual([]);
  });
});

describe('device classes', () => {
  it('reads NinjaOne roles: servers and VM hosts, VM guests, workstations and Macs, network gear, phones', () => {
    expect(['WINDOWS_SERVER', 'LINUX_SERVER', 'VMWARE_VM_HOST', 'HYPERV_VMM_HOST'].map(roleClass)).toEqual(['server', 'server', 'server', 'server']);
    expect(['VMWARE_VM_GUEST', 'HYPERV_VMM_GUEST', 'PROXMOX_VM_GUEST'].map(roleClass)).toEqual(['vm', 'vm', 'vm']);
    expect(['WINDOWS_WORKSTATION', 'mac', 'LINUX_WORKSTATION'].map(roleClass)).toEqual(['workstation', 'workstation', 'workstation']);
    expect(['NMS_SWITCH', 'NMS_ROUTER', 'NMS_FIREWALL', 'NMS_PRINTER'].map(roleClass)).toEqual(['network', 'network', 'network', 'network']);
    expect(['ANDROID', 'APPLE_IOS', 'APPLE_IPADOS'].map(roleClass)).toEqual(['mobile', 'mobile', 'mobile']);
    expect(['CLOUD_MONITOR_TARGET', 'Server', ''].map(roleClass)).toEqual([null, null, null]);
  });

  it('reads N-able billing products by their words, a storage unit before a device', () => {
    expect(['Backup Storage (GB)', 'Cove Data Protection - Server', 'Server', 'Workstation', 'Mail Assure'].map(productClass)).toEqual(['storage', 'backup', 'server', 'workstation', null]);
  });
});

describe('device-roles preset (NinjaOne, N-able)', () => {
  const SERVER_BACKUP = { serviceId: 'SVC-SB', serviceName: 'Server Backup' };

  it('NinjaOne, role in the product: excludes network gear (one NMS_* rule) and phones, maps servers and VM guests, then workstations and Macs', () => {
    const r = build('device-roles', usage(
      ['WINDOWS_WORKSTATION', ''], ['MAC', ''], ['WINDOWS_SERVER', ''], ['LINUX_SERVER', ''], ['VMWARE_VM_GUEST', ''],
      ['NMS_SWITCH', ''], ['NMS_FIREWALL', ''], ['APPLE_IOS', ''], ['CLOUD_MONITOR_TARGET', ''],
    ));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', 'NMS_*', '', '', 'records'),
      rule('R2', 'exclude', 'APPLE_IOS', '', '', 'records'),
      rule('R3', 'map', 'LINUX_SERVER', '', 'SVC-RMM-SRV', 'records'),
      rule('R4', 'map', 'WINDOWS_SERVER', '', 'SVC-RMM-SRV', 'records'),
      rule('R5', 'map', 'VMWARE_VM_GUEST', '', 'SVC-RMM-SRV', 'records'),
      rule('R6', 'map', 'MAC', '', 'SVC-RMM-WS', 'records'),
      rule('R7', 'map', 'WINDOWS_WORKSTATION', '', 'SVC-RMM-WS', 'records'),
    ]);
    expect(r.unmatched).toEqual(['CLOUD_MONITOR_TARGET']);
  });

  it('NinjaOne, role in the category: the same rules, matching the category with any product', () => {
    const r = build('device-roles', usage(['Dell OptiPlex 7090', 'WINDOWS_WORKSTATION'], ['PowerEdge R740', 'WINDOWS_SERVER'], ['Meraki MS120', 'NMS_SWITCH'], ['HP EliteDesk', 'WINDOWS_WORKSTATION']));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*', 'NMS_SWITCH', '', 'records'),
      rule('R2', 'map', '*', 'WINDOWS_SERVER', 'SVC-RMM-SRV', 'records'),
      rule('R3', 'map', '*', 'WINDOWS_WORKSTATION', 'SVC-RMM-WS', 'records'),
    ]);
    expect(r.unmatched).toEqual([]);
  });

  it('N-able efile: storage in GB by quantity for the backup service, servers and workstations per device', () => {
    const r = build('device-roles', usage(['Server', 'Device'], ['Workstation', 'Device'], ['Backup Storage (GB)', 'GB'], ['Mail Assure', 'Mailbox']));
    expect(r.rules).toEqual([
      rule('R1', 'map', '*', 'GB', 'SVC-BACKUP-GB', 'quantity'),
      rule('R2', 'map', 'Server', '', 'SVC-RMM-SRV', 'records'),
      rule('R3', 'map', 'Workstation', '', 'SVC-RMM-WS', 'records'),
    ]);
    expect(r.unmatched).toEqual(['Mail Assure']);
  });

  it('N-able efile: backup per protected device goes to a backup service naming the device, never to the per-GB one', () => {
    const r = build('device-roles', usage(['Cove Data Protection - Server', 'Device'], ['Cove Data Protection - Workstation', 'Device']), [...SERVICES, SERVER_BACKUP]);
    expect(r.rules).toEqual([rule('R1', 'map', 'Cove Data Protection - Server', '', 'SVC-SB', 'records')]);
    expect(r.unmatched).toEqual(['Cove Data Protection - Workstation']);
  });
});

describe('devices preset with NinjaOne roles as categories', () => {
  it('maps server and workstation roles by family and excludes network and phone roles', () => {
    const r = build('devices', usage(['x', 'WINDOWS_WORKSTATION'], ['y', 'HYPERV_VMM_GUEST'], ['z', 'NMS_ROUTER'], ['w', 'ANDROID']));
    expect(r.rules).toEqual([
      rule('R1', 'exclude', '*', 'NMS_ROUTER', '', 'records'),
      rule('R2', 'exclude', '*', 'ANDROID', '', 'records'),
      rule('R3', 'map', '*', 'HYPERV_VMM_GUEST', 'SVC-RMM-SRV', 'records'),
      rule('R4', 'map', '*', 'WINDOWS_WORKSTATION', 'SVC-RMM-WS', 'records'),
    ]);
    expect(r.unmatched).toEqual([]);
  });
});
