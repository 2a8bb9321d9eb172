import { describe, expect, it } from 'vitest';
import { mergeBundle } from '../../worker/sources/mergeBundle';
import type { Conversion } from '../../worker/sources/types';

/** The CLI's merge into a bundle folder: the integrations' last sync in workspace.json. */

const IMPORTED_AT = '2026-11-28T13:00:00.000Z';

function devices(id: string, exportedAt: string | null): Conversion {
  return {
    file: `${id}.csv`, profile: { id: 'p', name: 'P', origin: 'builtin' }, target: 'usage',
    usage: [], clients: [], lines: [], catalog: [],
    integration: { id, name: id, kind: 'devices', exportedAt },
    scope: { integrationId: id, externalClientId: null }, rowsRead: 0, skipped: {}, notes: [],
  };
}

function lastSyncs(conversions: Conversion[]): Record<string, string> {
  const json = JSON.parse(mergeBundle({}, conversions, IMPORTED_AT)['workspace.json']!) as { integrations: { id: string; lastSyncAt: string }[] };
  return Object.fromEntries(json.integrations.map((i) => [i.id, i.lastSyncAt]));
}

describe('mergeBundle: last sync', () => {
  it('takes the export\'s own time when it has one, else the import time, never a time after the import', () => {
    expect(lastSyncs([devices('earlier', '2026-11-27T15:42:10.000Z'), devices('none', null), devices('later', '2026-11-28T23:59:59.000Z')])).toEqual({
      earlier: '2026-11-27T15:42:10.000Z',
      none: IMPORTED_AT,
      later: IMPORTED_AT,
    });
  });
});
