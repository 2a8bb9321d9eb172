import fs from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../server/relay';
import { createWorkspace, type CreatedWorkspace } from '../../server/workspaces';
import { connect, synced, tempDir, waitFor } from './helpers';

/** A real `gc()` even without --expose-gc on the command line (vitest's workers have none). */
function getGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of process.getActiveResourcesInfo()) out[h] = (out[h] ?? 0) + 1;
  return out;
}

async function settledHeap(gc: (() => void) | null): Promise<number> {
  await new Promise((r) => setTimeout(r, 300)); // closed clients' reconnect timers and sockets wind down
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().heapUsed;
}

const CYCLES = 2000;
const CONCURRENCY = 8;
const ROOMS = 4;

let relay: Relay;
let dir: string;
let workspaces: CreatedWorkspace[];

beforeAll(async () => {
  dir = tempDir();
  workspaces = Array.from({ length: ROOMS }, () => createWorkspace(dir));
  // Every cycle is a connection attempt from this one address: lift the per-address throttle.
  relay = await startRelay({ dataDir: dir, connectAttemptsPer10s: 10 * CYCLES });
  // Each room holds a little document, so every cycle loads and replays a real log.
  for (const ws of workspaces) {
    const c = connect(relay.url, ws.workspaceId, ws.rwToken);
    await synced(c);
    for (let i = 0; i < 50; i++) c.doc.getMap('m').set(`k${i}`, `value ${i}`);
    await waitFor(() => c.provider.synced && relay.stats().updatesStored >= 1, 'seeded');
    c.destroy();
  }
  await waitFor(() => relay.stats().rooms === 0, 'seed rooms unloaded');
});

afterAll(async () => {
  await relay.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cycle(i: number): Promise<void> {
  const ws = workspaces[i % ROOMS]!;
  const c = connect(relay.url, ws.workspaceId, i % 3 === 0 ? ws.roToken : ws.rwToken);
  try {
    await synced(c, 10_000);
    if (c.doc.getMap('m').size !== 50) throw new Error(`cycle ${i}: synced ${c.doc.getMap('m').size} keys, not 50`);
    c.provider.awareness.setLocalStateField('user', { name: `u${i}` });
  } finally {
    c.destroy();
  }
}

async function run(count: number, offset: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await cycle(offset + next++);
    }),
  );
}

describe('relay: 2,000 connect/disconnect cycles', () => {
  it('returns to no rooms and no sockets, with a bounded heap', async () => {
    const gc = getGc();
    await run(200, 0); // warm-up: JIT, module caches, socket pools
    await waitFor(() => relay.stats().rooms === 0 && relay.stats().connections === 0, 'warm-up drained');
    const baseline = { ...relay.stats(), heap: await settledHeap(gc), handles: process.getActiveResourcesInfo().length };

    const started = performance.now();
    await run(CYCLES, 200);
    const seconds = (performance.now() - started) / 1000;
    await waitFor(() => relay.stats().rooms === 0 && relay.stats().connections === 0 && relay.stats().upgrading === 0, 'rooms and sockets back to zero', 10_000);
    const after = { ...relay.stats(), heap: await settledHeap(gc), handles: process.getActiveResourcesInfo().length };
    const growthMb = (after.heap - baseline.heap) / 1024 / 1024;

    console.log(
      `[relay cycles] ${CYCLES} cycles over ${ROOMS} rooms, ${CONCURRENCY} at a time: ${seconds.toFixed(1)} s; ` +
        `rooms ${baseline.rooms} -> ${after.rooms}, sockets ${baseline.connections} -> ${after.connections}, ` +
        `active handles ${baseline.handles} -> ${after.handles} ${JSON.stringify(handles())}, heap ${(baseline.heap / 1048576).toFixed(1)} -> ` +
        `${(after.heap / 1048576).toFixed(1)} MB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(2)} MB, gc ${gc ? 'forced' : 'unavailable'})`,
    );
    expect(after.rooms).toBe(0);
    expect(after.connections).toBe(0);
    // No timer or socket left behind per cycle (awareness intervals, file handles, sockets). Heap
    // growth is only logged above: under a loaded machine it varies, so it is no assertion here.
    expect(after.handles).toBeLessThanOrEqual(baseline.handles + 5);
  }, 60_000);
});
