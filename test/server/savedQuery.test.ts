import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startRelay, type Relay } from '../../server/relay';
import { clientMapKey } from '../../worker/doc/keys';
import { HELD_QUERY, MESSAGE } from '../../worker/protocol/syncProtocol';
import { createWorkspace } from '../../server/workspaces';
import { connect, synced, tempDir, waitFor } from './helpers';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('the "what do you hold?" extension (saved to the relay)', () => {
  it('answers with a state vector that covers an edit once the relay has stored it', async () => {
    const dataDir = tempDir();
    const ws = createWorkspace(dataDir);
    relay = await startRelay({ dataDir });
    const client = connect(relay.url, ws.workspaceId, ws.rwToken);
    await synced(client);
    let answer: Map<number, number> | null = null;
    client.provider.messageHandlers[MESSAGE.held] = (_e, decoder) => {
      answer = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    };
    client.doc.getMap('clientMap').set(clientMapKey('m365', 't1'), { status: 'excluded' });
    const mine = Y.decodeStateVector(Y.encodeStateVector(client.doc));
    const ask = () => client.provider.ws!.send(HELD_QUERY);
    await waitFor(() => {
      ask();
      return answer !== null && [...mine].every(([id, clock]) => (answer!.get(id) ?? 0) >= clock);
    }, 'the relay to hold the edit');
    expect(answer!.get(client.doc.clientID)).toBe(mine.get(client.doc.clientID));
    client.provider.destroy();
  });
});
