/**
 * Workspaces and links of a relay's data folder, for operators without the app (the app does the
 * same through the relay's admin API). A running relay picks every change up within a second: new
 * workspaces and links work, revoked links and rotated secrets close their live sessions.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { NewLink } from '../../worker/protocol/syncProtocol';
import { createWorkspace, mintLinkInFile, revokeLinkInFile, rotateInFile, type MintedLink } from '../workspaces';

const USAGE = `usage:
  tsx server/cli/create-workspace.ts --data DIR [--id WORKSPACE_ID] [--person NAME] [--url ws://HOST:PORT] [--json]
      create a workspace and its first read-write link, for NAME (default "Owner")
  tsx server/cli/create-workspace.ts --data DIR --id WORKSPACE_ID --link --person NAME [--role rw|ro] [--expires ISO_DATE] [--url …] [--json]
      mint another link of an existing workspace
  tsx server/cli/create-workspace.ts --data DIR --revoke LINK_ID [--id WORKSPACE_ID]
      revoke one link (its live sessions close within a second)
  tsx server/cli/create-workspace.ts --data DIR --id WORKSPACE_ID --rotate
      replace the workspace's secret: every link is revoked and every session closes`;

function fail(message: string, code = 2): number {
  console.error(message);
  return code;
}

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        data: { type: 'string' },
        url: { type: 'string' },
        id: { type: 'string' },
        person: { type: 'string' },
        role: { type: 'string' },
        expires: { type: 'string' },
        link: { type: 'boolean', default: false },
        revoke: { type: 'string' },
        rotate: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (!args.data || [args.link, args.revoke !== undefined, args.rotate].filter(Boolean).length > 1) return fail(USAGE);
  const dataDir = path.resolve(args.data);
  const url = args.url?.replace(/\/+$/, '');

  try {
    if (args.revoke !== undefined) {
      const done = revokeLinkInFile(dataDir, args.revoke, args.id);
      if (!done) return fail(`create-workspace: no link ${args.revoke}${args.id ? ` in workspace ${args.id}` : ''}`, 1);
      const { record } = done;
      console.log(args.json ? JSON.stringify({ workspaceId: done.workspaceId, linkId: args.revoke, ...record }, null, 2) : `revoked link ${args.revoke} of ${record.person} (${record.role}) in workspace ${done.workspaceId}`);
      return 0;
    }
    if (args.rotate) {
      if (!args.id) return fail(`--rotate needs --id\n${USAGE}`);
      const revoked = rotateInFile(dataDir, args.id);
      if (revoked === null) return fail(`create-workspace: no workspace ${args.id}`, 1);
      console.log(args.json ? JSON.stringify({ workspaceId: args.id, revoked }) : `workspace ${args.id}: new secret, ${revoked} links revoked; mint new links with --link`);
      return 0;
    }
    const role = args.role ?? 'rw';
    if (role !== 'rw' && role !== 'ro') return fail(`--role must be rw or ro\n${USAGE}`);
    let expiresAt: string | null = null;
    if (args.expires !== undefined) {
      const t = Date.parse(args.expires);
      if (Number.isNaN(t) || t <= Date.now()) return fail('--expires must be a date-time in the future (ISO 8601)');
      expiresAt = new Date(t).toISOString();
    }
    const person = (args.person ?? (args.link ? '' : 'Owner')).trim();
    if (person === '') return fail(`--link needs --person\n${USAGE}`);
    const wanted: NewLink = { person, role, expiresAt };
    let workspaceId: string;
    let link: MintedLink;
    if (args.link) {
      if (!args.id) return fail(`--link needs --id\n${USAGE}`);
      const minted = mintLinkInFile(dataDir, args.id, wanted);
      if (!minted) return fail(`create-workspace: no workspace ${args.id}`, 1);
      [workspaceId, link] = [args.id, minted];
    } else {
      const created = createWorkspace(dataDir, args.id, wanted);
      [workspaceId, link] = [created.workspaceId, created.link];
    }
    const roomLink = url ? `${url}/${workspaceId}?token=${encodeURIComponent(link.token)}` : undefined;
    if (args.json) {
      console.log(JSON.stringify({ workspaceId, linkId: link.linkId, ...link.record, token: link.token, ...(url ? { serverUrl: url, link: roomLink } : {}) }, null, 2));
      return 0;
    }
    const lines = [
      `workspace   ${workspaceId}`,
      `link        ${link.linkId} for ${link.record.person} (${link.record.role}${link.record.expiresAt ? `, until ${link.record.expiresAt}` : ''})`,
      `token       ${link.token}`,
    ];
    if (url) lines.push(`server url  ${url}`, `room link   ${roomLink}`);
    lines.push(
      `(kept in ${path.join(dataDir, 'workspaces.json')}; one link per person: mint more with --link, revoke one with --revoke ${link.linkId})`,
    );
    console.log(lines.join('\n'));
    return 0;
  } catch (e) {
    return fail(`create-workspace: ${(e as Error).message}`, 1);
  }
}

process.exitCode = main();
