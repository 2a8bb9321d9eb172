/**
 * How fast the sync badge tells the truth (issue 13: "offline within 2 s of losing the network",
 * "refused" for a revoked link), timed in Chromium against a relay on loopback, the page's
 * workspace connected through Settings as a user would:
 *  - the browser goes offline (its offline event, the socket closing) → the badge says offline;
 *  - the network goes silent without a word (a loopback proxy between page and relay stops
 *    passing bytes, as a dead Wi-Fi does) → offline on the missed heartbeat;
 *  - the page's own link is revoked through the admin API → the badge says refused.
 * Times run from the cause to the badge's change, read on the benchmark's clock. Not a test: it
 * prints, it asserts nothing.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureAdminKey } from '../server/admin';
import { startRelay } from '../server/relay';
import { createWorkspace, mintLinkInFile } from '../server/workspaces';
import { connectToRelay } from '../test/browser/appDriver';
import { newIsolatedContext } from '../test/browser/harness';

const status = (page: Page, s: string, timeout = 30_000) => page.waitForSelector(`[data-testid=sync-status][data-status=${s}]`, { timeout });

/** A TCP proxy that can stop passing bytes (both ways) and later cut every connection, so the app reconnects. */
async function silenceableProxy(target: number): Promise<{ port: number; silence(): void; restore(): void; close(): Promise<void> }> {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => silent || to.write(chunk));
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    silence: () => void (silent = true),
    // Bytes dropped mid-frame leave both ends' streams unreadable: cut them, the app reconnects.
    restore: () => {
      silent = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchSyncStatus(browser: Browser, appUrl: string, runs = 5): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-bench-status-'));
  const ws = createWorkspace(dataDir);
  const adminKey = ensureAdminKey(dataDir);
  const relay = await startRelay({ dataDir });
  const proxy = await silenceableProxy(Number(new URL(relay.url).port));
  const context = await newIsolatedContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/#/billing`);
    await page.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 60_000 });
    await connectToRelay(page, appUrl, { relayUrl: `ws://127.0.0.1:${proxy.port}`, workspaceId: ws.workspaceId, token: ws.link.token });

    const offline: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      await context.setOffline(true);
      await status(page, 'offline');
      offline.push(Date.now() - t0);
      await context.setOffline(false);
      await status(page, 'online');
    }

    const silence: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      proxy.silence();
      await status(page, 'offline');
      silence.push(Date.now() - t0);
      proxy.restore();
      await status(page, 'online');
    }

    const refused: number[] = [];
    const admin = `${relay.url.replace(/^ws/, 'http')}/admin/workspaces/${ws.workspaceId}/links`;
    let link = ws.link;
    for (let i = 0; i < runs; i++) {
      if (i > 0) {
        // A new link for the next run: the relay reads links minted in its file within its check.
        link = mintLinkInFile(dataDir, ws.workspaceId, { person: `Run ${i}`, role: 'rw', expiresAt: null })!;
        await page.waitForTimeout(1_500);
        await connectToRelay(page, appUrl, { relayUrl: `ws://127.0.0.1:${proxy.port}`, workspaceId: ws.workspaceId, token: link.token });
      }
      const t0 = Date.now();
      const res = await fetch(`${admin}/${link.linkId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${adminKey}` } });
      if (res.status !== 200) throw new Error(`revocation answered ${res.status}`);
      await status(page, 'refused');
      refused.push(Date.now() - t0);
    }
    const list = (xs: number[]) => `median ${median(xs)} ms (${xs.join(', ')})`;
    console.log(`sync badge: browser offline → "offline" ${list(offline)}; network silent → "offline" ${list(silence)} (target ≤ 2 s); link revoked → "refused" ${list(refused)}`);
  } finally {
    await context.close();
    await proxy.close();
    await relay.close();
  }
}
