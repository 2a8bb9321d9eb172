/**
 * The CLI's report text (worker/reconcileFiles.ts reconcileReadToJson), whose inactive_seats list
 * is written from the usage rows as bytes: it is JSON.stringify(report, null, 2) and a line break,
 * byte for byte, whatever the record ids hold and whichever way usage.csv was read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { readUsageBytes } from '../../worker/bundle/readUsageBytes';
import { reconcile } from '../../worker/engine/reconcile';
import { toReport } from '../../worker/engine/report';
import { inactiveSeatsJson } from '../../worker/engine/inactiveSeatsJson';
import { reconcileReadToJson } from '../../worker/reconcileFiles';
import { bundleTables, render, seats, type Files, type Row } from '../helpers/bundle';

const SEED = 20261201;
const encoder = new TextEncoder();

const clients = [{ client_id: 'C1', client_name: 'Acme' }, { client_id: 'C "2"', client_name: 'Beta' }];
const clientMap = [
  { integration_id: 'm365', external_client_id: 'T1', psa_client_id: 'C1', status: 'mapped' },
  { integration_id: 'ninja', external_client_id: 'N2', psa_client_id: 'C "2"', status: 'mapped' },
];
const serviceMap = [{ rule_id: 'R1', integration_id: 'm365', product: 'M365*', psa_service_id: 'SVC-M365', count: 'records' }];

// Characters JSON escapes (quote, backslash, controls), ones it keeps (é, €, 😀, U+2028), a lone
// surrogate (U+FFFD once in UTF-8), and ¤, which the byte cases turn into invalid UTF-8.
const idChar = fc.constantFrom('a', 'Z', '7', '-', '/', '"', '\\', '\t', '\u0001', 'é', '€', '😀', '\u2028', ',', '\ud800', '¤', ' ');
const recordId = fc.string({ unit: idChar, minLength: 1, maxLength: 8 }).filter((id) => id.trim() !== '');

const usageRow = fc.record({
  integration: fc.constantFrom<[string, string]>(['m365', 'T1'], ['ninja', 'N2'], ['ninja', 'N9']),
  recordId,
  product: fc.constantFrom('M365 Premium', 'Workstation "W"', 'Server\\Core'),
  lastActive: fc.constantFrom('', '2026-05-19', '2026-10-01', '2026-11-20', '1999-12-31'),
}).map(({ integration: [integration_id, external_client_id], recordId: record_id, product, lastActive }): Row => ({
  integration_id, external_client_id, record_id, product, last_active: lastActive,
}));

function files(usage: Row[]): Files {
  return render(bundleTables({ clients, clientMap, serviceMap, usage }));
}

/** usage.csv as UTF-8, with each ¤ (C2 A4) made into the invalid pair FF FE when asked. */
function usageBytes(text: string, invalid: boolean): Uint8Array {
  const bytes = encoder.encode(text);
  if (invalid) for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xc2 && bytes[i + 1] === 0xa4) bytes.set([0xff, 0xfe], i);
  return bytes;
}

const joined = (pieces: Iterable<string | Uint8Array>) => Buffer.concat([...pieces].map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

/** The CLI's text and the reference, JSON.stringify of the report made of objects, for one way of reading. */
async function bothTexts(f: Files, usage?: Uint8Array): Promise<[Buffer, Buffer] | null> {
  const read = readBundle(f, usage ? { usage: readUsageBytes(usage) } : {});
  if (!read.ok) return null;
  const reference = Buffer.from(`${JSON.stringify(toReport(read.bundle, reconcile(read.bundle)), null, 2)}\n`);
  const result = reconcileReadToJson(read);
  if (!result.ok) throw new Error('a bundle that reads must reconcile');
  const pieces: (string | Uint8Array)[] = [];
  for await (const piece of result.json()) pieces.push(piece);
  return [joined(pieces), reference];
}

describe('the report text with inactive seats written from the rows', () => {
  it('is JSON.stringify(report, null, 2) byte for byte, usage read from text or from bytes', async () => {
    let withSeats = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(usageRow, { maxLength: 14 }), fc.boolean(), fc.boolean(), async (usage, fromBytes, invalid) => {
        const f = files(usage);
        const texts = await bothTexts(f, fromBytes ? usageBytes(f['usage.csv']!, invalid) : undefined);
        if (texts === null) return; // a contract error (a duplicate row): no report to compare
        expect(texts[0].toString('latin1')).toBe(texts[1].toString('latin1'));
        if (texts[1].includes('"days_inactive"')) withSeats++;
      }),
      { seed: SEED, numRuns: 400 },
    );
    // The property says something only if many runs had inactive seats to write.
    expect(withSeats).toBeGreaterThan(100);
  });

  it('writes an empty list as []', async () => {
    const texts = await bothTexts(files([]));
    expect(texts![0].toString()).toContain('"inactive_seats": []');
    expect(texts![0].equals(texts![1])).toBe(true);
  });

  it('hands a long list out in chunks of about a megabyte that join to the whole', () => {
    const many = seats(30_000, { integration_id: 'm365', external_client_id: 'T1', product: 'M365 Premium', last_active: '2026-05-19' }, 'user-with-a-long-principal-name-');
    const f = files(many);
    const read = readBundle(f, { usage: readUsageBytes(encoder.encode(f['usage.csv']!)) });
    if (!read.ok) throw new Error('valid bundle expected');
    const rec = reconcile(read.bundle);
    const chunks = [...inactiveSeatsJson({ usage: read.bundle.usage, seats: rec.inactive, clientIds: rec.clientIds })];
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(2 << 20);
    const member = JSON.stringify({ inactive_seats: toReport(read.bundle, rec).inactive_seats }, null, 2).slice(2, -2);
    expect(joined(chunks).toString()).toBe(member);
  });
});
