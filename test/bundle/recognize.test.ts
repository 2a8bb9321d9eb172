import { describe, expect, it } from 'vitest';
import { fileNameFor, recognizeCsv, recognizeHeaderLine, type FileKind } from '../../worker/bundle/recognize';

/** The full header of each kind, as spec §1 lists it. */
const FULL: Record<FileKind, string[]> = {
  psa_clients: ['client_id', 'client_name'],
  psa_lines: ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price', 'billing_cycle', 'period_start', 'period_end', 'agreement_id'],
  psa_catalog: ['service_id', 'service_name', 'list_price'],
  usage: ['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category', 'quantity', 'last_active'],
  client_map: ['integration_id', 'external_client_id', 'psa_client_id', 'status'],
  service_map: ['rule_id', 'integration_id', 'product', 'category', 'action', 'psa_service_id', 'count'],
  decisions: ['client_id', 'service_id', 'decision', 'effective_date'],
};

/** Only the required (bold) columns of each kind. */
const REQUIRED: Record<FileKind, string[]> = {
  psa_clients: ['client_id', 'client_name'],
  psa_lines: ['line_id', 'client_id', 'invoice_id', 'service_id', 'quantity', 'period_start', 'period_end'],
  psa_catalog: ['service_id'],
  usage: ['integration_id', 'external_client_id', 'record_id', 'product'],
  client_map: ['integration_id', 'external_client_id', 'status'],
  service_map: ['rule_id', 'integration_id', 'product', 'action', 'count'],
  decisions: ['client_id', 'service_id', 'decision'],
};

const KINDS = Object.keys(FULL) as FileKind[];

describe('recognizeCsv', () => {
  it.each(KINDS)('recognises a full %s header', (kind) => {
    expect(recognizeCsv(FULL[kind])).toBe(kind);
  });

  it.each(KINDS)('recognises a %s header with only its required columns', (kind) => {
    expect(recognizeCsv(REQUIRED[kind])).toBe(kind);
  });

  it.each(KINDS)('recognises a reversed %s header', (kind) => {
    expect(recognizeCsv([...FULL[kind]].reverse())).toBe(kind);
  });

  it('ignores unknown extra columns', () => {
    expect(recognizeCsv(['notes', 'client_id', 'exported_by', 'client_name', 'region'])).toBe('psa_clients');
  });

  it('trims spaces around column names', () => {
    expect(recognizeCsv([' integration_id ', 'external_client_id\t', '  status', 'psa_client_id'])).toBe('client_map');
  });

  it('removes a BOM from the first column name', () => {
    expect(recognizeCsv(['\uFEFFclient_id', 'client_name'])).toBe('psa_clients');
  });

  it('does not let psa_catalog, whose only required column is service_id, take a psa_lines file', () => {
    expect(recognizeCsv(FULL.psa_lines)).toBe('psa_lines');
    expect(recognizeCsv(REQUIRED.psa_lines)).toBe('psa_lines');
  });

  it('does not let psa_catalog take a decisions file', () => {
    expect(recognizeCsv(REQUIRED.decisions)).toBe('decisions');
  });

  it('does not read a decisions file as psa_lines, nor a psa_lines file as decisions', () => {
    expect(recognizeCsv(FULL.decisions)).toBe('decisions');
    expect(recognizeCsv([...FULL.psa_lines, 'decision'])).toBe('psa_lines');
  });

  it('prefers the kind that explains more columns when several match', () => {
    // Both psa_clients and decisions are complete here; decisions names three of the columns.
    expect(recognizeCsv(['client_id', 'client_name', 'service_id', 'decision'])).toBe('decisions');
    // A clients file that also carries a service_id is still closer to psa_clients than to the catalog.
    expect(recognizeCsv(['client_id', 'client_name', 'service_id'])).toBe('psa_clients');
  });

  it('breaks a tie in matched columns towards the kind with more required columns', () => {
    // psa_clients matches 2 (both required), psa_catalog 2 (one required).
    expect(recognizeCsv(['client_id', 'client_name', 'service_id', 'service_name'])).toBe('psa_clients');
  });

  it('does not read a usage file as client_map, which lacks status', () => {
    expect(recognizeCsv([...FULL.usage, 'psa_client_id'])).toBe('usage');
  });

  it('returns null when one required column is missing', () => {
    expect(recognizeCsv(['line_id', 'client_id', 'invoice_id', 'service_name', 'quantity', 'period_start', 'period_end'])).toBe(null);
  });

  it('returns null for an unrelated header', () => {
    expect(recognizeCsv(['Date', 'Description', 'Amount'])).toBe(null);
  });

  it('returns null for an empty header', () => {
    expect(recognizeCsv([])).toBe(null);
  });

  it('matches column names case-sensitively, as the bundle reader does', () => {
    expect(recognizeCsv(['Client_ID', 'Client_Name'])).toBe(null);
  });
});

describe('fileNameFor', () => {
  it('gives the canonical bundle file name of every kind', () => {
    expect(KINDS.map(fileNameFor)).toEqual([
      'psa_clients.csv',
      'psa_lines.csv',
      'psa_catalog.csv',
      'usage.csv',
      'client_map.csv',
      'service_map.csv',
      'decisions.csv',
    ]);
  });
});

describe('recognizeHeaderLine', () => {
  it('reads the kind from the first line of a CSV text', () => {
    expect(recognizeHeaderLine('client_id,client_name\r\nC1,Acme\r\n')).toBe('psa_clients');
  });

  it('reads a BOM-prefixed file', () => {
    expect(recognizeHeaderLine('\uFEFFintegration_id,external_client_id,record_id,product\nm365,T1,u1,E3\n')).toBe('usage');
  });

  it('reads quoted column names', () => {
    expect(recognizeHeaderLine('"client_id","service_id","decision"\n')).toBe('decisions');
  });

  it('looks at the header only, whatever the rows hold', () => {
    expect(recognizeHeaderLine('service_id\nrule_id,integration_id,product,action,count\n')).toBe('psa_catalog');
  });

  it('returns null for an empty text', () => {
    expect(recognizeHeaderLine('')).toBe(null);
  });

  it('returns null for an unrecognisable header', () => {
    expect(recognizeHeaderLine('a;b;c\n1;2;3\n')).toBe(null);
  });
});
