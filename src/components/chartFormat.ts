import { formatMoney } from './format';

/**
 * How the charts write money, apart from the chart component (which loads AG Charts and the DOM),
 * so the unit tests hold these to the app's one money format (format.ts) without a browser.
 */

/**
 * Money ticks as everywhere else. A tick is a position on the axis, not an amount from the engine,
 * so it is rounded to cents before formatting (whole ticks drop their cents and the + that only
 * crowds the axis); the bars' exact strings are in the tooltips.
 */
export const moneyTick = (currency: string) => (p: { value: unknown }) => formatMoney(Number(p.value).toFixed(2), currency).replace(/^\+/, '').replace(/\.00$/, '');

/** A decimal string from the core as a bar length: only the drawing sees a float. */
export const barLength = (amount: string | null): number => (amount === null ? 0 : Number(amount));
