/**
 * Static tables behind the demo workspace: the MSP's service catalog, the products each
 * integration reports, the service_map rules that tie them together, and company names.
 *
 * Prices are integers in ten-thousandths of the currency unit ("p4"): the spec allows money with
 * 4 decimals and the demo must never put money through binary floating point.
 */

export type IntegrationId = 'm365' | 'rmm' | 'backup' | 'edr';

export interface DemoIntegration {
  id: IntegrationId;
  name: string;
  kind: 'licenses' | 'devices' | 'storage' | 'security';
  /** Hours between the last sync and asOf; backup is past staleAfterHours on purpose (yellow). */
  syncHoursAgo: number;
  /** record_id prefix; a running counter per integration keeps identities unique. */
  recordPrefix: string;
  /** Relative share of a client's usage rows, so scaled bundles keep the same mix. */
  share: number;
}

export const INTEGRATIONS: readonly DemoIntegration[] = [
  { id: 'm365', name: 'Microsoft 365', kind: 'licenses', syncHoursAgo: 6, recordPrefix: 'm365-u-', share: 40 },
  { id: 'rmm', name: 'RMM (devices)', kind: 'devices', syncHoursAgo: 2, recordPrefix: 'rmm-d-', share: 30 },
  { id: 'backup', name: 'Cloud Backup', kind: 'storage', syncHoursAgo: 30, recordPrefix: 'backup-v-', share: 8 },
  { id: 'edr', name: 'Endpoint Detection & Response', kind: 'security', syncHoursAgo: 1, recordPrefix: 'edr-a-', share: 22 },
];

export type ServiceId =
  | 'SVC-M365-BP' | 'SVC-M365-E3' | 'SVC-EXO-P1' | 'SVC-TEAMS-ESS'
  | 'SVC-RMM-WS' | 'SVC-RMM-SRV' | 'SVC-BACKUP-GB' | 'SVC-EDR' | 'SVC-EDR-MTR'
  | 'SVC-MSP-FLAT' | 'SVC-HELPDESK' | 'SVC-ONSITE';

export interface DemoService {
  id: ServiceId;
  name: string;
  /** psa_catalog list price (p4); null = the catalog has no price; absent from catalog when !inCatalog. */
  listPrice: number | null;
  inCatalog: boolean;
  /** Negotiated per-client monthly prices (p4); the list price is repeated to make it the usual one. */
  clientPrices: readonly number[];
  /** Billed through a license agreement rather than the managed-services agreement. */
  licensing: boolean;
}

const p4 = (units: number, cents = 0): number => units * 10000 + cents * 100;

export const SERVICES: readonly DemoService[] = [
  { id: 'SVC-M365-BP', name: 'Microsoft 365 Business Premium', listPrice: p4(22), inCatalog: true, licensing: true,
    clientPrices: [p4(22), p4(22), p4(22), p4(21, 50), p4(20), p4(24)] },
  { id: 'SVC-M365-E3', name: 'Microsoft 365 E3', listPrice: p4(36), inCatalog: true, licensing: true,
    clientPrices: [p4(36), p4(36), p4(34, 50), p4(38)] },
  { id: 'SVC-EXO-P1', name: 'Exchange Online (Plan 1)', listPrice: p4(4), inCatalog: true, licensing: true,
    clientPrices: [p4(4), p4(4), p4(4, 50)] },
  // Newly launched: no invoice carries a price yet, so its rate can only come from the catalog.
  { id: 'SVC-TEAMS-ESS', name: 'Microsoft Teams Essentials', listPrice: p4(4), inCatalog: true, licensing: true,
    clientPrices: [] },
  { id: 'SVC-RMM-WS', name: 'Managed Workstation', listPrice: p4(45), inCatalog: true, licensing: false,
    clientPrices: [p4(45), p4(45), p4(40), p4(42, 50), p4(50)] },
  { id: 'SVC-RMM-SRV', name: 'Managed Server', listPrice: p4(150), inCatalog: true, licensing: false,
    clientPrices: [p4(150), p4(150), p4(125), p4(175)] },
  // Per-GB pricing keeps 4 decimals (0.1250), as real storage price lists do.
  { id: 'SVC-BACKUP-GB', name: 'Cloud Backup Storage (per GB)', listPrice: 1250, inCatalog: true, licensing: false,
    clientPrices: [1250, 1250, 1000, 1200] },
  { id: 'SVC-EDR', name: 'Endpoint Detection & Response', listPrice: p4(6, 50), inCatalog: true, licensing: false,
    clientPrices: [p4(6, 50), p4(6, 50), p4(6), p4(5), p4(7)] },
  // Mapped by a rule but priced nowhere: the one pair type whose rate_source is "none".
  { id: 'SVC-EDR-MTR', name: 'Managed Threat Response Add-on', listPrice: null, inCatalog: false, licensing: false,
    clientPrices: [] },
  { id: 'SVC-MSP-FLAT', name: 'Managed Services Agreement, Flat Fee', listPrice: p4(1500), inCatalog: true, licensing: false,
    clientPrices: [p4(850), p4(1250), p4(1500), p4(1800), p4(2400), p4(3200)] },
  { id: 'SVC-HELPDESK', name: 'Help Desk Block Hours', listPrice: p4(135), inCatalog: true, licensing: false,
    clientPrices: [p4(135), p4(125)] },
  { id: 'SVC-ONSITE', name: 'On-site Visit (per hour)', listPrice: p4(175), inCatalog: true, licensing: false,
    clientPrices: [] },
];

export function serviceById(id: ServiceId): DemoService {
  const found = SERVICES.find((s) => s.id === id);
  if (!found) throw new Error(`unknown demo service ${id}`);
  return found;
}

/** Services reconciled against usage, in the order an invoice lists them. */
export const COMPARED_SERVICES: readonly ServiceId[] = [
  'SVC-M365-BP', 'SVC-M365-E3', 'SVC-EXO-P1', 'SVC-TEAMS-ESS',
  'SVC-RMM-WS', 'SVC-RMM-SRV', 'SVC-BACKUP-GB', 'SVC-EDR', 'SVC-EDR-MTR',
];

export type ProductKey =
  | 'bp' | 'e3' | 'e3NoTeams' | 'exo' | 'teams' | 'powerBi' | 'bpTrial' | 'automateFree'
  | 'win11' | 'win10' | 'mac' | 'srv2022' | 'srv2019' | 'ubuntu' | 'firewall'
  | 'backupStorage' | 'edrAgent' | 'mtr';

export interface DemoProduct {
  key: ProductKey;
  name: string;
  category: string;
  /** The service the service_map rules resolve it to; null = excluded by a rule or unaccounted. */
  service: ServiceId | null;
}

export const PRODUCTS: Readonly<Record<IntegrationId, readonly DemoProduct[]>> = {
  m365: [
    { key: 'bp', name: 'Microsoft 365 Business Premium', category: 'license', service: 'SVC-M365-BP' },
    { key: 'e3', name: 'Microsoft 365 E3', category: 'license', service: 'SVC-M365-E3' },
    { key: 'e3NoTeams', name: 'Microsoft 365 E3 (no Teams)', category: 'license', service: 'SVC-M365-E3' },
    { key: 'exo', name: 'Exchange Online (Plan 1)', category: 'license', service: 'SVC-EXO-P1' },
    { key: 'teams', name: 'Microsoft Teams Essentials', category: 'license', service: 'SVC-TEAMS-ESS' },
    // No rule covers it: shows up as unaccounted usage.
    { key: 'powerBi', name: 'Power BI Pro', category: 'license', service: null },
    // Would match the Business Premium rule if the *Trial* exclude did not come first.
    { key: 'bpTrial', name: 'Microsoft 365 Business Premium Trial', category: 'license', service: null },
    { key: 'automateFree', name: 'Microsoft Power Automate Free', category: 'license', service: null },
  ],
  rmm: [
    { key: 'win11', name: 'Windows 11 Pro', category: 'workstation', service: 'SVC-RMM-WS' },
    { key: 'win10', name: 'Windows 10 Pro', category: 'workstation', service: 'SVC-RMM-WS' },
    { key: 'mac', name: 'macOS 14', category: 'workstation', service: 'SVC-RMM-WS' },
    { key: 'srv2022', name: 'Windows Server 2022', category: 'server', service: 'SVC-RMM-SRV' },
    { key: 'srv2019', name: 'Windows Server 2019', category: 'server', service: 'SVC-RMM-SRV' },
    { key: 'ubuntu', name: 'Ubuntu Server 22.04 LTS', category: 'server', service: 'SVC-RMM-SRV' },
    { key: 'firewall', name: 'FortiGate 60F', category: 'network', service: null },
  ],
  backup: [
    { key: 'backupStorage', name: 'Cloud Backup Storage', category: 'storage', service: 'SVC-BACKUP-GB' },
  ],
  edr: [
    { key: 'edrAgent', name: 'EDR Agent', category: 'endpoint', service: 'SVC-EDR' },
    { key: 'mtr', name: 'Managed Threat Response', category: 'endpoint', service: 'SVC-EDR-MTR' },
  ],
};

export interface DemoRule {
  ruleId: string;
  integration: IntegrationId;
  product: string;
  category: string;
  action: 'map' | 'exclude';
  service: ServiceId | '';
  count: 'records' | 'quantity';
}

/** File order matters: excludes sit before the broad map rules they carve exceptions out of. */
export const RULES: readonly DemoRule[] = [
  { ruleId: 'R-M365-01', integration: 'm365', product: '*Trial*', category: '', action: 'exclude', service: '', count: 'records' },
  { ruleId: 'R-M365-02', integration: 'm365', product: '*Free', category: '', action: 'exclude', service: '', count: 'records' },
  { ruleId: 'R-M365-03', integration: 'm365', product: 'Microsoft 365 Business Premium*', category: 'license', action: 'map', service: 'SVC-M365-BP', count: 'records' },
  { ruleId: 'R-M365-04', integration: 'm365', product: 'Microsoft 365 E3*', category: 'license', action: 'map', service: 'SVC-M365-E3', count: 'records' },
  { ruleId: 'R-M365-05', integration: 'm365', product: 'Exchange Online*', category: '', action: 'map', service: 'SVC-EXO-P1', count: 'records' },
  { ruleId: 'R-M365-06', integration: 'm365', product: 'Microsoft Teams Essentials', category: '', action: 'map', service: 'SVC-TEAMS-ESS', count: 'records' },
  { ruleId: 'R-RMM-01', integration: 'rmm', product: '*', category: 'network', action: 'exclude', service: '', count: 'records' },
  { ruleId: 'R-RMM-02', integration: 'rmm', product: '*', category: 'server', action: 'map', service: 'SVC-RMM-SRV', count: 'records' },
  { ruleId: 'R-RMM-03', integration: 'rmm', product: '*', category: 'workstation', action: 'map', service: 'SVC-RMM-WS', count: 'records' },
  { ruleId: 'R-BK-01', integration: 'backup', product: 'Cloud Backup Storage', category: '', action: 'map', service: 'SVC-BACKUP-GB', count: 'quantity' },
  { ruleId: 'R-EDR-01', integration: 'edr', product: 'EDR Agent', category: '', action: 'map', service: 'SVC-EDR', count: 'records' },
  { ruleId: 'R-EDR-02', integration: 'edr', product: 'Managed Threat Response*', category: '', action: 'map', service: 'SVC-EDR-MTR', count: 'records' },
];

/**
 * The first PSA clients, hand-picked so the demo shows the awkward cases real data has:
 * commas, quotes, apostrophes, accents and a CJK name.
 */
export const FEATURED_CLIENT_NAMES: readonly string[] = [
  'ACME, Inc.',
  'Müller Bäckerei GmbH',
  '日本商事株式会社',
  '"Blue Sky" Dental Group',
  'Northwind Traders LLC',
  'Harbor & Finch Law, LLP',
  'Café Étoile SARL',
  'Søndergaard Arkitekter ApS',
  'Riverbend Family Medicine, P.C.',
  'Pinnacle Logistics Inc.',
  "O'Brien & Sons Plumbing",
  'Crescent Valley Credit Union',
  'Bright Path Charter School',
  'Lakeside Veterinary Clinic',
  'Summit Peak Accounting, CPAs',
  'Granite State Engineering Corp.',
  'Hoffmann & Köhler Steuerberatung',
  'Westbrook Property Management',
  'Redwood Coast Winery',
  'Meridian Orthopedics',
  'Atlas Freight & Customs Brokerage',
  'São Paulo Imports Ltda.',
  'Evergreen Senior Living',
  'Keystone Title & Escrow',
  'BluePeak Analytics, Inc.',
  'Fairview Dental Studio',
  'Ironclad Manufacturing Co.',
  'Coastal Realty Partners',
  'Maplewood Library Foundation',
  'Núñez Construcción S.A.',
  'Silverline Insurance Agency',
  'Oakridge Pediatrics',
  'Starlight Events & Catering',
  'Trinity Community Church',
  'Vantage Point Architects',
  'Zephyr Outdoor Gear, Inc.',
];

/** Word lists for clients past the featured ones (2 000-client benchmark bundles). */
export const NAME_PREFIXES: readonly string[] = [
  'Cedar', 'Willow', 'Harborview', 'Ridgeline', 'Bluewater', 'Copperfield', 'Stonegate', 'Pinecrest',
  'Brookside', 'Highland', 'Lighthouse', 'Sagebrush', 'Ironwood', 'Foxglove', 'Juniper', 'Magnolia',
  'Northstar', 'Oakhurst', 'Prairie', 'Quarry Hill', 'Riverside', 'Silver Lake', 'Tidewater', 'Upland',
  'Valley Forge', 'Westfield', 'Yellowstone', 'Ashford', 'Bergström', 'Løvik', 'Château', 'Kingsley',
  'Larkspur', 'Mission', 'Old Town', 'Peregrine', 'Redstone', 'Sequoia', 'Thornbury', 'Évora',
];

export const NAME_TRADES: readonly string[] = [
  'Dental', 'Logistics', 'Law Group', 'Accounting', 'Veterinary', 'Realty', 'Engineering', 'Pediatrics',
  'Family Practice', 'Construction', 'Insurance', 'Architects', 'Wealth Advisors', 'Auto Group',
  'Landscaping', 'Orthodontics', 'Physical Therapy', 'Title Company', 'Marketing', 'Brewing',
  'Electric', 'HVAC Services', 'Property Management', 'Learning Center', 'Surgical Associates',
  'Foods', 'Printing', 'Chiropractic', 'Staffing', 'Design Studio',
];

export const NAME_SUFFIXES: readonly string[] = [
  'LLC', 'Inc.', ', Inc.', 'Group', 'Partners', 'PLLC', 'Co.', 'Ltd.',
];

/** The MSP's own tenant: present in M365 and RMM, excluded in client_map. */
export const INTERNAL_TENANT_NAME = 'Northgate IT Solutions (Internal)';

/** Tenants nobody has mapped yet: onboarding prospects, leftovers. */
export const UNMAPPED_TENANTS: readonly { integration: IntegrationId; name: string }[] = [
  { integration: 'm365', name: 'Harborline Realty Group' },
  { integration: 'rmm', name: 'Unassigned Devices' },
  { integration: 'backup', name: 'Pinecrest Veterinary Hospital' },
  { integration: 'edr', name: 'Lumen Physical Therapy' },
];
