import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isWorkspaceId, signToken, verifyToken } from '../../server/tokens';
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

  it('workspace ids are URL- and file-safe', () => {
    expect(isWorkspaceId('a1B2_c-3')).toBe(true);
    for (const bad of ['', '../x', 'a/b', 'a.b', 'a b', 'x'.repeat(129), '%2e%2e']) expect(isWorkspaceId(bad)).toBe(false);
  });
});

describe('workspaces.json', () => {
  it('createWorkspace adds a workspace with working tokens and keeps the others', () => {
    const d = dir();
    const one = createWorkspace(d);
    const two = createWorkspace(d);
    const file = JSON.parse(fs.readFileSync(workspacesPath(d), 'utf8')) as Record<string, { secret: string }>;
    expect(Object.keys(file).sort()).toEqual([one.workspaceId, two.workspaceId].sort());
    expect(file[one.workspaceId]!.secret).toBe(one.secret);
    expect(verifyToken(one.secret, one.workspaceId, one.rwToken)).toBe('rw');
    expect(verifyToken(one.secret, one.workspaceId, one.roToken)).toBe('ro');
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
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      fs.writeFileSync(workspacesPath(d), '{ broken');
      expect(registry.secretOf(w.workspaceId)).toBe(w.secret);
    } finally {
      console.error = original;
    }
    expect(errors.length).toBe(1);
  });

  it('the CLI prints the share link parts', async () => {
    const d = dir();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/cli/create-workspace.ts', '--data', d, '--url', 'ws://127.0.0.1:8787', '--json'],
      { cwd: repoRoot },
    );
    const out = JSON.parse(stdout) as { workspaceId: string; secret: string; rwToken: string; roToken: string; serverUrl: string };
    expect(out.serverUrl).toBe('ws://127.0.0.1:8787');
    expect(verifyToken(out.secret, out.workspaceId, out.rwToken)).toBe('rw');
    expect(new WorkspaceRegistry(d).secretOf(out.workspaceId)).toBe(out.secret);
    const text = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/cli/create-workspace.ts', '--data', d], { cwd: repoRoot });
    expect(text.stdout).toMatch(/^workspace {3}\S+\nread-write {2}rw\.\S+\nread-only {3}ro\.\S+/);
  });
});
