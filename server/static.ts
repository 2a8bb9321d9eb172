import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * What the built app may load: its own scripts only (no inline script, no eval), so an injected
 * `<script>` or `javascript:` URL does not run. Styles may be inline because AG Grid injects its
 * theme as `<style>`; images and fonts also from data:/blob: URLs (the favicon is a data: URL);
 * workers from the app or blob:. Any ws/http(s) origin for connect-src, since the app connects to the
 * relay its user names, which need not be this one. No framing (clickjacking), no <base> rewrite,
 * no plugins, forms post only here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self' ws: wss: http: https:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/**
 * On every response of the relay's HTTP side. A share link carries its token in the URL's #hash:
 * no-referrer keeps even the path out of other sites' logs; nosniff stops a browser running a
 * dataset or text answer as script; X-Frame-Options for browsers without frame-ancestors.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * Serves the built app (`dist/`) for GET and HEAD: `/` and folders get their `index.html` (the app
 * routes by `#hash`, so no other fallback is needed). Vite's `assets/` have content hashes in their
 * names and are cached for good; everything else is revalidated.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'bad path');
  }
  if (rel.includes('\0')) return plain(res, 400, 'bad path');
  // Dotfiles and dot-folders (.env, .git/, an editor's .swp) are never part of a build: refused
  // before any file system call, so their existence does not show either.
  if (rel.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return plain(res, 404, 'not found');
  const base = path.resolve(root);
  let file = path.resolve(base, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== base && !file.startsWith(base + path.sep)) return plain(res, 404, 'not found');
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
    if (st.isDirectory()) {
      file = path.join(file, 'index.html');
      st = await fs.promises.stat(file);
    }
  } catch {
    return plain(res, 404, 'not found');
  }
  if (!st.isFile()) return plain(res, 404, 'not found');
  res.statusCode = 200;
  res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', st.size);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const immutable = path.relative(base, file).split(path.sep)[0] === 'assets';
  res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeFile(file, res);
}

export function pipeFile(file: string, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const stream = fs.createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
