import type { UsageProfile } from '../types';

/** NinjaOne › Devices › export (CSV): one row per device. */
export const ninjaOneDevices: UsageProfile = {
  id: 'ninjaone-devices',
  name: 'NinjaOne · Devices',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'ninjaone', name: 'NinjaOne', kind: 'devices' },
  signature: ['Client Name', 'Role', 'Last Online'],
  aliases: {
    'Client Name': ['Organization', 'Organization Name', 'Client'],
    ID: ['Device ID', 'Node ID', 'Id'],
    'Last Online': ['Last Contact', 'Last Seen'],
    'Display Name': ['Device Name', 'System Name', 'Name'],
  },
  locale: { decimal: '.', thousands: ',', dateOrder: 'MDY' },
  clientScope: 'column',
  lastActiveIsSyncTime: true,
  fields: {
    external_client_id: { column: 'Client Name' },
    external_client_name: { column: 'Client Name' },
    record_id: { column: 'ID' },
    product: { column: 'Role' },
    last_active: { column: 'Last Online' },
  },
  assumptions: [
    'Last sync = the latest Last Online in the file (the export is at least that recent).',
    'One usage row per device; client = Client Name; record_id = the device ID.',
    'product = Role (WINDOWS_SERVER, WINDOWS_WORKSTATION, MAC, NMS_SWITCH, …), so presets split servers from workstations.',
    'last_active = the date of "Last Online", a US date-time (11/27/2026 3:42:10 PM).',
  ],
};
