import { exponentOf } from '../../platform/money.ts';

// Payrail minor units <-> PayPal's `money` (decimal strings, PayPal's own decimals per currency). Split from
// transformers.ts (orders, captures, refunds) because webhooks read amounts too, and exactness here is its own
// property-tested concern. Amounts become PayPal's decimal strings here and nowhere else.

/**
 * PayPal's supported currencies (developer.paypal.com/api/rest/reference/currency-codes), lower-case. PayPal refuses
 * any other with INVALID_CURRENCY_CODE, so the connector refuses them before sending anything.
 */
export const paypalCurrencies: ReadonlySet<string> = new Set([
  'aud', 'brl', 'cad', 'cny', 'czk', 'dkk', 'eur', 'hkd', 'huf', 'ils', 'jpy', 'myr', 'mxn', 'twd', 'nzd', 'nok',
  'php', 'pln', 'gbp', 'sgd', 'sek', 'chf', 'thb', 'usd',
]);

/**
 * Where PayPal's decimals differ from Payrail's exponent (ISO 4217): PayPal's currency table says HUF and TWD "do not
 * support decimals" (ISO gives both 2). JPY has none in both. Every other PayPal currency has two in both.
 */
const paypalExponentExceptions: Readonly<Record<string, number>> = { huf: 0, twd: 0 };

/** The number of decimals PayPal accepts for `currency` (lower-case ISO code). */
export function paypalExponentOf(currency: string): number {
  return paypalExponentExceptions[currency] ?? exponentOf(currency);
}

/** An amount or currency PayPal cannot take: nothing was sent, and routing should not have chosen PayPal. */
export class PayPalAmountError extends Error {
  constructor(
    readonly amount: number,
    readonly currency: string,
    reason: string,
  ) {
    super(`${amount} ${currency} (minor units): ${reason}`);
  }
}

/** PayPal's `money`. */
export interface PayPalMoney {
  currency_code: string;
  value: string;
}

/**
 * Payrail minor units -> PayPal's `{currency_code, value}`, exactly: the integer is rescaled from Payrail's exponent to
 * PayPal's (1000 HUF fillér -> "10"; 1050 fillér cannot be sent) and then written with the decimal point placed by
 * string operations, never through floating point.
 */
export function toPayPalMoney(amount: number, currency: string): PayPalMoney {
  if (!paypalCurrencies.has(currency)) throw new PayPalAmountError(amount, currency, 'PayPal does not support this currency');
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new PayPalAmountError(amount, currency, 'not a positive integer');
  const from = exponentOf(currency);
  const to = paypalExponentOf(currency);
  let scaled = amount;
  if (to < from) {
    const divisor = 10 ** (from - to);
    if (amount % divisor !== 0) throw new PayPalAmountError(amount, currency, `PayPal takes ${currency.toUpperCase()} with ${to} decimals`);
    scaled = amount / divisor;
  } else if (to > from) {
    scaled = amount * 10 ** (to - from);
  }
  return { currency_code: currency.toUpperCase(), value: formatDecimal(scaled, to) };
}

function formatDecimal(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const digits = String(units).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** PayPal's `money` -> Payrail minor units and lower-case currency; throws on anything not exactly representable. */
export function fromPayPalMoney(money: PayPalMoney): { amount: number; currency: string } {
  const currency = money.currency_code.toLowerCase();
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(money.value);
  if (!match || !paypalCurrencies.has(currency)) throw new PayPalAmountError(NaN, currency, `cannot read ${money.value} ${money.currency_code}`);
  const exponent = exponentOf(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) throw new PayPalAmountError(NaN, currency, `${money.value} is finer than Payrail's unit`);
  const amount = Number(match[1] + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(amount)) throw new PayPalAmountError(NaN, currency, `${money.value} is too large`);
  return { amount, currency };
}
