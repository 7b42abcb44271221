import { ApiError } from '../platform/errors.ts';

/**
 * IBANs of the SEPA area (ISO 13616): the country's length, the mod-97 check, and the bank and branch codes Stripe shows
 * on a sepa_debit PaymentMethod. An IBAN is a secret like a card number: it is never put in an error message, a log
 * or an event; only these facts leave this module.
 */

/** The IBAN length of each SEPA country (the SWIFT IBAN registry). */
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22,
  IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

/** The SEPA countries, whose IBANs a sepa_debit PaymentMethod takes. */
export const sepaCountries: readonly string[] = Object.keys(ibanLengths).sort();

/**
 * Where the bank and branch codes sit in the BBAN (after the 4 characters of country and check digits), for the
 * countries whose registry entry has them; elsewhere the first 4 BBAN characters are the bank code, as a best guess.
 */
const bbanCodes: Readonly<Record<string, { bank: [number, number]; branch?: [number, number] }>> = {
  AT: { bank: [0, 5] }, BE: { bank: [0, 3] }, DE: { bank: [0, 8] }, ES: { bank: [0, 4], branch: [4, 8] }, FR: { bank: [0, 5], branch: [5, 10] },
  IT: { bank: [1, 6], branch: [6, 11] }, NL: { bank: [0, 4] }, IE: { bank: [0, 4], branch: [4, 10] }, GB: { bank: [0, 4], branch: [4, 10] },
  PT: { bank: [0, 4], branch: [4, 8] }, LU: { bank: [0, 3] }, FI: { bank: [0, 3] },
};

export interface IbanFacts {
  country: string;
  bank_code: string;
  branch_code: string;
  last4: string;
}

/** The IBAN as written by the customer (spaces allowed, any case), normalized; a 400 naming `param` otherwise. */
export function validIban(value: unknown, param: string): string {
  const iban = typeof value === 'string' ? value.replace(/\s+/g, '').toUpperCase() : '';
  const country = iban.slice(0, 2);
  const length = ibanLengths[country];
  const wellFormed = /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban) && length !== undefined && iban.length === length;
  // The message never repeats the IBAN: it is a secret like a card number.
  if (!wellFormed) throw new ApiError('invalid_value', `The ${param} you provided is not a valid IBAN of a SEPA country.`, { param });
  if (!passesMod97(iban)) throw new ApiError('invalid_value', `The ${param} you provided is invalid: its check digits do not match.`, { param });
  return iban;
}

/** ISO 13616's check: the IBAN, its first four characters moved to the end and letters as 10..35, is 1 modulo 97. */
export function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : character;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** What a sepa_debit PaymentMethod shows of a (valid) IBAN. */
export function ibanFacts(iban: string): IbanFacts {
  const country = iban.slice(0, 2);
  const bban = iban.slice(4);
  const codes = bbanCodes[country] ?? { bank: [0, 4] };
  return {
    country,
    bank_code: bban.slice(codes.bank[0], codes.bank[1]),
    branch_code: codes.branch ? bban.slice(codes.branch[0], codes.branch[1]) : '',
    last4: iban.slice(-4),
  };
}
