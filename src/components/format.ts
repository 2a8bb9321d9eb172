/**
 * Display formatting only: the engine gives exact decimal strings, and Intl formats a decimal
 * *string* without turning it into a float (Intl.NumberFormat v3), so no cent is ever lost here.
 */
import { compareDecimalText } from '../../worker/engine/decimal';

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol', signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    moneyFormats.set(currency, format);
  }
  return format.format(amount as Intl.StringNumericLiteral);
}

export function formatQuantity(quantity: string | null | undefined): string {
  if (quantity === null || quantity === undefined || quantity === '') return '—';
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 }).format(quantity as Intl.StringNumericLiteral);
}

/** A magnitude (absolute amount, rate, price): no sign shown. */
export function formatMagnitude(amount: string | null | undefined, currency: string): string {
  return formatMoney(amount, currency).replace(/^[+]/, '');
}

/** Sign of a decimal string: -1, 0 or 1 (for red / neutral / green). */
export function signOf(amount: string | null | undefined): -1 | 0 | 1 {
  if (!amount) return 0;
  if (amount.startsWith('-')) return /[1-9]/.test(amount) ? -1 : 0;
  return /[1-9]/.test(amount) ? 1 : 0;
}

/** AG Grid comparator for decimal strings: exact, nulls first. */
export function decimalComparator(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return -1;
  if (b === null || b === undefined || b === '') return 1;
  return compareDecimalText(a, b);
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** A count with the noun it counts: "1 client group", "11 client groups". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
