/**
 * The pictures add up: on the demo, the bars of Home's charts sum to the engine's own totals (as
 * scaled integers, never floats), under- and over-billed apart, and each integration's bar is what
 * the Billing table shows when filtered by that integration.
 */
import { describe, expect, it } from 'vitest';
import { moneyTick } from '../../src/components/chartFormat';
import { formatMoney } from '../../src/components/format';
import { readBundle } from '../../worker/bundle/readBundle';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { parseUnits } from '../../worker/engine/decimal';
import { reconcile } from '../../worker/engine/reconcile';
import type { MonthSnapshot } from '../../worker/review/snapshots';
import { discrepancyCharts, monthCloseChart, serviceCountChart, type AmountBar } from '../../worker/views/charts';
import { WorkspaceView } from '../../worker/views/workspaceView';

function demoView(): WorkspaceView {
  const read = readBundle(generateDemoBundle());
  if (!read.ok) throw new Error(read.errors[0]!.message);
  return new WorkspaceView(read.bundle, reconcile(read.bundle));
}

/** A decimal string as 1/10,000ths: exact. */
const scaled = (text: string): bigint => {
  const v = parseUnits(text);
  if (v === null) throw new Error(`not a decimal: ${text}`);
  return v;
};
const sum = (bars: AmountBar[], side: 'under' | 'over') => bars.reduce((n, b) => n + scaled(b[side]), 0n);

describe('Home charts on the demo', () => {
  const view = demoView();
  const overview = view.overview();
  const net = scaled(overview.discrepancyAmount);
  const abs = scaled(overview.discrepancyAmountAbs);
  const charts = discrepancyCharts(view.discrepancies(), view.integrations());

  it('has something to draw', () => {
    expect(charts.byService.length).toBeGreaterThan(0);
    expect(charts.byIntegration.length).toBeGreaterThan(0);
  });

  it('service bars sum to the engine net and absolute totals, under and over apart', () => {
    const under = sum(charts.byService, 'under');
    const over = sum(charts.byService, 'over');
    expect(under).toBeGreaterThan(0n);
    expect(over).toBeLessThan(0n);
    expect(under + over).toBe(net);
    expect(under - over).toBe(abs);
    expect(scaled(charts.under)).toBe(under);
    expect(scaled(charts.over)).toBe(over);
  });

  it('integration bars (with the one of no integration) sum to the engine totals once the discrepancies several integrations count are counted once', () => {
    const doubled = { under: 0n, over: 0n };
    for (const d of view.discrepancies()) {
      if (d.amount === null || d.integrationIds.length < 2) continue;
      const v = scaled(d.amount) * BigInt(d.integrationIds.length - 1);
      if (v > 0n) doubled.under += v;
      else doubled.over += v;
    }
    expect(sum(charts.byIntegration, 'under') - doubled.under).toBe(scaled(charts.under));
    expect(sum(charts.byIntegration, 'over') - doubled.over).toBe(scaled(charts.over));
  });

  it('each integration bar is the Billing table filtered by that integration', () => {
    for (const bar of charts.byIntegration.filter((b) => b.key !== '')) {
      const rows = view.clientRows({ integrationId: bar.key, types: [] });
      expect(scaled(bar.under) + scaled(bar.over)).toBe(rows.reduce((n, r) => n + scaled(r.discrepancyAmount), 0n));
      expect(scaled(bar.under) - scaled(bar.over)).toBe(rows.reduce((n, r) => n + scaled(r.discrepancyAmountAbs), 0n));
    }
  });

  it('each service bar is its group of the Billing table grouped by service', () => {
    const groups = new Map(view.groups('service').map((g) => [g.rows[0]!.serviceId, g]));
    for (const bar of charts.byService.filter((b) => b.key !== '')) {
      const g = groups.get(bar.key)!;
      expect(scaled(bar.under) + scaled(bar.over)).toBe(scaled(g.amount));
      expect(scaled(bar.under) - scaled(bar.over)).toBe(scaled(g.amountAbs));
    }
  });
});

describe('History chart', () => {
  it('puts closed months oldest first with their totals and new revenue', () => {
    const view = demoView();
    const meta = (id: string, asOf: string) => ({ id, name: id, createdAt: asOf, asOf, currency: 'USD' });
    const later: MonthSnapshot = view.snapshot(meta('b', '2026-11-30T00:00:00.000Z'));
    const earlier: MonthSnapshot = view.snapshot(meta('a', '2026-10-31T00:00:00.000Z'));
    const months = monthCloseChart([later, earlier]);
    expect(months.map((m) => m.id)).toEqual(['a', 'b']);
    expect(months[1]).toMatchObject({ net: later.totals.amount, absolute: later.totals.amountAbs, count: later.totals.discrepancies });
    const newRevenue = view.discrepancies({ types: ['unmapped'] }).reduce((n, d) => n + (d.amount === null ? 0n : scaled(d.amount)), 0n);
    expect(scaled(months[1]!.newRevenue)).toBe(newRevenue);
  });
});

describe('client chart', () => {
  it('has one bar pair per compared service, in the order of its table, with the exact counts', () => {
    const view = demoView();
    const client = view.clientRows().find((c) => c.discrepancyCount > 0)!;
    const pairs = view.clientDetail(client.clientId)!.pairs;
    const bars = serviceCountChart(pairs);
    expect(bars.map((b) => [b.serviceId, b.invoiced, b.system])).toEqual(pairs.map((p) => [p.serviceId, p.invoicedQty, p.systemCount]));
  });
});

describe('money on the charts, as everywhere else', () => {
  const tick = (value: number, currency = 'USD') => moneyTick(currency)({ value });

  it('writes an axis tick with the currency symbol, thousands separators and cents', () => {
    expect(tick(1234.5)).toBe('$1,234.50');
    expect(tick(0.07)).toBe('$0.07');
  });

  it('drops the cents of a whole tick and the plus sign, but keeps the minus of a negative one', () => {
    expect(tick(2000)).toBe('$2,000');
    expect(tick(-1234.5)).toBe('-$1,234.50');
    expect(tick(-500)).toBe('-$500');
    expect(tick(0)).toBe('$0');
  });

  it('rounds a tick position to cents before formatting it', () => {
    expect(tick(1234.499999999)).toBe('$1,234.50');
    expect(tick(-0.001)).toBe('$0');
  });

  it('uses the workspace currency', () => {
    expect(tick(1234.5, 'EUR')).toBe('€1,234.50');
    expect(tick(-1234.5, 'GBP')).toBe('-£1,234.50');
  });

  it('writes the tooltips\' exact amounts with their sign, as the tables do', () => {
    expect(formatMoney('1234.50', 'USD')).toBe('+$1,234.50');
    expect(formatMoney('-1234.5', 'USD')).toBe('-$1,234.50');
    expect(formatMoney('0.00', 'USD')).toBe('$0.00');
    expect(formatMoney('1234.5', 'EUR')).toBe('+€1,234.50');
    // Beyond a double's exact range: the string is formatted as it is, never through a float.
    expect(formatMoney('12345678901234567.89', 'USD')).toBe('+$12,345,678,901,234,567.89');
  });
});
