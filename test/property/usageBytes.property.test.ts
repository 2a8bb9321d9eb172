/**
 * The byte reader of usage.csv against the text path (fast-check, fixed seeds): on random files
 * (quotes, commas and line breaks in quoted fields, CRLF/LF/CR and mixed line ends, BOMs,
 * multi-byte UTF-8, blank lines, padded values, bad decimals and dates, missing values, invalid
 * UTF-8, broken quoting) readUsageBytes gives what readUsageText gives for the same file read
 * as UTF-8 text: the same table, errors and row numbers. Read in two parts cut anywhere, too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUsageText, type UsagePart } from '../../worker/bundle/readUsage';
import { readUsageBytes } from '../../worker/bundle/readUsageBytes';
import { planUsageSplit, readUsageTail, UsageHead } from '../../worker/bundle/usageSplit';

const SEED = 20261128;
const RUNS = 300;

const COLUMNS = ['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category', 'quantity', 'last_active'];

/** Text with every awkward character: separators, quotes, CR and LF, multi-byte UTF-8, Unicode white space, a BOM. */
const awkward = fc.constantFrom(' ', 'x', 'a,b', 'say "hi"', '"', '""', 'line\nbreak', 'cr\rin', 'crlf\r\nin', 'é', '日本', '😀', 'Café ', '\u00a0nbsp\u00a0', '\u3000wide', '\ufeffbom', ' "q" ', 'tab\t', 'a"b', '\u2028ls');
/** Per column: values it accepts, and values that break the contract (blank where required, bad decimals and dates). */
const pools: Record<string, { good: string[]; bad: string[] }> = {
  integration_id: { good: ['m365', 'sentinelone', ' m365 ', 'M365', 'ninja\u00a0'], bad: [''] },
  external_client_id: { good: ['T1', 'T2', 'Ü-3', ' T1', '60c9a8ed-e43f-4097'], bad: ['', ' '] },
  external_client_name: { good: ['Acme', 'Beta, Inc.', 'Gamma "G" Ltd', '日本株式会社', 'Café', '', ' Acme '], bad: [] },
  record_id: { good: ['r1', 'r2', 'r3', 'user-000123', 'ü', '😀', ' r1 '], bad: ['', '\u00a0'] },
  product: { good: ['M365 Premium', 'Storage Add-on', 'Visio', 'Agent\nControl', 'visio'], bad: [''] },
  category: { good: ['', 'license', 'Security', 'storage '], bad: [] },
  quantity: {
    good: ['', '1', '2.5', '-0', '0.0001', '3.0000', '007', '-12.75', ' 3 ', '12345678901', '123456789012', '461168601842738.7904', '-461168601842738.7904'],
    bad: ['4611686018427387904.0001', '99999999999999999999', '1.23456', '1e3', '12,5', '$4', '.5', '1.', '-', '١', '2.5\u00a0x'],
  },
  last_active: { good: ['', '2026-11-20', '2024-02-29', '0050-01-01', '0000-02-29', ' 2026-11-06 ', '1900-02-28'], bad: ['2026-02-29', '2026-13-01', '2026-1-01', '2026-11-06T00:00', '२०२६-११-२०', '2026-11-00'] },
};
const value = (column: string) => {
  const pool = pools[column];
  if (!pool) return awkward;
  const choices = [{ weight: 12, arbitrary: fc.constantFrom(...pool.good) }, { weight: 1, arbitrary: awkward }];
  if (pool.bad.length > 0) choices.push({ weight: 1, arbitrary: fc.constantFrom(...pool.bad) });
  return fc.oneof(...choices);
};

type Newline = '\n' | '\r\n' | '\r';
const newline = fc.constantFrom<Newline>('\n', '\r\n', '\r');

/**
 * A field as written: raw when it can be, quoted when it must, now and then, or always in a
 * `quoteAll` file. In a `broken` file about one field in 40 has bad quoting (unterminated, or
 * text after the closing quote).
 */
const field = (text: string, shape: { broken: boolean; quoteAll: boolean }) =>
  fc.record({ quote: fc.nat(79), pad: fc.constantFrom('', ' ', '  ', 'x') }).map(({ quote, pad }) => {
    const quoted = `"${text.replace(/"/g, '""')}"`;
    if (shape.broken && quote === 0) return `"${text}`;
    if (shape.broken && quote === 1) return `${quoted}${pad}`;
    if (shape.quoteAll || quote === 2 || /[,\r\n]/.test(text) || text.startsWith('"')) return quoted;
    return text;
  });

interface FileShape {
  header: string[];
  records: readonly (readonly string[])[];
  newlines: Newline[];
  boms: number;
  trailing: string;
  broken: boolean;
  quoteAll: boolean;
}

const REQUIRED = ['integration_id', 'external_client_id', 'record_id', 'product'];
const OPTIONAL = COLUMNS.filter((c) => !REQUIRED.includes(c));
const shuffledHeader = fc
  .record({
    // Now and then a required column is missing (the header fails, the records are only counted).
    order: fc.oneof({ weight: 9, arbitrary: fc.subarray(OPTIONAL).map((optional) => [...REQUIRED, ...optional]) }, { weight: 1, arbitrary: fc.subarray(COLUMNS) }),
    extra: fc.subarray(['note', 'tenant', 'quantity'], { maxLength: 2 }),
    padded: fc.boolean(),
  })
  .chain(({ order, extra, padded }) => fc.shuffledSubarray([...order, ...extra], { minLength: order.length + extra.length }).map((names) => names.map((n) => (padded ? ` ${n} ` : n))));
/** A third of the files have the spec's columns in the spec's order, whose plain records the reader takes a shorter way (ByteCsvScanner.plainRecord). */
const header = fc.oneof(
  { weight: 1, arbitrary: fc.boolean().map((padded) => COLUMNS.map((n) => (padded ? ` ${n} ` : n))) },
  { weight: 2, arbitrary: shuffledHeader },
);

const record = (names: string[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.tuple(...names.map((n) => value(n.trim()))).map((values) => values) },
    { weight: 1, arbitrary: fc.constantFrom([''], [' '], ['', '', ''], [' \t', '']) },
    { weight: 1, arbitrary: fc.tuple(...names.slice(0, 3).map((n) => value(n.trim()))).map((values) => values) },
  );

const fileShape: fc.Arbitrary<FileShape> = header.chain((names) =>
  fc.record({
    header: fc.constant(names),
    records: fc.array(record(names), { maxLength: 25 }),
    newlines: fc.array(newline, { minLength: 30, maxLength: 30 }),
    mixed: fc.nat(4),
    boms: fc.constantFrom(0, 0, 1, 2),
    trailing: fc.constantFrom('', '\n', '\r\n', '\r', '\n\n', '\r\n\r\n'),
    broken: fc.boolean(),
    quoteAll: fc.constantFrom(false, false, false, true),
  }).map(({ mixed, newlines, ...rest }) => ({ ...rest, newlines: mixed === 0 ? newlines : newlines.map(() => newlines[0]!) })),
);

/** Renders a file; the field writer decides quoting per field. */
const rendered = fileShape.chain((shape) =>
  fc.tuple(...[shape.header, ...shape.records].map((cells) => fc.tuple(...cells.map((cell) => field(cell, shape))))).map((rows) => {
    const lines = rows.map((cells) => cells.join(','));
    let text = '\ufeff'.repeat(shape.boms);
    lines.forEach((line, i) => (text += line + (i < lines.length - 1 ? shape.newlines[i % shape.newlines.length] : '')));
    return text + shape.trailing;
  }),
);

/** The reference: the file's bytes read as UTF-8 text (as readFile(…, 'utf8') does) and parsed the text way. */
const textPath = (bytes: Uint8Array) => readUsageText(Buffer.from(bytes).toString('utf8'));

function expectSame(actual: UsagePart, expected: UsagePart): void {
  expect(actual.errors).toEqual(expected.errors);
  expect(actual.rows).toBe(expected.rows);
  expect(actual.problemCount).toBe(expected.problemCount);
  expect(actual.builder.build()).toEqual(expected.builder.build());
}

/** The file read in two parts: the second from a copy of its bytes, or (`shared`) from the file's own bytes, as the CLI's second thread reads them. */
function readInTwo(input: Uint8Array, near: number, shared = false): UsagePart {
  const bytes = shared ? inSharedMemory(input) : input;
  const plan = planUsageSplit(bytes, near);
  if (!plan) return readUsageBytes(bytes);
  const head = new UsageHead(bytes, plan);
  if (!head.needsTail) return head.join();
  const { split } = plan;
  const { bodyEnd } = plan.layout;
  const tail = shared
    ? readUsageTail(bytes, { start: split, end: bodyEnd, base: 0, shared: true }, plan.header, plan.layout.newline)
    : readUsageTail(bytes.slice(split, bodyEnd), { start: 0, end: bodyEnd - split, base: split, shared: false }, plan.header, plan.layout.newline);
  return head.join(tail);
}

function inSharedMemory(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('readUsageBytes reads usage.csv exactly as the text path does', () => {
  it('on random files with quotes, line breaks, BOMs, multi-byte text and bad values', () => {
    const seen = { files: 0, wellFormed: 0, withRows: 0, withErrors: 0 };
    fc.assert(
      fc.property(rendered, (text) => {
        const bytes = encode(text);
        const expected = textPath(bytes);
        expectSame(readUsageBytes(bytes), expected);
        seen.files++;
        if (!expected.errors.some((e) => e.message.startsWith('malformed CSV'))) seen.wellFormed++;
        if (expected.builder.build().length > 0) seen.withRows++;
        if (expected.errors.length > 0) seen.withErrors++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator must mostly make files the byte path reads itself (not through the text fallback), with rows and with errors.
    expect(seen.wellFormed).toBeGreaterThan(seen.files / 2);
    expect(seen.withRows).toBeGreaterThan(seen.files / 4);
    expect(seen.withErrors).toBeGreaterThan(seen.files / 4);
  });

  it('on random files with invalid UTF-8 bytes spliced in', () => {
    const spliced = fc.tuple(rendered, fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc2, 0xe2, 0xe3, 0xef, 0xf0, 0xff)), { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(spliced, ([text, inserts]) => {
        const bytes = Array.from(encode(text));
        for (const [at, byte] of inserts) bytes.splice(at % (bytes.length + 1), 0, byte);
        const file = Uint8Array.from(bytes);
        expectSame(readUsageBytes(file), textPath(file));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('in two parts cut anywhere (a record across the cut, a cut inside a quoted field), the second from a copy or from shared memory', () => {
    fc.assert(
      fc.property(rendered, fc.nat(), fc.boolean(), (text, cut, shared) => {
        const bytes = encode(text);
        expectSame(readInTwo(bytes, cut % (bytes.length + 1), shared), textPath(bytes));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('in two parts with more than 100 problems: one cap and one summary for the whole file', () => {
    const HEADER = COLUMNS.join(',');
    const rows = fc.array(fc.constantFrom('m365,T1,,r1,P,,1e3,', 'm365,T1,,r2,P,,1,2026-13-01', 'm365,,,r3,P,,2.5,', 'm365,T1,Acme,r4,P,,,2026-11-20'), { minLength: 60, maxLength: 260 });
    fc.assert(
      fc.property(rows, fc.nat(), newline, (lines, cut, nl) => {
        const bytes = encode([HEADER, ...lines].join(nl) + nl);
        const expected = textPath(bytes);
        expectSame(readUsageBytes(bytes), expected);
        expectSame(readInTwo(bytes, cut % bytes.length), expected);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
