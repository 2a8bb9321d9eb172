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
 *  4. A presence flood (issue 13's attack, against a relay process with its default limits): a
 *     read-only link sends 1 MiB presence states (at least 70, until the measurements are done)
 *     while a new client joins a room holding a 200 kB document (time until it holds all of it)
 *     and a writer in another room makes single edits (latency to an observer there, p50/p95);
 *     the same without the flood, and the relay's RSS before, at its peak and after.
 *  5. Revocation latency: a live link revoked through the admin API, and in workspaces.json (the
 *     CLI's way), until its socket is closed; a few samples of each.
 * Redis is a throwaway redis-server on a free loopback port with `appendfsync always`, as deployed.
 * Options: --updates N per writer (default 2000), --samples N latency samples (default 200),
 * --rooms N (default 200), --conns N (default 300), --revocations N per way (default 5).
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
import * as encoding from 'lib0/encoding';
import { ensureAdminKey } from '../server/admin';
import { WebSocket } from '../server/ws';
import { createWorkspace, mintLinkInFile, revokeLinkInFile, type CreatedWorkspace } from '../server/workspaces';
import { MESSAGE } from '../worker/protocol/syncProtocol';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '200' },
    conns: { type: 'string', default: '300' },
    revocations: { type: 'string', default: '5' },
    flood: { type: 'string' },
  },
});


const UPDATES = Number(values.updates);
const SAMPLES = Number(values.samples);
const ROOMS = Number(values.rooms);
const CONNS = Number(values.conns);
const REVOCATIONS = Number(values.revocations);
/** The audit's attack: 70 presence states of 1 MiB from a read-only link. */
const FLOOD_STATES = 70;
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

/** The relay's own limits (a relay process of this bench otherwise lifts the per-client ones). */
const DEFAULT_LIMITS = { LEDGERLINE_MESSAGES_PER_SECOND: '200', LEDGERLINE_MESSAGE_BURST: '1000' };

interface Flood {
  joinQuiet: number;
  joinFlood: number;
  writeQuiet: { p50: number; p95: number };
  writeFlood: { p50: number; p95: number };
  statesSent: number;
  /** Edits in the other room that were made and arrived while the flood ran. */
  editsDuring: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
}

/** One awareness message of one state (client id, clock 1, `json`). */
function presenceFrame(id: number, json: string): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, id);
  encoding.writeVarUint(update, 1);
  encoding.writeVarString(update, json);
  const msg = encoding.createEncoder();
  encoding.writeVarUint(msg, MESSAGE.awareness);
  encoding.writeVarUint8Array(msg, encoding.toUint8Array(update));
  return encoding.toUint8Array(msg);
}

async function openRaw(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  return ws;
}

/** Milliseconds until a new client holds the whole document of `ws`'s room (`length` characters of text). */
async function joinTime(url: string, ws: CreatedWorkspace, length: number): Promise<number> {
  const t0 = performance.now();
  const c = connect(url, ws.workspaceId, ws.roToken);
  await until(() => c.doc.getText('notes').length === length, 60_000);
  const ms = performance.now() - t0;
  destroy([c]);
  return ms;
}

/** `n` single edits in a room, each timed until its observer has it. */
async function writeLatencies(writer: Client, observer: Client, n: number, tag: string): Promise<{ p50: number; p95: number }> {
  const arrived = new Map<string, number>();
  const map = observer.doc.getMap(tag);
  map.observe((e) => e.keysChanged.forEach((k) => arrived.set(k, performance.now())));
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    writer.doc.getMap(tag).set(`k${i}`, i);
    await until(() => arrived.has(`k${i}`), 60_000);
    xs.push(arrived.get(`k${i}`)! - t0);
  }
  return { p50: pct(xs, 0.5), p95: pct(xs, 0.95) };
}

/**
 * The flooder runs as its own process (this script with --flood URL), as an attacker would: its
 * megabytes are copied by its own CPU time, not by the process whose clients are being timed.
 * It prints `first` after its first state left, and `done` once the relay has handled every state
 * (its own small marker state, sent last, came back).
 */
async function flooder(url: string, count: number): Promise<void> {
  const ws = await openRaw(url);
  const big = JSON.stringify({ name: 'Flood', pad: 'y'.repeat(1024 * 1024) });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  let markerSeen: () => void = () => {};
  const marker = new Promise<void>((r) => (markerSeen = r));
  ws.on('message', (data: Buffer) => {
    if (data.includes('flood-marker')) markerSeen();
  });
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => ws.send(presenceFrame(900_000 + i, big), (e) => (e ? reject(e) : resolve())));
    if (i === 0) console.log('first');
  }
  ws.send(presenceFrame(999_999, JSON.stringify({ name: 'flood-marker' })));
  await marker;
  console.log('done');
  ws.close();
}

async function measureFlood(dataDir: string): Promise<Flood> {
  const target = createWorkspace(dataDir);
  const other = createWorkspace(dataDir);
  const relay = await startRelay(dataDir, DEFAULT_LIMITS);
  const text = 'x'.repeat(200_000);
  const owner = connect(relay.url, target.workspaceId, target.rwToken);
  await synced(owner);
  owner.doc.getText('notes').insert(0, text);
  owner.provider.awareness.setLocalState({ name: 'Writer' });
  const [otherWriter, otherObserver] = [connect(relay.url, other.workspaceId, other.rwToken), connect(relay.url, other.workspaceId, other.rwToken)];
  await Promise.all([synced(otherWriter), synced(otherObserver)]);
  // Quiet figures first, on a warm relay.
  await joinTime(relay.url, target, text.length);
  const joinQuiet = await joinTime(relay.url, target, text.length);
  const writeQuiet = await writeLatencies(otherWriter, otherObserver, 50, 'quiet');
  await sleep(1000);
  const rssBefore = rssBytes(relay.child.pid!);

  const child = spawn(process.execPath, ['--import', 'tsx', process.argv[1]!, '--flood', `${relay.url}/${target.workspaceId}?token=${target.roToken}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await sleep(500); // connected and waiting for the word
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(relay.child.pid!))), 20);
  child.stdin!.write('go\n');
  await until(() => out.includes('first'), 60_000);
  const flooding = () => !out.includes('done');
  const joining = joinTime(relay.url, target, text.length);
  // Edits in the other room until the flood is over; only those made while it ran are counted.
  const during: number[] = [];
  const arrived = new Map<string, number>();
  otherObserver.doc.getMap('flood').observe((e) => e.keysChanged.forEach((k) => arrived.set(k, performance.now())));
  for (let i = 0; flooding(); i++) {
    const t0 = performance.now();
    otherWriter.doc.getMap('flood').set(`k${i}`, i);
    await until(() => arrived.has(`k${i}`), 60_000);
    if (flooding()) during.push(arrived.get(`k${i}`)! - t0);
  }
  const joinFlood = await joining;
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  await sleep(1000);
  clearInterval(sampler);
  const rssAfter = rssBytes(relay.child.pid!);
  destroy([owner, otherWriter, otherObserver]);
  await stop(relay.child);
  const writeFlood = during.length > 0 ? { p50: pct(during, 0.5), p95: pct(during, 0.95) } : { p50: NaN, p95: NaN };
  return { joinQuiet, joinFlood, writeQuiet, writeFlood, statesSent: FLOOD_STATES, editsDuring: during.length, rssBefore, rssPeak, rssAfter };
}

/** Milliseconds from a revocation until the link's live socket is closed, `REVOCATIONS` times per way. */
async function measureRevocation(dataDir: string): Promise<{ api: number[]; file: number[] }> {
  const ws = createWorkspace(dataDir);
  const key = ensureAdminKey(dataDir);
  const relay = await startRelay(dataDir, {});
  const admin = `${relay.url.replace(/^ws/, 'http')}/admin/workspaces/${ws.workspaceId}/links`;
  const out = { api: [] as number[], file: [] as number[] };
  for (const way of ['api', 'file'] as const) {
    for (let i = 0; i < REVOCATIONS; i++) {
      const link = mintLinkInFile(dataDir, ws.workspaceId, { person: `Person ${i}`, role: 'rw', expiresAt: null })!;
      // The relay picks a new link up within its file check: retry until the socket is let in.
      let socket: WebSocket | null = null;
      for (let attempt = 0; socket === null; attempt++) {
        const s = await openRaw(`${relay.url}/${ws.workspaceId}?token=${link.token}`);
        const refused = await Promise.race([new Promise<boolean>((r) => s.once('close', () => r(true))), sleep(300).then(() => false)]);
        if (!refused) socket = s;
        else if (attempt > 20) throw new Error('a new link was never let in');
      }
      const closed = new Promise<number>((r) => socket!.once('close', () => r(performance.now())));
      const t0 = performance.now();
      if (way === 'api') {
        const res = await fetch(`${admin}/${link.linkId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
        if (res.status !== 200) throw new Error(`revocation answered ${res.status}`);
      } else {
        revokeLinkInFile(dataDir, link.linkId, ws.workspaceId);
      }
      out[way].push((await closed) - t0);
    }
  }
  await stop(relay.child);
  return out;
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

    const flood = await measureFlood(path.join(tmp, 'flood'));
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    console.log(`presence flood (file store, default limits; a read-only link, its own process, sent ${flood.statesSent} states of 1 MiB; ${flood.editsDuring} edits in the other room while it ran):`);
    console.log('| | join (200 kB document, whole) | other room, edit p50 | p95 |');
    console.log('|---|---|---|---|');
    console.log(`| quiet | ${ms(flood.joinQuiet)} | ${ms(flood.writeQuiet.p50)} | ${ms(flood.writeQuiet.p95)} |`);
    console.log(`| during the flood | ${ms(flood.joinFlood)} | ${ms(flood.writeFlood.p50)} | ${ms(flood.writeFlood.p95)} |`);
    console.log(`relay RSS: ${mb(flood.rssBefore)} before, ${mb(flood.rssPeak)} at the peak, ${mb(flood.rssAfter)} 1 s after`);

    const rev = await measureRevocation(path.join(tmp, 'revocation'));
    const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
    console.log(`revocation → socket closed: admin API ${list(rev.api)} ms; workspaces.json (CLI) ${list(rev.file)} ms`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

(values.flood ? flooder(values.flood, FLOOD_STATES) : main()).then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e);
    process.exit(1);
  },
);
