/**
 * The client mapping screen's list of integration clients, read from the usage index's tenants,
 * against the plain definition: every (integration, external client) seen in usage, with its rows,
 * its last non-blank name in file order and its status by the client map, unmapped first, then
 * excluded, then mapped, most rows first, first seen first.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { clientMapKey } from '../../worker/doc/keys';
import { valueAt } from '../../worker/engine/dictionary';
import type { Bundle } from '../../worker/engine/model';
import { reconcile } from '../../worker/engine/reconcile';
import type { ExternalClientView } from '../../worker/views/types';
import { WorkspaceView } from '../../worker/views/workspaceView';
import { bundleTables, render } from '../helpers/bundle';

function byDefinition(bundle: Bundle): Omit<ExternalClientView, 'psaClientName'>[] {
  const { usage } = bundle;
  const entries = new Map(bundle.clientMap.map((e) => [clientMapKey(e.integrationId, e.externalClientId), e]));
  const seen = new Map<string, Omit<ExternalClientView, 'psaClientName'>>();
  for (let i = 0; i < usage.length; i++) {
    const integrationId = valueAt(usage.integrationId, i);
    const externalClientId = valueAt(usage.externalClientId, i);
    const key = clientMapKey(integrationId, externalClientId);
    let view = seen.get(key);
    if (!view) {
      const entry = entries.get(key);
      const status = !entry ? 'unmapped' : entry.status === 'excluded' ? 'excluded' : 'mapped';
      view = { integrationId, externalClientId, externalClientName: '', rows: 0, status, psaClientId: entry?.status === 'mapped' ? entry.psaClientId : '' };
      seen.set(key, view);
    }
    view.rows++;
    const name = valueAt(usage.externalClientName, i);
    if (name !== '') view.externalClientName = name;
  }
  const order = { unmapped: 0, excluded: 1, mapped: 2 };
  return [...seen.values()].sort((a, b) => order[a.status] - order[b.status] || b.rows - a.rows);
}

function viewOf(files: Record<string, string>) {
  const read = readBundle(files);
  if (!read.ok) throw new Error(read.errors[0]!.message);
  return { bundle: read.bundle, view: new WorkspaceView(read.bundle, reconcile(read.bundle)) };
}

const shown = (list: ExternalClientView[]) => list.map(({ psaClientName: _name, ...rest }) => rest);

describe('the integration clients of the client mapping screen', () => {
  it('are every tenant of the demo, as the definition lists them', () => {
    const { bundle, view } = viewOf(generateDemoBundle());
    expect(shown(view.externalClients())).toEqual(byDefinition(bundle));
  });

  it('keep the last non-blank name, count every row, and order ties by first sight', () => {
    const files = render(
      bundleTables({
        usage: [
          { integration_id: 'm365', external_client_id: 'T2', external_client_name: 'Beta', record_id: 'a', product: 'E3' },
          { integration_id: 'm365', external_client_id: 'T1', external_client_name: 'Acme', record_id: 'b', product: 'E3' },
          { integration_id: 'm365', external_client_id: 'T1', external_client_name: '', record_id: 'c', product: 'E3' },
          { integration_id: 'm365', external_client_id: 'T2', external_client_name: 'Beta Ltd', record_id: 'd', product: 'E3' },
          { integration_id: 'sentinelone', external_client_id: 'T1', external_client_name: 'Acme S1', record_id: 'a', product: 'Agent' },
          { integration_id: 'm365', external_client_id: 'T3', external_client_name: '', record_id: 'e', product: 'E3' },
        ],
        clientMap: [
          { integration_id: 'm365', external_client_id: 'T3', status: 'excluded', psa_client_id: '' },
          { integration_id: 'sentinelone', external_client_id: 'T1', status: 'mapped', psa_client_id: 'C1' },
        ],
        clients: [{ client_id: 'C1', client_name: 'Acme' }],
      }),
    );
    const { bundle, view } = viewOf(files);
    expect(shown(view.externalClients())).toEqual(byDefinition(bundle));
    expect(view.externalClients().map((c) => `${c.integrationId}/${c.externalClientId}:${c.externalClientName}:${c.rows}:${c.status}`)).toEqual([
      'm365/T2:Beta Ltd:2:unmapped',
      'm365/T1:Acme:2:unmapped',
      'm365/T3::1:excluded',
      'sentinelone/T1:Acme S1:1:mapped',
    ]);
  });

  it('after an edit, are a fresh view\'s list, with the same row objects for the clients the edit left alone', () => {
    const { bundle, view } = viewOf(generateDemoBundle());
    const before = view.externalClients();
    const target = before.find((c) => c.status === 'unmapped')!;
    const clientMap = [...bundle.clientMap, { integrationId: target.integrationId, externalClientId: target.externalClientId, status: 'mapped' as const, psaClientId: bundle.clients[0]!.clientId }];
    const edited = { ...bundle, clientMap };
    const next = view.withReconciliation(edited, reconcile(edited));
    const after = next.externalClients();
    expect(after).toEqual(new WorkspaceView(edited, reconcile(edited)).externalClients());
    const changed = after.filter((c) => !before.includes(c));
    expect(changed.map((c) => [c.externalClientId, c.status, c.psaClientName])).toEqual([[target.externalClientId, 'mapped', bundle.clients[0]!.clientName]]);
    // A review or notes change moves no mapping: the very same list.
    expect(next.withReview({ entries: [], notes: {}, outlierAmount: '20.00' }).externalClients()).toBe(after);
    expect(next.withNotes({ x: 'y' }).externalClients()).toBe(after);
  });
});
