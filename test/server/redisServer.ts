import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './helpers';

export const REDIS_SERVER = process.env.LEDGERLINE_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Whether the Redis tests can run. Under CI=true a missing redis-server is a failure (`.ci/run`
 * installs Debian's package), so the tests run and report it; locally they are skipped, saying why.
 */
export const redisAvailable = fs.existsSync(REDIS_SERVER) || process.env.CI === 'true';
if (!redisAvailable) console.warn(`redis tests skipped: ${REDIS_SERVER} is missing (apt-get install redis-server; under CI=true this fails)`);

/** A free loopback port: bound and released (redis-server takes a port number, not 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL: no shutdown save, no goodbye; what survives is what the AOF had fsynced. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (it replays its AOF). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on loopback, in a temp folder: AOF on and fsynced before every reply
 * (`appendfsync always`, the relay's durability setting), no RDB snapshots, no other client.
 */
export async function startRedis(): Promise<RedisServer> {
  if (!fs.existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs Debian's redis-server`);
  const dir = tempDir('ledgerline-redis-');
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--logfile', '', '--protected-mode', 'yes'];
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 15_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited before it was ready:\n${out}`));
      });
    });
    proc.stdout!.resume();
    proc.stderr!.resume();
  }

  async function kill(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    child = null;
  }

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: launch,
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One redis-server for the calling test file, started before its tests and stopped after them
 * (none when redis-server is missing and the tests skip). Each test takes its own key prefix.
 */
export function redisForFile(): { server: () => RedisServer } {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (redisAvailable) redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    server: () => {
      if (!redis) throw new Error('redis-server is not running');
      return redis;
    },
  };
}
