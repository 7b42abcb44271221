import { ApiError } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { ibanFacts, validIban } from './iban.ts';
import { idealBankBics, methodTypeOf, type LocalMethodTypeName, type MethodType } from './method-types.ts';
import type { BillingDetails, LocalPaymentMethodRow } from './repository.ts';

/**
 * The local payment method framework's type-specific rules, all driven by the table in method-types.ts: what a
 * PaymentMethod of a local type must carry, its `pm[type]` hash, and the checks a payment with it must pass. Nothing
 * here is written per type except the few facts Stripe shows that are not input (the iDEAL BIC of a bank).
 */

/** The table's entry of a local type (the type was validated by the API's enumeration before it got here). */
export function localMethod(type: LocalMethodTypeName): MethodType {
  const method = methodTypeOf(type);
  if (!method?.local) throw new Error(`invariant violated: ${type} is not a local payment method type`);
  return method;
}

/** A `billing_details` field's API path under a parameter prefix (`payment_method_data[billing_details][email]`). */
function billingParam(prefix: string, path: string): string {
  const parts = ['billing_details', ...path.split('.')];
  return prefix === '' ? parts[0] + parts.slice(1).map((part) => `[${part}]`).join('') : prefix + parts.map((part) => `[${part}]`).join('');
}

/** A type's hash field's API path (`ideal[bank]`, `payment_method_data[ideal][bank]`). */
function hashParam(prefix: string, type: string, field: string): string {
  return prefix === '' ? `${type}[${field}]` : `${prefix}[${type}][${field}]`;
}

/**
 * Validates the type's hash given at creation (`ideal: { bank }`, `klarna: { dob }`) against the table and returns
 * what the PaymentMethod stores: Stripe's `pm[type]` hash, with facts derived from the input (the iDEAL bank's BIC).
 * Fields another type would take are refused by the API's schema before this runs.
 */
export function localMethodHash(type: LocalMethodTypeName, input: Record<string, unknown> | undefined, prefix: string): Record<string, unknown> {
  const method = localMethod(type);
  const hash: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(method.hashFields)) {
    const value = input?.[field];
    if (value === undefined || value === null) {
      if (rule.required) throw new ApiError('parameter_missing', `Missing required param: ${hashParam(prefix, type, field)}.`, { param: hashParam(prefix, type, field) });
      hash[field] = null;
      continue;
    }
    switch (rule.kind) {
      case 'enum':
        if (typeof value !== 'string' || !rule.values.includes(value)) {
          throw new ApiError('invalid_value', `Invalid ${hashParam(prefix, type, field)}: must be one of ${rule.values.join(', ')}.`, { param: hashParam(prefix, type, field) });
        }
        hash[field] = value;
        break;
      case 'date_of_birth':
        hash[field] = dateOfBirth(value, hashParam(prefix, type, field));
        break;
      case 'br_tax_id':
        hash[field] = brazilianTaxId(value, hashParam(prefix, type, field));
        break;
      case 'vpa':
        if (typeof value !== 'string' || !vpaPattern.test(value)) {
          throw new ApiError('invalid_value', `Invalid ${hashParam(prefix, type, field)}: a UPI virtual payment address looks like name@bank.`, { param: hashParam(prefix, type, field) });
        }
        hash[field] = value.toLowerCase();
        break;
      case 'iban':
        // The IBAN itself never goes into the hash (stored readable in `wallet`): only its facts do. The caller
        // encrypts it (sepaIbanOf) into its own column.
        delete hash[field];
        Object.assign(hash, ibanFacts(validIban(value, hashParam(prefix, type, field))));
        break;
    }
  }
  if (type === 'ideal') hash.bic = typeof hash.bank === 'string' ? idealBankBics[hash.bank as keyof typeof idealBankBics] : null;
  return hash;
}

const dateOfBirthYearMin = 1900;

/** A UPI virtual payment address: the payer's handle, `@`, the PSP's handle (NPCI's format). */
const vpaPattern = /^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$/;

/** A check digit of a CPF or CNPJ: the weighted sum of the digits before it, modulo 11 (below 2: 0). */
function taxIdCheckDigit(digits: string, weights: readonly number[]): number {
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const remainder = sum % 11;
  return remainder < 2 ? 0 : 11 - remainder;
}

const cpfWeights = [[10, 9, 8, 7, 6, 5, 4, 3, 2], [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]] as const;
const cnpjWeights = [[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]] as const;

/**
 * A boleto payer's CPF (11 digits, a person) or CNPJ (14 digits, a company), given with or without its usual
 * punctuation (`000.000.000-00`, `00.000.000/0000-00`); both check digits must match. Stored as digits.
 */
export function brazilianTaxId(value: unknown, param: string): string {
  const digits = typeof value === 'string' && /^[0-9./\- ]+$/.test(value) ? value.replace(/[^0-9]/g, '') : '';
  const weights = digits.length === 11 ? cpfWeights : digits.length === 14 ? cnpjWeights : undefined;
  const valid = weights !== undefined && weights.every((set) => taxIdCheckDigit(digits, set) === Number(digits[set.length]));
  if (!valid) throw new ApiError('invalid_value', `Invalid ${param}: must be a CPF (11 digits) or CNPJ (14 digits) with valid check digits.`, { param });
  return digits;
}

function dateOfBirth(value: unknown, param: string): { day: number; month: number; year: number } {
  const given = value as { day?: unknown; month?: unknown; year?: unknown };
  for (const part of ['day', 'month', 'year'] as const) {
    if (given[part] === undefined) throw new ApiError('parameter_missing', `Missing required param: ${param}[${part}].`, { param: `${param}[${part}]` });
  }
  const { day, month, year } = given as { day: number; month: number; year: number };
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid = Number.isInteger(day) && Number.isInteger(month) && Number.isInteger(year) && year >= dateOfBirthYearMin
    && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getTime() < Date.now();
  if (!valid) throw new ApiError('invalid_value', `Invalid ${param}: not a date of birth.`, { param });
  return { day, month, year };
}

/** Refuses a PaymentMethod without the billing details its type requires (P24's e-mail, Klarna's e-mail and country). */
export function checkRequiredBillingDetails(type: LocalMethodTypeName, billing: BillingDetails, prefix: string): void {
  for (const path of localMethod(type).requiredBillingDetails) {
    const value = path.startsWith('address.') ? (billing.address as Record<string, unknown> | null | undefined)?.[path.slice('address.'.length)] : billing[path as 'email' | 'name' | 'phone'];
    if (value === null || value === undefined || value === '') {
      const param = billingParam(prefix, path);
      throw new ApiError('parameter_missing', `Missing required param: ${param}. PaymentMethods of type ${type} require it.`, { param });
    }
  }
}

/** A new PaymentMethod row of a local type: no card data; the type's hash in `wallet`. */
export function localPaymentMethodRow(type: LocalMethodTypeName, hash: Record<string, unknown>, billing: BillingDetails, metadata: MetadataUpdate | undefined): Omit<LocalPaymentMethodRow, 'account_id' | 'livemode'> {
  return { id: newId('pm'), type, customer_id: null, billing_details: billing, card: null, card_number_encrypted: null, wallet: hash, metadata: mergeMetadata({}, metadata), created: nowSeconds() };
}

/**
 * The normalized IBAN of a sepa_debit PaymentMethod's input (validated again by localMethodHash), for the caller to
 * encrypt; null for every other type.
 */
export function sepaIbanOf(type: LocalMethodTypeName, input: Record<string, unknown> | undefined, prefix: string): string | null {
  return type === 'sepa_debit' ? validIban(input?.iban, hashParam(prefix, type, 'iban')) : null;
}

/** Stripe's `pm[type]` hash of a local PaymentMethod, in the field order of the table. */
export function renderLocalMethodHash(row: LocalPaymentMethodRow): Record<string, unknown> {
  if (row.type === 'sepa_debit') {
    const wallet = row.wallet;
    return { bank_code: wallet.bank_code ?? null, branch_code: wallet.branch_code ?? null, country: wallet.country ?? null, fingerprint: wallet.fingerprint ?? null, generated_from: { charge: null, setup_attempt: null }, last4: wallet.last4 ?? null };
  }
  const hash: Record<string, unknown> = {};
  for (const field of Object.keys(localMethod(row.type).hashFields)) hash[field] = row.wallet[field] ?? null;
  if (row.type === 'ideal') hash.bic = row.wallet.bic ?? null;
  return hash;
}

/**
 * Whether a payment of `currency` may use the type at all: the method's currencies, as Stripe checks them when the
 * intent is created or updated with `payment_method_types` (the message names the method and what it takes).
 */
export function checkMethodCurrency(type: string, currency: string, param: string): void {
  const method = methodTypeOf(type);
  if (!method || method.currencies.length === 0 || method.currencies.includes(currency)) return;
  throw new ApiError(
    'payment_intent_invalid_parameter',
    `The currency provided (${currency}) is invalid for one or more payment method types on this PaymentIntent. The payment method type ${type} only supports the following currencies: ${method.currencies.join(', ')}.`,
    { param },
  );
}

/**
 * The checks of a payment with a local PaymentMethod, at confirmation: the currency, the customer's country where the
 * method names its countries and the PaymentMethod tells one, a currency that must match the country (Klarna), and the
 * method's own amount limits.
 */
export function checkLocalPayment(row: LocalPaymentMethodRow, payment: { currency: string; amount: number }): void {
  const method = localMethod(row.type);
  checkMethodCurrency(row.type, payment.currency, 'payment_method');
  const country = row.billing_details.address?.country?.toUpperCase() ?? null;
  if (country !== null && method.countries.length > 0 && !method.countries.includes(country)) {
    throw new ApiError('payment_method_invalid_parameter', `PaymentMethods of type ${row.type} are not available to customers in ${country}. Supported countries: ${method.countries.join(', ')}.`, { param: 'billing_details[address][country]' });
  }
  const expected = country !== null ? method.countryCurrencies?.[country] : undefined;
  if (expected !== undefined && expected !== payment.currency) {
    throw new ApiError('payment_method_invalid_parameter', `A ${row.type} payment from a customer in ${country} must be in ${expected}, not ${payment.currency}.`, { param: 'billing_details[address][country]' });
  }
  const min = method.amountMin?.[payment.currency];
  const max = method.amountMax?.[payment.currency];
  if (min !== undefined && payment.amount < min) throw new ApiError('amount_too_small', `Amount must be at least ${min} ${payment.currency} (minor units) for ${row.type}.`, { param: 'amount' });
  if (max !== undefined && payment.amount > max) throw new ApiError('amount_too_large', `Amount must be at most ${max} ${payment.currency} (minor units) for ${row.type}.`, { param: 'amount' });
}

/**
 * Stripe's `payment_method_details.<type>` of a charge: before the provider answers, what the PaymentMethod knows;
 * once authorized, merged with what the provider reported (`reported`: the payer's bank, BIC, IBAN's last four and
 * verified name). Every field Stripe shows for the type is present, null where unknown.
 */
export function localChargeDetails(row: LocalPaymentMethodRow, reported: Record<string, unknown> | undefined, previous?: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, Record<string, unknown>> = {
    ideal: { bank: row.wallet.bank ?? null, bic: row.wallet.bic ?? null, generated_sepa_debit: null, generated_sepa_debit_mandate: null, iban_last4: null, verified_name: null },
    bancontact: { bank_code: null, bank_name: null, bic: null, generated_sepa_debit: null, generated_sepa_debit_mandate: null, iban_last4: null, preferred_language: null, verified_name: null },
    eps: { bank: row.wallet.bank ?? null, verified_name: null },
    p24: { bank: row.wallet.bank ?? null, reference: null, verified_name: null },
    blik: {},
    klarna: { payment_method_category: null, preferred_locale: null },
    boleto: { tax_id: row.wallet.tax_id ?? null },
    pix: { bank_transaction_id: null },
    // Payrail's extension (Stripe has no UPI): the payer's VPA.
    upi: { vpa: row.wallet.vpa ?? null },
    // The mandate is the confirmation's (payments/confirm.ts), kept when the provider's report comes.
    sepa_debit: {
      bank_code: row.wallet.bank_code ?? null, branch_code: row.wallet.branch_code ?? null, country: row.wallet.country ?? null, fingerprint: row.wallet.fingerprint ?? null,
      last4: row.wallet.last4 ?? null, mandate: previous?.mandate ?? null,
    },
  };
  const details = base[row.type] ?? {};
  if (!reported) return details;
  // Only the fields Stripe shows for the type are taken from a provider's report.
  for (const [key, value] of Object.entries(reported)) if (key in details) details[key] = value;
  return details;
}
