import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signToken } from './tokens';

/** `DATA_DIR/workspaces.json`: `{ "<workspaceId>": { "secret": "..." } }`. */
export interface WorkspaceEntry {
  secret: string;
}
export type WorkspaceFile = Record<string, WorkspaceEntry>;

export function workspacesPath(dataDir: string): string {
  return path.join(dataDir, 'workspaces.json');
}

function readWorkspaceFile(file: string): WorkspaceFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected an object of { "<workspaceId>": { "secret": "..." } }`);
  }
  const out: WorkspaceFile = Object.create(null) as WorkspaceFile;
  for (const [id, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const secret = (entry as { secret?: unknown } | null)?.secret;
    if (typeof secret === 'string' && secret.length > 0) out[id] = { secret };
  }
  return out;
}

/**
 * The workspace secrets, re-read when the file changes (size or mtime), so a workspace added by
 * the CLI while the relay runs is served without a restart. A file that cannot be parsed keeps the
 * last good contents (a half-written file never locks everyone out).
 */
export class WorkspaceRegistry {
  private readonly file: string;
  private stamp = '';
  private entries = new Map<string, string>();
  /** Goes up each time the secrets are re-read from a changed file (to re-check open connections). */
  generation = 0;

  constructor(dataDir: string) {
    this.file = workspacesPath(dataDir);
    this.refresh();
  }

  secretOf(workspaceId: string): string | null {
    this.refresh();
    return this.entries.get(workspaceId) ?? null;
  }

  /** Re-reads the file if it changed (size, mtime or inode). */
  refresh(): void {
    let stamp: string;
    try {
      const st = fs.statSync(this.file);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.stamp) return;
    try {
      const file = stamp === 'missing' ? {} : readWorkspaceFile(this.file);
      this.entries = new Map(Object.entries(file).map(([id, e]) => [id, e.secret]));
      this.stamp = stamp;
      this.generation++;
    } catch (e) {
      console.error(`relay: cannot read ${this.file}, keeping the previous workspaces: ${(e as Error).message}`);
    }
  }
}

export interface CreatedWorkspace {
  workspaceId: string;
  secret: string;
  rwToken: string;
  roToken: string;
}

/** Writes a file whole or not at all: temp file, fsync, rename, fsync of the folder. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates the data folder if needed, with a `.gitignore` of `*` inside: it holds workspace secrets,
 * and the default (`./relay-data`) sits inside whatever checkout the relay is started from.
 */
export function ensureDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const ignore = path.join(dataDir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# secrets and documents of the Ledgerline relay: never commit\n*\n');
}

/** Adds a workspace with a fresh random id and secret to `DATA_DIR/workspaces.json`. */
export function createWorkspace(dataDir: string, workspaceId?: string): CreatedWorkspace {
  const id = workspaceId ?? randomBytes(12).toString('hex');
  ensureDataDir(dataDir);
  const file = workspacesPath(dataDir);
  const all = readWorkspaceFile(file);
  if (Object.hasOwn(all, id)) throw new Error(`workspace ${id} already exists in ${file}`);
  const secret = randomBytes(32).toString('base64url');
  all[id] = { secret };
  writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`);
  return { workspaceId: id, secret, rwToken: signToken(secret, id, 'rw'), roToken: signToken(secret, id, 'ro') };
}
