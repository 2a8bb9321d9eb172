import { parseUnits } from '../engine/decimal';
import { parseIsoDate } from '../engine/dates';
import type { BillingCycle, CatalogItem, ClientMapEntry, Decision, PsaClient, PsaLine, ServiceRule } from '../engine/model';
import { FILES, CATALOG_COLUMNS, CLIENT_COLUMNS, CLIENT_MAP_COLUMNS, DECISION_COLUMNS, LINE_COLUMNS, SERVICE_MAP_COLUMNS } from './schema';
import { TableReader, type ColumnSpec } from './tableReader';

/**
 * One builder per small bundle file: a TableReader wired to a sink that turns valid rows into
 * engine records and checks what spans rows (duplicate keys, §9) or columns (period order).
 */
export interface TableBuilder<T> {
  reader: TableReader;
  result(): T;
}

type Report = (column: string, message: string) => void;

function builder<T>(file: string, columns: readonly ColumnSpec[], make: (v: string[], row: number, report: Report) => T | null): TableBuilder<T[]> {
  const out: T[] = [];
  const reader = new TableReader(file, columns, (values, row, report) => {
    const item = make(values, row, report);
    if (item !== null) out.push(item);
  });
  return { reader, result: () => out };
}

/** Remembers the first row of each key so a repeat names both rows. */
function uniqueKeys(what: string) {
  const firstRow = new Map<string, number>();
  return (key: string, row: number, column: string, report: Report): boolean => {
    const first = firstRow.get(key);
    if (first !== undefined) {
      report(column, `duplicate ${what}: already used on row ${first}`);
      return false;
    }
    firstRow.set(key, row);
    return true;
  };
}

export function clientsBuilder(file: string = FILES.clients): TableBuilder<PsaClient[]> {
  const unique = uniqueKeys('client_id');
  return builder(file, CLIENT_COLUMNS, ([clientId, clientName], row, report) =>
    unique(clientId!, row, 'client_id', report) ? { clientId: clientId!, clientName: clientName! } : null,
  );
}

export function linesBuilder(file: string = FILES.lines): TableBuilder<PsaLine[]> {
  const unique = uniqueKeys('line_id');
  return builder(file, LINE_COLUMNS, (v, row, report) => {
    const [lineId, clientId, invoiceId, serviceId, serviceName, quantity, unitPrice, billingCycle, start, end, agreementId] = v as [string, string, string, string, string, string, string, string, string, string, string];
    const periodStart = parseIsoDate(start)!;
    const periodEnd = parseIsoDate(end)!;
    if (periodStart > periodEnd) {
      report('period_end', `period_start ${start} is after period_end ${end}`);
      return null;
    }
    if (!unique(lineId, row, 'line_id', report)) return null;
    return {
      lineId, clientId, invoiceId, serviceId, serviceName,
      quantity: parseUnits(quantity)!,
      unitPrice: unitPrice === '' ? null : parseUnits(unitPrice)!,
      billingCycle: billingCycle as BillingCycle,
      periodStart, periodEnd, agreementId,
    };
  });
}

/** A repeated service_id in the catalog is not a §9 violation: the later row wins, as in usage. */
export function catalogBuilder(file: string = FILES.catalog): TableBuilder<CatalogItem[]> {
  const items = builder(file, CATALOG_COLUMNS, ([serviceId, serviceName, listPrice]) => ({
    serviceId: serviceId!, serviceName: serviceName!, listPrice: listPrice === '' ? null : parseUnits(listPrice!)!,
  }));
  return { reader: items.reader, result: () => [...new Map(items.result().map((c) => [c.serviceId, c])).values()] };
}

export function clientMapBuilder(file: string = FILES.clientMap): TableBuilder<ClientMapEntry[]> {
  const unique = uniqueKeys('(integration_id, external_client_id)');
  return builder(file, CLIENT_MAP_COLUMNS, ([integrationId, externalClientId, psaClientId, status], row, report) => {
    if (status === 'mapped' && psaClientId === '') {
      report('psa_client_id', 'status is mapped but psa_client_id is blank');
      return null;
    }
    if (!unique(`${integrationId}\u0000${externalClientId}`, row, 'external_client_id', report)) return null;
    return { integrationId: integrationId!, externalClientId: externalClientId!, psaClientId: psaClientId!, status: status as ClientMapEntry['status'] };
  });
}

export function serviceMapBuilder(file: string = FILES.serviceMap): TableBuilder<ServiceRule[]> {
  const unique = uniqueKeys('rule_id');
  return builder(file, SERVICE_MAP_COLUMNS, ([ruleId, integrationId, product, category, action, psaServiceId, count], row, report) => {
    if (action === 'map' && psaServiceId === '') {
      report('psa_service_id', 'action is map but psa_service_id is blank');
      return null;
    }
    if (!unique(ruleId!, row, 'rule_id', report)) return null;
    return {
      ruleId: ruleId!, integrationId: integrationId!, product: product!, category: category!,
      action: action as ServiceRule['action'], psaServiceId: psaServiceId!, count: count as ServiceRule['count'],
    };
  });
}

/** The same (client_id, service_id) twice: the later decision wins, as a user's later click would. */
export function decisionsBuilder(file: string = FILES.decisions): TableBuilder<Decision[]> {
  const rows = builder(file, DECISION_COLUMNS, ([clientId, serviceId, decision, effectiveDate, note]) => ({
    clientId: clientId!, serviceId: serviceId!, decision: decision as Decision['decision'],
    effectiveDate: effectiveDate === '' ? null : parseIsoDate(effectiveDate!)!,
    ...(note ? { note } : {}),
  }));
  return { reader: rows.reader, result: () => [...new Map(rows.result().map((d) => [`${d.clientId}\u0000${d.serviceId}`, d])).values()] };
}
