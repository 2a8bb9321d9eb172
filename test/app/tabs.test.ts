import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { followDoc, type Recompute } from '../../worker/core/recompute';
import { clientMapKey, pairKey, tenantNameKey } from '../../worker/doc/keys';
import { TAB, linkTabs, withLock, type TabLink } from '../../worker/core/tabs';

/**
 * Cores of one workspace (worker/core/tabs.ts) over Node's BroadcastChannel, which delivers between
 * two channels of one name in one thread as a browser does between tabs.
 */

let links: TabLink[] = [];
let channelCount = 0;
afterEach(() => {
  for (const link of links) link.close();
  links = [];
});

const LOCAL = 'local-edit';
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(5);
  }
}

function tab(name: string, options: { onDataChanged?: () => void; quiet?: (origin: unknown) => boolean } = {}) {
  const doc = new Y.Doc();
  const link = linkTabs(doc, { name, ...options });
  links.push(link);
  return { doc, link };
}

describe('tabs of one workspace', () => {
  it('sends an edit to the other tab, which takes it as another tab’s: recomputed, never undone there', async () => {
    const name = `test-tabs-${++channelCount}`;
    const a = tab(name);
    const b = tab(name);
    const undoB = new Y.UndoManager(b.doc.getMap('clientMap'), { trackedOrigins: new Set([LOCAL]), captureTimeout: 0 });
    const seen: [Recompute, unknown][] = [];
    followDoc(b.doc, (what, origin) => seen.push([what, origin]));

    a.doc.transact(() => a.doc.getMap('clientMap').set(clientMapKey('m365', 'contoso'), { psaClientId: 'C1' }), LOCAL);
    await until(() => b.doc.getMap('clientMap').has(clientMapKey('m365', 'contoso')));
    expect(seen).toEqual([['reconcile', TAB]]);
    expect(undoB.canUndo()).toBe(false);

    // B's own edit goes on B's stack and comes to A.
    b.doc.transact(() => b.doc.getMap('decisions').set(pairKey('C1', 'S1'), { decision: 'approve' }), LOCAL);
    await until(() => a.doc.getMap('decisions').has(pairKey('C1', 'S1')));
    expect(seen.at(-1)).toEqual(['review', LOCAL]);
  });

  it('does not send back what came from another tab, nor what a quiet origin wrote', async () => {
    const name = `test-tabs-${++channelCount}`;
    const a = tab(name);
    const b = tab(name, { quiet: (origin) => origin === 'persistence' });
    await tick();
    const updatesA: unknown[] = [];
    a.doc.on('update', (_u: Uint8Array, origin: unknown) => updatesA.push(origin));

    b.doc.transact(() => b.doc.getMap('notes').set('k', { text: 'loaded' }), 'persistence');
    a.doc.transact(() => a.doc.getMap('notes').set('x', { text: 'edit' }), LOCAL);
    await until(() => b.doc.getMap('notes').has('x'));
    await tick(50);
    // A saw its own edit only: B's load was quiet, and B did not echo A's edit back.
    expect(updatesA).toEqual([LOCAL]);
    expect(a.doc.getMap('notes').has('k')).toBe(false);
  });

  it('brings a tab that opens up to date with the others, and the others with it', async () => {
    const name = `test-tabs-${++channelCount}`;
    const a = tab(name);
    a.doc.transact(() => a.doc.getArray('serviceRules').push(['R-1']), LOCAL);
    // A tab whose document already holds something of its own (edits before its channel opened).
    const doc = new Y.Doc();
    doc.transact(() => doc.getMap('tenantNames').set(tenantNameKey('m365', 'a.com'), 'Alpha'), LOCAL);
    const link = linkTabs(doc, { name });
    links.push(link);
    expect(await link.catchUp(1000)).toBe(true);
    expect(doc.getArray('serviceRules').toArray()).toEqual(['R-1']);
    await until(() => a.doc.getMap('tenantNames').get(tenantNameKey('m365', 'a.com')) === 'Alpha');
  });

  it('tells the other tabs, not itself, that the datasets changed', async () => {
    const name = `test-tabs-${++channelCount}`;
    let a = 0;
    let b = 0;
    const first = tab(name, { onDataChanged: () => a++ });
    tab(name, { onDataChanged: () => b++ });
    first.link.dataChanged();
    await until(() => b === 1);
    await tick(30);
    expect(a).toBe(0);
  });

  it('answers catchUp with false when no other tab is open', async () => {
    const alone = tab(`test-tabs-${++channelCount}`);
    expect(await alone.link.catchUp(50)).toBe(false);
  });

  it('runs a locked body directly where Web Locks are missing', async () => {
    expect(await withLock('ledgerline-test', async () => 42)).toBe(42);
  });
});
