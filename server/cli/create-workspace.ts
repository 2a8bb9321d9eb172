/**
 * Adds a workspace to a relay's data folder and prints what a teammate needs to join it:
 *
 *   npx tsx server/cli/create-workspace.ts --data ./relay-data [--url ws://127.0.0.1:8787] [--json]
 *
 * The relay picks the new workspace up without a restart.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorkspace } from '../workspaces';

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        data: { type: 'string' },
        url: { type: 'string' },
        id: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (!args.data) {
    console.error('usage: tsx server/cli/create-workspace.ts --data DIR [--url ws://HOST:PORT] [--id WORKSPACE_ID] [--json]');
    return 2;
  }
  const dataDir = path.resolve(args.data);
  let created;
  try {
    created = createWorkspace(dataDir, args.id);
  } catch (e) {
    console.error(`create-workspace: ${(e as Error).message}`);
    return 1;
  }
  const url = args.url?.replace(/\/+$/, '');
  if (args.json) {
    console.log(JSON.stringify({ ...created, ...(url ? { serverUrl: url } : {}) }, null, 2));
    return 0;
  }
  const lines = [
    `workspace   ${created.workspaceId}`,
    `read-write  ${created.rwToken}`,
    `read-only   ${created.roToken}`,
  ];
  if (url) {
    lines.push(
      `server url  ${url}`,
      `rw link     ${url}/${created.workspaceId}?token=${encodeURIComponent(created.rwToken)}`,
      `ro link     ${url}/${created.workspaceId}?token=${encodeURIComponent(created.roToken)}`,
    );
  }
  lines.push(`(the secret is kept in ${path.join(dataDir, 'workspaces.json')}; tokens cannot be revoked one by one: rotate the secret)`);
  console.log(lines.join('\n'));
  return 0;
}

process.exitCode = main();
