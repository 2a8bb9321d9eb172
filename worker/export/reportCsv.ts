import type { Report } from '../engine/report.types';
import { num, toCsv, type Cell } from './csvExport';

/**
 * The report's tables as spreadsheets for finance. Amounts and quantities go out as number cells
 * so sums and sorts work in Excel; everything that came from an import is text, and defused.
 */

const moneyOrEmpty = (value: string | null): Cell => (value === null ? null : num(value));

/** The reconciled invoices table, spec §4. */
export function clientsCsv(report: Report, currency: string): string {
  const header = [
    'Client ID',
    'Client',
    'Seats',
    'Services',
    'Discrepancies',
    `Discrepancy amount (${currency})`,
    `Absolute amount (${currency})`,
    'Billing cycle',
  ];
  const rows = report.clients.map((c): Cell[] => [
    c.client_id,
    c.client_name,
    num(c.seat_count),
    num(c.service_count),
    num(c.discrepancy_count),
    num(c.discrepancy_amount),
    num(c.discrepancy_amount_abs),
    c.billing_cycle,
  ]);
  return toCsv(header, rows);
}

/**
 * The discrepancies of spec §3. The report carries only client ids here, so the caller passes
 * the names (from the clients table); an id with no name gets an empty cell.
 */
export function discrepanciesCsv(report: Report, clientNames: ReadonlyMap<string, string>, currency: string): string {
  const header = [
    'Client ID',
    'Client',
    'Service ID',
    'Type',
    'Integrations',
    'Invoiced qty',
    'System count',
    'Qty delta',
    `Unit rate (${currency})`,
    'Rate source',
    `Amount (${currency})`,
  ];
  const rows = report.discrepancies.map((d): Cell[] => [
    d.client_id,
    clientNames.get(d.client_id) ?? '',
    d.service_id,
    d.type,
    d.integration_ids.join('; '),
    num(d.invoiced_qty),
    num(d.system_count),
    num(d.qty_delta),
    moneyOrEmpty(d.unit_rate),
    d.rate_source,
    moneyOrEmpty(d.amount),
  ]);
  return toCsv(header, rows);
}
