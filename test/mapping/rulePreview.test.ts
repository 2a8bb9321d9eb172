import { describe, expect, it } from 'vitest';
import { readBundle } from '../../worker/bundle/readBundle';
import type { ServiceRule } from '../../worker/engine/model';
import { previewRules } from '../../worker/mapping/rulePreview';

const rule = (ruleId: string, product: string, extra: Partial<ServiceRule> = {}): ServiceRule => ({ ruleId, integrationId: 'm365', product, category: '', action: 'map', psaServiceId: 'S', count: 'records', ...extra });

function bundle() {
  const read = readBundle({
    'workspace.json': '{"asOf":"2026-11-28T12:00:00Z"}',
    'psa_clients.csv': 'client_id,client_name\nC1,Acme\n',
    'psa_lines.csv': 'line_id,client_id,invoice_id,service_id,quantity,period_start,period_end\n',
    'usage.csv': [
      'integration_id,external_client_id,record_id,product,category',
      'm365,t1,u1,Microsoft 365 E3,license',
      'm365,t1,u2,Microsoft 365 E3,license',
      'm365,t1,u3,Microsoft 365 E5 Trial,license',
      'm365,t1,u4,Visio Plan 2,addon',
      'm365,t2,u5,Microsoft 365 E3,license', // t2 is unmapped: rules never see it (spec §2 step 2)
      'rmm,t1,d1,Server,server',
    ].join('\n'),
    'client_map.csv': 'integration_id,external_client_id,psa_client_id,status\nm365,t1,C1,mapped\nrmm,t1,C1,mapped\n',
    'service_map.csv': 'rule_id,integration_id,product,action,psa_service_id,count\n',
  });
  if (!read.ok) throw new Error(read.errors.map((e) => e.message).join('\n'));
  return read.bundle;
}

describe('rule preview (spec §2 step 3, live)', () => {
  it('counts the rows and products each rule decides, over mapped clients only', () => {
    const [e3, all] = previewRules(bundle(), [rule('A', 'Microsoft 365 E3'), rule('B', '*')]);
    expect(e3).toMatchObject({ rows: 2, products: [{ product: 'Microsoft 365 E3', rows: 2 }], shadowedRows: 0 });
    expect(all).toMatchObject({ rows: 2, shadowedRows: 2, shadowedBy: ['A'] });
    expect(all!.products.map((p) => p.product).sort()).toEqual(['Microsoft 365 E5 Trial', 'Visio Plan 2']);
  });

  it('shows the other side when the order changes: the broad rule first takes everything and shadows the narrow one', () => {
    const [all, e3] = previewRules(bundle(), [rule('B', '*'), rule('A', 'Microsoft 365 E3')]);
    expect(all!.rows).toBe(4);
    expect(e3).toMatchObject({ rows: 0, products: [], shadowedRows: 2, shadowedBy: ['B'] });
  });

  it('honours integration and category, and treats only * as special', () => {
    const [trial, addon, regex] = previewRules(bundle(), [rule('T', '*trial*'), rule('V', '*', { category: 'ADDON' }), rule('R', 'Microsoft 365 E.')]);
    expect(trial!.rows).toBe(1);
    expect(addon!.products).toEqual([{ product: 'Visio Plan 2', rows: 1 }]);
    expect(regex!.rows).toBe(0);
  });

  it('matches nothing with an empty pattern rather than failing', () => {
    expect(previewRules(bundle(), [rule('E', '  ')])[0]!.rows).toBe(0);
  });
});
