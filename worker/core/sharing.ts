import { ADMIN_SEGMENT, type LinkInfo, type NewLink, type RelayLink } from '../protocol/syncProtocol';
import { SHARING_OFF, type SharedLinkView, type SharingView } from '../protocol/coreEvents';

/**
 * Sharing a workspace from Settings, with no terminal: the relay's admin API (ADMIN_SEGMENT in
 * worker/protocol/syncProtocol.ts), called from the core. The operator pastes the relay's admin
 * key once; it stays on this device (IndexedDB), is sent only to the relay it was given for, and
 * never reaches the tabs or the shared document (whoever holds it runs every workspace of that relay).
 */

/** The relay's admin key, and the relay (ws:// or wss://) it belongs to. */
export interface AdminCredentials {
  relayUrl: string;
  key: string;
}

/** A failed admin call, said for people (the Settings screen shows `message` as it is). */
export class SharingError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SharingError';
  }
}

/** A relay address as typed, in one spelling: no trailing slash. */
export function normalRelayUrl(relayUrl: string): string {
  return relayUrl.trim().replace(/\/+$/, '');
}

/** `http(s)://host[/base]/admin`: the admin API under the relay's base path, like blobUrl. */
export function adminBase(relayUrl: string): string {
  return `${normalRelayUrl(relayUrl).replace(/^ws/, 'http')}/${ADMIN_SEGMENT}`;
}

function explain(status: number, detail: string | undefined, relayUrl: string): string {
  switch (status) {
    case 401:
      return 'The relay did not accept this admin key: copy it again from where the relay was started (npm start prints it, and it is in the relay’s DATA_DIR/admin.key).';
    case 404:
      return detail === 'unknown link' ? 'The relay does not know this link (it may have been removed).' : `The relay at ${relayUrl} does not know this workspace, or has no admin API (an older relay).`;
    case 429:
      return 'Too many wrong admin keys from this address: the relay refuses admin requests for a minute.';
    default:
      return `The relay refused (${status}${detail ? `: ${detail}` : ''}).`;
  }
}

async function call<T>(admin: AdminCredentials, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${adminBase(admin.relayUrl)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${admin.key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new SharingError(`Could not reach the relay at ${admin.relayUrl}: check the address, and that the relay is running and this device can reach it.`, 0);
  }
  const answer = (await response.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!response.ok) throw new SharingError(explain(response.status, answer?.error, admin.relayUrl), response.status);
  if (answer === null) throw new SharingError(`The relay at ${admin.relayUrl} answered something that is not its admin API.`, response.status);
  return answer;
}

const workspacePath = (workspaceId: string) => `/workspaces/${encodeURIComponent(workspaceId)}`;

/** `POST /admin/workspaces`: a new, empty shared workspace on the relay. */
export async function createRelayWorkspace(admin: AdminCredentials): Promise<string> {
  return (await call<{ workspaceId: string }>(admin, 'POST', '/workspaces', {})).workspaceId;
}

export async function listLinks(admin: AdminCredentials, workspaceId: string): Promise<LinkInfo[]> {
  return (await call<{ links: LinkInfo[] }>(admin, 'GET', `${workspacePath(workspaceId)}/links`)).links;
}

/** A link for one person; the token comes back once, here, and the relay keeps no copy it could show again. */
export async function mintLink(admin: AdminCredentials, workspaceId: string, link: NewLink): Promise<{ link: LinkInfo; token: string }> {
  return await call<{ link: LinkInfo; token: string }>(admin, 'POST', `${workspacePath(workspaceId)}/links`, link);
}

/** Ends a link: the relay closes its live sessions within a second, and refuses it from then on. */
export async function revokeLink(admin: AdminCredentials, workspaceId: string, linkId: string): Promise<LinkInfo> {
  return (await call<{ link: LinkInfo }>(admin, 'DELETE', `${workspacePath(workspaceId)}/links/${encodeURIComponent(linkId)}`)).link;
}

/** Where a link stands now: revoked, past its expiry, or working. */
export function linkStatus(link: LinkInfo, now: number): SharedLinkView['status'] {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt !== null && Date.parse(link.expiresAt) <= now) return 'expired';
  return 'live';
}

/** What the core lends the sharing commands: the stored key, the sync link, and connecting. */
export interface SharingHost {
  loadAdmin(): Promise<AdminCredentials | null>;
  saveAdmin(admin: AdminCredentials | null): Promise<void>;
  /** This device's sync link, or null when the workspace is not shared. */
  syncLink(): RelayLink | null;
  /** Connects this workspace's document with a link (the relay's new room gets it whole). */
  connect(link: RelayLink): Promise<void>;
  /** Whom a link minted for this device is for: the person's display name. */
  displayName(): string;
  onChange(view: SharingView): void;
}

/**
 * The sharing commands and their state (`CoreState.sharing`). Each command reports its failure in
 * `error` rather than throwing: a wrong key or an unreachable relay is an answer to show, not a bug.
 */
export function createSharing(host: SharingHost) {
  let admin: AdminCredentials | null = null;
  let view: SharingView = SHARING_OFF;
  const set = (patch: Partial<SharingView>) => {
    view = { ...view, ...patch };
    host.onChange(view);
  };

  /** The shared workspace the key can manage: this device's link, when it is on the key's relay. */
  const managed = (): { admin: AdminCredentials; workspaceId: string } | null => {
    const link = host.syncLink();
    return admin && link && normalRelayUrl(link.relayUrl) === admin.relayUrl ? { admin, workspaceId: link.workspaceId } : null;
  };

  /** Runs one admin call with `busy` shown, and turns its failure into `error`. */
  async function run<T>(work: () => Promise<T>): Promise<T | null> {
    set({ busy: true, error: '' });
    try {
      return await work();
    } catch (e) {
      set({ error: e instanceof SharingError ? e.message : `Sharing failed: ${String(e)}` });
      return null;
    } finally {
      set({ busy: false });
    }
  }

  async function readLinks(): Promise<void> {
    const m = managed();
    if (!m) {
      set({ links: null });
      return;
    }
    const links = await listLinks(m.admin, m.workspaceId);
    const now = Date.now();
    set({ links: links.map((l) => ({ ...l, status: linkStatus(l, now) })) });
  }

  return {
    view: () => view,

    async init(): Promise<void> {
      admin = await host.loadAdmin();
      set({ ...SHARING_OFF, adminRelay: admin?.relayUrl ?? null });
    },

    /** Keeps the relay's admin key on this device, and reads the links it manages (which checks the key). */
    async saveAdminKey(relayUrl: string, key: string): Promise<void> {
      const next = { relayUrl: normalRelayUrl(relayUrl), key: key.trim() };
      if (!/^wss?:\/\/[^/]/.test(next.relayUrl) || next.key === '') {
        set({ error: 'Give the relay’s address (ws:// or wss://) and its admin key.' });
        return;
      }
      admin = next;
      await host.saveAdmin(next);
      set({ adminRelay: next.relayUrl, links: null, error: '' });
      await run(readLinks);
    },

    /** Forgets the admin key on this device (the relay and its links are untouched). */
    async forgetAdminKey(): Promise<void> {
      admin = null;
      await host.saveAdmin(null);
      set({ ...SHARING_OFF });
    },

    /**
     * Shares this workspace: a new workspace on the key's relay, a read-write link for this
     * person, and this device connected with it (its document fills the relay's empty room).
     */
    async createSharedWorkspace(): Promise<boolean> {
      const credentials = admin;
      if (!credentials) {
        set({ error: 'Paste the relay’s admin key first.' });
        return false;
      }
      const link = await run(async () => {
        const workspaceId = await createRelayWorkspace(credentials);
        const minted = await mintLink(credentials, workspaceId, { person: host.displayName(), role: 'rw', expiresAt: null });
        return { relayUrl: credentials.relayUrl, workspaceId, token: minted.token };
      });
      if (!link) return false;
      await host.connect(link);
      await run(readLinks);
      return true;
    },

    /** Reads the links again (their live counts change as people connect). */
    async refreshLinks(): Promise<void> {
      if (managed()) await run(readLinks);
      else set({ links: null });
    },

    /** A link for a teammate; the answer (relay, workspace, token) makes the share link, shown once. */
    async createLink(link: NewLink): Promise<RelayLink | null> {
      const m = managed();
      if (!m) {
        set({ error: 'This workspace is not shared on the relay of this admin key.' });
        return null;
      }
      const minted = await run(() => mintLink(m.admin, m.workspaceId, link));
      if (!minted) return null;
      await run(readLinks);
      return { relayUrl: m.admin.relayUrl, workspaceId: m.workspaceId, token: minted.token };
    },

    async revokeLink(linkId: string): Promise<void> {
      const m = managed();
      if (!m) return;
      if ((await run(() => revokeLink(m.admin, m.workspaceId, linkId))) !== null) await run(readLinks);
    },
  };
}

export type Sharing = ReturnType<typeof createSharing>;
