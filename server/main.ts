/**
 * The relay as a process: `node --import tsx server/main.ts` (or `npx tsx server/main.ts`).
 * Every setting comes from the environment; see server/README.md.
 */
import path from 'node:path';
import { DEFAULTS, startRelay } from './relay';

function intFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`relay: ${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR || './relay-data');
  const staticDir = process.env.LEDGERLINE_STATIC_DIR || undefined;
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
  });
  // One line for people and for scripts (tests wait for it): where it listens.
  console.log(`relay listening on ${relay.url} (data ${dataDir}${staticDir ? `, app ${path.resolve(staticDir)}` : ''})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`relay: ${signal}, closing`);
    relay.close().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(`relay: close failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  console.error(`relay: ${e.message}`);
  process.exit(1);
});
