import { absBig, formatCents, formatUnits } from './decimal';
import { formatDay } from './dates';
import { valueAt } from './dictionary';
import type { Bundle } from './model';
import type { Reconciliation } from './reconcile';
import type { Report } from './report.types';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const absDesc = (a: bigint | null, b: bigint | null) => {
  const x = a === null ? 0n : absBig(a);
  const y = b === null ? 0n : absBig(b);
  return x > y ? -1 : x < y ? 1 : 0;
};

/**
 * The §8 report. Lists come in triage order (largest absolute amount first), then by id, so output is stable.
 * `withoutInactiveSeats` leaves inactive_seats empty (in its place) for a writer that writes that
 * list from the rows (inactiveSeatsJson.ts, the CLI's output).
 */
export function toReport(bundle: Bundle, rec: Reconciliation, { withoutInactiveSeats = false } = {}): Report {
  const ids = rec.clientIds;
  const usage = bundle.usage;
  return {
    clients: [...rec.clients]
      .sort((a, b) => absDesc(a.discrepancyAmountAbs, b.discrepancyAmountAbs) || byText(a.clientId, b.clientId))
      .map((c) => ({
        client_id: c.clientId,
        client_name: c.clientName,
        seat_count: c.seatCount,
        service_count: c.serviceCount,
        discrepancy_count: c.discrepancyCount,
        discrepancy_amount: formatCents(c.discrepancyAmount),
        discrepancy_amount_abs: formatCents(c.discrepancyAmountAbs),
        billing_cycle: c.billingCycle,
      })),
    discrepancies: rec.pairs
      .filter((p) => p.qtyDelta !== 0n)
      .sort((a, b) => absDesc(a.amount, b.amount) || byText(a.clientId, b.clientId) || byText(a.serviceId, b.serviceId))
      .map((p) => ({
        client_id: p.clientId,
        service_id: p.serviceId,
        type: p.type,
        integration_ids: p.integrationIds,
        invoiced_qty: formatUnits(p.invoicedQty),
        system_count: formatUnits(p.systemCount),
        qty_delta: formatUnits(p.qtyDelta),
        unit_rate: p.rate.cents === null ? null : formatCents(p.rate.cents),
        rate_source: p.rate.source,
        amount: p.amount === null ? null : formatCents(p.amount),
      })),
    unaccounted: rec.unaccounted.map((g) => ({ client_id: ids[g.clientIndex]!, integration_id: g.integrationId, product: g.product, records: g.records })),
    unmapped_clients: rec.unmapped.map((u) => ({
      integration_id: u.integrationId,
      external_client_id: u.externalClientId,
      external_client_name: u.externalClientName,
      records: u.records,
    })),
    flags: rec.flags.map((f) => ({ client_id: f.clientId, invoice_id: f.invoiceId, service_id: f.serviceId, flag: f.flag })),
    inactive_seats: withoutInactiveSeats ? [] : rec.inactive.map((s) => ({
      client_id: ids[s.clientIndex]!,
      integration_id: valueAt(usage.integrationId, s.row),
      record_id: usage.recordId.at(s.row),
      product: valueAt(usage.product, s.row),
      last_active: formatDay(usage.lastActive[s.row]!),
      days_inactive: s.daysInactive,
    })),
    integrations: rec.integrations.map((i) => ({ integration_id: i.id, status: i.status })),
    adjustments: rec.adjustments.map((a) => ({
      client_id: a.pair.clientId,
      service_id: a.pair.serviceId,
      effective_date: formatDay(a.effectiveDate),
      qty_delta: formatUnits(a.pair.qtyDelta),
      unit_rate: formatCents(a.pair.rate.cents!),
      monthly_amount: formatCents(a.monthlyAmount),
      prorated_amount: formatCents(a.proratedAmount),
    })),
  };
}
