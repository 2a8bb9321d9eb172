import type { ICellRendererParams, ValueFormatterParams } from 'ag-grid-community';
import { formatMagnitude, formatMoney, formatQuantity, signOf } from './format';

/**
 * Cell renderers build DOM nodes with textContent, never HTML strings: client and product names
 * come from imported files and may hold anything, "<script>" included.
 */

export function moneyCell(currency: () => string) {
  return (p: ICellRendererParams) => {
    const span = document.createElement('span');
    const sign = signOf(p.value as string | null);
    span.className = `money ${sign > 0 ? 'pos' : sign < 0 ? 'neg' : 'zero'}`;
    span.textContent = formatMoney(p.value as string | null, currency());
    return span;
  };
}

/** A magnitude (an absolute amount, a rate, a price): neither signed nor coloured. */
export function plainMoneyCell(currency: () => string) {
  return (p: ICellRendererParams) => {
    const span = document.createElement('span');
    span.className = 'money';
    span.textContent = formatMagnitude(p.value as string | null, currency());
    return span;
  };
}

export function quantityFormatter(p: ValueFormatterParams): string {
  return formatQuantity(p.value as string | null);
}

export function deltaCell(p: ICellRendererParams): HTMLElement {
  const span = document.createElement('span');
  const value = p.value as string | null;
  const sign = signOf(value);
  span.className = `delta ${sign > 0 ? 'pos' : sign < 0 ? 'neg' : 'zero'}`;
  span.textContent = value === null ? '—' : `${sign > 0 ? '+' : ''}${formatQuantity(value)}`;
  return span;
}

const BADGE_TEXT: Record<string, string> = {
  calculated: 'Calculated',
  estimated: 'Estimated',
  unmapped: 'New revenue',
  unaccounted: 'Unaccounted',
  invoice: 'Invoice (hard value)',
  median: 'Estimated: median',
  catalog: 'Estimated: catalog',
  none: 'No price',
  red: 'Failed',
  yellow: 'Needs attention',
  green: 'Healthy',
  missing_price: 'Missing price',
  inconsistent_price: 'Inconsistent price',
  nonpositive_quantity: 'Quantity ≤ 0',
  current: 'Current',
  superseded: 'Replaced',
  failed: 'Failed',
  counted: 'Counted',
  'excluded by rule': 'Excluded by rule',
  mapped: 'Mapped',
  excluded: 'Excluded',
  map: 'Map',
  exclude: 'Exclude',
};

export function badge(value: string, text?: string): HTMLElement {
  const span = document.createElement('span');
  span.className = `badge badge-${value.replace(/[^a-z]+/gi, '-')}`;
  span.textContent = text ?? BADGE_TEXT[value] ?? value;
  return span;
}

export function badgeCell(p: ICellRendererParams): HTMLElement | string {
  const value = p.value as string | string[] | null;
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) {
    const wrap = document.createElement('span');
    wrap.className = 'badges';
    value.forEach((v) => wrap.append(badge(v)));
    return wrap;
  }
  return badge(value);
}
