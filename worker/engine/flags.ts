import type { PsaLine } from './model';
import type { FlagKind } from './report.types';

export interface Flag {
  clientId: string;
  invoiceId: string;
  serviceId: string;
  flag: FlagKind;
}

/** Spec §5: one flag per (client_id, invoice_id, service_id, flag) over current lines of any service. */
export function flagLines(currentLines: readonly PsaLine[]): Flag[] {
  const groups = new Map<string, PsaLine[]>();
  for (const line of currentLines) {
    const key = `${line.clientId}\u0000${line.invoiceId}\u0000${line.serviceId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(line);
  }
  const flags: Flag[] = [];
  for (const group of groups.values()) {
    const { clientId, invoiceId, serviceId } = group[0]!;
    const add = (flag: FlagKind) => flags.push({ clientId, invoiceId, serviceId, flag });
    if (group.some((l) => l.unitPrice === null)) add('missing_price');
    // Prices compare as decimals: "10" and "10.00" are the same unit count.
    const prices = new Set(group.flatMap((l) => (l.unitPrice === null ? [] : [l.unitPrice])));
    if (prices.size >= 2) add('inconsistent_price');
    if (group.some((l) => l.quantity <= 0n)) add('nonpositive_quantity');
  }
  return flags;
}
