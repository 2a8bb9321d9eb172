import type { ColumnSpec } from './tableReader';

/** The files of a bundle and their columns, exactly as spec §1 lists them (required = bold). */

const text = (name: string, required = true): ColumnSpec => ({ name, required, kind: 'text' });
const decimal = (name: string, required = true): ColumnSpec => ({ name, required, kind: 'decimal' });
const date = (name: string, required = true): ColumnSpec => ({ name, required, kind: 'date' });
const oneOf = (name: string, set: readonly string[], required = true): ColumnSpec => ({ name, required, kind: { set } });

export const FILES = {
  workspace: 'workspace.json',
  clients: 'psa_clients.csv',
  lines: 'psa_lines.csv',
  catalog: 'psa_catalog.csv',
  usage: 'usage.csv',
  clientMap: 'client_map.csv',
  serviceMap: 'service_map.csv',
  decisions: 'decisions.csv',
} as const;

export const REQUIRED_FILES = [FILES.workspace, FILES.clients, FILES.lines, FILES.usage, FILES.clientMap, FILES.serviceMap] as const;

export const CLIENT_COLUMNS = [text('client_id'), text('client_name')] as const;

export const LINE_COLUMNS = [
  text('line_id'),
  text('client_id'),
  text('invoice_id'),
  text('service_id'),
  text('service_name', false),
  decimal('quantity'),
  decimal('unit_price', false),
  oneOf('billing_cycle', ['monthly', 'annual'], false),
  date('period_start'),
  date('period_end'),
  text('agreement_id', false),
] as const;

export const CATALOG_COLUMNS = [text('service_id'), text('service_name', false), decimal('list_price', false)] as const;

export const USAGE_COLUMNS = [
  text('integration_id'),
  text('external_client_id'),
  text('external_client_name', false),
  text('record_id'),
  text('product'),
  text('category', false),
  decimal('quantity', false),
  date('last_active', false),
] as const;

export const CLIENT_MAP_COLUMNS = [
  text('integration_id'),
  text('external_client_id'),
  text('psa_client_id', false),
  oneOf('status', ['mapped', 'excluded']),
] as const;

export const SERVICE_MAP_COLUMNS = [
  text('rule_id'),
  text('integration_id'),
  text('product'),
  text('category', false),
  oneOf('action', ['map', 'exclude']),
  text('psa_service_id', false),
  oneOf('count', ['records', 'quantity']),
] as const;

export const DECISION_COLUMNS = [
  text('client_id'),
  text('service_id'),
  oneOf('decision', ['approve', 'dismiss']),
  date('effective_date', false),
  // Not in the spec's table (unknown columns are ignored there): the reviewer's note, carried along.
  text('note', false),
] as const;
