import fs from 'node:fs';
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE, CLOSE_REASON, MESSAGE, PROTOCOL_VERSION, type LinkIdentity, type LinkInfo, type NewLink } from '../../worker/protocol/syncProtocol';
import { ensureAdminKey } from '../../server/admin';
import { logSink, redact } from '../../server/log';
import { startRelay, type Relay, type RelayOptions } from '../../server/relay';
import { tokenHooks } from '../../server/tokens';
import { createWorkspace, revokeLinkInFile, rotateInFile, type CreatedWorkspace } from '../../server/workspaces';
import { connect, rawSession, synced, tempDir, waitFor, type Client } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Setup {
  relay: Relay;
  dir: string;
  ws: CreatedWorkspace;
  key: string;
}

async function setup(options: Partial<RelayOptions> = {}): Promise<Setup> {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  const relay = await startRelay({ dataDir: dir, ...options });
  cleanups.push(() => relay.close());
  return { relay, dir, ws, key: ensureAdminKey(dir) };
}

async function api<T>(s: Setup, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.relay.url.replace(/^ws/, 'http')}/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${s.key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function mint(s: Setup, link: Partial<NewLink> = {}): Promise<{ link: LinkInfo; token: string }> {
  const res = await api<{ link: LinkInfo; token: string }>(s, 'POST', `/workspaces/${s.ws.workspaceId}/links`, { person: 'Bea', role: 'rw', expiresAt: null, ...link });
  expect(res.status).toBe(201);
  return res.body;
}

async function links(s: Setup): Promise<LinkInfo[]> {
  const res = await api<{ links: LinkInfo[] }>(s, 'GET', `/workspaces/${s.ws.workspaceId}/links`);
  expect(res.status).toBe(200);
  return res.body.links;
}

interface Watched extends Client {
  /** Every close the relay sent this provider, with its reason. */
  closed: Array<{ code: number; reason: string }>;
}

function client(s: Setup, token: string): Watched {
  const c = connect(s.relay.url, s.ws.workspaceId, token);
  const closed: Watched['closed'] = [];
  c.provider.on('connection-close', (event) => {
    if (event) closed.push({ code: event.code, reason: event.reason });
  });
  cleanups.push(() => c.destroy());
  return { ...c, closed };
}

function closedWith(c: Watched, reason: string): boolean {
  return c.closed.some((e) => e.code === CLOSE.unauthorized && e.reason === reason);
}

/** Opens a raw session with the token and reports whether the relay refused it before any byte. */
async function refusedOnReconnect(s: Setup, token: string): Promise<boolean> {
  const r = await rawSession(`${s.relay.url}/${s.ws.workspaceId}?token=${encodeURIComponent(token)}`);
  return r.closeCode === CLOSE.unauthorized && r.frames.length === 0;
}

describe('per-person links', () => {
  it('a link revoked through the admin API closes its live session with 4401 "link revoked", and is refused on reconnect', async () => {
    const s = await setup();
    const { link, token } = await mint(s);
    const bea = client(s, token);
    const owner = client(s, s.ws.link.token);
    await Promise.all([synced(bea), synced(owner)]);
    const res = await api<{ link: LinkInfo }>(s, 'DELETE', `/workspaces/${s.ws.workspaceId}/links/${link.linkId}`);
    expect(res.status).toBe(200);
    expect(res.body.link.revokedAt).not.toBeNull();
    await waitFor(() => closedWith(bea, CLOSE_REASON.revoked), 'the revoked session closed', 3000);
    expect(bea.closed).toEqual([{ code: CLOSE.unauthorized, reason: CLOSE_REASON.revoked }]);
    expect(bea.provider.shouldConnect).toBe(false); // the stock client stops on 44xx
    expect(owner.closed).toEqual([]); // another person's link is untouched
    expect(s.relay.stats().connectionsRevoked).toBe(1);
    expect(await refusedOnReconnect(s, token)).toBe(true);
  });

  it('a revocation written to workspaces.json by the CLI closes the session at the next check', async () => {
    const s = await setup({ revocationCheckMs: 100 });
    const { link, token } = await mint(s);
    const bea = client(s, token);
    await synced(bea);
    expect(revokeLinkInFile(s.dir, link.linkId)?.workspaceId).toBe(s.ws.workspaceId);
    await waitFor(() => closedWith(bea, CLOSE_REASON.revoked), 'the revoked session closed', 3000);
    expect(await refusedOnReconnect(s, token)).toBe(true);
  });

  it('a link that expires while connected is closed with 4401 "link expired", and refused afterwards', async () => {
    const s = await setup({ revocationCheckMs: 100 });
    const { token } = await mint(s, { expiresAt: new Date(Date.now() + 1500).toISOString() });
    const bea = client(s, token);
    await synced(bea);
    await waitFor(() => closedWith(bea, CLOSE_REASON.expired), 'the expired session closed', 5000);
    expect(await refusedOnReconnect(s, token)).toBe(true);
  });

  it('rotating the secret closes every session, legacy ones included, and marks every link revoked', async () => {
    const s = await setup();
    const { token } = await mint(s, { role: 'ro' });
    const clients = [client(s, token), client(s, s.ws.link.token), client(s, s.ws.rwToken)];
    await Promise.all(clients.map((c) => synced(c)));
    const res = await api<{ revoked: number }>(s, 'POST', `/workspaces/${s.ws.workspaceId}/rotate`);
    expect(res).toEqual({ status: 200, body: { revoked: 2 } });
    await waitFor(() => clients.every((c) => closedWith(c, CLOSE_REASON.rotated)), 'every session closed', 3000);
    expect((await links(s)).every((l) => l.revokedAt !== null)).toBe(true);
    for (const t of [token, s.ws.link.token, s.ws.rwToken]) expect(await refusedOnReconnect(s, t)).toBe(true);
  });

  it('rotation by the CLI closes every session at the next check', async () => {
    const s = await setup({ revocationCheckMs: 100 });
    const owner = client(s, s.ws.link.token);
    await synced(owner);
    expect(rotateInFile(s.dir, s.ws.workspaceId)).toBe(1);
    await waitFor(() => closedWith(owner, CLOSE_REASON.rotated), 'the session closed', 3000);
  });

  it('older rw./ro. tokens still connect as "Legacy link", are listed while live, and can be revoked one by one', async () => {
    const s = await setup();
    const rw = client(s, s.ws.rwToken);
    const ro = client(s, s.ws.roToken);
    await Promise.all([synced(rw), synced(ro)]);
    const listed = await links(s);
    expect(listed.find((l) => l.linkId === 'legacy-rw')).toMatchObject({ person: 'Legacy link', role: 'rw', live: 1, revokedAt: null });
    expect(listed.find((l) => l.linkId === 'legacy-ro')).toMatchObject({ person: 'Legacy link', role: 'ro', live: 1 });
    expect((await api(s, 'DELETE', `/workspaces/${s.ws.workspaceId}/links/legacy-ro`)).status).toBe(200);
    await waitFor(() => closedWith(ro, CLOSE_REASON.revoked), 'the legacy ro session closed', 3000);
    expect(rw.closed).toEqual([]);
    expect(await refusedOnReconnect(s, s.ws.roToken)).toBe(true);
    expect(await refusedOnReconnect(s, s.ws.rwToken)).toBe(false);
  });

  it('the listing counts open connections per link', async () => {
    const s = await setup();
    const bea = await mint(s);
    const cy = await mint(s, { person: 'Cy', role: 'ro' });
    const sessions = [client(s, bea.token), client(s, bea.token), client(s, cy.token)];
    await Promise.all(sessions.map((c) => synced(c)));
    const live = Object.fromEntries((await links(s)).map((l) => [l.person, l.live]));
    expect(live).toEqual({ Owner: 0, Bea: 2, Cy: 1 });
    sessions[0]!.destroy();
    await waitFor(() => s.relay.stats().connections === 2, 'one session gone');
    expect((await links(s)).find((l) => l.person === 'Bea')?.live).toBe(1);
  });

  it('a protocol-2 connection receives its link identity (person, role, expiry) once, never the token', async () => {
    const s = await setup();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { link, token } = await mint(s, { person: 'Dana', role: 'ro', expiresAt });
    const r = await rawSession(`${s.relay.url}/${s.ws.workspaceId}?token=${encodeURIComponent(token)}&v=${PROTOCOL_VERSION}`);
    const identities = r.frames.flatMap((f) => {
      const dec = decoding.createDecoder(new Uint8Array(f));
      return decoding.readVarUint(dec) === MESSAGE.identity ? [JSON.parse(decoding.readVarString(dec)) as LinkIdentity] : [];
    });
    expect(identities).toEqual([{ linkId: link.linkId, person: 'Dana', role: 'ro', expiresAt }]);
    expect(r.frames.some((f) => f.toString('latin1').includes(token.split('.')[1]!))).toBe(false);
  });

  it('blob requests use the same check: a revoked link gets 401, a read-only link 403 on PUT', async () => {
    const s = await setup();
    const { link, token } = await mint(s);
    const blob = (t: string) => fetch(`${s.relay.url.replace(/^ws/, 'http')}/blobs/${s.ws.workspaceId}/${'0'.repeat(64)}?token=${encodeURIComponent(t)}`);
    expect((await blob(token)).status).toBe(404); // allowed in, no such blob
    await api(s, 'DELETE', `/workspaces/${s.ws.workspaceId}/links/${link.linkId}`);
    expect((await blob(token)).status).toBe(401);
    const ro = await mint(s, { role: 'ro' });
    const put = await fetch(`${s.relay.url.replace(/^ws/, 'http')}/blobs/${s.ws.workspaceId}/${'0'.repeat(64)}?token=${encodeURIComponent(ro.token)}`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(403);
  });

  it('an unknown workspace id costs the same HMAC as a known one with a wrong token', async () => {
    const s = await setup();
    const other = createWorkspace(s.dir);
    let macs = 0;
    tokenHooks.onMac = () => void macs++;
    cleanups.push(() => (tokenHooks.onMac = null));
    const attempts = {
      knownWrongToken: `${s.ws.workspaceId}?token=${encodeURIComponent(other.link.token)}`,
      unknownId: `no-such-workspace?token=${encodeURIComponent(s.ws.link.token)}`,
      malformedId: `..%2Fworkspaces.json?token=${encodeURIComponent(s.ws.link.token)}`,
      malformedToken: `${s.ws.workspaceId}?token=garbage`,
      noToken: `${s.ws.workspaceId}`,
    };
    const counts: Record<string, number> = {};
    for (const [name, p] of Object.entries(attempts)) {
      macs = 0;
      const r = await rawSession(`${s.relay.url}/${p}`);
      expect(r.closeCode, name).toBe(CLOSE.unauthorized);
      counts[name] = macs;
    }
    expect(counts).toEqual({ knownWrongToken: 1, unknownId: 1, malformedId: 1, malformedToken: 1, noToken: 1 });
  });

  it('the audit log names the person, role and link of each connect, disconnect and revocation, never the token', async () => {
    const lines: string[] = [];
    const original = { ...logSink };
    logSink.info = (line) => void lines.push(line);
    logSink.error = (line) => void lines.push(line);
    cleanups.push(() => Object.assign(logSink, original));
    const s = await setup();
    const { link, token } = await mint(s, { person: 'Eli' });
    const eli = client(s, token);
    await synced(eli);
    await api(s, 'DELETE', `/workspaces/${s.ws.workspaceId}/links/${link.linkId}`);
    await waitFor(() => lines.some((l) => l.includes('disconnected')), 'the disconnect line');
    const who = `room ${s.ws.workspaceId}: Eli (rw, link ${link.linkId})`;
    expect(lines).toEqual(expect.arrayContaining([`${who} connected`, `${who} revoked`, `${who} disconnected`]));
    const mac = token.split('.')[1]!;
    expect(lines.filter((l) => l.includes(mac) || l.includes(s.key))).toEqual([]);
  });

  it('a bare link token in a log line is redacted, its link id kept', async () => {
    const s = await setup();
    const { link, token } = await mint(s);
    expect(redact(`could not do X with ${token}, sorry`)).toBe(`could not do X with ${link.linkId}.[redacted], sorry`);
    expect(redact(`"${s.ws.link.token}"`)).not.toContain(s.ws.link.token.split('.')[1]!);
  });
});
