/**
 * `npm run bench:relay` (and the last section of `npm run bench`): the relay figures that
 * server/README.md quotes. Not a test: it prints times, it asserts nothing.
 *  1. Updates per second: three writers (stock y-websocket clients) send small edits as fast as
 *     they can, and one observer per relay receives them all; through one relay on the file store,
 *     one relay on Redis, and three relays sharing one Redis.
 *  2. Fan-out latency: one edit at a time, from a client on relay A to a client on relay B (the
 *     same relay for the one-relay rows); median and 95th percentile.
 *  3. Memory: a relay process's RSS per open room (one connection each) and per extra connection,
 *     and Redis's memory per stored room.
 * Redis is a throwaway redis-server on a free loopback port with `appendfsync always`, as deployed.
 * Options: --updates N per writer (default 2000), --samples N latency samples (default 200),
 * --rooms N (default 200), --conns N (default 300).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { WebSocket } from '../server/ws';
import { createWorkspace, type CreatedWorkspace } from '../server/workspaces';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '200' },
    conns: { type: 'string', default: '300' },
  },
});


const UPDATES = Number(values.updates);
const SAMPLES = Number(values.samples);
const ROOMS = Number(values.rooms);
const CONNS = Number(values.conns);
const REDIS_SERVER = process.env.LEDGERLINE_REDIS_SERVER ?? '/usr/bin/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Every WebsocketProvider adds a process 'exit' listener, and the bench holds hundreds.
process.setMaxListeners(0);
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`${what} exited:\n${out}`)));
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--logfile', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await waitForLine(child, /Ready to accept connections/, 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child };
}

interface RelayProc {
  url: string;
  child: ChildProcess;
}

async function startRelay(dataDir: string, env: Record<string, string>): Promise<RelayProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      // The bench measures the relay, not its per-client limits.
      LEDGERLINE_MESSAGES_PER_SECOND: '1000000',
      LEDGERLINE_MESSAGE_BURST: '1000000',
      LEDGERLINE_CONNECT_ATTEMPTS_PER_10S: '1000000',
      LEDGERLINE_MAX_CONNECTIONS: '100000',
      LEDGERLINE_MAX_ROOM_CONNECTIONS: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const m = await waitForLine(child, /relay listening on (ws:\/\/\S+)/, 'relay');
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: m[1]!, child };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

function connect(url: string, room: string, token: string): Client {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  });
  return { doc, provider };
}

function synced(c: Client): Promise<void> {
  if (c.provider.synced) return Promise.resolve();
  return new Promise((resolve) => c.provider.once('sync', () => resolve()));
}

async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(1);
  }
}

function destroy(clients: Client[]): void {
  for (const c of clients) {
    c.provider.destroy();
    c.doc.destroy();
  }
}

interface Row {
  setup: string;
  updatesPerSecond: number;
  p50: number;
  p95: number;
}

/** Throughput and latency through `relays` (urls); writers and observers spread across them. */
async function measure(setup: string, urls: string[], ws: CreatedWorkspace): Promise<Row> {
  const room = ws.workspaceId;
  const writers = [0, 1, 2].map((i) => connect(urls[i % urls.length]!, room, ws.rwToken));
  const observers = urls.map((u) => connect(u, room, ws.roToken));
  await Promise.all([...writers, ...observers].map(synced));
  const total = writers.length * UPDATES;
  const started = performance.now();
  for (let n = 0; n < UPDATES; n++) {
    for (const [i, w] of writers.entries()) w.doc.getMap('m').set(`w${i}-${n}`, n);
    if (n % 100 === 99) await sleep(0); // let the sockets drain
  }
  await until(() => observers.every((o) => o.doc.getMap('m').size >= total));
  const seconds = (performance.now() - started) / 1000;

  // One edit at a time, from relay A's client to relay B's (or the same relay's, with one).
  const from = writers[0]!;
  const to = observers[urls.length > 1 ? 1 : 0]!;
  const latencies: number[] = [];
  // Arrival times from the observer's own event, not from the polling loop that waits for them.
  const arrived = new Map<string, number>();
  to.doc.getMap('lat').observe((e) => e.keysChanged.forEach((k) => arrived.set(k, performance.now())));
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    from.doc.getMap('lat').set(`s${i}`, i);
    await until(() => arrived.has(`s${i}`), 10_000);
    latencies.push(arrived.get(`s${i}`)! - t0);
  }
  destroy([...writers, ...observers]);
  return { setup, updatesPerSecond: total / seconds, p50: pct(latencies, 0.5), p95: pct(latencies, 0.95) };
}

interface Memory {
  perRoom: number;
  perConn: number;
  redisPerRoom: number;
}

/** RSS of one relay process per open room (one small document, one connection) and per extra connection. */
async function measureMemory(dataDir: string, env: Record<string, string>, redisUrl: string): Promise<Memory> {
  const workspaces = Array.from({ length: ROOMS }, () => createWorkspace(dataDir));
  const relay = await startRelay(dataDir, env);
  const redis = new Redis(redisUrl, { protocol: 2 });
  const settle = async () => {
    await sleep(1000);
    return rssBytes(relay.child.pid!);
  };
  // Warm up: load the code paths once, so the baseline is not the first room's JIT.
  const warm = connect(relay.url, workspaces[0]!.workspaceId, workspaces[0]!.rwToken);
  await synced(warm);
  destroy([warm]);
  const redisBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const base = await settle();
  const rooms: Client[] = [];
  for (const w of workspaces) {
    const c = connect(relay.url, w.workspaceId, w.rwToken);
    await synced(c);
    for (let k = 0; k < 20; k++) c.doc.getMap('m').set(`k${k}`, `value ${k}`);
    rooms.push(c);
  }
  await sleep(200);
  const withRooms = await settle();
  const redisAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const extra: Client[] = [];
  const target = workspaces[0]!;
  for (let i = 0; i < CONNS; i++) extra.push(connect(relay.url, target.workspaceId, target.roToken));
  await Promise.all(extra.map(synced));
  const withConns = await settle();
  destroy([...rooms, ...extra]);
  await stop(relay.child);
  redis.disconnect();
  return { perRoom: (withRooms - base) / ROOMS, perConn: (withConns - withRooms) / CONNS, redisPerRoom: (redisAfter - redisBefore) / ROOMS };
}

async function main(): Promise<void> {
  if (!fs.existsSync(REDIS_SERVER)) {
    console.log(`relay bench skipped: ${REDIS_SERVER} is missing (apt-get install redis-server)`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-bench-relay-'));
  try {
    const redis = await startRedis(tmp);
    const rows: Row[] = [];

    const fileDir = path.join(tmp, 'file');
    const fileWs = createWorkspace(fileDir);
    const fileRelay = await startRelay(fileDir, {});
    rows.push(await measure('1 relay, file store', [fileRelay.url], fileWs));
    await stop(fileRelay.child);

    const oneDir = path.join(tmp, 'one');
    const oneWs = createWorkspace(oneDir);
    const one = await startRelay(oneDir, { REDIS_URL: redis.url, LEDGERLINE_REDIS_PREFIX: 'one:' });
    rows.push(await measure('1 relay, Redis', [one.url], oneWs));
    await stop(one.child);

    const threeDir = path.join(tmp, 'three');
    const threeWs = createWorkspace(threeDir);
    const three = await Promise.all([0, 1, 2].map(() => startRelay(threeDir, { REDIS_URL: redis.url, LEDGERLINE_REDIS_PREFIX: 'three:' })));
    rows.push(await measure('3 relays, Redis', three.map((r) => r.url), threeWs));
    await Promise.all(three.map((r) => stop(r.child)));

    console.log(`relay: ${os.cpus().length} cores, node ${process.version}, ${3 * UPDATES} updates from 3 writers, ${SAMPLES} latency samples`);
    console.log('| setup | updates/s (all observers have all) | fan-out p50 | fan-out p95 |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.setup} | ${Math.round(r.updatesPerSecond).toLocaleString('en-US')} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms |`);

    const memDir = path.join(tmp, 'mem');
    const mem = await measureMemory(memDir, { REDIS_URL: redis.url, LEDGERLINE_REDIS_PREFIX: 'mem:' }, redis.url);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`memory (Redis store, ${ROOMS} rooms of 20 keys, ${CONNS} extra connections):`);
    console.log(`| relay RSS per open room (1 connection) | relay RSS per extra connection | Redis per stored room |`);
    console.log('|---|---|---|');
    console.log(`| ${kb(mem.perRoom)} | ${kb(mem.perConn)} | ${kb(mem.redisPerRoom)} |`);
    await stop(redis.child);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e);
    process.exit(1);
  },
);
