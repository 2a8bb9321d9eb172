import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import { writeBundle } from '../../worker/bundle/writeBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { reconcileFiles } from '../../worker/reconcileFiles';

describe('workspace export (writeBundle)', () => {
  it('writes a bundle that reads back to the identical report', () => {
    const files = generateDemoBundle({ seed: 7 });
    const read = readBundle(files);
    if (!read.ok) throw new Error('demo bundle must be valid');
    const again = reconcileFiles(writeBundle(read.bundle));
    const original = reconcileFiles(files);
    if (!again.ok || !original.ok) throw new Error('both must reconcile');
    expect(again.report).toEqual(original.report);
  });

  it('keeps values that look like formulas exactly (a bundle is data, not a spreadsheet)', () => {
    const files = generateDemoBundle({ seed: 7 });
    files['psa_clients.csv'] = 'client_id,client_name\nC1,"=HYPERLINK(""x"")"\nC2,"-Minus, Inc."\n';
    const read = readBundle(files);
    if (!read.ok) throw new Error('valid');
    const written = readBundle({ ...files, 'psa_clients.csv': writeBundle(read.bundle)['psa_clients.csv']! });
    if (!written.ok) throw new Error('valid');
    expect(written.bundle.clients.map((c) => c.clientName)).toEqual(['=HYPERLINK("x")', '-Minus, Inc.']);
  });
});
