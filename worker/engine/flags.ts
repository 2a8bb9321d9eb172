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
    let missingPrice = false;
    let nonpositive = false;
    // Prices compare as decimals: "10" and "10.00" are the same unit count (bigint units).
    let price: bigint | null = null;
    let inconsistent = false;
    for (const line of group) {
      if (line.quantity <= 0n) nonpositive = true;
      if (line.unitPrice === null) missingPrice = true;
      else if (price === null) price = line.unitPrice;
      else if (line.unitPrice !== price) inconsistent = true;
    }
    if (missingPrice) flags.push({ clientId, invoiceId, serviceId, flag: 'missing_price' });
    if (inconsistent) flags.push({ clientId, invoiceId, serviceId, flag: 'inconsistent_price' });
    if (nonpositive) flags.push({ clientId, invoiceId, serviceId, flag: 'nonpositive_quantity' });
  }
  return flags;
}
