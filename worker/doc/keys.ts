/**
 * The key formats of the workspace document (see ./schema.ts), in one place. Pure: no Yjs, so the
 * views, the import converters and the engine worker can use them as well as the app.
 *
 * The separator is NUL: it cannot occur in a CSV value the bundle reader accepts, so two parts can
 * never run into each other ("a\0bc" ≠ "ab\0c").
 */

const SEP = '\u0000';

/** `clientMap` key: one entry per (integration, external client). */
export const clientMapKey = (integrationId: string, externalClientId: string): string => `${integrationId}${SEP}${externalClientId}`;

/** `decisions` key, and `notes` key of a discrepancy: one per (PSA client, PSA service). */
export const pairKey = (clientId: string, serviceId: string): string => `${clientId}${SEP}${serviceId}`;

/** `notes` key of a note on a whole client (never equal to a pair key: "client" is no PSA client id here). */
export const clientNoteKey = (clientId: string): string => `client${SEP}${clientId}`;

/** `tenantNames` key: a per-client export's client as its file names it (case-insensitive). */
export const tenantNameKey = (integrationId: string, foundName: string): string => `${integrationId}${SEP}${foundName.toLowerCase()}`;

/** A new service rule id (`serviceRules[].ruleId`): random, so teammates adding rules offline never collide. */
export const newRuleId = (): string => `R-${crypto.randomUUID().slice(0, 8)}`;

/** A new `sourceProfiles` key (the profile's id) for a profile someone saves. */
export const newProfileId = (): string => `saved-${crypto.randomUUID().slice(0, 8)}`;
