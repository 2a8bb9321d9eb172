import type { AdjustmentView } from '../views/types';
import { num, toCsv } from './csvExport';

/**
 * The adjustments file for PSA import (spec §7): one line per approved change on a client's next
 * invoice. Text cells are formula-safe; money and quantities stay numbers.
 */
export function adjustmentsCsv(rows: readonly AdjustmentView[], currency: string): string {
  return toCsv(
    ['Client ID', 'Client', 'Service ID', 'Service', 'Effective date', 'Quantity change', `Unit rate (${currency})`, `Monthly amount (${currency})`, `Prorated amount (${currency})`, 'Note'],
    rows.map((r) => [r.clientId, r.clientName, r.serviceId, r.serviceName, r.effectiveDate, num(r.qtyDelta), num(r.unitRate), num(r.monthlyAmount), num(r.proratedAmount), r.note]),
  );
}
