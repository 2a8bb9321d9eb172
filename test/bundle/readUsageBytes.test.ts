/**
 * usage.csv read from its bytes (worker/bundle/readUsageBytes.ts), one behaviour of spec §1 and
 * §9 per test; each compares with the text path, the reference it must match exactly.
 */
import { describe, expect, it } from 'vitest';
import { parseDataset, parseUsageBytes } from '../../worker/bundle/parseDataset';
import { CHUNK_CHARS } from '../../worker/bundle/parseCsv';
import { readUsageText, type UsagePart } from '../../worker/bundle/readUsage';
import { readUsageBytes } from '../../worker/bundle/readUsageBytes';
import { planUsageSplit, readUsageTail, UsageHead } from '../../worker/bundle/usageSplit';

const HEADER = 'integration_id,external_client_id,external_client_name,record_id,product,category,quantity,last_active';
const encode = (text: string) => new TextEncoder().encode(text);

/** Reads the text both ways, checks they agree, and returns the byte path's result. */
function read(text: string): UsagePart {
  const bytes = encode(text);
  const part = readUsageBytes(bytes);
  const reference = readUsageText(Buffer.from(bytes).toString('utf8'));
  expect(part.errors).toEqual(reference.errors);
  expect(part.rows).toBe(reference.rows);
  expect(part.builder.build()).toEqual(reference.builder.build());
  return part;
}

const table = (text: string) => read(text).builder.build();
const errors = (text: string) => read(text).errors;
const valuesOf = (column: { values: string[]; codes: Uint32Array }) => Array.from(column.codes, (code) => column.values[code]);

describe('usage.csv from bytes (spec §1, §9)', () => {
  it('numbers rows as a spreadsheet does: header row 1, blank lines counted', () => {
    expect(errors(`${HEADER}\n\nm365,T1,,r1,P,,1e3,\n`)).toEqual([
      { file: 'usage.csv', row: 3, column: 'quantity', message: '"1e3" is not a plain decimal (an optional -, digits, at most 4 places after a .)' },
    ]);
  });

  it('accepts a byte order mark and CRLF line ends', () => {
    const usage = table(`\ufeff${HEADER}\r\nm365,T1,Acme,r1,P,,2.5,2026-11-20\r\n`);
    expect(usage.length).toBe(1);
    expect(usage.quantity[0]).toBe(25_000n);
  });

  it('reads quoted fields holding commas, quotes and line breaks', () => {
    const usage = table(`${HEADER}\nm365,T1,"Beta, ""B""\nInc.",r1,P,,,\n`);
    expect(valuesOf(usage.externalClientName)).toEqual(['Beta, "B"\nInc.']);
  });

  it('trims surrounding white space, non-breaking and ideographic spaces included', () => {
    const usage = table(`${HEADER}\n m365\u00a0,\u3000T1 ,Café ,r1\t,P,,, 2026-11-20 \n`);
    expect(valuesOf(usage.integrationId)).toEqual(['m365']);
    expect(valuesOf(usage.externalClientId)).toEqual(['T1']);
    expect(valuesOf(usage.externalClientName)).toEqual(['Café']);
    expect(usage.recordId).toEqual(['r1']);
  });

  it('counts the blank record after a last line break, as papaparse reads it, when the columns are in the spec\'s order', () => {
    const part = read(`${HEADER}\nm365,T1,Acme,r1,P,,2,2026-11-20\n\n`);
    expect(part.rows).toBe(3);
    expect(part.builder.build().length).toBe(1);
  });

  it('keeps a CR that is no line break in a CRLF file as part of the last value', () => {
    expect(errors(`${HEADER}\r\nm365,T1,Acme,r1,P,,2,2026-11-20\rx\r\nm365,T1,Acme,r2,P,,2,2026-11-20\r\n`)).toEqual([
      { file: 'usage.csv', row: 2, column: 'last_active', message: '"2026-11-20\rx" is not a real date in YYYY-MM-DD form' },
    ]);
  });

  it('ignores values beyond the header\'s columns and takes a short record\'s missing ones as blank', () => {
    const usage = table(`${HEADER}\nm365,T1,Acme,r1,P,,2,2026-11-20,extra,more\nm365,T1,Acme,r2,P\n`);
    expect(usage.recordId).toEqual(['r1', 'r2']);
    expect(Array.from(usage.quantity)).toEqual([20_000n, 10_000n]);
  });

  it('takes columns in any order and ignores unknown ones', () => {
    const usage = table('note,record_id,product,external_client_id,integration_id\nhello,r1,P,T1,m365\n');
    expect(usage.recordId).toEqual(['r1']);
    expect(usage.quantity[0]).toBe(10_000n);
  });

  it('reports a required column missing from the header at row 1', () => {
    expect(errors('integration_id,record_id,product\nm365,r1,P\n')).toEqual([
      { file: 'usage.csv', row: 1, column: 'external_client_id', message: 'required column is missing from the header' },
    ]);
  });

  it('reports a blank required value and a date that is not a real day', () => {
    expect(errors(`${HEADER}\nm365,,,r1,P,,,2026-02-29\n`)).toEqual([
      { file: 'usage.csv', row: 2, column: 'external_client_id', message: 'a value is required here but it is blank' },
      { file: 'usage.csv', row: 2, column: 'last_active', message: '"2026-02-29" is not a real date in YYYY-MM-DD form' },
    ]);
  });

  it('reads quantities exactly, beyond what a double holds', () => {
    const usage = table(`${HEADER}\nm365,T1,,r1,P,,461168601842738.7903,\nm365,T1,,r2,P,,-0,\n`);
    expect(Array.from(usage.quantity)).toEqual([4_611_686_018_427_387_903n, 0n]);
  });

  it('lists 100 problems and counts the rest in one line', () => {
    const rows = Array.from({ length: 130 }, (_, i) => `m365,T1,,r${i},P,,x,`);
    const list = errors([HEADER, ...rows].join('\n'));
    expect(list).toHaveLength(101);
    expect(list[100]).toEqual({ file: 'usage.csv', message: '… and 30 more problems in this file' });
  });

  it('keeps a lone CR inside a value of an LF file, as papaparse does', () => {
    const usage = table(`${HEADER}\nm365,T1,A\rB,r1,P,,,\n`);
    expect(valuesOf(usage.externalClientName)).toEqual(['A\rB']);
  });

  it('reports a malformed quote as the text path does (by reading that file the text way)', () => {
    expect(errors(`${HEADER}\nm365,T1,"Acme" Inc,r1,P,,,\n`)[0]).toMatchObject({ row: 2, message: 'malformed CSV: Trailing quote on quoted field is malformed' });
  });

  it('fails, as the text path does, a quoted field whose CR LF papaparse cuts between two slices', () => {
    // papaparse reads CHUNK_CHARS characters at a time and misreads `"…"\r` + `\n…`; the byte path must fail alike.
    const start = `${HEADER}\r\n`;
    const filler = 'm365,T1,,r0,P,,,\r\n';
    let text = start + filler.repeat(Math.floor((CHUNK_CHARS - start.length) / filler.length) - 2);
    const lead = 'm365,T1,xx,r1,P,,1,"';
    text += lead + '2026-11-20'.padStart(CHUNK_CHARS - 2 - text.length - lead.length, ' ') + '"';
    // The closing quote ends the first slice but one character: the CR is its last, the LF starts the next.
    expect(text.length).toBe(CHUNK_CHARS - 1);
    const list = errors(`${text}\r\nm365,T1,,r9,P,,,\r\n`);
    expect(list[0]).toMatchObject({ message: 'malformed CSV: Trailing quote on quoted field is malformed' });
  });

  it('gives the same file from bytes and from text through parseDataset', () => {
    const text = `${HEADER}\nm365,T1,Acme,r1,P,,2,2026-11-20\nm365,T1,Acme,r1,P,,3,2026-11-21\n`;
    expect(parseUsageBytes('tenants.csv', encode(text))).toEqual(parseDataset('usage', 'tenants.csv', text));
    expect(parseDataset('usage', 'tenants.csv', encode(`${HEADER}\nm365,,,r1,P,,,\n`))).toEqual(parseDataset('usage', 'tenants.csv', `${HEADER}\nm365,,,r1,P,,,\n`));
  });
});

describe('usage.csv from bytes in two parts', () => {
  const text = `${HEADER}\n${Array.from({ length: 40 }, (_, i) => `m365,T${i % 3},"Name\n${i}",r${i},P,,${i === 30 ? 'bad' : '1'},`).join('\n')}\n`;
  const bytes = encode(text);
  const whole = readUsageText(text);

  it('joins a part cut between records into what the whole file gives, error rows renumbered', () => {
    const plan = planUsageSplit(bytes, text.indexOf(',r19,'))!; // the next line break ends record 19
    const head = new UsageHead(bytes, plan);
    expect(head.needsTail).toBe(true);
    const tail = bytes.slice(plan.split, plan.layout.bodyEnd);
    const joined = head.join(readUsageTail(tail, { start: 0, end: tail.length, base: plan.split, shared: false }, plan.header, plan.layout.newline));
    expect(joined.errors).toEqual(whole.errors);
    expect(joined.errors[0]!.row).toBe(32);
    expect(joined.builder.build()).toEqual(whole.builder.build());
  });

  it('reads on alone when the cut falls inside a quoted field', () => {
    const inside = text.indexOf('Name\n20') + 4; // the line break inside the quoted name
    const plan = planUsageSplit(bytes, inside)!;
    expect(plan.split).toBe(inside + 1);
    const head = new UsageHead(bytes, plan);
    expect(head.needsTail).toBe(false);
    expect(head.join().builder.build()).toEqual(whole.builder.build());
  });
});
