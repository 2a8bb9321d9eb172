import fs from 'node:fs';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE, PROTOCOL_VERSION } from '../../worker/protocol/syncProtocol';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { signToken } from '../../server/tokens';
import { createWorkspace, workspacesPath, writeFileAtomic, type CreatedWorkspace } from '../../server/workspaces';
import { connect, rawSession, sleep, storedDoc, synced, tempDir, waitFor, type Client } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; dir: string; ws: CreatedWorkspace; other: CreatedWorkspace }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const other = createWorkspace(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return { relay, dir, ws, other };
}

function client(relay: Relay, room: string, token: string | undefined): Client {
  const c = connect(relay.url, room, token);
  cleanups.push(() => c.destroy());
  return c;
}

const map = (c: Client) => c.doc.getMap<unknown>('m');

/** A frame of the y-websocket protocol: message type, then the fields as varUints / byte arrays. */
function frame(...parts: Array<number | Uint8Array>): Uint8Array {
  const enc = encoding.createEncoder();
  for (const p of parts) {
    if (typeof p === 'number') encoding.writeVarUint(enc, p);
    else encoding.writeVarUint8Array(enc, p);
  }
  return encoding.toUint8Array(enc);
}

describe('relay: access', () => {
  it('syncs two read-write clients both ways', async () => {
    const { relay, ws } = await setup();
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(a), synced(b)]);
    map(a).set('from-a', 1);
    map(b).set('from-b', 2);
    await waitFor(() => map(a).get('from-b') === 2 && map(b).get('from-a') === 1, 'both edits on both sides');
    expect(relay.stats()).toMatchObject({ rooms: 1, connections: 2, updatesStored: 2 });
  });

  it('refuses a missing, wrong, forged or other-workspace token with close 4401 before any document byte', async () => {
    const { relay, ws, other } = await setup();
    // Something to leak, if anything leaked.
    const writer = client(relay, ws.workspaceId, ws.rwToken);
    await synced(writer);
    map(writer).set('secret', 'payroll');
    await waitFor(() => relay.stats().updatesStored === 1, 'the edit stored');

    const base = `${relay.url}/${ws.workspaceId}`;
    const cases = {
      missing: base,
      empty: `${base}?token=`,
      garbage: `${base}?token=hello`,
      wrongSecret: `${base}?token=${signToken('not-the-secret', ws.workspaceId, 'rw')}`,
      otherWorkspace: `${base}?token=${other.rwToken}`,
      roleSwapped: `${base}?token=${ws.roToken.replace(/^ro\./, 'rw.')}`,
      unknownRoom: `${relay.url}/no-such-workspace?token=${ws.rwToken}`,
      badRoomName: `${relay.url}/..%2Fworkspaces.json?token=${ws.rwToken}`,
      undecodableRoomName: `${relay.url}/%E0%A4%A?token=${ws.rwToken}`,
    };
    for (const [name, url] of Object.entries(cases)) {
      // The handshake completes (a browser cannot read the status of a refused upgrade), then the
      // relay closes with 4401 at once: not a byte of any document first.
      const r = await rawSession(url);
      expect({ name, closeCode: r.closeCode, frames: r.frames.length }).toEqual({ name, closeCode: CLOSE.unauthorized, frames: 0 });
    }
    expect(relay.stats().upgradesRefused).toBe(Object.keys(cases).length);
    // The stock client too: it never syncs, its document stays empty, and it stops on 4401.
    const intruder = client(relay, ws.workspaceId, other.rwToken);
    await waitFor(() => intruder.closes.length > 0, 'the intruder refused');
    await sleep(400);
    expect(intruder.closes).toEqual([CLOSE.unauthorized]);
    expect(intruder.provider.synced).toBe(false);
    expect(intruder.provider.shouldConnect).toBe(false);
    expect(map(intruder).size).toBe(0);
    // Refused sockets are not connections of any room, and a refused upgrade loads nothing: the
    // other workspace's room was never opened.
    expect(relay.stats().connections).toBe(1);
    expect(relay.stats().rooms).toBe(1);
  });

  it('closes a connection that asks for a protocol version the relay does not speak (4426); none or the current one is served', async () => {
    const { relay, ws } = await setup();
    const base = `${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`;
    for (const v of [String(PROTOCOL_VERSION + 1), '0', 'x']) {
      const r = await rawSession(`${base}&v=${v}`);
      expect({ v, closeCode: r.closeCode, frames: r.frames.length }).toEqual({ v, closeCode: CLOSE.versionMismatch, frames: 0 });
    }
    for (const url of [base, `${base}&v=${PROTOCOL_VERSION}`]) {
      const r = await rawSession(url);
      expect(r.frames.length).toBeGreaterThan(0); // sync step 1 from the relay
      expect(r.closeCode).toBe(1005); // rawSession's own close (no code): the relay kept it open
    }
  });

  it('closes open connections with 4401 when their workspace secret is replaced (revoked links)', async () => {
    const { relay, dir, ws, other } = await setup({ revocationCheckMs: 200 });
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const o = client(relay, other.workspaceId, other.rwToken);
    await Promise.all([synced(a), synced(o)]);
    const file = workspacesPath(dir);
    const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { secret: string }>;
    all[ws.workspaceId] = { secret: 'a-new-secret-for-this-workspace' };
    writeFileAtomic(file, JSON.stringify(all));
    // A new attempt with the old token re-reads the file first; the open connection is still found.
    const attempt = await rawSession(`${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`);
    expect(attempt.closeCode).toBe(CLOSE.unauthorized);
    await waitFor(() => a.closes.includes(CLOSE.unauthorized), 'the revoked connection closed with 4401', 2000);
    expect(a.provider.shouldConnect).toBe(false);
    expect(relay.stats().connectionsRevoked).toBe(1);
    // The other workspace's connection carries on.
    map(o).set('still', 'here');
    await waitFor(() => relay.stats().updatesStored === 1, 'the other workspace still stores');
    expect(o.closes).toEqual([]);
  });
  it('a read-only client receives the document and updates, but its edits reach no one and no log', async () => {
    const { relay, dir, ws } = await setup();
    const a = client(relay, ws.workspaceId, ws.rwToken);
    await synced(a);
    map(a).set('before', 1);
    await waitFor(() => relay.stats().updatesStored === 1, 'first edit stored');

    const ro = client(relay, ws.workspaceId, ws.roToken);
    const c = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(ro), synced(c)]);
    expect(map(ro).get('before')).toBe(1);

    map(ro).set('from-ro', 'nope');
    ro.doc.getText('t').insert(0, 'read-only text');
    await waitFor(() => relay.stats().readOnlyUpdatesDropped >= 2, 'read-only updates dropped');
    map(a).set('after', 2);
    await waitFor(() => map(ro).get('after') === 2 && map(c).get('after') === 2, 'later edit on every client');
    expect(map(a).has('from-ro')).toBe(false);
    expect(map(c).has('from-ro')).toBe(false);
    expect(c.doc.getText('t').toString()).toBe('');

    // Awareness from a read-only client is still relayed (who is looking).
    ro.provider.awareness.setLocalStateField('user', { name: 'auditor' });
    await waitFor(
      () => [...a.provider.awareness.getStates().values()].some((s) => (s as { user?: { name: string } }).user?.name === 'auditor'),
      'read-only awareness on a writer',
    );

    // A reconnect re-sends the read-only client's state in sync step 2: dropped again.
    ro.provider.disconnect();
    ro.provider.connect();
    await synced(ro);
    await sleep(100);
    expect(map(c).has('from-ro')).toBe(false);

    await relay.close();
    const stored = await storedDoc(dir, ws.workspaceId);
    expect(stored.getMap('m').toJSON()).toEqual({ before: 1, after: 2 });
    expect(stored.getText('t').toString()).toBe('');
  });
});

describe('relay: limits and garbage', () => {
  it('closes a connection whose frame exceeds maxPayload, and only that one', async () => {
    const { relay, ws } = await setup({ maxPayload: 64 * 1024 });
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, ws.workspaceId, ws.rwToken);
    const big = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(a), synced(b), synced(big)]);
    map(big).set('huge', 'x'.repeat(100 * 1024));
    await waitFor(() => big.closes.includes(CLOSE.messageTooBig), 'the over-size sender closed with 1009');
    big.destroy();
    map(a).set('still', 'works');
    await waitFor(() => map(b).get('still') === 'works', 'others keep syncing');
    expect(map(b).has('huge')).toBe(false);
    expect(relay.stats().connections).toBe(2);
  });

  it('closes a connection sending garbage frames, one by one, and keeps serving the others', async () => {
    const { relay, ws } = await setup();
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(a), synced(b)]);
    const url = `${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`;
    const cases: Array<[string, Uint8Array | string, number]> = [
      ['text frame', 'hello', CLOSE.unsupportedData],
      ['empty binary frame', new Uint8Array(0), CLOSE.malformed],
      ['truncated varUint', new Uint8Array([0xff, 0xff]), CLOSE.malformed],
      ['unknown message type', frame(7, 1, 2, 3), CLOSE.malformed],
      ['auth message from a client', frame(2, 0), CLOSE.malformed],
      ['unknown sync step', frame(0, 9, new Uint8Array([1])), CLOSE.malformed],
      ['update that is not an update', frame(0, 2, new Uint8Array([5, 200, 1, 2, 3])), CLOSE.malformed],
      ['update with a length past the frame', new Uint8Array([0, 2, 0x80, 0x80, 0x04, 1]), CLOSE.malformed],
      ['bad state vector', frame(0, 0, new Uint8Array([3, 0xff])), CLOSE.malformed],
      ['awareness that is not JSON', frame(1, frame(1, 5, 1, new TextEncoder().encode('{not json'))), CLOSE.malformed],
    ];
    for (const [name, payload, code] of cases) {
      const r = await rawSession(url, [payload], 2000);
      expect({ name, closeCode: r.closeCode }).toEqual({ name, closeCode: code });
    }
    map(a).set('after-garbage', true);
    await waitFor(() => map(b).get('after-garbage') === true, 'the room still relays');
    expect(relay.stats()).toMatchObject({ connections: 2, updatesStored: 1, connectionsRefused: cases.length });
  });

  it('refuses an update that would grow the stored document past maxDocBytes (4413, no reconnect)', async () => {
    const { relay, dir, ws } = await setup({ maxDocBytes: 50_000, maxPayload: 1024 * 1024 });
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, ws.workspaceId, ws.rwToken);
    await Promise.all([synced(a), synced(b)]);
    map(a).set('small', 'fits');
    await waitFor(() => map(b).get('small') === 'fits', 'small edit relayed');
    const closed = new Promise<{ code: number }>((resolve) => a.provider.once('closed', (e: { code: number }) => resolve(e)));
    map(a).set('big', 'y'.repeat(60_000));
    expect((await closed).code).toBe(CLOSE.documentTooLarge);
    expect(a.provider.shouldConnect).toBe(false); // the stock client gives up on 44xx
    map(b).set('other', 'fine');
    await waitFor(() => relay.stats().updatesStored === 2, 'b still stores');
    await relay.close();
    const stored = await storedDoc(dir, ws.workspaceId);
    expect(stored.getMap('m').toJSON()).toEqual({ small: 'fits', other: 'fine' });
    expect(fs.statSync(`${dir}/rooms/${ws.workspaceId}.log`).size).toBeLessThanOrEqual(50_000);
  });

  it('many small edits near the limit are compacted rather than refused', async () => {
    const { relay, ws } = await setup({ maxDocBytes: 20_000, compactAfter: 1_000_000 });
    const a = client(relay, ws.workspaceId, ws.rwToken);
    await synced(a);
    // Rewriting one key leaves history in the log (~40 B a record) but not in the merged document.
    for (let i = 0; i < 800; i++) {
      map(a).set('counter', i);
      if (i % 50 === 0) await sleep(1);
    }
    await waitFor(() => relay.stats().updatesStored === 800, 'all 800 stored', 10_000);
    expect(a.closes).toEqual([]);
  });
});

describe('relay: restart', () => {
  it('serves the full state after close and a new start on the same folder (with compaction)', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const ws = createWorkspace(dir);
    const first = await startRelay({ dataDir: dir, compactAfter: 10 });
    const a = connect(first.url, ws.workspaceId, ws.rwToken);
    await synced(a);
    for (let i = 0; i < 60; i++) {
      map(a).set(`k${i}`, i);
      a.doc.getText('notes').insert(a.doc.getText('notes').length, `${i};`);
      if (i % 5 === 0) await sleep(2);
    }
    const expected = { m: map(a).toJSON(), notes: a.doc.getText('notes').toString() };
    await waitFor(() => first.stats().updatesStored === 120, 'every edit stored');
    await first.close();
    a.destroy();
    // Compaction kept the log short: far fewer records than edits.
    const logFile = `${dir}/rooms/${ws.workspaceId}.log`;
    const { parseLog } = await import('../../server/fileRoomStore');
    expect(parseLog(fs.readFileSync(logFile)).updates.length).toBeLessThanOrEqual(11);

    const second = await startRelay({ dataDir: dir, compactAfter: 10 });
    cleanups.push(() => second.close());
    const b = client(second, ws.workspaceId, ws.roToken);
    // The first document this client ever sees is the complete one.
    const seen: number[] = [];
    b.doc.on('update', () => seen.push(map(b).size));
    await synced(b);
    expect({ m: map(b).toJSON(), notes: b.doc.getText('notes').toString() }).toEqual(expected);
    expect(seen[0]).toBe(60);
  });

  it('keeps one room per workspace: edits in one never show in another', async () => {
    const { relay, ws, other } = await setup();
    const a = client(relay, ws.workspaceId, ws.rwToken);
    const b = client(relay, other.workspaceId, other.rwToken);
    await Promise.all([synced(a), synced(b)]);
    map(a).set('only-in-a', 1);
    await waitFor(() => relay.stats().updatesStored === 1, 'stored');
    const a2 = client(relay, ws.workspaceId, ws.roToken);
    await synced(a2);
    expect(map(a2).get('only-in-a')).toBe(1);
    expect(map(b).size).toBe(0);
    expect(relay.stats().rooms).toBe(2);
  });

  it('unloads a room when its last connection leaves and reloads it on the next', async () => {
    const { relay, ws } = await setup();
    const a = connect(relay.url, ws.workspaceId, ws.rwToken);
    await synced(a);
    map(a).set('x', 1);
    await waitFor(() => relay.stats().updatesStored === 1, 'stored');
    a.destroy();
    await waitFor(() => relay.stats().rooms === 0 && relay.stats().connections === 0, 'room unloaded');
    const b = client(relay, ws.workspaceId, ws.rwToken);
    await synced(b);
    expect(map(b).get('x')).toBe(1);
  });

  it('supports a base path: rooms at `${serverUrl}/<workspaceId>` under it', async () => {
    const { relay, ws } = await setup({ basePath: '/sync' });
    expect(relay.url.endsWith('/sync')).toBe(true);
    const a = client(relay, ws.workspaceId, ws.rwToken);
    await synced(a);
    const r = await rawSession(`${relay.url.replace(/\/sync$/, '')}/${ws.workspaceId}?token=${ws.rwToken}`);
    expect(r.status).toBe(404);
  });

  it('relays a client’s update back to it as the acknowledgement that it is stored', async () => {
    const { relay, ws } = await setup();
    const url = `${relay.url}/${ws.workspaceId}?token=${ws.rwToken}`;
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 'v');
    const update = Y.encodeStateAsUpdate(doc);
    const r = await rawSession(url, [frame(0, 2, update)], 300);
    // sync step 1 from the relay, then our update back (message 0, step 2 = update)
    const acks = r.frames.filter((f) => f[0] === 0 && f[1] === 2);
    expect(acks.length).toBe(1);
    expect(relay.stats().updatesStored).toBe(1);
  });
});
