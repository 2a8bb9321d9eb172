/**
 * §6 Integration health: red when the last sync failed; yellow when never synced or older than
 * staleAfterHours; else green.
 */
import { describe, expect, it } from 'vitest';
import { baseBundle, health, integration, run, type Integration, type Workspace } from '../helpers/bundle';

/** Health of one integration "x" under asOf 2026-11-28T12:00:00Z unless the workspace says otherwise. */
function statusOf(over: Partial<Integration>, ws: Workspace = {}) {
  return health(run(baseBundle({ workspace: { ...ws, integrations: [integration('x', over)] } })), 'x');
}

describe('§6 integration health', () => {
  it('is red when the last sync failed, however recent', () => {
    expect(statusOf({ lastSyncStatus: 'failed', lastSyncAt: '2026-11-28T11:59:00Z' })).toBe('red');
  });

  it('is red when the last sync failed and it never synced', () => {
    expect(statusOf({ lastSyncStatus: 'failed', lastSyncAt: null })).toBe('red');
  });

  it('is yellow when never synced', () => {
    expect(statusOf({ lastSyncStatus: 'ok', lastSyncAt: null })).toBe('yellow');
  });

  it('is green when synced exactly staleAfterHours (24) hours before asOf', () => {
    expect(statusOf({ lastSyncAt: '2026-11-27T12:00:00Z' })).toBe('green');
  });

  it('is yellow one second past staleAfterHours', () => {
    expect(statusOf({ lastSyncAt: '2026-11-27T11:59:59Z' })).toBe('yellow');
  });

  it('is green when synced recently', () => {
    expect(statusOf({ lastSyncAt: '2026-11-28T06:00:00Z' })).toBe('green');
  });

  it('uses the workspace staleAfterHours', () => {
    expect(statusOf({ lastSyncAt: '2026-11-28T10:00:00Z' }, { staleAfterHours: 2 })).toBe('green'); // exactly 2 h
    expect(statusOf({ lastSyncAt: '2026-11-28T09:59:59Z' }, { staleAfterHours: 2 })).toBe('yellow'); // 2 h 1 s
  });

  it('defaults staleAfterHours to 24 when workspace.json omits it', () => {
    expect(statusOf({ lastSyncAt: '2026-11-27T12:00:00Z' }, { staleAfterHours: undefined })).toBe('green');
    expect(statusOf({ lastSyncAt: '2026-11-27T11:59:59Z' }, { staleAfterHours: undefined })).toBe('yellow');
  });

  it('compares instants, honouring the offsets of asOf and lastSyncAt', () => {
    const asOf = '2026-11-28T14:00:00+02:00'; // = 12:00Z
    expect(statusOf({ lastSyncAt: '2026-11-27T12:00:00Z' }, { asOf })).toBe('green'); // exactly 24 h
    expect(statusOf({ lastSyncAt: '2026-11-27T07:00:00-05:00' }, { asOf })).toBe('green'); // = 12:00Z, exactly 24 h
    expect(statusOf({ lastSyncAt: '2026-11-27T06:59:59-05:00' }, { asOf })).toBe('yellow'); // = 11:59:59Z
  });

  it('lists exactly the integrations of workspace.json', () => {
    const r = run(baseBundle({
      workspace: {
        integrations: [
          integration('m365', { lastSyncStatus: 'failed' }),
          integration('sentinelone', { lastSyncAt: null }),
          integration('datto'),
        ],
      },
      clients: [{ client_id: 'C1', client_name: 'Acme' }],
      usage: [{ integration_id: 'ninja', external_client_id: 'N1', record_id: 'a', product: 'Agent' }],
    }));
    expect([...r.integrations].sort((a, b) => a.integration_id.localeCompare(b.integration_id))).toEqual([
      { integration_id: 'datto', status: 'green' },
      { integration_id: 'm365', status: 'red' },
      { integration_id: 'sentinelone', status: 'yellow' },
    ]);
  });

  it('lists no integrations when workspace.json has none', () => {
    expect(run(baseBundle({ workspace: { integrations: undefined } })).integrations).toEqual([]);
    expect(run(baseBundle({ workspace: { integrations: [] } })).integrations).toEqual([]);
  });
});
