import { PayPalError } from './errors.ts';
import type { Money } from './store.ts';

// PayPal's currencies and decimals, and reading and writing its `money` (decimal strings) exactly. Split from
// processor.ts so that the rendering (render.ts) and the processing of requests share one table.

/**
 * PayPal's supported currencies and their decimals (developer.paypal.com/api/rest/reference/currency-codes): HUF, JPY
 * and TWD "do not support decimals"; every other one has two.
 */
export const paypalCurrencyDecimals: Readonly<Record<string, number>> = {
  AUD: 2, BRL: 2, CAD: 2, CNY: 2, CZK: 2, DKK: 2, EUR: 2, HKD: 2, HUF: 0, ILS: 2, JPY: 0, MYR: 2, MXN: 2, TWD: 0,
  NZD: 2, NOK: 2, PHP: 2, PLN: 2, GBP: 2, SGD: 2, SEK: 2, CHF: 2, THB: 2, USD: 2,
};

/** PayPal's `money.value` allows 32 characters; the sandbox also keeps amounts within safe integers. */
const moneyValueLengthMax = 32;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a PayPal `money` into minor units of PayPal's decimals, or throws PayPal's documented error. */
export function parseMoney(value: unknown, field: string): { money: Money; minor: number } {
  if (!isObject(value)) throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field, location: 'body' });
  const { currency_code: currency, value: amount } = value;
  if (typeof currency !== 'string' || typeof amount !== 'string') throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field, location: 'body' });
  const decimals = paypalCurrencyDecimals[currency];
  if (decimals === undefined) throw PayPalError.issue(422, 'INVALID_CURRENCY_CODE', { field: `${field}/currency_code`, value: currency, location: 'body' });
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(amount);
  if (amount.length > moneyValueLengthMax || !match) throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: `${field}/value`, value: amount, location: 'body' });
  const fraction = match[3] ?? '';
  if (fraction.length > decimals) throw PayPalError.issue(422, 'DECIMAL_PRECISION', { field: `${field}/value`, value: amount, location: 'body' });
  const minor = Number(match[2] + fraction.padEnd(decimals, '0'));
  if (!Number.isSafeInteger(minor)) throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: `${field}/value`, value: amount, location: 'body' });
  if (match[1] === '-' || minor === 0) throw PayPalError.issue(422, 'CANNOT_BE_ZERO_OR_NEGATIVE', { field: `${field}/value`, value: amount, location: 'body' });
  return { money: { currency_code: currency, value: formatMinor(minor, decimals) }, minor };
}

/** Renders minor units as PayPal's decimal string (always with the currency's decimals: "10.00", "1000"). */
export function formatMinor(minor: number, decimals: number): string {
  if (decimals === 0) return String(minor);
  const digits = String(minor).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
