import { absBig } from './decimal';
import type { Dictionary } from './dictionary';
import type { PsaLine } from './model';
import type { Pair } from './comparePairs';
import type { UnaccountedGroup } from './usageGroups';

/** A row of the reconciled invoices table (spec §4). Money in cents. */
export interface ClientRow {
  clientIndex: number;
  clientId: string;
  clientName: string;
  seatCount: number;
  serviceCount: number;
  discrepancyCount: number;
  discrepancyAmount: bigint;
  discrepancyAmountAbs: bigint;
  billingCycle: string;
}

export interface ClientRowInputs {
  clients: Dictionary;
  clientNames: Map<string, string>;
  currentLines: readonly PsaLine[];
  pairs: readonly Pair[];
  unaccounted: readonly UnaccountedGroup[];
  /** Seats per client index; a client is present iff usage resolved to it. */
  seats: Map<number, number>;
  /** lineSummary(clients, currentLines), when the caller keeps it across reconciliations. */
  summary?: LineSummary;
}

/** Per client index with current lines: its distinct service ids and billing cycles. */
export type LineSummary = Map<number, { services: Set<string>; cycles: Set<string> }>;

export function lineSummary(clients: Dictionary, currentLines: readonly PsaLine[]): LineSummary {
  const out: LineSummary = new Map();
  for (const line of currentLines) {
    const clientIndex = clients.code(line.clientId);
    let entry = out.get(clientIndex);
    if (!entry) out.set(clientIndex, (entry = { services: new Set(), cycles: new Set() }));
    entry.services.add(line.serviceId);
    // A blank billing_cycle says nothing about the cycle, so it neither sets nor mixes it.
    if (line.billingCycle !== '') entry.cycles.add(line.billingCycle);
  }
  return out;
}

export function clientRows({ clients, clientNames, currentLines, pairs, unaccounted, seats, summary = lineSummary(clients, currentLines) }: ClientRowInputs): ClientRow[] {
  const rows = new Map<number, ClientRow>();
  const rowOf = (clientIndex: number): ClientRow => {
    let row = rows.get(clientIndex);
    if (!row) {
      const clientId = clients.values[clientIndex]!;
      row = { clientIndex, clientId, clientName: clientNames.get(clientId) ?? '', seatCount: seats.get(clientIndex) ?? 0, serviceCount: 0, discrepancyCount: 0, discrepancyAmount: 0n, discrepancyAmountAbs: 0n, billingCycle: '' };
      rows.set(clientIndex, row);
    }
    return row;
  };

  for (const clientIndex of summary.keys()) rowOf(clientIndex);
  for (const clientIndex of seats.keys()) rowOf(clientIndex);
  for (const pair of pairs) {
    if (pair.qtyDelta === 0n) continue;
    const row = rowOf(pair.clientIndex);
    row.discrepancyCount++;
    if (pair.amount !== null) {
      row.discrepancyAmount += pair.amount;
      row.discrepancyAmountAbs += absBig(pair.amount);
    }
  }
  for (const group of unaccounted) rowOf(group.clientIndex).discrepancyCount++;
  for (const row of rows.values()) {
    row.serviceCount = summary.get(row.clientIndex)?.services.size ?? 0;
    const cycle = summary.get(row.clientIndex)?.cycles;
    row.billingCycle = !cycle || cycle.size === 0 ? '' : cycle.size === 1 ? [...cycle][0]! : 'mixed';
  }
  return [...rows.values()];
}

