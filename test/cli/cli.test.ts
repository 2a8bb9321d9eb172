/**
 * The command line as `npm run -s reconcile` runs it: `node scripts/cli.mjs reconcile --bundle DIR
 * [--decisions FILE]` (§8, §9), the prebuilt bundle of worker/cli/reconcile.ts (built here on the
 * first spawn if stale). Spawns are slow, so there are few of these; the numbers are tested in test/spec.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseBundle, csv, type Files } from '../helpers/bundle';
import type { Report } from '../../worker/engine/report.types';

const ROOT = resolve(import.meta.dirname, '../..');
const LAUNCHER = join(ROOT, 'scripts', 'cli.mjs');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function writeBundle(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-cli-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function reconcile(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return reconcileWith({}, ...args);
}

function reconcileWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [LAUNCHER, 'reconcile', ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 1 << 28, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** C1: 2 invoiced at 10.00, 5 seats → qty_delta 3, amount 30.00. */
const acmeSpec = {
  clients: [{ client_id: 'C1', client_name: 'Acme' }],
  clientMap: [{ external_client_id: 'T1', psa_client_id: 'C1' }],
  serviceMap: [{ rule_id: 'R1', product: 'M365 Premium', psa_service_id: 'S1' }],
  lines: [{ line_id: 'L1', client_id: 'C1', service_id: 'S1', quantity: 2, unit_price: '10.00' }],
  usage: ['u1', 'u2', 'u3', 'u4', 'u5'].map((record_id) => ({ external_client_id: 'T1', record_id, product: 'M365 Premium' })),
};
const acme = baseBundle(acmeSpec);

describe('reconcile CLI', { timeout: 60_000 }, () => {
  it('prints the §8 report as JSON and exits 0 for a valid bundle', async () => {
    const { code, stdout } = await reconcile('--bundle', writeBundle(acme));
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(Object.keys(report).sort()).toEqual(
      ['adjustments', 'clients', 'discrepancies', 'flags', 'inactive_seats', 'integrations', 'unaccounted', 'unmapped_clients'],
    );
    const d = report.discrepancies.find((x) => x.client_id === 'C1' && x.service_id === 'S1');
    expect(d?.qty_delta).toBeDecimal('3'); // 5 − 2
    expect(d?.amount).toBeDecimal('30.00'); // 3 × 10.00
    expect(report.adjustments).toEqual([]);
  });

  it('applies --decisions FILE in place of the bundle\'s decisions.csv', async () => {
    const dir = writeBundle({ ...acme, 'decisions.csv': csv(['client_id', 'service_id', 'decision'], [['C1', 'S1', 'dismiss']]) });
    const decisions = join(dir, 'review.csv');
    writeFileSync(decisions, csv(['client_id', 'service_id', 'decision', 'effective_date'], [['C1', 'S1', 'approve', '2027-02-15']]));
    const { code, stdout } = await reconcile('--bundle', dir, '--decisions', decisions);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.adjustments).toHaveLength(1);
    expect(report.adjustments[0].monthly_amount).toBeDecimal('30.00');
    expect(report.adjustments[0].prorated_amount).toBeDecimal('15.00'); // 30.00 × 14 / 28 (Feb 2027)
  });

  it('prints the one-thread report byte for byte from a usage.csv large enough for two threads', async () => {
    // ~10 MB: the second thread reads the end of usage.csv, then writes the inactive seats.
    const usage = Array.from({ length: 110_000 }, (_, k) => ({
      external_client_id: 'T1',
      // A quoted id now and then: read the text way, not where it is in the file's bytes.
      record_id: k % 997 === 0 ? `spare, desk ${k}` : `user-${k}@a-rather-long-tenant-domain.example`,
      product: 'M365 Premium',
      last_active: k % 3 === 0 ? '2026-05-19' : '2026-11-20',
    }));
    const dir = writeBundle(baseBundle({ ...acmeSpec, usage }));
    const two = await reconcileWith({ LEDGERLINE_USAGE_THREADS: '2', LEDGERLINE_TIMINGS: '1' }, '--bundle', dir);
    const one = await reconcileWith({ LEDGERLINE_USAGE_THREADS: '1' }, '--bundle', dir);
    expect(two.code).toBe(0);
    expect(two.stderr).toContain('waited for the second thread; it takes the last');
    expect((JSON.parse(two.stdout) as Report).inactive_seats.length).toBe(36_667);
    expect(two.stdout).toBe(one.stdout);
  });

  it('prints the one-thread report byte for byte when seats repeat and later rows replace earlier ones across the two parts', async () => {
    // Every user holds two licences, and every 50th row repeats an earlier identity (replaced):
    // the seats numbered on the second thread group rows of both parts, and the reconciliation
    // prepared before dedupe is dropped for the deduplicated table.
    const usage = Array.from({ length: 110_000 }, (_, k) => ({
      external_client_id: k % 7 === 0 ? 'T2' : 'T1',
      record_id: `user-${k % 50 === 49 ? (k * 7919) % 55_000 : k % 55_000}@a-rather-long-tenant-domain.example`,
      product: k % 2 === 0 ? 'M365 Premium' : 'Defender',
      last_active: k % 3 === 0 ? '2026-05-19' : '2026-11-20',
    }));
    const dir = writeBundle(baseBundle({ ...acmeSpec, usage }));
    const two = await reconcileWith({ LEDGERLINE_USAGE_THREADS: '2' }, '--bundle', dir);
    const one = await reconcileWith({ LEDGERLINE_USAGE_THREADS: '1' }, '--bundle', dir);
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/note: usage\.csv: \d+ rows were replaced/);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stdout).toBe(one.stdout);
  });

  it('exits 2 with file, row and column on stderr, and nothing on stdout, for a broken bundle', async () => {
    const broken = { ...acme };
    broken['psa_lines.csv'] = csv(
      ['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'],
      [['L1', 'C1', 'INV-1', 'S1', '2', '2026-11-01', '2026-11-30'], ['L2', 'C1', 'INV-1', 'S1', '12,5', '2026-11-01', '2026-11-30']],
    );
    const { code, stdout, stderr } = await reconcile('--bundle', writeBundle(broken));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('psa_lines.csv, row 3, column quantity: ');
  });

  it('exits 2 with a clear line and no stack trace for a missing folder', async () => {
    const missing = join(tmpdir(), 'ledgerline-no-such-bundle-' + process.pid);
    const { code, stdout, stderr } = await reconcile('--bundle', missing);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().length).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 naming a required file missing from the folder', async () => {
    const files: Files = { ...acme };
    delete files['usage.csv'];
    const { code, stdout, stderr } = await reconcile('--bundle', writeBundle(files));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage.csv');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
