import type { ICellRendererParams } from 'ag-grid-community';
import { formatDateTime, formatMagnitude, formatMoney, formatQuantity, signOf } from './format';

/**
 * Cell renderers build DOM nodes with textContent, never HTML strings: client and product names
 * come from imported files and may hold anything, "<script>" included.
 */

/**
 * What DataGrid needs to give a column a minWidth that never clips: the text a value shows as, and
 * how wide that is in the grid's font. Renderers that carry it are measured (cells marked with the
 * `fit` class, which the layout test checks against their cell).
 */
export interface Fit {
  width(value: unknown, font: string): number;
  /**
   * A value at least as wide as this one that many values share, so a long list is measured once
   * per shape rather than once per row (2,000 amounts formatted and measured took ~0.4 s of a reopen).
   */
  shape?(value: unknown): unknown;
}

/**
 * Every digit as 8: "1234.50" and "9071.20" show equally wide (the UI fonts' digits are tabular,
 * and 8 is among the widest where they are not). A zero stays as it is: it shows without a sign.
 */
const digitShape = (value: unknown): unknown => (typeof value === 'string' && /[1-9]/.test(value) ? value.replace(/[0-9]/g, '8') : value);

const FIT = Symbol('fit');

export function fitOf(renderer: unknown): Fit | undefined {
  return typeof renderer === 'function' ? (renderer as { [FIT]?: Fit })[FIT] : undefined;
}

function withFit<F extends object>(renderer: F, fit: Fit): F {
  return Object.assign(renderer, { [FIT]: fit });
}

let context: CanvasRenderingContext2D | null | undefined;
const measured = new Map<string, number>();

/** Text width in px (cached: a long list repeats the same few strings). */
export function textWidth(text: string, font: string): number {
  const key = `${font}\u0000${text}`;
  let width = measured.get(key);
  if (width === undefined) {
    context ??= document.createElement('canvas').getContext('2d');
    if (!context) return text.length * 8;
    context.font = font;
    width = context.measureText(text).width;
    if (measured.size > 50_000) measured.clear();
    measured.set(key, width);
  }
  return width;
}

const CELL_FONT = (family: string) => `13px ${family}`;
const BADGE_FONT = (family: string) => `12px ${family}`;
/** A badge's own padding (base.css .badge: 8px each side) and a rounding margin. */
const BADGE_PADDING = 18;

function textFit(text: (value: unknown) => string, shape?: Fit['shape']): Fit {
  return { width: (value, font) => textWidth(text(value), CELL_FONT(font)), shape };
}

function span(className: string, text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** A date (YYYY-MM-DD) shown whole. */
export const dateCell = withFit((p: ICellRendererParams) => span('date fit', (p.value as string | null) ?? ''), textFit((v) => (v as string | null) ?? '', digitShape));

/** A timestamp in the app's date-time format, shown whole. */
export const dateTimeCell = withFit(
  (p: ICellRendererParams) => span('date fit', formatDateTime((p.value as string | null) ?? null)),
  textFit((v) => formatDateTime((v as string | null) ?? null)),
);

export function moneyCell(currency: () => string) {
  return withFit((p: ICellRendererParams) => {
    const span = document.createElement('span');
    const sign = signOf(p.value as string | null);
    span.className = `money fit ${sign > 0 ? 'pos' : sign < 0 ? 'neg' : 'zero'}`;
    span.textContent = formatMoney(p.value as string | null, currency());
    return span;
  }, textFit((v) => formatMoney(v as string | null, currency()), digitShape));
}

/** A magnitude (an absolute amount, a rate, a price): neither signed nor coloured. */
export function plainMoneyCell(currency: () => string) {
  return withFit((p: ICellRendererParams) => {
    const span = document.createElement('span');
    span.className = 'money fit';
    span.textContent = formatMagnitude(p.value as string | null, currency());
    return span;
  }, textFit((v) => formatMagnitude(v as string | null, currency()), digitShape));
}

/** A quantity (seats, GB, hours) shown whole: 2,077.57 GB is not "2,077.…". */
export const quantityCell = withFit((p: ICellRendererParams) => span('quantity fit', formatQuantity(p.value as string | null)), textFit((v) => formatQuantity(v as string | null), digitShape));

function deltaText(value: string | null): string {
  return value === null || value === undefined ? '—' : `${signOf(value) > 0 ? '+' : ''}${formatQuantity(value)}`;
}

export const deltaCell = withFit((p: ICellRendererParams): HTMLElement => {
  const span = document.createElement('span');
  const value = p.value as string | null;
  const sign = signOf(value);
  span.className = `delta ${sign > 0 ? 'pos' : sign < 0 ? 'neg' : 'zero'}`;
  span.textContent = deltaText(value);
  return span;
}, textFit((v) => deltaText(v as string | null), digitShape));

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
  span.textContent = text ?? badgeText(value);
  return span;
}

function badgeText(value: string): string {
  return BADGE_TEXT[value] ?? value;
}

/** Wide enough for its widest badge; several badges wrap onto more lines (the column sets autoHeight). */
export const badgeFit: Fit = {
  width: (value, font) => {
    const values = Array.isArray(value) ? (value as string[]) : value ? [value as string] : [];
    return Math.max(0, ...values.map((v) => textWidth(badgeText(v), BADGE_FONT(font)) + BADGE_PADDING));
  },
};

/** A badge with a fixed text per value (`text`): a renderer the grid can measure. */
export function badgeCellWith(text: (value: string) => string, kind: (value: string) => string = (value) => value) {
  return withFit(
    (p: ICellRendererParams) => (p.value ? badge(kind(p.value as string), text(p.value as string)) : ''),
    { width: (value, font) => (value ? textWidth(text(value as string), BADGE_FONT(font)) + BADGE_PADDING : 0) },
  );
}

export const badgeCell = withFit(badgeCellPlain, badgeFit);

/** The gap between a badge and the "+N" after it (base.css .badges). */
const BADGE_GAP = 4;

/**
 * Several kinds on one line: the first badge and "+N" for the others, all of them named in the
 * cell's tooltip. Rows keep one height: wrapped badges hid a line (4 kinds showed 2) and made every
 * row measure itself as it appeared (~0.1 s per screenful at 2,000 clients).
 */
export const badgeListCell = withFit(
  (p: ICellRendererParams): HTMLElement | string => {
    const values = (p.value as string[] | null) ?? [];
    if (values.length === 0) return '';
    const wrap = document.createElement('span');
    wrap.className = 'badges one-line';
    wrap.append(badge(values[0]!));
    if (values.length > 1) {
      const more = badge('more', `+${values.length - 1}`);
      more.setAttribute('aria-label', `and ${values.slice(1).map(badgeText).join(', ')}`);
      wrap.append(more);
    }
    wrap.title = values.map(badgeText).join(', ');
    return wrap;
  },
  {
    width: (value, font) => {
      const values = (value as string[] | null) ?? [];
      if (values.length === 0) return 0;
      const first = textWidth(badgeText(values[0]!), BADGE_FONT(font)) + BADGE_PADDING;
      return values.length > 1 ? first + BADGE_GAP + textWidth(`+${values.length - 1}`, BADGE_FONT(font)) + BADGE_PADDING : first;
    },
  },
);

function badgeCellPlain(p: ICellRendererParams): HTMLElement | string {
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
