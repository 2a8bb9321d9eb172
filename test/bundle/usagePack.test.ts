import { describe, expect, it } from 'vitest';
import { readUsageText } from '../../worker/bundle/readUsage';
import { packUsage, unpackUsage } from '../../worker/bundle/usagePack';

const HEADER = 'integration_id,external_client_id,external_client_name,record_id,product,category,quantity,last_active';
const usage = (rows: string[]) => readUsageText([HEADER, ...rows].join('\n')).builder.build();

describe('packed usage (IndexedDB blocks)', () => {
  const table = usage(['m365,t1,Acme,u1,E3,license,,2026-11-20', 'm365,t1,Acme,"u,2",E5,license,2,', 'rmm,r1,ACME,d1,Server,server,,2026-10-01', 'rmm,r1,ACME,d2,Laptop,workstation,,']);

  it('round-trips every column across blocks', () => {
    const back = unpackUsage([{ packed: packUsage(table, 3) }]);
    expect(back.recordId).toEqual(['u1', 'u,2', 'd1', 'd2']);
    expect(Array.from(back.quantity)).toEqual(Array.from(table.quantity));
    expect(Array.from(back.lastActive)).toEqual(Array.from(table.lastActive));
    expect(back.seatCount).toBe(4);
    expect([0, 1, 2, 3].map((i) => back.product.values[back.product.codes[i]!])).toEqual(['E3', 'E5', 'Server', 'Laptop']);
  });

  it('keeps only the integrations an import is current for', () => {
    const later = usage(['rmm,r1,ACME,d9,Server,server,,']);
    const joined = unpackUsage([{ packed: packUsage(table), integrations: new Set(['m365']) }, { packed: packUsage(later) }]);
    expect(joined.recordId).toEqual(['u1', 'u,2', 'd9']);
    expect([0, 1, 2].map((i) => joined.integrationId.values[joined.integrationId.codes[i]!])).toEqual(['m365', 'm365', 'rmm']);
  });

  it('numbers seats across imports', () => {
    const joined = unpackUsage([{ packed: packUsage(usage(['m365,t1,A,u1,E3,,,'])) }, { packed: packUsage(usage(['rmm,t1,A,u1,E3,,,'])) }]);
    expect(Array.from(joined.seat)).toEqual([0, 1]);
  });
});
