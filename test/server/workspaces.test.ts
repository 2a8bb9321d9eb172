import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { logSink } from '../../server/log';
import { checkToken, isGrant, isWorkspaceId, signLink, signToken, verifyToken } from '../../server/tokens';
import { WorkspaceRegistry, createWorkspace, workspacesPath } from '../../server/workspaces';
import { tempDir } from './helpers';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('tokens', () => {
  it('are `${role}.${base64url(HMAC-SHA256(secret, `${workspaceId}:${role}`))}`', () => {
    const mac = createHmac('sha256', 's3cret').update('ws1:ro').digest('base64url');
    expect(signToken('s3cret', 'ws1', 'ro')).toBe(`ro.${mac}`);
  });

  it('grant their role on their workspace only', () => {
    const rw = signToken('k', 'ws1', 'rw');
    const ro = signToken('k', 'ws1', 'ro');
    expect(verifyToken('k', 'ws1', rw)).toBe('rw');
    expect(verifyToken('k', 'ws1', ro)).toBe('ro');
    expect(verifyToken('k', 'ws2', rw)).toBeNull();
    expect(verifyToken('other', 'ws1', rw)).toBeNull();
    expect(verifyToken('k', 'ws1', `rw.${ro.slice(3)}`)).toBeNull(); // a ro MAC does not make rw
    expect(verifyToken('k', 'ws1', `admin.${rw.slice(3)}`)).toBeNull();
    expect(verifyToken('k', 'ws1', rw.slice(0, -2))).toBeNull();
    expect(verifyToken('k', 'ws1', `${rw}!`)).toBeNull(); // non-canonical spelling of the same bytes
    expect(verifyToken('k', 'ws1', '')).toBeNull();
    expect(verifyToken('k', 'ws1', null)).toBeNull();
    expect(verifyToken('k', 'ws1', 'rw')).toBeNull();
  });

  it('a link token is `${linkId}.${base64url(HMAC-SHA256(secret, `${workspaceId}:${linkId}`))}` and takes role, person and expiry from the registry', () => {
    const mac = createHmac('sha256', 's3cret').update('ws1:Ab3_x-9').digest('base64url');
    const token = signLink('s3cret', 'ws1', 'Ab3_x-9');
    expect(token).toBe(`Ab3_x-9.${mac}`);
    const record = { person: 'Ana', role: 'ro' as const, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, revokedAt: null };
    const ws = { secret: 's3cret', links: { 'Ab3_x-9': record } };
    expect(checkToken(ws, 'ws1', token)).toEqual({ role: 'ro', identity: { linkId: 'Ab3_x-9', person: 'Ana', role: 'ro', expiresAt: null } });
    expect(isGrant(checkToken(ws, 'ws2', token))).toBe(false); // the MAC covers the workspace id
    expect(checkToken({ ...ws, links: {} }, 'ws1', token)).toBe('refused'); // no such link
    expect(checkToken(ws, 'ws1', `${token}!`)).toBe('refused');
    expect(checkToken(ws, 'ws1', `Zz3_x-9.${mac}`)).toBe('refused'); // another id, same MAC
    expect(checkToken({ ...ws, secret: 'new' }, 'ws1', token)).toBe('rotated');
    expect(checkToken({ secret: 's3cret', links: { 'Ab3_x-9': { ...record, revokedAt: '2026-01-02T00:00:00.000Z' } } }, 'ws1', token)).toBe('revoked');
    const until = Date.parse('2026-02-01T00:00:00.000Z');
    const expiring = { secret: 's3cret', links: { 'Ab3_x-9': { ...record, expiresAt: new Date(until).toISOString() } } };
    expect(isGrant(checkToken(expiring, 'ws1', token, until - 1))).toBe(true);
    expect(checkToken(expiring, 'ws1', token, until)).toBe('expired');
  });

  it('older rw./ro. tokens are links named legacy-rw / legacy-ro of "Legacy link", revocable, and no token may be spelled legacy-…', () => {
    const ws = { secret: 'k', links: {} };
    expect(checkToken(ws, 'ws1', signToken('k', 'ws1', 'rw'))).toEqual({ role: 'rw', identity: { linkId: 'legacy-rw', person: 'Legacy link', role: 'rw', expiresAt: null } });
    expect(checkToken(ws, 'ws1', signToken('k', 'ws1', 'ro'))).toMatchObject({ role: 'ro', identity: { linkId: 'legacy-ro' } });
    const revoked = { secret: 'k', links: { 'legacy-ro': { person: 'Legacy link', role: 'ro' as const, createdAt: '', expiresAt: null, revokedAt: '2026-01-01T00:00:00.000Z' } } };
    expect(checkToken(revoked, 'ws1', signToken('k', 'ws1', 'ro'))).toBe('revoked');
    expect(isGrant(checkToken(revoked, 'ws1', signToken('k', 'ws1', 'rw')))).toBe(true);
    const named = { secret: 'k', links: { 'legacy-rw': { person: 'x', role: 'rw' as const, createdAt: '', expiresAt: null, revokedAt: null } } };
    expect(checkToken(named, 'ws1', signLink('k', 'ws1', 'legacy-rw'))).toBe('refused');
  });

  it('workspace ids are URL- and file-safe', () => {
    expect(isWorkspaceId('a1B2_c-3')).toBe(true);
    for (const bad of ['', '../x', 'a/b', 'a.b', 'a b', 'x'.repeat(129), '%2e%2e']) expect(isWorkspaceId(bad)).toBe(false);
  });
});

describe('workspaces.json', () => {
  it('createWorkspace adds a workspace with a first rw link for its owner and keeps the others', () => {
    const d = dir();
    const one = createWorkspace(d);
    const two = createWorkspace(d);
    const file = JSON.parse(fs.readFileSync(workspacesPath(d), 'utf8')) as Record<string, { secret: string }>;
    expect(Object.keys(file).sort()).toEqual([one.workspaceId, two.workspaceId].sort());
    expect(file[one.workspaceId]!.secret).toBe(one.secret);
    expect(verifyToken(one.secret, one.workspaceId, one.rwToken)).toBe('rw');
    expect(verifyToken(one.secret, one.workspaceId, one.roToken)).toBe('ro');
    const stored = file[one.workspaceId] as unknown as { links: Record<string, unknown> };
    expect(stored.links[one.link.linkId]).toMatchObject({ person: 'Owner', role: 'rw', expiresAt: null, revokedAt: null });
    expect(checkToken(new WorkspaceRegistry(d).get(one.workspaceId), one.workspaceId, one.link.token)).toMatchObject({ role: 'rw', identity: { person: 'Owner' } });
    expect(JSON.stringify(file)).not.toContain(one.link.token); // tokens are recomputed, never stored
    expect(isWorkspaceId(one.workspaceId)).toBe(true);
    expect(() => createWorkspace(d, one.workspaceId)).toThrow(/already exists/);
    expect(fs.statSync(workspacesPath(d)).mode & 0o077).toBe(0);
  });

  it('the registry sees a workspace added while it runs, and keeps the last good file over a broken one', () => {
    const d = dir();
    const registry = new WorkspaceRegistry(d);
    expect(registry.secretOf('nope')).toBeNull();
    const w = createWorkspace(d);
    expect(registry.secretOf(w.workspaceId)).toBe(w.secret);
    expect(registry.secretOf('__proto__')).toBeNull();
    const errors: string[] = [];
    const original = logSink.error;
    logSink.error = (line) => void errors.push(line);
    try {
      fs.writeFileSync(workspacesPath(d), '{ broken');
      expect(registry.secretOf(w.workspaceId)).toBe(w.secret);
    } finally {
      logSink.error = original;
    }
    expect(errors.length).toBe(1);
  });

  it('reads a file written before links existed (only a secret per workspace)', () => {
    const d = dir();
    fs.writeFileSync(workspacesPath(d), JSON.stringify({ old1: { secret: 'k' } }));
    const entry = new WorkspaceRegistry(d).get('old1');
    expect(entry?.secret).toBe('k');
    expect(checkToken(entry, 'old1', signToken('k', 'old1', 'rw'))).toMatchObject({ role: 'rw', identity: { person: 'Legacy link' } });
  });

  it('the CLI prints the share link parts', async () => {
    const d = dir();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/cli/create-workspace.ts', '--data', d, '--url', 'ws://127.0.0.1:8787', '--json'],
      { cwd: repoRoot },
    );
    const out = JSON.parse(stdout) as { workspaceId: string; linkId: string; person: string; role: string; token: string; serverUrl: string; link: string };
    expect(out.serverUrl).toBe('ws://127.0.0.1:8787');
    expect(out).toMatchObject({ person: 'Owner', role: 'rw' });
    expect(out.link).toBe(`ws://127.0.0.1:8787/${out.workspaceId}?token=${encodeURIComponent(out.token)}`);
    expect(checkToken(new WorkspaceRegistry(d).get(out.workspaceId), out.workspaceId, out.token)).toMatchObject({ role: 'rw', identity: { linkId: out.linkId, person: 'Owner' } });
    expect(stdout).not.toContain(new WorkspaceRegistry(d).secretOf(out.workspaceId)!);
    const text = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/cli/create-workspace.ts', '--data', d, '--person', 'Mara'], { cwd: repoRoot });
    expect(text.stdout).toMatch(/^workspace {3}\S+\nlink {8}\S+ for Mara \(rw\)\ntoken {7}\S+\.\S+/);
  });

  it('the CLI mints another link, revokes one and rotates the secret', async () => {
    const d = dir();
    const cli = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/cli/create-workspace.ts', '--data', d, ...args], { cwd: repoRoot })).stdout;
    const created = JSON.parse(await cli('--id', 'team', '--json')) as { linkId: string; token: string };
    const minted = JSON.parse(await cli('--id', 'team', '--link', '--person', 'Cy', '--role', 'ro', '--expires', '2999-01-01', '--json')) as { linkId: string; token: string; expiresAt: string };
    expect(minted.expiresAt).toBe('2999-01-01T00:00:00.000Z');
    const check = (token: string) => checkToken(new WorkspaceRegistry(d).get('team'), 'team', token);
    expect(check(minted.token)).toMatchObject({ role: 'ro', identity: { person: 'Cy', linkId: minted.linkId } });
    expect(await cli('--revoke', minted.linkId)).toMatch(new RegExp(`revoked link ${minted.linkId} of Cy \\(ro\\) in workspace team`));
    expect(check(minted.token)).toBe('revoked');
    expect(isGrant(check(created.token))).toBe(true);
    expect(await cli('--id', 'team', '--rotate')).toMatch(/1 links revoked/);
    expect(check(created.token)).toBe('rotated');
    await expect(cli('--revoke', 'no-such-link')).rejects.toMatchObject({ code: 1 });
    await expect(cli('--rotate')).rejects.toMatchObject({ code: 2 });
  });
});
