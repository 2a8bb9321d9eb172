import { Show, createResource } from 'solid-js';
import type { AdjustmentView } from '../../worker/views/types';
import { dateCell, deltaCell, moneyCell, plainMoneyCell } from '../components/cells';
import { DataGrid } from '../components/DataGrid';
import { decimalComparator } from '../components/format';
import { EmptyState, Money, PageHeader, download } from '../components/ui';
import { core, overview, revision } from '../state/workspace';

const currency = () => overview()?.currency ?? 'USD';

export function Adjustments() {
  const [rows] = createResource(revision, () => core.adjustments());
  const exportCsv = async () => download(`ledgerline-adjustments-${overview()?.asOfDate ?? 'export'}.csv`, await core.exportCsv('adjustments'), 'text/csv;charset=utf-8');
  return (
    <section>
      <PageHeader
        title="Adjustments"
        subtitle="Exactly what approved discrepancies change on each client's next invoice: the monthly amount, and a prorated amount when the effective date is not the 1st. Nothing is written anywhere until you export it."
        actions={
          <button onClick={() => void exportCsv()} disabled={(rows() ?? []).length === 0} data-testid="export-adjustments">
            Export for PSA import (CSV)
          </button>
        }
      />
      <Show
        when={(rows() ?? []).length > 0 || rows.loading}
        fallback={
          <EmptyState title="No approved adjustments">
            Approve discrepancies under <a href="#/billing/review">Billing & Invoices › Review & approve</a> (or import a decisions.csv); they appear here, ready to export.
          </EmptyState>
        }
      >
        <div class="kpis">
          <div class="kpi">
            <span>Adjustments</span>
            <strong>{rows()?.length ?? 0}</strong>
          </div>
          <div class="kpi">
            <span>Monthly total</span>
            <strong data-testid="adjustments-total">
              <Money amount={overview()?.adjustmentsMonthly ?? null} currency={currency()} />
            </strong>
          </div>
          <div class="kpi">
            <span>Prorated total</span>
            <strong data-testid="adjustments-prorated">
              <Money amount={overview()?.adjustmentsProrated ?? null} currency={currency()} />
            </strong>
          </div>
        </div>
        <DataGrid<AdjustmentView>
          testId="adjustments-grid"
          height="560px"
          rows={rows() ?? []}
          rowId={(r) => `${r.clientId}|${r.serviceId}`}
          columns={[
            { field: 'clientName', headerName: 'Client', width: 200, valueGetter: (p) => p.data?.clientName || p.data?.clientId },
            { field: 'serviceName', headerName: 'Service', width: 200, valueGetter: (p) => p.data?.serviceName || p.data?.serviceId },
            { field: 'effectiveDate', headerName: 'Effective', width: 130, cellRenderer: dateCell },
            { field: 'qtyDelta', headerName: 'Δ qty', type: 'rightAligned', width: 100, cellRenderer: deltaCell, comparator: decimalComparator },
            { field: 'unitRate', headerName: `Rate (${currency()})`, type: 'rightAligned', width: 130, cellRenderer: plainMoneyCell(currency), comparator: decimalComparator },
            { field: 'monthlyAmount', headerName: `Monthly (${currency()})`, type: 'rightAligned', width: 150, cellRenderer: moneyCell(currency), comparator: decimalComparator },
            { field: 'proratedAmount', headerName: `Prorated (${currency()})`, type: 'rightAligned', width: 150, cellRenderer: moneyCell(currency), comparator: decimalComparator },
            { field: 'note', headerName: 'Note', width: 200 },
          ]}
        />
      </Show>
    </section>
  );
}
