import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeRecords } from '../../server/fileRoomStore';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { connect, rawSession, synced, tempDir, waitFor, type Client } from './helpers';
import { spawnRelay, type RelayProcess } from './relayProcess';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup(): { dir: string; ws: CreatedWorkspace } {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir, ws: createWorkspace(dir) };
}

async function start(dir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  const relay = await spawnRelay(dir, extraEnv);
  cleanups.push(() => {
    if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGKILL');
  });
  return relay;
}

function client(url: string, room: string, token: string): Client {
  const c = connect(url, room, token);
  cleanups.push(() => c.destroy());
  return c;
}

/** Keeps writing (one key and one bit of text per step) until stopped. */
function keepWriting(c: Client): { stop: () => number } {
  let i = 0;
  let running = true;
  const step = () => {
    if (!running) return;
    for (let k = 0; k < 3; k++, i++) {
      c.doc.getMap('m').set(`k${i}`, i);
      c.doc.getText('t').insert(c.doc.getText('t').length, `${i},`);
    }
    setTimeout(step, 1);
  };
  step();
  return {
    stop: () => {
      running = false;
      return i;
    },
  };
}

describe('relay durability (separate process)', () => {
  it('loses nothing it relayed when killed with SIGKILL mid-stream', async () => {
    const { dir, ws } = setup();
    const first = await start(dir);
    const writer = client(first.url, ws.workspaceId, ws.rwToken);
    const observer = client(first.url, ws.workspaceId, ws.roToken);
    await Promise.all([synced(writer), synced(observer)]);

    // The relay relays only after fsync, so whatever the observer has seen is on disk. Kill the
    // relay the moment the observer has seen 300 keys, while the writer is still writing.
    let seen: Record<string, unknown> | null = null;
    let seenText = '';
    const killed = new Promise<void>((resolve) => {
      observer.doc.getMap('m').observe(() => {
        if (seen === null && observer.doc.getMap('m').size >= 300) {
          first.child.kill('SIGKILL');
          seen = observer.doc.getMap('m').toJSON();
          seenText = observer.doc.getText('t').toString();
          resolve();
        }
      });
    });
    const writing = keepWriting(writer);
    await killed;
    const written = writing.stop();
    writer.destroy();
    observer.destroy();
    expect((await first.exited).signal).toBe('SIGKILL');
    // The kill came while the writer was running; on a loaded machine it may not have got past
    // key 300 yet (the relay kept up), which is still a kill mid-stream.
    expect(written).toBeGreaterThanOrEqual(300);

    const second = await start(dir);
    const reader = client(second.url, ws.workspaceId, ws.roToken);
    await synced(reader);
    const restored = reader.doc.getMap('m').toJSON();
    expect(Object.keys(seen!).length).toBeGreaterThanOrEqual(300);
    for (const [k, v] of Object.entries(seen!)) expect(restored[k], k).toBe(v);
    expect(reader.doc.getText('t').toString().startsWith(seenText)).toBe(true);

    // And the restarted relay keeps accepting edits after the crash's torn tail.
    const again = client(second.url, ws.workspaceId, ws.rwToken);
    await synced(again);
    again.doc.getMap('m').set('after-crash', true);
    await waitFor(() => reader.doc.getMap('m').get('after-crash') === true, 'edit after restart relayed');
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM closes its sockets, stores what it accepted and exits 0', async () => {
    const { dir, ws } = setup();
    const first = await start(dir);
    const writer = client(first.url, ws.workspaceId, ws.rwToken);
    const observer = client(first.url, ws.workspaceId, ws.roToken);
    await Promise.all([synced(writer), synced(observer)]);
    const closes: number[] = [];
    observer.provider.on('connection-close', (e) => {
      if (e) closes.push(e.code);
    });
    for (let i = 0; i < 100; i++) writer.doc.getMap('m').set(`k${i}`, i);
    await waitFor(() => observer.doc.getMap('m').size === 100, 'all 100 relayed');
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('SIGTERM, closing');
    await waitFor(() => closes.length > 0, 'observer told the relay is going away');
    expect(closes[0]).toBe(1001);
    writer.destroy();
    observer.destroy();

    const second = await start(dir);
    const reader = client(second.url, ws.workspaceId, ws.roToken);
    await synced(reader);
    expect(reader.doc.getMap('m').size).toBe(100);
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a room whose log lost a record in the middle, loudly, and serves the rest with LEDGERLINE_SALVAGE=1', async () => {
    const { dir, ws } = setup();
    // Ten updates from ten authors, as the relay stores them; then record 5's length goes wrong.
    const updates = Array.from({ length: 10 }, (_, i) => {
      const author = new Y.Doc();
      author.getMap('m').set(`k${i}`, i);
      return Y.encodeStateAsUpdate(author);
    });
    const data = encodeRecords(updates);
    const at = encodeRecords(updates.slice(0, 4)).length;
    data.writeUInt32LE(0x7fffffff, at);
    fs.mkdirSync(path.join(dir, 'rooms'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rooms', `${ws.workspaceId}.log`), data);

    const refusing = await start(dir);
    expect((await rawSession(`${refusing.url}/${ws.workspaceId}?token=${ws.rwToken}`)).status).toBe(500);
    await waitFor(() => refusing.output().includes('refusing to open the room'), 'the refusal in the log');
    expect(refusing.output()).toContain(`bytes ${at}-`);
    refusing.child.kill('SIGTERM');
    expect(await refusing.exited).toEqual({ code: 0, signal: null });

    const salvaging = await start(dir, { LEDGERLINE_SALVAGE: '1' });
    const reader = client(salvaging.url, ws.workspaceId, ws.rwToken);
    await synced(reader, 10_000);
    expect([...reader.doc.getMap('m').keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(salvaging.output()).toContain('Salvage on: wrote the 9 valid records to a fresh log');
  });
});
