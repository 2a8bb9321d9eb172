import { formatUnits } from '../engine/decimal';
import { formatDay } from '../engine/dates';
import { valueAt } from '../engine/dictionary';
import { NO_DAY, type Bundle } from '../engine/model';
import { toCsv, type Cell } from '../export/csvExport';
import { FILES } from './schema';

/**
 * A Bundle back to bundle files (spec §1): the workspace export. Reading them gives the same
 * bundle, so the same report. Values are written as they were read; no formula escaping here,
 * as this is data for Ledgerline, not a spreadsheet (that is worker/export/reportCsv.ts).
 */
export function writeBundle(bundle: Bundle): Record<string, string> {
  const { settings } = bundle;
  const csv = (header: string[], rows: Cell[][]) => toCsv(header, rows, { bom: false, neutraliseFormulas: false });
  const quantity = (units: bigint) => formatUnits(units);
  const usage = bundle.usage;
  const usageRows: Cell[][] = new Array(usage.length);
  for (let i = 0; i < usage.length; i++) {
    usageRows[i] = [
      valueAt(usage.integrationId, i), valueAt(usage.externalClientId, i), valueAt(usage.externalClientName, i), usage.recordId.at(i),
      valueAt(usage.product, i), valueAt(usage.category, i), quantity(usage.quantity[i]!), usage.lastActive[i] === NO_DAY ? '' : formatDay(usage.lastActive[i]!),
    ];
  }
  return {
    [FILES.workspace]: JSON.stringify(
      {
        currency: settings.currency,
        asOf: new Date(settings.asOf).toISOString(),
        inactiveAfterDays: settings.inactiveAfterDays,
        staleAfterHours: settings.staleAfterHours,
        integrations: settings.integrations.map((i) => ({ id: i.id, name: i.name, kind: i.kind, lastSyncAt: i.lastSyncAt === null ? null : new Date(i.lastSyncAt).toISOString(), lastSyncStatus: i.lastSyncStatus })),
      },
      null,
      2,
    ),
    [FILES.clients]: csv(['client_id', 'client_name'], bundle.clients.map((c) => [c.clientId, c.clientName])),
    [FILES.lines]: csv(
      ['line_id', 'client_id', 'invoice_id', 'service_id', 'service_name', 'quantity', 'unit_price', 'billing_cycle', 'period_start', 'period_end', 'agreement_id'],
      bundle.lines.map((l) => [l.lineId, l.clientId, l.invoiceId, l.serviceId, l.serviceName, quantity(l.quantity), l.unitPrice === null ? '' : quantity(l.unitPrice), l.billingCycle, formatDay(l.periodStart), formatDay(l.periodEnd), l.agreementId]),
    ),
    [FILES.catalog]: csv(['service_id', 'service_name', 'list_price'], bundle.catalog.map((c) => [c.serviceId, c.serviceName, c.listPrice === null ? '' : quantity(c.listPrice)])),
    [FILES.usage]: csv(['integration_id', 'external_client_id', 'external_client_name', 'record_id', 'product', 'category', 'quantity', 'last_active'], usageRows),
    [FILES.clientMap]: csv(['integration_id', 'external_client_id', 'psa_client_id', 'status'], bundle.clientMap.map((m) => [m.integrationId, m.externalClientId, m.psaClientId, m.status])),
    [FILES.serviceMap]: csv(['rule_id', 'integration_id', 'product', 'category', 'action', 'psa_service_id', 'count'], bundle.serviceMap.map((r) => [r.ruleId, r.integrationId, r.product, r.category, r.action, r.psaServiceId, r.count])),
    [FILES.decisions]: csv(['client_id', 'service_id', 'decision', 'effective_date', 'note'], bundle.decisions.map((d) => [d.clientId, d.serviceId, d.decision, d.effectiveDate === null ? '' : formatDay(d.effectiveDate), d.note ?? ''])),
  };
}
