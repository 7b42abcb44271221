import { MollieError } from './errors.ts';
import type { Amount } from './store.ts';

/**
 * Mollie's amounts: `{currency, value}` with `value` a string carrying exactly the currency's decimals ("10.00" in
 * EUR, "1000" in JPY). The sandbox keeps minor units (integers) and converts only here.
 */

/** The currencies Mollie accepts (docs.mollie.com "Multicurrency"); ISK and JPY have no decimals, the rest two. */
const currencyDecimals: Record<string, number> = Object.fromEntries([
  ...['AED', 'AUD', 'BGN', 'BRL', 'CAD', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'HUF', 'ILS', 'MXN', 'MYR', 'NOK', 'NZD', 'PHP', 'PLN', 'RON', 'SEK', 'SGD', 'THB', 'TWD', 'USD', 'ZAR'].map((code) => [code, 2]),
  ['ISK', 0],
  ['JPY', 0],
]);

/** The largest amount the sandbox takes in one payment, in minor units (Mollie's limits depend on the method). */
export const amountMinorMax = 100_000_000_00;

export function formatMinor(currency: string, minor: number): string {
  const decimals = currencyDecimals[currency] ?? 2;
  if (decimals === 0) return String(minor);
  const digits = String(minor).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** Parses `{currency, value}` at request field `field`; a 422 naming the exact sub-field when it is wrong. */
export function parseAmount(input: unknown, field: string): { amount: Amount; minor: number } {
  if (input === undefined || input === null) throw MollieError.field(field, `The '${field}' field is missing`);
  if (typeof input !== 'object' || Array.isArray(input)) throw MollieError.field(field, `The '${field}' field must be an object with currency and value`);
  const { currency, value } = input as Record<string, unknown>;
  if (typeof currency !== 'string' || !(currency in currencyDecimals)) throw MollieError.field(`${field}.currency`, 'The amount contains an invalid currency');
  const decimals = currencyDecimals[currency];
  const pattern = decimals === 0 ? /^\d{1,12}$/ : new RegExp(`^\\d{1,12}\\.\\d{${decimals}}$`);
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw MollieError.field(`${field}.value`, `The amount value must be a string with ${decimals} decimals for ${currency}, e.g. "${formatMinor(currency, 1000 * 10 ** decimals)}"`);
  }
  const minor = Number(value.replace('.', ''));
  // Mollie's own example of this error names the whole amount as the field.
  if (minor <= 0) throw MollieError.field(field, 'The amount is lower than the minimum');
  if (minor > amountMinorMax) throw MollieError.field(field, 'The amount is higher than the maximum');
  return { amount: { currency, value }, minor };
}
