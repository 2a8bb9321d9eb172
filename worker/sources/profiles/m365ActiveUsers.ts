import type { UsageProfile } from '../types';

/**
 * Microsoft 365 admin center › Users › Active users › Export users. Made per tenant, with no
 * tenant column, so the whole file is one external client. English and German headers.
 */
export const m365ActiveUsers: UsageProfile = {
  id: 'm365-active-users',
  name: 'Microsoft 365 · Active users',
  origin: 'builtin',
  target: 'usage',
  integration: { id: 'm365', name: 'Microsoft 365', kind: 'licenses' },
  signature: ['User principal name', 'Licenses'],
  aliases: {
    'User principal name': ['UserPrincipalName', 'UPN', 'Benutzerprinzipalname', 'Prinzipalname des Benutzers'],
    Licenses: ['Lizenzen', 'Assigned licenses'],
    'Blocked sign-in': ['Block credential', 'BlockCredential', 'Sign-in blocked', 'Anmeldung blockiert', 'Anmeldung gesperrt'],
    'Country/Region': ['CountryOrRegion', 'Country', 'Land/Region', 'Land oder Region'],
    'Display name': ['DisplayName', 'Anzeigename'],
  },
  locale: { decimal: '.', thousands: ',', dateOrder: null },
  clientScope: 'file',
  domainFrom: 'User principal name',
  fields: {
    record_id: { column: 'User principal name', transform: ['lowercase'] },
    product: { column: 'Licenses' },
  },
  explode: { field: 'product', separator: '+' },
  skip: [{ column: 'Licenses', equals: ['Unlicensed', 'Nicht lizenziert', 'Ohne Lizenz'] }],
  flagCategory: { column: 'Blocked sign-in', category: 'Blocked sign-in' },
  assumptions: [
    'One usage row per assigned licence ("Licenses" joined by "+"); "Unlicensed" gives no row.',
    'record_id = the user principal name, lower-cased.',
    'The whole file is one tenant (external client), named after its most common UPN domain; guests (#EXT#) do not count. Rename it per file.',
    'Blocked sign-in TRUE / WAHR with a licence: kept, with category "Blocked sign-in".',
  ],
};
