import { ApiError } from '../../platform/errors.ts';
import { maximumAmount } from '../../platform/money.ts';
import { currencyOptionsMax, type CurrencyOptionInput } from '../../prices/fields.ts';
import { taxBehaviors } from '../../prices/repository.ts';
import { enumeration, integer, object, required, string, type Schema } from '../schema.ts';

/** Parameters shared by `POST /v1/prices` and a product's `default_price_data`. */

export const taxBehavior = enumeration(taxBehaviors, { description: 'inclusive, exclusive or unspecified; once inclusive or exclusive it cannot change.' });

export const unitAmount = integer({ minimum: 0, description: `A positive integer in the currency's minor unit (or 0 for a free price), at most ${maximumAmount}.` });
export const unitAmountDecimal = string({ maxLength: 40, description: 'The same as a decimal string; Payrail takes whole minor units only (e.g. "1000" or "1000.00").' });

const currencyOption = object({ unit_amount: unitAmount, unit_amount_decimal: unitAmountDecimal, tax_behavior: taxBehavior });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Stripe's `currency_options`: a hash keyed by currency code (checked by the service, which names the key in its
 * errors), each value `{unit_amount | unit_amount_decimal, tax_behavior}`; '' removes one currency, or all of them.
 */
export function currencyOptions(): Schema<Record<string, CurrencyOptionInput | null> | null | undefined> {
  return {
    description: 'The price in other currencies, keyed by lower-case currency code: unit_amount (or unit_amount_decimal) and tax_behavior each. On update, \'\' removes a currency, or all of them.',
    parse(value, param) {
      if (value === undefined) return undefined;
      if (value === '' || value === null) return null;
      if (!isPlainObject(value)) throw new ApiError('invalid_value', `Invalid ${param}: expected a hash keyed by currency code`, { param });
      const entries = Object.entries(value);
      if (entries.length > currencyOptionsMax) throw new ApiError('invalid_value', `Invalid ${param}: at most ${currencyOptionsMax} currencies`, { param });
      const result: Record<string, CurrencyOptionInput | null> = Object.create(null) as Record<string, CurrencyOptionInput | null>;
      for (const [key, option] of entries) {
        const name = `${param}[${key}]`;
        if (!/^[A-Za-z]{3}$/.test(key)) throw new ApiError('invalid_currency', `Invalid currency: ${key.slice(0, 20)}. Payrail supports ISO 4217 currency codes in lower case.`, { param: name });
        result[key.toLowerCase()] = option === '' || option === null ? null : currencyOption.parse(option, name) ?? null;
      }
      return result;
    },
    toJsonSchema: () => ({
      anyOf: [{ type: 'object', additionalProperties: currencyOption.toJsonSchema(), maxProperties: currencyOptionsMax }, { type: 'string', enum: [''] }],
    }),
  };
}

/** The amounts of a new price: `currency` and exactly one of `unit_amount` and `unit_amount_decimal`. */
export const priceDataFields = {
  currency: required(string({ maxLength: 3, minLength: 3, description: 'Three-letter ISO currency code, in lower case.' })),
  unit_amount: unitAmount,
  unit_amount_decimal: unitAmountDecimal,
  currency_options: currencyOptions(),
  tax_behavior: taxBehavior,
};

/** Stripe's `lookup_key`: up to 200 characters, unique among the account's prices in the mode. */
export const lookupKey = string({ maxLength: 200, description: 'A key to find the price by (GET /v1/prices?lookup_keys[]=...), unique in the account and mode.' });
