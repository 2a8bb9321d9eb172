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
}

export function clientRows({ clients, clientNames, currentLines, pairs, unaccounted, seats }: ClientRowInputs): ClientRow[] {
  const rows = new Map<number, ClientRow>();
  const services = new Map<number, Set<string>>();
  const cycles = new Map<number, Set<string>>();
  const rowOf = (clientIndex: number): ClientRow => {
    let row = rows.get(clientIndex);
    if (!row) {
      const clientId = clients.values[clientIndex]!;
      row = { clientIndex, clientId, clientName: clientNames.get(clientId) ?? '', seatCount: seats.get(clientIndex) ?? 0, serviceCount: 0, discrepancyCount: 0, discrepancyAmount: 0n, discrepancyAmountAbs: 0n, billingCycle: '' };
      rows.set(clientIndex, row);
    }
    return row;
  };

  for (const line of currentLines) {
    const clientIndex = clients.code(line.clientId);
    rowOf(clientIndex);
    add(services, clientIndex, line.serviceId);
    // A blank billing_cycle says nothing about the cycle, so it neither sets nor mixes it.
    if (line.billingCycle !== '') add(cycles, clientIndex, line.billingCycle);
  }
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
    row.serviceCount = services.get(row.clientIndex)?.size ?? 0;
    const cycle = cycles.get(row.clientIndex);
    row.billingCycle = !cycle ? '' : cycle.size === 1 ? [...cycle][0]! : 'mixed';
  }
  return [...rows.values()];
}

function add(sets: Map<number, Set<string>>, key: number, value: string): void {
  let set = sets.get(key);
  if (!set) sets.set(key, (set = new Set()));
  set.add(value);
}
