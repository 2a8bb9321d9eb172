import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LinkInfo, NewLink } from '../worker/protocol/syncProtocol';
import { logError } from './log';
import { LEGACY_LINK, LEGACY_PERSON, isWorkspaceId, newLinkId, signLink, signToken, type LinkRecord, type Role, type TokenWorkspace } from './tokens';

/**
 * `DATA_DIR/workspaces.json`:
 * `{ "<workspaceId>": { "secret": "...", "links": { "<linkId>": { person, role, createdAt, expiresAt, revokedAt } } } }`.
 * Tokens are not stored: a link's token is recomputed from the secret, so the file holds one secret
 * per workspace and what each link may do. Files written before links existed (only a secret) are read as is.
 */
export type WorkspaceEntry = TokenWorkspace;
export type WorkspaceFile = Record<string, WorkspaceEntry>;

export function workspacesPath(dataDir: string): string {
  return path.join(dataDir, 'workspaces.json');
}

function isoOrNull(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined;
}

function readLinks(raw: unknown): Record<string, LinkRecord> {
  const links = Object.create(null) as Record<string, LinkRecord>;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return links;
  for (const [linkId, r] of Object.entries(raw as Record<string, unknown>)) {
    const rec = r as Partial<Record<keyof LinkRecord, unknown>> | null;
    if (rec === null || typeof rec !== 'object') continue;
    const expiresAt = isoOrNull(rec.expiresAt);
    const revokedAt = isoOrNull(rec.revokedAt);
    if ((rec.role !== 'rw' && rec.role !== 'ro') || typeof rec.person !== 'string' || expiresAt === undefined || revokedAt === undefined) continue;
    links[linkId] = {
      person: rec.person,
      role: rec.role,
      createdAt: typeof rec.createdAt === 'string' ? rec.createdAt : new Date(0).toISOString(),
      expiresAt,
      revokedAt,
    };
  }
  return links;
}

function readWorkspaceFile(file: string): WorkspaceFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as WorkspaceFile;
    throw e;
  }
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected an object of { "<workspaceId>": { "secret": "..." } }`);
  }
  const out: WorkspaceFile = Object.create(null) as WorkspaceFile;
  for (const [id, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const secret = (entry as { secret?: unknown } | null)?.secret;
    if (typeof secret === 'string' && secret.length > 0) out[id] = { secret, links: readLinks((entry as { links?: unknown }).links) };
  }
  return out;
}

function writeWorkspaceFile(file: string, all: WorkspaceFile): void {
  writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`);
}

/**
 * Reads the file fresh, lets `change` edit it, writes it back whole (temp file, fsync, rename, mode
 * 600). The relay (admin API) and the CLI both go through here; each edit is one short
 * read-modify-write of a small file.
 */
export function updateWorkspaces<T>(dataDir: string, change: (all: WorkspaceFile) => T): T {
  ensureDataDir(dataDir);
  const file = workspacesPath(dataDir);
  const all = readWorkspaceFile(file);
  const result = change(all);
  writeWorkspaceFile(file, all);
  return result;
}

/**
 * The workspaces and their links, re-read when the file changes (size, mtime or inode), so a
 * workspace or a revocation written by the CLI while the relay runs takes effect without a restart.
 * A file that cannot be parsed keeps the last good contents (a half-written file never locks everyone out).
 */
export class WorkspaceRegistry {
  readonly dataDir: string;
  private readonly file: string;
  private stamp = '';
  private entries = new Map<string, WorkspaceEntry>();
  /** Goes up each time the file is re-read (to re-check open connections). */
  generation = 0;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.file = workspacesPath(dataDir);
    this.refresh();
  }

  /** The workspace's secret and links, or null (also for ids that are not workspace ids). */
  get(workspaceId: string): WorkspaceEntry | null {
    this.refresh();
    return this.entries.get(workspaceId) ?? null;
  }

  secretOf(workspaceId: string): string | null {
    return this.get(workspaceId)?.secret ?? null;
  }

  /** Re-reads the file if it changed (size, mtime or inode); `force` after our own writes. */
  refresh(force = false): void {
    let stamp: string;
    try {
      const st = fs.statSync(this.file);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.stamp && !force) return;
    try {
      const file = stamp === 'missing' ? {} : readWorkspaceFile(this.file);
      this.entries = new Map(Object.entries(file));
      this.stamp = stamp;
      this.generation++;
    } catch (e) {
      logError(`relay: cannot read ${this.file}, keeping the previous workspaces: ${(e as Error).message}`);
    }
  }

  private edit<T>(change: (all: WorkspaceFile) => T): T {
    try {
      return updateWorkspaces(this.dataDir, change);
    } finally {
      this.refresh(true);
    }
  }

  createWorkspace(workspaceId?: string): string {
    return this.edit((all) => addWorkspace(all, workspaceId).workspaceId);
  }

  mintLink(workspaceId: string, link: NewLink, now = new Date()): MintedLink | null {
    return this.edit((all) => (Object.hasOwn(all, workspaceId) ? addLink(all[workspaceId]!, workspaceId, link, now) : null));
  }

  /** Marks a link revoked (already revoked: unchanged); null when the workspace or link is unknown. */
  revokeLink(workspaceId: string, linkId: string, now = new Date()): LinkRecord | null {
    return this.edit((all) => (Object.hasOwn(all, workspaceId) ? markRevoked(all[workspaceId]!, linkId, now) : null));
  }

  /** A new secret (every token stops verifying) and every link marked revoked; null for an unknown workspace. */
  rotate(workspaceId: string, now = new Date()): number | null {
    return this.edit((all) => (Object.hasOwn(all, workspaceId) ? rotateEntry(all[workspaceId]!, now) : null));
  }
}

export interface MintedLink {
  linkId: string;
  record: LinkRecord;
  token: string;
}

/** A link as the admin API shows it. */
export function linkInfo(linkId: string, record: LinkRecord, live: number): LinkInfo {
  return { linkId, person: record.person, role: record.role, expiresAt: record.expiresAt, createdAt: record.createdAt, revokedAt: record.revokedAt, live };
}

function addWorkspace(all: WorkspaceFile, workspaceId?: string): { workspaceId: string; entry: WorkspaceEntry } {
  const id = workspaceId ?? randomBytes(12).toString('hex');
  if (!isWorkspaceId(id)) throw new Error(`${JSON.stringify(id)} is not a workspace id (1–128 of A–Z a–z 0–9 _ -)`);
  if (Object.hasOwn(all, id)) throw new Error(`workspace ${id} already exists`);
  const entry: WorkspaceEntry = { secret: randomBytes(32).toString('base64url'), links: {} };
  all[id] = entry;
  return { workspaceId: id, entry };
}

function addLink(entry: WorkspaceEntry, workspaceId: string, link: NewLink, now: Date): MintedLink {
  let linkId = newLinkId();
  while (Object.hasOwn(entry.links, linkId)) linkId = newLinkId();
  const record: LinkRecord = { person: link.person, role: link.role, createdAt: now.toISOString(), expiresAt: link.expiresAt, revokedAt: null };
  entry.links[linkId] = record;
  return { linkId, record, token: signLink(entry.secret, workspaceId, linkId) };
}

function markRevoked(entry: WorkspaceEntry, linkId: string, now: Date): LinkRecord | null {
  let record = Object.hasOwn(entry.links, linkId) ? entry.links[linkId] : undefined;
  if (!record) {
    // The older tokens have no record until they are revoked: revoking one writes it.
    const role = (Object.keys(LEGACY_LINK) as Role[]).find((r) => LEGACY_LINK[r] === linkId);
    if (!role) return null;
    record = { person: LEGACY_PERSON, role, createdAt: new Date(0).toISOString(), expiresAt: null, revokedAt: null };
    entry.links[linkId] = record;
  }
  record.revokedAt ??= now.toISOString();
  return record;
}

function rotateEntry(entry: WorkspaceEntry, now: Date): number {
  entry.secret = randomBytes(32).toString('base64url');
  let revoked = 0;
  for (const record of Object.values(entry.links)) {
    if (record.revokedAt) continue;
    record.revokedAt = now.toISOString();
    revoked++;
  }
  return revoked;
}

/** Revokes `linkId` in `workspaceId`, or in whichever workspace has it; the workspace it was found in, or null. */
export function revokeLinkInFile(dataDir: string, linkId: string, workspaceId?: string, now = new Date()): { workspaceId: string; record: LinkRecord } | null {
  return updateWorkspaces(dataDir, (all) => {
    const ids = workspaceId !== undefined ? [workspaceId] : Object.keys(all).filter((id) => Object.hasOwn(all[id]!.links, linkId));
    for (const id of ids) {
      if (!Object.hasOwn(all, id)) continue;
      const record = markRevoked(all[id]!, linkId, now);
      if (record) return { workspaceId: id, record };
    }
    return null;
  });
}

export function rotateInFile(dataDir: string, workspaceId: string, now = new Date()): number | null {
  return updateWorkspaces(dataDir, (all) => (Object.hasOwn(all, workspaceId) ? rotateEntry(all[workspaceId]!, now) : null));
}

export function mintLinkInFile(dataDir: string, workspaceId: string, link: NewLink, now = new Date()): MintedLink | null {
  return updateWorkspaces(dataDir, (all) => (Object.hasOwn(all, workspaceId) ? addLink(all[workspaceId]!, workspaceId, link, now) : null));
}

export interface CreatedWorkspace {
  workspaceId: string;
  secret: string;
  /** The first link, read-write, for `person` (default "Owner"). */
  link: MintedLink;
  /** The older, unnamed tokens of this workspace (they work until the secret rotates; used by tests). */
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

/** Adds a workspace with a fresh random id and secret to `DATA_DIR/workspaces.json`, with a first read-write link. */
export function createWorkspace(dataDir: string, workspaceId?: string, first: Partial<NewLink> = {}): CreatedWorkspace {
  return updateWorkspaces(dataDir, (all) => {
    const { workspaceId: id, entry } = addWorkspace(all, workspaceId);
    const link = addLink(entry, id, { person: first.person ?? 'Owner', role: first.role ?? 'rw', expiresAt: first.expiresAt ?? null }, new Date());
    return { workspaceId: id, secret: entry.secret, link, rwToken: signToken(entry.secret, id, 'rw'), roToken: signToken(entry.secret, id, 'ro') };
  });
}
