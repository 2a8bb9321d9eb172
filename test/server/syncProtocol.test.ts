/**
 * The protocol module shared by the app and the relay (worker/protocol/syncProtocol.ts): what the
 * client does on each close code, the URLs, the version check, and the client-side state machine
 * on scripted provider events.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import {
  CLOSE,
  HELD_QUERY,
  MESSAGE,
  PROTOCOL_VERSION,
  SYNC_MESSAGE,
  blobPath,
  blobUrl,
  closeAction,
  parseBlobPath,
  roomParams,
  versionSupported,
  watchProvider,
  type WatchedProvider,
  type WatchedState,
} from '../../worker/protocol/syncProtocol';

describe('closeAction', () => {
  it.each([
    [CLOSE.unauthorized, false, 'refused'],
    [CLOSE.forbidden, false, 'refused'],
    [CLOSE.policyViolation, false, 'refused'],
    [CLOSE.documentTooLarge, false, 'too-large'],
    [CLOSE.messageTooBig, false, 'too-large'],
    [CLOSE.malformed, false, 'incompatible'],
    [CLOSE.unsupportedData, false, 'incompatible'],
    [CLOSE.versionMismatch, false, 'incompatible'],
    [CLOSE.rateLimited, false, 'rate-limited'], // messages or presence past the relay's rate: a retry would be cut off again
    [4404, false, 'refused'], // any other 44xx: a deliberate refusal (y-websocket's convention)
    [CLOSE.normal, true, 'offline'],
    [CLOSE.goingAway, true, 'offline'],
    [CLOSE.abnormal, true, 'offline'], // network down, relay down, an HTTP answer to the upgrade
    [CLOSE.internalError, true, 'offline'],
    [CLOSE.serviceRestart, true, 'offline'],
    [CLOSE.tryAgainLater, true, 'offline'],
    [4500, true, 'offline'],
    [4000, true, 'offline'],
    [0, true, 'offline'], // a polyfill that reports no code is never mistaken for a refusal
  ])('close %i → retry %s, %s', (code, retry, state) => {
    expect(closeAction(code)).toMatchObject({ retry, state });
  });

  it('says what happened and what to do', () => {
    expect(closeAction(CLOSE.unauthorized).message).toBe('Link refused: ask for a new one');
    expect(closeAction(CLOSE.documentTooLarge).message).toMatch(/^Document too large for the relay/);
    expect(closeAction(CLOSE.goingAway).message).toBe(SYNC_MESSAGE.offline);
    expect(closeAction(CLOSE.rateLimited).message).toBe(SYNC_MESSAGE.rateLimited);
    expect(closeAction(CLOSE.tryAgainLater).message).toBe(SYNC_MESSAGE.offline);
  });

  it('stops on every 44xx, like the stock y-websocket client, and on nothing a retry can fix', () => {
    for (let code = 4400; code < 4500; code++) expect(closeAction(code).retry).toBe(false);
    for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 1013, 1015, 3000, 4000, 4399, 4500, 4999]) expect(closeAction(code).retry).toBe(true);
  });
});

describe('messages and parameters', () => {
  it('numbers the messages as y-websocket does, plus type 4', () => {
    expect(MESSAGE).toEqual({ sync: 0, awareness: 1, auth: 2, queryAwareness: 3, held: 4, identity: 5 });
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE.held);
    expect(HELD_QUERY).toEqual(encoding.toUint8Array(e));
  });

  it('sends the token and the protocol version as query parameters', () => {
    expect(roomParams('rw.abc')).toEqual({ token: 'rw.abc', v: String(PROTOCOL_VERSION) });
  });

  it('serves no version (a stock client) and the known ones, nothing else', () => {
    expect(versionSupported(null)).toBe(true);
    expect(versionSupported(String(PROTOCOL_VERSION))).toBe(true);
    for (const v of ['', '0', String(PROTOCOL_VERSION + 1), '1.0', 'x', '-1', '99999999']) expect(versionSupported(v)).toBe(false);
  });
});

describe('blob URLs', () => {
  const hash = 'ab'.repeat(32);

  it('live on the relay’s HTTP address, under its base path, with the token', () => {
    expect(blobUrl({ relayUrl: 'ws://127.0.0.1:8787', workspaceId: 'w1', token: 'rw.a+b' }, hash)).toBe(`http://127.0.0.1:8787/blobs/w1/${hash}?token=rw.a%2Bb`);
    expect(blobUrl({ relayUrl: 'wss://relay.example/sync/', workspaceId: 'w 1', token: 't' }, hash)).toBe(`https://relay.example/sync/blobs/w%201/${hash}?token=t`);
  });

  it('parse back on the relay', () => {
    expect(parseBlobPath(blobPath('w 1', hash))).toEqual({ workspaceId: 'w 1', hash });
    expect(parseBlobPath('/blobs/w1/NOTAHASH')).toEqual({ workspaceId: 'w1', hash: null });
    expect(parseBlobPath(`/blobs/w1/${hash.toUpperCase()}`)).toEqual({ workspaceId: 'w1', hash: null });
    for (const p of ['/blobs/w1', `/blobs/w1/${hash}/x`, `/other/w1/${hash}`, `/blobs/%E0%A4%A/${hash}`]) expect(parseBlobPath(p)).toBeNull();
  });
});

/** A scripted stand-in for WebsocketProvider's events, in the order y-websocket emits them. */
class FakeProvider implements WatchedProvider {
  shouldConnect = true;
  private handlers = new Map<string, Set<(e: never) => void>>();
  shouldReconnect: (event: { code: number; reason: string }, provider: never) => boolean = () => true;
  on(name: string, f: (e: never) => void): void {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)!.add(f);
  }
  off(name: string, f: (e: never) => void): void {
    this.handlers.get(name)?.delete(f);
  }
  emit(name: string, e: unknown): void {
    for (const f of this.handlers.get(name) ?? []) f(e as never);
  }
  /** A connection that opens and syncs with the relay. */
  online(): void {
    this.emit('status', { status: 'connected' });
    this.emit('sync', true);
  }
  /** What y-websocket does on a close from the server. */
  serverClose(code: number, wasConnected: boolean): void {
    this.emit('connection-close', { code, reason: '' });
    if (wasConnected) {
      this.emit('sync', false);
      this.emit('status', { status: 'disconnected' });
    }
    if (!this.shouldReconnect({ code, reason: '' }, undefined as never)) this.shouldConnect = false;
    else this.emit('status', { status: 'connecting' });
  }
}

describe('watchProvider', () => {
  function watch() {
    const p = new FakeProvider();
    const states: WatchedState['state'][] = [];
    const stop = watchProvider(p, (s) => states.push(s.state));
    return { p, states, stop };
  }

  it('goes online, offline on a retryable close (staying offline while it retries), and online again', () => {
    const { p, states } = watch();
    p.emit('status', { status: 'connecting' });
    p.online();
    p.serverClose(CLOSE.goingAway, true);
    p.serverClose(CLOSE.abnormal, false);
    p.online();
    expect(states).toEqual(['connecting', 'online', 'offline', 'online']);
    expect(p.shouldConnect).toBe(true);
  });

  it('stops on a refusal, keeps the state through the later events, and tries again only on connect()', () => {
    const { p, states } = watch();
    // The relay completes the handshake of a refused link, then closes it: open is not online.
    p.emit('status', { status: 'connected' });
    p.serverClose(CLOSE.unauthorized, true);
    expect(p.shouldConnect).toBe(false);
    p.emit('status', { status: 'disconnected' });
    expect(states).toEqual(['connecting', 'refused']);
    // The user connects again (a new token, Resume): one more attempt.
    p.shouldConnect = true;
    p.emit('status', { status: 'connecting' });
    expect(states.at(-1)).toBe('connecting');
  });

  it('stops on a document too large while online', () => {
    const { p, states } = watch();
    p.online();
    p.serverClose(CLOSE.documentTooLarge, true);
    expect(states).toEqual(['connecting', 'online', 'too-large']);
    expect(p.shouldConnect).toBe(false);
  });

  it('reads a local close (pause, watchdog) as offline, and stops listening when asked', () => {
    const { p, states, stop } = watch();
    p.online();
    p.emit('connection-close', null);
    p.emit('sync', false);
    p.emit('status', { status: 'disconnected' });
    expect(states).toEqual(['connecting', 'online', 'offline']);
    stop();
    p.online();
    expect(states.length).toBe(3);
  });
});
