import { ApiError } from '../platform/errors.ts';
import { isCurrency } from '../platform/money.ts';

/**
 * Bank account number facts that need no bank: the IBAN check digits (ISO 13616 mod 97) and length per country, and
 * the ABA routing number checksum of US accounts. Errors name the parameter in Stripe's bracket notation.
 */

/** IBAN length per country (ISO 13616 registry): a wrong length is refused before the check digits are tried. */
export const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18,
  NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
};

/** The local currency of each country we take bank accounts in (euro-area countries use eur). */
const localCurrencies: Readonly<Record<string, string>> = {
  US: 'usd', GB: 'gbp', GI: 'gbp', CH: 'chf', LI: 'chf', SE: 'sek', DK: 'dkk', NO: 'nok', PL: 'pln', CZ: 'czk',
  HU: 'huf', RO: 'ron', BG: 'bgn', IS: 'isk',
};

/** Longest account number we accept in any form (an IBAN has at most 34 characters). */
export const accountNumberLengthMax = 34;
/** US account numbers: 4 to 17 digits (the ACH field is 17 characters). */
export const usAccountNumberDigitsMin = 4;
export const usAccountNumberDigitsMax = 17;
export const routingNumberDigits = 9;

export const accountHolderTypes = ['individual', 'company'] as const;

/** What a bank account form names: the fields of Stripe's `external_account` hash. */
export interface BankAccountDetails {
  country: string;
  currency?: string;
  account_number: string;
  routing_number?: string;
}

/** A checked bank account: country upper case, currency lower case, numbers without spaces. */
export interface ValidBankAccount {
  country: string;
  currency: string;
  accountNumber: string;
  routingNumber: string | null;
  last4: string;
}

export function isIbanCountry(country: string): boolean {
  return Object.hasOwn(ibanLengths, country);
}

export function supportedCountry(country: string): boolean {
  return country === 'US' || isIbanCountry(country);
}

/** The currency a country's bank accounts use when the request names none. */
export function defaultCurrencyFor(country: string): string {
  return localCurrencies[country] ?? 'eur';
}

/** Currencies a bank account in `country` may hold: its local currency, and euros in every IBAN country. */
export function currenciesFor(country: string): string[] {
  if (country === 'US') return ['usd'];
  const local = defaultCurrencyFor(country);
  return local === 'eur' ? ['eur'] : [local, 'eur'];
}

/** ISO 13616 check: move the first four characters to the end, letters to 10..35, the number mod 97 must be 1. */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = /[0-9]/.test(character) ? character : String(character.charCodeAt(0) - 55);
    // Digit by digit keeps the running value far below 2^53.
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** ABA routing number checksum: weights 3, 7, 1 repeated; the weighted sum is a multiple of 10. */
export function routingChecksumValid(routingNumber: string): boolean {
  if (!/^\d{9}$/.test(routingNumber)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  const sum = [...routingNumber].reduce((total, digit, index) => total + Number(digit) * weights[index], 0);
  return sum % 10 === 0;
}

function accountNumberInvalid(message: string, param: string): ApiError {
  return new ApiError('account_number_invalid', message, { param: `${param}[account_number]` });
}

/** Removes the spaces people type in IBANs and account numbers ("DE89 3704 ..."). */
function compact(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/**
 * Checks a bank account's country, currency and numbers; `param` is the enclosing parameter (`external_account`).
 * Never echoes the account number in a message: it is card-data-like and must not reach logs.
 */
export function validateBankAccount(details: BankAccountDetails, param = 'external_account'): ValidBankAccount {
  const country = details.country.toUpperCase();
  if (!supportedCountry(country)) {
    throw new ApiError('country_unsupported', `Bank accounts in ${details.country} are not supported. Supported countries: US and the IBAN countries (${Object.keys(ibanLengths).join(', ')}).`, { param: `${param}[country]` });
  }
  const currency = (details.currency ?? defaultCurrencyFor(country)).toLowerCase();
  const allowed = currenciesFor(country);
  if (!isCurrency(currency) || !allowed.includes(currency)) {
    throw new ApiError('invalid_currency', `Invalid currency: ${details.currency}. A bank account in ${country} can hold ${allowed.join(' or ')}.`, { param: `${param}[currency]` });
  }
  const number = compact(details.account_number);
  if (country === 'US') {
    if (!/^\d+$/.test(number) || number.length < usAccountNumberDigitsMin || number.length > usAccountNumberDigitsMax) {
      throw accountNumberInvalid(`The account number must be ${usAccountNumberDigitsMin} to ${usAccountNumberDigitsMax} digits for a US bank account.`, param);
    }
    if (details.routing_number === undefined) {
      throw new ApiError('parameter_missing', `Missing required param: ${param}[routing_number].`, { param: `${param}[routing_number]` });
    }
    const routing = compact(details.routing_number);
    if (!/^\d+$/.test(routing) || routing.length !== routingNumberDigits) {
      throw new ApiError('routing_number_invalid', `Routing number must have ${routingNumberDigits} digits.`, { param: `${param}[routing_number]` });
    }
    if (!routingChecksumValid(routing)) {
      throw new ApiError('routing_number_invalid', 'Invalid routing number: the checksum does not match.', { param: `${param}[routing_number]` });
    }
    return { country, currency, accountNumber: number, routingNumber: routing, last4: number.slice(-4) };
  }
  const iban = number.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) throw accountNumberInvalid('The account number must be an IBAN for a bank account in this country.', param);
  if (iban.slice(0, 2) !== country) {
    throw accountNumberInvalid(`The IBAN's country code (${iban.slice(0, 2)}) does not match the bank account's country (${country}).`, param);
  }
  const length = ibanLengths[country];
  if (iban.length !== length) throw accountNumberInvalid(`An IBAN in ${country} has ${length} characters (got ${iban.length}).`, param);
  if (!ibanChecksumValid(iban)) throw accountNumberInvalid('The IBAN is invalid: its check digits do not match.', param);
  return { country, currency, accountNumber: iban, routingNumber: null, last4: iban.slice(-4) };
}
