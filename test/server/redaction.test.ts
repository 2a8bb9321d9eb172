import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CLOSE, MESSAGE, PROTOCOL_VERSION, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, roomProtocols, type LinkIdentity } from '../../worker/protocol/syncProtocol';
import { logSink } from '../../server/log';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { MemoryRoomStore } from '../../server/roomStore';
import { WebSocket } from '../../server/ws';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { rawSession, synced, tempDir, waitFor, type Client } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; dir: string; ws: CreatedWorkspace; other: CreatedWorkspace }> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir, undefined, { person: 'Ada' });
  const other = createWorkspace(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return { relay, dir, ws, other };
}

/** A raw connection with the given protocols and headers: what it was answered, and how it ended. */
function rawOpen(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<{ protocol: string; frames: Buffer[]; closeCode: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    cleanups.push(() => ws.terminate());
    const frames: Buffer[] = [];
    let protocol = '';
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => frames.push(data));
    ws.on('open', () => {
      protocol = ws.protocol;
      setTimeout(() => ws.close(1000), 300);
    });
    ws.on('close', (code) => resolve({ protocol, frames, closeCode: code }));
  });
}

/** The `MESSAGE.identity` frames among `frames`, decoded. */
function identities(frames: Buffer[]): LinkIdentity[] {
  return frames.flatMap((f) => {
    const d = decoding.createDecoder(new Uint8Array(f));
    return decoding.readVarUint(d) === MESSAGE.identity ? [JSON.parse(decoding.readVarString(d)) as LinkIdentity] : [];
  });
}

describe('relay: the token outside the URL', () => {
  it('accepts the token as a subprotocol from a stock client and answers "ledgerline", never the token', async () => {
    const { relay, ws } = await setup();
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(relay.url, ws.workspaceId, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: { v: String(PROTOCOL_VERSION) },
      protocols: roomProtocols(ws.link.token),
      disableBc: true,
    });
    const c: Client = { doc, provider, closes: [], destroy: () => (provider.destroy(), doc.destroy()) };
    cleanups.push(() => c.destroy());
    await synced(c);
    expect((provider.ws as unknown as WebSocket).protocol).toBe(SUBPROTOCOL);
    doc.getMap('m').set('via', 'subprotocol');
    await waitFor(() => relay.stats().updatesStored === 1, 'the edit stored');
  });

  it('accepts the token in an Authorization: Bearer header', async () => {
    const { relay, ws } = await setup();
    const r = await rawOpen(`${relay.url}/${ws.workspaceId}`, [], { Authorization: `Bearer ${ws.link.token}` });
    expect(r.closeCode).toBe(CLOSE.normal); // our own close: the relay kept it
    expect(r.frames[0]?.[0]).toBe(MESSAGE.sync);
  });

  it('refuses with 4401 when the URL, subprotocol and header name different tokens', async () => {
    const { relay, ws } = await setup();
    const base = `${relay.url}/${ws.workspaceId}`;
    const cases = [
      await rawOpen(`${base}?token=${ws.rwToken}`, roomProtocols(ws.roToken)),
      await rawOpen(base, roomProtocols(ws.rwToken), { Authorization: `Bearer ${ws.roToken}` }),
      await rawOpen(base, [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${ws.rwToken}`, `${TOKEN_SUBPROTOCOL_PREFIX}${ws.roToken}`]),
    ];
    // The refusal answers "ledgerline" too: a browser that offered it fails a handshake without it (1006, unreadable).
    expect(cases.map((r) => [r.closeCode, r.frames.length, r.protocol])).toEqual([
      [CLOSE.unauthorized, 0, SUBPROTOCOL],
      [CLOSE.unauthorized, 0, SUBPROTOCOL],
      [CLOSE.unauthorized, 0, SUBPROTOCOL],
    ]);
    // The same token given twice agrees with itself.
    const same = await rawOpen(`${base}?token=${ws.rwToken}`, roomProtocols(ws.rwToken), { Authorization: `Bearer ${ws.rwToken}` });
    expect(same.closeCode).toBe(CLOSE.normal);
  });
});

describe('relay: identity', () => {
  it('sends protocol 2 connections who their link was issued to, right after the sync step 1', async () => {
    const { relay, ws } = await setup();
    const r = await rawOpen(`${relay.url}/${ws.workspaceId}?v=2`, roomProtocols(ws.link.token));
    expect(r.frames[0]?.[0]).toBe(MESSAGE.sync);
    expect(r.frames[1]?.[0]).toBe(MESSAGE.identity);
    expect(identities(r.frames)).toEqual([{ linkId: ws.link.linkId, person: 'Ada', role: 'rw', expiresAt: null }]);
  });

  it('sends no identity to protocol 1 and stock clients', async () => {
    const { relay, ws } = await setup();
    for (const query of ['?v=1', '']) {
      const r = await rawOpen(`${relay.url}/${ws.workspaceId}${query}`, roomProtocols(ws.link.token));
      expect(r.frames.length).toBeGreaterThan(0);
      expect(identities(r.frames)).toEqual([]);
    }
  });
});

describe('relay: no secret in any log line', () => {
  const original = { ...logSink };
  afterEach(() => Object.assign(logSink, original));

  it('logs a scripted run of errors without a token or the admin key', async () => {
    const lines: string[] = [];
    logSink.info = (line) => void lines.push(line);
    logSink.error = (line) => void lines.push(line);
    // A store whose rooms fail to load, except the healthy workspace's.
    const memory = new MemoryRoomStore();
    let broken = '';
    const store = {
      open: (id: string) => (id === broken ? Promise.reject(new Error(`disk on fire under ${id}`)) : memory.open(id)),
      close: () => memory.close(),
    };
    const { relay, dir, ws, other } = await setup({ store });
    broken = other.workspaceId;
    const adminKey = fs.readFileSync(path.join(dir, 'admin.key'), 'utf8').trim();
    const forged = `rw.${'A'.repeat(43)}`;
    const secrets = [ws.rwToken, ws.roToken, ws.link.token, other.rwToken, other.link.token, forged, adminKey];
    const base = `${relay.url}/${ws.workspaceId}`;

    // Bad tokens in the URL, a subprotocol and a header; a valid one next to a different one.
    await rawSession(`${base}?token=${forged}`);
    await rawOpen(base, roomProtocols(forged));
    await rawOpen(base, [], { Authorization: `Bearer ${forged}` });
    await rawOpen(`${base}?token=${ws.rwToken}`, roomProtocols(ws.roToken));
    // A room that fails to load, reached with valid tokens in every place.
    await rawSession(`${relay.url}/${other.workspaceId}?token=${other.rwToken}`);
    await rawOpen(`${relay.url}/${other.workspaceId}`, roomProtocols(other.link.token), { Authorization: `Bearer ${other.link.token}` });
    // Malformed frames and a text frame on a valid connection.
    await rawSession(`${base}?token=${ws.rwToken}&v=2`, [Uint8Array.of(0xff, 0xff), Uint8Array.of(MESSAGE.sync, 9), 'text']);
    // A request that throws: the blob folder is a file, so the upload cannot create it.
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'blobs', ws.workspaceId), 'not a folder');
    const body = Buffer.from('payload');
    const hash = createHash('sha256').update(body).digest('hex');
    const httpBase = relay.url.replace(/^ws/, 'http');
    const put = await fetch(`${httpBase}/blobs/${ws.workspaceId}/${hash}?token=${ws.rwToken}`, { method: 'PUT', body });
    expect(put.status).toBe(500);
    // The admin API with a wrong key and with the right one.
    await fetch(`${httpBase}/admin/workspaces`, { method: 'POST', headers: { Authorization: `Bearer ${forged}` }, body: '{}' });
    await fetch(`${httpBase}/admin/workspaces/${ws.workspaceId}/links`, { headers: { Authorization: `Bearer ${adminKey}` } });
    await relay.close();

    // The run did log: the room that failed and the request that threw, each with its URL.
    expect(lines.some((l) => l.includes(`room ${other.workspaceId}: cannot load`))).toBe(true);
    expect(lines.some((l) => l.includes(`PUT /blobs/${ws.workspaceId}/${hash}?token=[redacted]`))).toBe(true);
    for (const line of lines) {
      for (const secret of secrets) {
        const mac = secret.slice(secret.indexOf('.') + 1);
        expect({ line, leaks: line.includes(secret) || line.includes(mac) }).toEqual({ line, leaks: false });
      }
    }
  });
});

describe('relay: frames', () => {
  it('encodes the identity as lib0 writes it (varUint type, varString JSON)', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE.identity);
    encoding.writeVarString(e, '{}');
    expect([...encoding.toUint8Array(e)]).toEqual([5, 2, 0x7b, 0x7d]);
  });
});
