/**
 * The built app as the relay serves it: a Content-Security-Policy and the other security headers on
 * every answer, and nothing from a dotfile or dot-folder (.env, .git/) however the path is spelled.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { tempDir } from './helpers';

let relay: Relay;
let dir: string;
let appDir: string;

beforeAll(async () => {
  dir = tempDir();
  appDir = tempDir('ledgerline-app-');
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(appDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(appDir, rel), text);
  };
  write('index.html', '<!doctype html><title>Ledgerline</title>');
  write('assets/index-abc123.js', 'console.log(1)');
  write('assets/app.min.js', 'console.log(2)');
  write('docs/index.html', '<!doctype html><title>Docs</title>');
  // What a careless deploy copies along with the build.
  write('.env', 'SECRET=1');
  write('.git/config', '[core]');
  write('assets/.DS_Store', 'x');
  write('.well-known/security.txt', 'x');
  relay = await startRelay({ dataDir: dir, staticDir: appDir });
});

afterAll(async () => {
  await relay.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(appDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: fetch would normalise `%2e` and `..` before sending them. */
function request(pathname: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: relay.port, path: pathname, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function directives(csp: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name] = values.join(' ');
  }
  return out;
}

function expectSecurityHeaders(answer: Answer): void {
  expect(directives(answer.headers['content-security-policy'] as string | undefined)).toEqual({
    'default-src': "'self'",
    'script-src': "'self'",
    'style-src': "'self' 'unsafe-inline'",
    'img-src': "'self' data: blob:",
    'font-src': "'self' data:",
    'worker-src': "'self' blob:",
    'connect-src': "'self' ws: wss: http: https:",
    'frame-ancestors': "'none'",
    'base-uri': "'none'",
    'form-action': "'self'",
    'object-src': "'none'",
  });
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['referrer-policy']).toBe('no-referrer');
  expect(answer.headers['x-frame-options']).toBe('DENY');
}

describe('static app: security headers', () => {
  it('serves the app’s index.html with the Content-Security-Policy, nosniff, no-referrer and no framing', async () => {
    const index = await request('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('Ledgerline');
    expectSecurityHeaders(index);
  });

  it('sends the same headers on assets, folder indexes, HEAD, 404 and health answers', async () => {
    for (const [pathname, method, status] of [
      ['/assets/index-abc123.js', 'GET', 200],
      ['/docs/', 'GET', 200],
      ['/', 'HEAD', 200],
      ['/nope.js', 'GET', 404],
      ['/healthz', 'GET', 200],
    ] as const) {
      const answer = await request(pathname, method);
      expect(answer.status, `${method} ${pathname}`).toBe(status);
      expectSecurityHeaders(answer);
    }
  });
});

describe('static app: dotfiles', () => {
  it('answers 404 for dotfiles and dot-folders, however the path is spelled', async () => {
    for (const pathname of ['/.env', '/.git/config', '/.git/', '/%2egit/config', '/%2Eenv', '/assets/.DS_Store', '/.well-known/security.txt', '/assets/%2e%2e/.env']) {
      const answer = await request(pathname);
      expect(answer.status, pathname).toBe(404);
      expect(answer.body).not.toContain('SECRET');
      expectSecurityHeaders(answer);
    }
  });

  it('still serves files with dots inside their names', async () => {
    expect((await request('/assets/app.min.js')).status).toBe(200);
  });

  it('refuses a dot path before any file system call', async () => {
    const stat = vi.spyOn(fs.promises, 'stat');
    try {
      expect((await request('/.git/config')).status).toBe(404);
      expect((await request('/.env')).status).toBe(404);
      expect(stat).not.toHaveBeenCalled();
      // The same spy does see an ordinary request: it watches the path the server really takes.
      expect((await request('/assets/index-abc123.js')).status).toBe(200);
      expect(stat).toHaveBeenCalled();
    } finally {
      stat.mockRestore();
    }
  });
});
