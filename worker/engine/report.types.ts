/**
 * The §8 report: the contract's JSON shape. Money and quantities are plain decimal strings
 * ("-12.50", "3", "12.5"); order of every list is free, but the engine emits a stable order.
 */
export type DiscrepancyType = 'calculated' | 'estimated' | 'unmapped';
export type RateSource = 'invoice' | 'median' | 'catalog' | 'none';
export type HealthStatus = 'red' | 'yellow' | 'green';
export type FlagKind = 'missing_price' | 'inconsistent_price' | 'nonpositive_quantity';

export interface ClientRowOut {
  client_id: string;
  client_name: string;
  seat_count: number;
  service_count: number;
  discrepancy_count: number;
  discrepancy_amount: string;
  discrepancy_amount_abs: string;
  billing_cycle: string;
}

export interface DiscrepancyOut {
  client_id: string;
  service_id: string;
  type: DiscrepancyType;
  integration_ids: string[];
  invoiced_qty: string;
  system_count: string;
  qty_delta: string;
  unit_rate: string | null;
  rate_source: RateSource;
  amount: string | null;
}

export interface UnaccountedOut {
  client_id: string;
  integration_id: string;
  product: string;
  records: number;
}

export interface UnmappedClientOut {
  integration_id: string;
  external_client_id: string;
  external_client_name: string;
  records: number;
}

export interface FlagOut {
  client_id: string;
  invoice_id: string;
  service_id: string;
  flag: FlagKind;
}

export interface InactiveSeatOut {
  client_id: string;
  integration_id: string;
  record_id: string;
  product: string;
  last_active: string;
  days_inactive: number;
}

export interface IntegrationOut {
  integration_id: string;
  status: HealthStatus;
}

export interface AdjustmentOut {
  client_id: string;
  service_id: string;
  effective_date: string;
  qty_delta: string;
  unit_rate: string;
  monthly_amount: string;
  prorated_amount: string;
}

export interface Report {
  clients: ClientRowOut[];
  discrepancies: DiscrepancyOut[];
  unaccounted: UnaccountedOut[];
  unmapped_clients: UnmappedClientOut[];
  flags: FlagOut[];
  inactive_seats: InactiveSeatOut[];
  integrations: IntegrationOut[];
  adjustments: AdjustmentOut[];
}
