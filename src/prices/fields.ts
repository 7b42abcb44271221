import { ApiError } from '../platform/errors.ts';
import { formatAmount, maximumAmount, parseCurrency } from '../platform/money.ts';
import type { CurrencyOption, PriceFields, TaxBehavior } from './repository.ts';

/**
 * Pure checks and conversions of a price's amounts: Payrail keeps money as whole minor units, so a price's
 * `unit_amount_decimal` is taken only when it is a whole number (Stripe allows 12 decimal places of a cent, which
 * only invoices of metered usage can charge). Every amount is 0 (free) up to Payrail's maximum amount.
 */

/** Stripe's limit on how many currencies one price may name in `currency_options`. */
export const currencyOptionsMax = 135;

/** `unit_amount_decimal` as Stripe writes it: digits, optionally a fraction of at most 12 decimal places. */
const decimalPattern = /^[0-9]{1,20}(\.[0-9]{1,12})?$/;

export interface AmountInput {
  unit_amount?: number;
  unit_amount_decimal?: string;
}

export interface CurrencyOptionInput extends AmountInput {
  tax_behavior?: TaxBehavior;
}

/** The name of a parameter inside a hash (`default_price_data[unit_amount]`), or at the top level. */
export type ParamName = (name: string) => string;
export const topLevel: ParamName = (name) => name;

/** The unit amount of `input` in minor units: exactly one of unit_amount and unit_amount_decimal, whole, within limits. */
export function unitAmountOf(input: AmountInput, currency: string, param: ParamName): number {
  if (input.unit_amount !== undefined && input.unit_amount_decimal !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: unit_amount, unit_amount_decimal.', { param: param('unit_amount_decimal') });
  }
  let amount: number;
  let amountParam: string;
  if (input.unit_amount !== undefined) {
    amount = input.unit_amount;
    amountParam = param('unit_amount');
  } else if (input.unit_amount_decimal !== undefined) {
    amountParam = param('unit_amount_decimal');
    const text = input.unit_amount_decimal;
    if (!decimalPattern.test(text)) throw new ApiError('invalid_value', `Invalid decimal: ${text.slice(0, 40)}`, { param: amountParam });
    const [whole, fraction = ''] = text.split('.');
    if (/[1-9]/.test(fraction)) {
      throw new ApiError('invalid_value', `Invalid ${amountParam}: Payrail prices are whole ${currency.toUpperCase()} minor units; ${text} has a fraction of one.`, { param: amountParam });
    }
    amount = Number(whole);
  } else {
    throw new ApiError('parameter_missing', `Missing required param: ${param('unit_amount')}.`, { param: param('unit_amount') });
  }
  if (amount < 0) throw new ApiError('invalid_value', `Invalid ${amountParam}: must be at least 0`, { param: amountParam });
  if (amount > maximumAmount) {
    throw new ApiError('amount_too_large', `Amount must be no more than ${formatAmount(maximumAmount, currency)}`, { param: amountParam });
  }
  return amount;
}

/**
 * Applies `currency_options` (from a create, where `current` is empty, or an update) to the price's other currencies:
 * a currency given a hash sets it, '' (null) removes it, and '' for the whole parameter (null) removes them all.
 * The price's own currency may be named only with its own amount (as a client echoing back what it read does).
 */
export function mergeCurrencyOptions(
  current: Record<string, CurrencyOption>,
  update: Record<string, CurrencyOptionInput | null> | null | undefined,
  price: { currency: string; unit_amount: number; tax_behavior: TaxBehavior },
  param: ParamName,
): Record<string, CurrencyOption> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next: Record<string, CurrencyOption> = { ...current };
  for (const [key, option] of Object.entries(update)) {
    const optionParam = `${param('currency_options')}[${key}]`;
    const currency = parseCurrency(key, optionParam);
    const within: ParamName = (name) => `${optionParam}[${name}]`;
    if (currency === price.currency) {
      if (option === null || unitAmountOf(option, currency, within) !== price.unit_amount) {
        throw new ApiError('invalid_value', `Invalid ${optionParam}: ${currency} is the price's own currency, whose amount is unit_amount (${price.unit_amount}).`, { param: optionParam });
      }
      continue;
    }
    if (option === null) {
      delete next[currency];
      continue;
    }
    next[currency] = { unit_amount: unitAmountOf(option, currency, within), tax_behavior: option.tax_behavior ?? next[currency]?.tax_behavior ?? price.tax_behavior };
  }
  if (Object.keys(next).length > currencyOptionsMax) {
    throw new ApiError('invalid_value', `Invalid ${param('currency_options')}: a price has at most ${currencyOptionsMax} currency options.`, { param: param('currency_options') });
  }
  return next;
}

/**
 * A price's tax behavior may be set once: after `inclusive` or `exclusive` it cannot change (as at Stripe, since the
 * amounts customers paid were computed with it).
 */
export function nextTaxBehavior(current: TaxBehavior, requested: TaxBehavior | undefined, param: ParamName): TaxBehavior {
  if (requested === undefined || requested === current) return current;
  if (current !== 'unspecified') {
    throw new ApiError('invalid_value', `The tax_behavior of a price cannot be changed once it is ${current}.`, { param: param('tax_behavior') });
  }
  return requested;
}

/** The amounts and currency of a price: `POST /v1/prices` and a product's `default_price_data`. */
export interface PriceDataInput {
  currency: string;
  unit_amount?: number;
  unit_amount_decimal?: string;
  currency_options?: Record<string, CurrencyOptionInput | null> | null;
  tax_behavior?: TaxBehavior;
}

/** The fields of a new price of `productId` from its amounts (checked here, before any transaction). */
export function newPriceFields(productId: string, input: PriceDataInput, param: ParamName): PriceFields {
  const currency = parseCurrency(input.currency, param('currency'));
  const unitAmount = unitAmountOf(input, currency, param);
  const taxBehavior = input.tax_behavior ?? 'unspecified';
  return {
    product_id: productId,
    active: true,
    currency,
    unit_amount: unitAmount,
    currency_options: mergeCurrencyOptions({}, input.currency_options, { currency, unit_amount: unitAmount, tax_behavior: taxBehavior }, param),
    tax_behavior: taxBehavior,
    lookup_key: null,
    nickname: null,
    metadata: {},
  };
}

