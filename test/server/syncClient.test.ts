/**
 * The app's sync logic against the real relay: a stock y-websocket `WebsocketProvider` (in Node,
 * through `ws`), watched by `watchProvider` from the protocol module exactly as worker/core/sync.ts
 * does (token in a subprotocol). A refused or revoked link, a document too large for the relay and
 * a connection cut off for its message rate each end in their state within 2 s (5 s for the rate),
 * and the client makes no further connection attempt (counted on the relay).
 */
import fs from 'node:fs';
import { describe, it, type TestContext } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { signToken } from '../../server/tokens';
import { createWorkspace, workspacesPath, writeFileAtomic, type CreatedWorkspace } from '../../server/workspaces';
import { WebSocket } from '../../server/ws';
import { CLOSE, PARAM, PROTOCOL_VERSION, SYNC_MESSAGE, roomProtocols, watchProvider, type WatchedState } from '../../worker/protocol/syncProtocol';
import { sleep, tempDir, waitFor } from './helpers';

/** How long a stopped client is watched for further attempts; with a 200 ms back-off a retry loop would make ~15. */
const QUIET_MS = 3000;

async function setup(t: TestContext, options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; dir: string; ws: CreatedWorkspace }> {
  const dir = tempDir();
  const ws = createWorkspace(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  t.onTestFinished(async () => {
    await relay.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { relay, dir, ws };
}

interface AppClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  state: () => WatchedState;
  states: WatchedState['state'][];
  closes: number[];
}

/** What worker/core/sync.ts `connect()` does, with Node's WebSocket and a short back-off. */
function appClient(t: TestContext, relay: Relay, workspaceId: string, token: string, doc = new Y.Doc()): AppClient {
  const provider = new WebsocketProvider(relay.url, workspaceId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // As the core connects: the version in the URL, the token in a subprotocol.
    params: { [PARAM.version]: String(PROTOCOL_VERSION) },
    protocols: roomProtocols(token),
    disableBc: true,
    maxBackoffTime: 200,
    connect: false,
  });
  let current: WatchedState = { state: 'connecting', message: '', code: 0 };
  const states: WatchedState['state'][] = [];
  const closes: number[] = [];
  watchProvider(provider, (s) => {
    current = s;
    states.push(s.state);
  });
  provider.on('connection-close', (e) => e && closes.push(e.code));
  provider.connect();
  t.onTestFinished(() => {
    provider.destroy();
    doc.destroy();
  });
  return { doc, provider, state: () => current, states, closes };
}

/** The client is stopped: no attempt reaches the relay for QUIET_MS. */
async function expectNoMoreAttempts(t: TestContext, relay: Relay, client: AppClient): Promise<void> {
  const attempts = relay.stats().upgradeRequests;
  await sleep(QUIET_MS);
  t.expect(relay.stats().upgradeRequests).toBe(attempts);
  t.expect(client.provider.shouldConnect).toBe(false);
  t.expect(client.provider.ws).toBeNull();
}

describe.concurrent('the app’s sync logic against the real relay', () => {
  it('a wrong token: "Link refused" within 2 s, one attempt, no reconnect', async (t) => {
    const { relay, ws } = await setup(t);
    const c = appClient(t, relay, ws.workspaceId, signToken('not-the-secret', ws.workspaceId, 'rw'));
    await waitFor(() => c.state().state === 'refused', 'state refused', 2000);
    t.expect(c.state()).toEqual({ state: 'refused', message: SYNC_MESSAGE.refused, code: CLOSE.unauthorized });
    await expectNoMoreAttempts(t, relay, c);
    t.expect(relay.stats().upgradeRequests).toBe(1);
    t.expect(c.closes).toEqual([CLOSE.unauthorized]);
    t.expect(c.states).toEqual(['connecting', 'refused']);
  });

  it('a revoked token (the workspace secret replaced): a connected client ends "Link refused" within 2 s, no reconnect', async (t) => {
    const { relay, dir, ws } = await setup(t);
    const c = appClient(t, relay, ws.workspaceId, ws.rwToken);
    await waitFor(() => c.state().state === 'online', 'online');
    const file = workspacesPath(dir);
    const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { secret: string }>;
    all[ws.workspaceId] = { secret: 'replaced-to-revoke-every-link' };
    writeFileAtomic(file, JSON.stringify(all));
    await waitFor(() => c.state().state === 'refused', 'state refused', 2000);
    t.expect(c.state().message).toBe(SYNC_MESSAGE.refused);
    await expectNoMoreAttempts(t, relay, c);
    t.expect(relay.stats().upgradeRequests).toBe(1);
  });

  it('a document over the relay’s limit: "Document too large" within 2 s, no reconnect, nothing stored', async (t) => {
    const { relay, ws } = await setup(t, { maxDocBytes: 50_000, maxPayload: 1024 * 1024 });
    // An offline document that grew past the limit: its first sync step 2 carries all of it.
    const doc = new Y.Doc();
    doc.getMap('m').set('big', 'y'.repeat(60_000));
    const c = appClient(t, relay, ws.workspaceId, ws.rwToken, doc);
    await waitFor(() => c.state().state === 'too-large', 'state too-large', 2000);
    t.expect(c.state()).toEqual({ state: 'too-large', message: SYNC_MESSAGE.tooLarge, code: CLOSE.documentTooLarge });
    await expectNoMoreAttempts(t, relay, c);
    t.expect(relay.stats().upgradeRequests).toBe(1);
    t.expect(relay.stats().updatesStored).toBe(0);
  });

  it('a frame over the relay’s message limit (1009): "Document too large", no reconnect', async (t) => {
    const { relay, ws } = await setup(t, { maxPayload: 64 * 1024 });
    const c = appClient(t, relay, ws.workspaceId, ws.rwToken);
    await waitFor(() => c.state().state === 'online', 'online');
    c.doc.getMap('m').set('huge', 'x'.repeat(100 * 1024));
    await waitFor(() => c.state().state === 'too-large', 'state too-large', 2000);
    t.expect(c.closes).toEqual([CLOSE.messageTooBig]);
    await expectNoMoreAttempts(t, relay, c);
    t.expect(relay.stats().upgradeRequests).toBe(1);
  });

  it('a connection past the relay’s message rate (4429): "rate-limited" with its message, no reconnect', async (t) => {
    const { relay, ws } = await setup(t, { messagesPerSecond: 5, messageBurst: 20 });
    const c = appClient(t, relay, ws.workspaceId, ws.rwToken);
    await waitFor(() => c.state().state === 'online', 'online');
    // Each edit is one message: a runaway loop (or a hostile client) sends far more than 5 a second.
    for (let i = 0; i < 200; i++) c.doc.getMap('m').set(`k${i}`, i);
    await waitFor(() => c.state().state === 'rate-limited', 'state rate-limited', 5000);
    t.expect(c.state()).toEqual({ state: 'rate-limited', message: SYNC_MESSAGE.rateLimited, code: CLOSE.rateLimited });
    await expectNoMoreAttempts(t, relay, c);
    t.expect(relay.stats().upgradeRequests).toBe(1);
  });

  it('a relay restart is not a refusal: offline, then online again on its own', async (t) => {
    const { relay, dir, ws } = await setup(t);
    const c = appClient(t, relay, ws.workspaceId, ws.rwToken);
    await waitFor(() => c.state().state === 'online', 'online');
    await relay.close();
    await waitFor(() => c.state().state === 'offline', 'offline after 1001');
    t.expect(c.closes[0]).toBe(CLOSE.goingAway);
    const again = await startRelay({ dataDir: dir, port: relay.port });
    t.onTestFinished(() => again.close());
    await waitFor(() => c.state().state === 'online', 'online again', 5000);
    t.expect(c.provider.shouldConnect).toBe(true);
  });
});
