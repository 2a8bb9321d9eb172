import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startRelay, type Relay } from '../../server/relay';
import { createWorkspace } from '../../server/workspaces';
import type { AuditEntry, DecisionEntry, NoteEntry } from '../../src/state/doc';
import type { ClientMapEntry, ServiceRule } from '../../worker/engine/model';
import { connect, sleep, storedDoc, synced, tempDir, type Client } from './helpers';

/**
 * Seeded randomized convergence: several stock y-websocket clients edit the app's document layout
 * (src/state/doc.ts) at random, go offline and online, and the relay is stopped and restarted on the
 * same port and data folder in the middle of it all. At the end every client, a fresh client and the
 * relay's log on disk must hold one identical document, with every audit entry ever pushed (each edit
 * pushes one, with a unique id) present exactly once: nothing lost, nothing applied twice.
 *
 * The schedule (which operation, which client, how long to wait, when the relay stops and starts)
 * is a function of the seed alone (mulberry32, no Math.random). What an edit changes also depends
 * on what that client's document holds at the time (how many rules it sees), and so does the
 * interleaving with the network: that is the point of running it.
 */

const SEEDS = [0x1ed6e71e, 20240607, 7];
const STEPS = 150;
/** Small, so the log is compacted several times during a run (and across restarts). */
const COMPACT_AFTER = 40;
const CONVERGE_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// PRNG

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A key of `weights`, chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let r = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------------------------
// The document layout of src/state/doc.ts

type TestAuditEntry = AuditEntry & { id: string };

function layout(doc: Y.Doc) {
  return {
    clientMap: doc.getMap<ClientMapEntry>('clientMap'),
    rules: doc.getArray<Y.Map<string>>('serviceRules'),
    decisions: doc.getMap<DecisionEntry>('decisions'),
    notes: doc.getMap<NoteEntry>('notes'),
    audit: doc.getArray<TestAuditEntry>('audit'),
  };
}

const RULE_FIELDS = ['ruleId', 'integrationId', 'product', 'category', 'action', 'psaServiceId', 'count'] as const;

/** Plain values with object keys sorted, so the JSON does not depend on key order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The whole state as one string: client map, decisions and notes sorted by key, rules in array
 * order with every field, audit entries sorted by id (duplicates would show).
 */
function canonical(doc: Y.Doc): string {
  const l = layout(doc);
  const sortedMap = <T>(m: Y.Map<T>) => [...m.entries()].sort(byKey).map(([k, v]) => [k, sortKeys(v)]);
  return JSON.stringify({
    clientMap: sortedMap(l.clientMap),
    rules: l.rules.toArray().map((m) => sortKeys(Object.fromEntries(RULE_FIELDS.map((f) => [f, m.get(f) ?? null])))),
    decisions: sortedMap(l.decisions),
    notes: sortedMap(l.notes),
    audit: l.audit
      .toArray()
      .map((e) => sortKeys(e))
      .sort((a, b) => ((a as TestAuditEntry).id < (b as TestAuditEntry).id ? -1 : 1)),
  });
}

function auditIds(doc: Y.Doc): string[] {
  return layout(doc).audit.toArray().map((e) => e.id);
}

// ---------------------------------------------------------------------------------------------
// Random edits, each one transaction that also pushes an audit entry with a unique id

const INTEGRATIONS = ['int-a', 'int-b'];
const EXTERNAL_CLIENTS = ['ext-1', 'ext-2', 'ext-3', 'ext-4', 'ext-5'];
const PSA_CLIENTS = ['C-100', 'C-200', 'C-300'];
const SERVICES = ['S-backup', 'S-m365', 'S-av', 'S-rmm'];
const PRODUCTS = ['Backup', 'Microsoft 365 E3', 'Antivirus', 'RMM agent'];
const CATEGORIES = ['', 'server', 'workstation'];

const EDITS = {
  mapClient: 15,
  unmapClient: 5,
  addRule: 10,
  updateRule: 12,
  deleteRule: 5,
  moveRule: 6,
  decide: 10,
  reopenDecision: 4,
  deleteDecision: 2,
  setNote: 8,
  removeNote: 2,
} as const;

interface Sim {
  /** The schedule: which operation, which client, how long to wait. */
  rng: Rng;
  seed: number;
  step: number;
  /** Every audit id ever pushed, by any client: the accepted edits. */
  pushed: Set<string>;
  ruleCounter: number;
}

function randomEdit(sim: Sim, client: Client, clientIndex: number): void {
  // One draw from the schedule per edit, whatever the edit then consumes: how many numbers it
  // draws depends on what this client's document holds (timing), the schedule must not.
  const rng = new Rng(sim.rng.int(2 ** 32));
  const l = layout(client.doc);
  const at = new Date(Date.UTC(2025, 0, 1) + sim.step * 1000).toISOString();
  const by = `client-${clientIndex}`;
  const id = `${sim.seed}:${clientIndex}:${sim.step}`;
  let kind = rng.weighted(EDITS);
  if ((kind === 'updateRule' || kind === 'deleteRule' || kind === 'moveRule') && l.rules.length === 0) kind = 'addRule';

  client.doc.transact(() => {
    let what: string = kind;
    let clientId = '';
    switch (kind) {
      case 'mapClient': {
        const integrationId = rng.pick(INTEGRATIONS);
        const externalClientId = rng.pick(EXTERNAL_CLIENTS);
        const excluded = rng.chance(0.2);
        const entry: ClientMapEntry = { integrationId, externalClientId, status: excluded ? 'excluded' : 'mapped', psaClientId: excluded ? '' : rng.pick(PSA_CLIENTS) };
        l.clientMap.set(`${integrationId}\u0000${externalClientId}`, entry);
        clientId = entry.psaClientId;
        what = `${integrationId} client ${externalClientId} → ${entry.status} ${entry.psaClientId}`;
        break;
      }
      case 'unmapClient': {
        const key = `${rng.pick(INTEGRATIONS)}\u0000${rng.pick(EXTERNAL_CLIENTS)}`;
        l.clientMap.delete(key);
        what = `unmapped ${key}`;
        break;
      }
      case 'addRule': {
        const rule: ServiceRule = {
          ruleId: `R-${sim.seed.toString(16)}-${sim.ruleCounter++}`,
          integrationId: rng.pick(INTEGRATIONS),
          product: rng.pick(PRODUCTS),
          category: rng.pick(CATEGORIES),
          action: rng.chance(0.8) ? 'map' : 'exclude',
          psaServiceId: rng.pick(SERVICES),
          count: rng.chance(0.5) ? 'records' : 'quantity',
        };
        const map = new Y.Map<string>();
        for (const f of RULE_FIELDS) map.set(f, rule[f]);
        l.rules.insert(rng.int(l.rules.length + 1), [map]);
        what = `added rule ${rule.ruleId}`;
        break;
      }
      case 'updateRule': {
        const map = l.rules.get(rng.int(l.rules.length));
        const field = rng.pick(['integrationId', 'product', 'category', 'action', 'psaServiceId', 'count'] as const);
        const value = {
          integrationId: () => rng.pick(INTEGRATIONS),
          product: () => rng.pick(PRODUCTS),
          category: () => rng.pick(CATEGORIES),
          action: () => rng.pick(['map', 'exclude']),
          psaServiceId: () => rng.pick(SERVICES),
          count: () => rng.pick(['records', 'quantity']),
        }[field]();
        map.set(field, value);
        what = `rule ${map.get('ruleId') ?? '?'}: ${field} → ${value}`;
        break;
      }
      case 'deleteRule': {
        const index = rng.int(l.rules.length);
        what = `deleted rule ${l.rules.get(index).get('ruleId') ?? '?'}`;
        l.rules.delete(index, 1);
        break;
      }
      case 'moveRule': {
        // As the app moves a rule: delete it, insert a new Y.Map copy elsewhere.
        const from = rng.int(l.rules.length);
        const old = l.rules.get(from);
        const copy = new Y.Map<string>();
        for (const f of RULE_FIELDS) copy.set(f, old.get(f) ?? '');
        l.rules.delete(from, 1);
        const to = rng.int(l.rules.length + 1);
        l.rules.insert(to, [copy]);
        what = `moved rule ${copy.get('ruleId') ?? '?'} from ${from} to ${to}`;
        break;
      }
      case 'decide':
      case 'reopenDecision': {
        clientId = rng.pick(PSA_CLIENTS);
        const serviceId = rng.pick(SERVICES);
        const key = `${clientId}\u0000${serviceId}`;
        const previous = l.decisions.get(key);
        const decision = kind === 'reopenDecision' ? null : rng.pick(['approve', 'dismiss'] as const);
        const entry: DecisionEntry = { clientId, serviceId, decision, effectiveDate: rng.chance(0.3) ? '2025-02-01' : (previous?.effectiveDate ?? null), at, by };
        if (decision === 'dismiss') {
          entry.dismissedQtyDelta = String(rng.int(20) - 10);
          entry.dismissedAmount = rng.chance(0.2) ? null : `${rng.int(10000) / 100}`;
        }
        l.decisions.set(key, entry);
        what = `${decision ?? 'reopened'} ${serviceId}`;
        break;
      }
      case 'deleteDecision': {
        clientId = rng.pick(PSA_CLIENTS);
        l.decisions.delete(`${clientId}\u0000${rng.pick(SERVICES)}`);
        break;
      }
      case 'setNote':
      case 'removeNote': {
        clientId = rng.pick(PSA_CLIENTS);
        const key = rng.chance(0.3) ? `client\u0000${clientId}` : `${clientId}\u0000${rng.pick(SERVICES)}`;
        if (kind === 'removeNote') l.notes.delete(key);
        else l.notes.set(key, { text: `note ${id} by ${by}`, at, by });
        what = `${kind} ${key}`;
        break;
      }
    }
    const entry: TestAuditEntry = { id, at, by, kind: kind.includes('Note') ? 'note' : kind.includes('ecision') || kind === 'decide' ? 'decision' : 'mapping', clientId, what };
    l.audit.push([entry]);
  }, 'local-edit');
  sim.pushed.add(id);
}

// ---------------------------------------------------------------------------------------------
// The run

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Starts a relay on a given port, retrying while the old socket is still being released. */
async function startOn(port: number, dataDir: string): Promise<Relay> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startRelay({ port, dataDir, compactAfter: COMPACT_AFTER });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 100) throw e;
      await sleep(20);
    }
  }
}

/** Polls until `views` returns one value for every document; on timeout, says how they differ. */
async function converged(views: () => string[], what: string, timeoutMs = CONVERGE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = views();
    if (all.every((v) => v === all[0])) return;
    if (Date.now() > deadline) {
      const distinct = [...new Set(all)];
      throw new Error(`timed out waiting for ${what}: ${distinct.length} distinct states\n${distinct.map((s) => s.slice(0, 2000)).join('\n---\n')}`);
    }
    await sleep(10);
  }
}

interface RunReport {
  seed: number;
  clients: number;
  steps: number;
  edits: number;
  offlineToggles: number;
  relayRestarts: number;
  rules: number;
  runMs: number;
  convergeMs: number;
  totalMs: number;
}

async function run(seed: number): Promise<RunReport> {
  const started = performance.now();
  const rng = new Rng(seed);
  const dir = tempDir('ledgerline-convergence-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = createWorkspace(dir);
  let relay: Relay = await startRelay({ port: 0, dataDir: dir, compactAfter: COMPACT_AFTER });
  const port = relay.port;
  const url = relay.url;
  /** Set while the relay is down: the promise of its close. */
  let stopping: Promise<void> | null = null;
  cleanups.push(async () => {
    if (stopping) await stopping;
    else await relay.close();
  });

  const clients: Client[] = [];
  const online: boolean[] = [];
  const count = 3 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const c = connect(url, ws.workspaceId, ws.rwToken);
    cleanups.push(() => c.destroy());
    clients.push(c);
    online.push(true);
  }

  const sim: Sim = { rng, seed, step: 0, pushed: new Set(), ruleCounter: 0 };
  let offlineToggles = 0;
  let relayRestarts = 0;

  for (sim.step = 0; sim.step < STEPS; sim.step++) {
    const op = stopping ? rng.weighted({ edit: 70, toggle: 15, relayStart: 15 }) : rng.weighted({ edit: 78, toggle: 19, relayStop: 3 });
    if (op === 'edit') {
      const i = rng.int(count);
      randomEdit(sim, clients[i]!, i);
    } else if (op === 'toggle') {
      const i = rng.int(count);
      if (online[i]) clients[i]!.provider.disconnect();
      else clients[i]!.provider.connect();
      online[i] = !online[i];
      offlineToggles++;
    } else if (op === 'relayStop') {
      // Not awaited: edits go on while the relay stores its queue and says goodbye.
      stopping = relay.close();
    } else {
      await stopping;
      stopping = null;
      relay = await startOn(port, dir);
      relayRestarts++;
    }
    // Mostly a few milliseconds, sometimes none, so edits land in the same turn and get batched.
    if (rng.chance(0.7)) await sleep(rng.int(5));
  }
  const runMs = performance.now() - started;

  // Everyone back: the relay up, every client online.
  if (stopping) {
    await stopping;
    stopping = null;
    relay = await startOn(port, dir);
    relayRestarts++;
  }
  for (let i = 0; i < count; i++) {
    if (!online[i]) clients[i]!.provider.connect();
    online[i] = true;
  }
  const convergeStarted = performance.now();
  await converged(() => clients.map((c, i) => (c.provider.wsconnected && c.provider.synced ? canonical(c.doc) : `client ${i} not connected and synced`)), 'every client to hold the same document');
  const convergeMs = performance.now() - convergeStarted;
  const final = canonical(clients[0]!.doc);
  const rules = layout(clients[0]!.doc).rules.length;

  // Nothing lost, nothing twice: every edit's audit entry, exactly once, in every document.
  const ids = auditIds(clients[0]!.doc);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual([...sim.pushed].sort());

  // A fresh (read-only) client gets the same state from the relay alone.
  const fresh = connect(url, ws.workspaceId, ws.roToken);
  cleanups.push(() => fresh.destroy());
  await synced(fresh);
  await converged(() => [final, canonical(fresh.doc)], 'a fresh client to receive the whole document');

  // And the relay's log on disk holds it too.
  for (const c of [...clients, fresh]) c.destroy();
  await relay.close();
  const stored = await storedDoc(dir, ws.workspaceId);
  expect(canonical(stored)).toBe(final);
  stored.destroy();

  return {
    seed,
    clients: count,
    steps: STEPS,
    edits: sim.pushed.size,
    offlineToggles,
    relayRestarts,
    rules,
    runMs: Math.round(runMs),
    convergeMs: Math.round(convergeMs),
    totalMs: Math.round(performance.now() - started),
  };
}

describe('relay: seeded randomized convergence', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every client, a fresh client and the log converge, with every edit`, async () => {
      const report = await run(seed);
      console.log(`convergence ${JSON.stringify(report)}`);
      // The schedule depends on the seed alone: these seeds do restart the relay.
      expect(report.relayRestarts).toBeGreaterThan(0);
    }, 20_000);
  }
});
