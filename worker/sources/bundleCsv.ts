import { FILES } from '../bundle/schema';
import { toCsv } from '../export/csvExport';
import type { CatalogRow, Conversion, PsaClientRow, PsaLineRow, UsageRow } from './types';

/**
 * Bundle rows back to bundle CSV text (spec §1), so a converted export is validated by the very
 * TableReader a hand-made bundle goes through: a converter bug shows as a contract error, never
 * as a wrong number.
 */

export const USAGE_HEADER = ['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category', 'quantity', 'last_active'] as const;
export const CLIENT_HEADER = ['client_id', 'client_name'] as const;
export const LINE_HEADER = ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price', 'billing_cycle', 'period_start', 'period_end', 'agreement_id'] as const;
export const CATALOG_HEADER = ['service_id', 'service_name', 'list_price'] as const;

function csv<T extends object>(header: readonly (keyof T & string)[], rows: readonly T[]): string {
  return toCsv(header, rows.map((row) => header.map((column) => String(row[column]))), { bom: false, neutraliseFormulas: false });
}

export const usageCsv = (rows: readonly UsageRow[]) => csv<UsageRow>(USAGE_HEADER, rows);
export const clientsCsv = (rows: readonly PsaClientRow[]) => csv<PsaClientRow>(CLIENT_HEADER, rows);
export const linesCsv = (rows: readonly PsaLineRow[]) => csv<PsaLineRow>(LINE_HEADER, rows);
export const catalogCsv = (rows: readonly CatalogRow[]) => csv<CatalogRow>(CATALOG_HEADER, rows);

/** The bundle files one conversion gives: usage.csv for a usage source; clients, lines and catalog for a PSA one. */
export function conversionFiles(c: Conversion): Record<string, string> {
  if (c.target === 'usage') return { [FILES.usage]: usageCsv(c.usage) };
  const out: Record<string, string> = { [FILES.clients]: clientsCsv(c.clients) };
  if (c.lines.length > 0 || c.catalog.length > 0) {
    out[FILES.lines] = linesCsv(c.lines);
    out[FILES.catalog] = catalogCsv(c.catalog);
  }
  return out;
}
