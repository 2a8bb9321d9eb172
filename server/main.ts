/**
 * The relay as a process: `node --import tsx server/main.ts` (or `npx tsx server/main.ts`).
 * Every setting comes from the environment; see server/README.md.
 */
import path from 'node:path';
import { ensureAdminKey } from './admin';
import { logError, logInfo } from './log';
import { DEFAULTS, startRelay } from './relay';

function intFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    logError(`relay: ${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

/** Host and port of a Redis URL: never its password in a log line. */
function redisHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR || './relay-data');
  const staticDir = process.env.LEDGERLINE_STATIC_DIR || undefined;
  const redisUrl = process.env.REDIS_URL || undefined;
  const blobDir = process.env.LEDGERLINE_BLOB_DIR || undefined;
  const relay = await startRelay({
    port: intFromEnv('PORT', 8787, 0),
    host: process.env.HOST || '127.0.0.1',
    dataDir,
    maxPayload: intFromEnv('LEDGERLINE_MAX_MESSAGE_BYTES', DEFAULTS.maxPayload),
    maxDocBytes: intFromEnv('LEDGERLINE_MAX_DOC_BYTES', DEFAULTS.maxDocBytes),
    maxBlobBytes: intFromEnv('LEDGERLINE_MAX_BLOB_BYTES', DEFAULTS.maxBlobBytes),
    compactAfter: intFromEnv('LEDGERLINE_COMPACT_AFTER', DEFAULTS.compactAfter),
    staticDir: staticDir && path.resolve(staticDir),
    basePath: process.env.LEDGERLINE_BASE_PATH || undefined,
    // Only the exact value 1: serving a room that lost acknowledged updates is a deliberate choice.
    salvage: process.env.LEDGERLINE_SALVAGE === '1',
    maxPresenceBytes: intFromEnv('LEDGERLINE_MAX_PRESENCE_BYTES', DEFAULTS.maxPresenceBytes),
    maxPresenceStates: intFromEnv('LEDGERLINE_MAX_PRESENCE_STATES', DEFAULTS.maxPresenceStates),
    maxRoomPresenceBytes: intFromEnv('LEDGERLINE_MAX_ROOM_PRESENCE_BYTES', DEFAULTS.maxRoomPresenceBytes),
    presencePerSecond: intFromEnv('LEDGERLINE_PRESENCE_PER_SECOND', DEFAULTS.presencePerSecond),
    messagesPerSecond: intFromEnv('LEDGERLINE_MESSAGES_PER_SECOND', DEFAULTS.messagesPerSecond),
    messageBurst: intFromEnv('LEDGERLINE_MESSAGE_BURST', DEFAULTS.messageBurst),
    connectAttemptsPer10s: intFromEnv('LEDGERLINE_CONNECT_ATTEMPTS_PER_10S', DEFAULTS.connectAttemptsPer10s),
    maxConnections: intFromEnv('LEDGERLINE_MAX_CONNECTIONS', DEFAULTS.maxConnections),
    maxRoomConnections: intFromEnv('LEDGERLINE_MAX_ROOM_CONNECTIONS', DEFAULTS.maxRoomConnections),
    idleTimeoutMs: intFromEnv('LEDGERLINE_IDLE_TIMEOUT_MS', DEFAULTS.idleTimeoutMs, 100),
    trustProxy: process.env.LEDGERLINE_TRUST_PROXY === '1',
    redisUrl,
    redisPrefix: process.env.LEDGERLINE_REDIS_PREFIX || undefined,
    blobDir: blobDir && path.resolve(blobDir),
  });
  // One line for people and for scripts (tests wait for it): where it listens.
  const where = [`data ${dataDir}`];
  if (redisUrl) where.push(`rooms in redis ${redisHost(redisUrl)}`);
  if (blobDir) where.push(`blobs ${path.resolve(blobDir)}`);
  if (staticDir) where.push(`app ${path.resolve(staticDir)}`);
  logInfo(`relay listening on ${relay.url} (${where.join(', ')})`);
  // The operator's credential for sharing from the app; stdout only, once (never through the log
  // functions, which redact it, and never on stderr, where error collectors look).
  process.stdout.write(`relay admin key: ${ensureAdminKey(dataDir)} (Settings → Sharing; also in ${path.join(dataDir, 'admin.key')})\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logInfo(`relay: ${signal}, closing`);
    relay.close().then(
      () => process.exit(0),
      (e: Error) => {
        logError(`relay: close failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  logError(`relay: ${e.message}`);
  process.exit(1);
});
