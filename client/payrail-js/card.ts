/**
 * What the card fields know about a card without asking anyone: its brand from the leading digits, how its number is
 * grouped, the Luhn check, the lengths each brand issues, the expiry date and the security code's length. Pure
 * functions over strings (no DOM), so the frame uses them as the shopper types and a unit test runs them in Node.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';

/** Stripe's codes for what is wrong with the fields (the `code` of a change event's `error`). */
export type CardErrorCode =
  | 'incomplete_number'
  | 'invalid_number'
  | 'incomplete_expiry'
  | 'invalid_expiry_month'
  | 'invalid_expiry_month_past'
  | 'invalid_expiry_year'
  | 'invalid_expiry_year_past'
  | 'incomplete_cvc'
  | 'incomplete_zip';

export const cardNumberDigitsMax = 19;
/** Expiry years further ahead than this are refused, as Stripe's fields do (no card is issued for 50 years). */
export const expiryYearsAheadMax = 50;
export const postalCodeLengthMax = 10;

/** Keeps the digits of what was typed or pasted (autofill and paste bring spaces and dashes). */
export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

function prefixIn(digits: string, length: number, low: number, high: number): boolean {
  if (digits.length < length) return false;
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

/**
 * The brand from the issuer identification number, most specific ranges first (Discover's 622126-622925 inside
 * UnionPay's 62). A prefix too short to decide is `unknown`, and the brand settles as digits arrive.
 */
export function brandOf(digits: string): CardBrand {
  if (digits.startsWith('4')) return 'visa';
  if (prefixIn(digits, 2, 51, 55) || prefixIn(digits, 4, 2221, 2720)) return 'mastercard';
  if (digits.startsWith('34') || digits.startsWith('37')) return 'amex';
  if (digits.startsWith('6011') || digits.startsWith('65') || prefixIn(digits, 3, 644, 649) || prefixIn(digits, 6, 622126, 622925)) return 'discover';
  if (prefixIn(digits, 4, 3528, 3589)) return 'jcb';
  if (prefixIn(digits, 3, 300, 305) || digits.startsWith('36') || digits.startsWith('38') || digits.startsWith('39') || digits.startsWith('3095')) return 'diners';
  if (digits.startsWith('62') || digits.startsWith('81')) return 'unionpay';
  return 'unknown';
}

/** The lengths each brand issues; the last is the longest the field accepts for it. */
export const brandLengths: Record<CardBrand, readonly number[]> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  discover: [16, 19],
  diners: [14, 16, 19],
  jcb: [16, 19],
  unionpay: [16, 17, 18, 19],
  unknown: [16, 19],
};

export function cvcLength(brand: CardBrand): number {
  return brand === 'amex' ? 4 : 3;
}

/** How the number is shown: groups of four, Amex 4-6-5, Diners' 14 digits 4-6-4. */
export function numberGroups(brand: CardBrand, length: number): number[] {
  if (brand === 'amex') return [4, 6, 5];
  if (brand === 'diners' && length <= 14) return [4, 6, 4];
  return [4, 4, 4, 4, 3];
}

/** The digits cut to the brand's longest length and grouped with spaces. */
export function formatNumber(text: string): string {
  const brand = brandOf(digitsOf(text));
  const lengths = brandLengths[brand];
  const digits = digitsOf(text).slice(0, lengths[lengths.length - 1]);
  const groups: string[] = [];
  let position = 0;
  for (const size of numberGroups(brand, digits.length)) {
    if (position >= digits.length) break;
    groups.push(digits.slice(position, position + size));
    position += size;
  }
  if (position < digits.length) groups.push(digits.slice(position));
  return groups.join(' ');
}

/** Where the caret goes after formatting: just after the same count of digits as before it. */
export function caretAfterDigits(formatted: string, digitsBefore: number): number {
  if (digitsBefore <= 0) return 0;
  let seen = 0;
  for (let index = 0; index < formatted.length; index += 1) {
    if (/\d/.test(formatted[index])) seen += 1;
    if (seen === digitsBefore) return index + 1;
  }
  return formatted.length;
}

export type NumberCheck =
  | { state: 'empty' }
  | { state: 'incomplete'; failsLuhn: boolean }
  | { state: 'invalid'; code: 'invalid_number' }
  | { state: 'complete' };

/**
 * The number is complete at a length its brand issues that passes Luhn, and invalid at the brand's longest length
 * without it. At a shorter length the brand issues that fails Luhn (a 16-digit Visa may become 19) it is incomplete
 * while the shopper types, but `failsLuhn`: once they leave the field it is called invalid, not incomplete.
 */
export function checkNumber(digits: string): NumberCheck {
  if (digits.length === 0) return { state: 'empty' };
  const lengths = brandLengths[brandOf(digits)];
  if (lengths.includes(digits.length) && passesLuhn(digits)) return { state: 'complete' };
  if (digits.length >= lengths[lengths.length - 1]) return { state: 'invalid', code: 'invalid_number' };
  return { state: 'incomplete', failsLuhn: lengths.includes(digits.length) };
}

/**
 * The length most cards of the number's brand have: where the field moves on to the expiry by itself. A shorter
 * length that happens to pass Luhn (a 13-digit prefix of a 16-digit Visa does one time in ten) must not move the
 * caret away while the shopper is still typing.
 */
export function usualLength(digits: string): number {
  const brand = brandOf(digits);
  if (brand === 'amex') return 15;
  if (brand === 'diners') return digits.startsWith('36') ? 14 : 16;
  return 16;
}

/** Whether the shopper is done with the number: complete, at its brand's usual length or beyond. */
export function numberFinished(digits: string): boolean {
  return checkNumber(digits).state === 'complete' && digits.length >= usualLength(digits);
}

/**
 * The expiry as the field shows it, `MM / YY`. A first digit above 1 is a month on its own (`4` is `04 / `); while
 * deleting, the separator is not put back (else backspace could never remove it). An autofilled `12/2034` keeps the
 * year's last two digits.
 */
export function formatExpiry(text: string, deleting = false): string {
  let digits: string;
  const parts = text.split('/');
  if (parts.length === 2 && digitsOf(parts[1]).length === 4) digits = digitsOf(parts[0]).padStart(2, '0').slice(-2) + digitsOf(parts[1]).slice(2);
  else digits = digitsOf(text);
  if (digits.length === 1 && digits > '1') digits = `0${digits}`;
  digits = digits.slice(0, 4);
  if (digits.length < 2) return digits;
  if (digits.length === 2) return deleting ? digits : `${digits} / `;
  return `${digits.slice(0, 2)} / ${digits.slice(2)}`;
}

export interface Expiry {
  month: number;
  /** Four digits. */
  year: number;
}

export type ExpiryCheck =
  | { state: 'empty' }
  | { state: 'incomplete' }
  | { state: 'invalid'; code: 'invalid_expiry_month' | 'invalid_expiry_month_past' | 'invalid_expiry_year' | 'invalid_expiry_year_past' }
  | { state: 'complete'; expiry: Expiry };

/** Checks `MM / YY` against today: a card is valid through the last day of its month. */
export function checkExpiry(text: string, now: Date): ExpiryCheck {
  const digits = digitsOf(text);
  if (digits.length === 0) return { state: 'empty' };
  const month = Number(digits.slice(0, 2));
  if (digits.length >= 2 && (month < 1 || month > 12)) return { state: 'invalid', code: 'invalid_expiry_month' };
  if (digits.length < 4) return { state: 'incomplete' };
  const currentYear = now.getFullYear();
  const year = Math.floor(currentYear / 100) * 100 + Number(digits.slice(2, 4));
  if (year < currentYear) return { state: 'invalid', code: 'invalid_expiry_year_past' };
  if (year === currentYear && month < now.getMonth() + 1) return { state: 'invalid', code: 'invalid_expiry_month_past' };
  if (year > currentYear + expiryYearsAheadMax) return { state: 'invalid', code: 'invalid_expiry_year' };
  return { state: 'complete', expiry: { month, year } };
}

export function formatCvc(text: string, brand: CardBrand): string {
  return digitsOf(text).slice(0, cvcLength(brand));
}

export type SimpleCheck = { state: 'empty' } | { state: 'incomplete' } | { state: 'complete' };

export function checkCvc(text: string, brand: CardBrand): SimpleCheck {
  const digits = digitsOf(text);
  if (digits.length === 0) return { state: 'empty' };
  // An unknown brand may be an Amex still being typed: three or four digits both do.
  if (digits.length === cvcLength(brand) || (brand === 'unknown' && digits.length >= 3)) return { state: 'complete' };
  return { state: 'incomplete' };
}

/** Postal codes vary by country: letters, digits, spaces and dashes, at least three characters. */
export function formatPostalCode(text: string): string {
  return text.replace(/[^0-9A-Za-z -]/g, '').slice(0, postalCodeLengthMax);
}

export function checkPostalCode(text: string): SimpleCheck {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { state: 'empty' };
  return trimmed.length >= 3 ? { state: 'complete' } : { state: 'incomplete' };
}

export interface CardFieldValues {
  number: string;
  expiry: string;
  cvc: string;
  postalCode: string;
}

export type CardField = 'number' | 'expiry' | 'cvc' | 'postalCode';

export interface CardState {
  brand: CardBrand;
  empty: boolean;
  complete: boolean;
  /** Each field's problem, if any: invalid ones always, incomplete ones for the caller to show when it chooses. */
  problems: Partial<Record<CardField, CardErrorCode>>;
  /** Which problems are incompleteness (shown only once the shopper leaves the field or submits). */
  incomplete: Partial<Record<CardField, boolean>>;
  expiry?: Expiry;
}

/** The state of the whole card: every field checked, in the order the shopper fills them. */
export function checkCard(values: CardFieldValues, options: { postalCode: boolean }, now: Date): CardState {
  const digits = digitsOf(values.number);
  const brand = brandOf(digits);
  const problems: CardState['problems'] = {};
  const incomplete: CardState['incomplete'] = {};
  const number = checkNumber(digits);
  if (number.state === 'invalid') problems.number = number.code;
  else if (number.state !== 'complete') {
    problems.number = number.state === 'incomplete' && number.failsLuhn ? 'invalid_number' : 'incomplete_number';
    incomplete.number = true;
  }
  const expiry = checkExpiry(values.expiry, now);
  if (expiry.state === 'invalid') problems.expiry = expiry.code;
  else if (expiry.state !== 'complete') {
    problems.expiry = 'incomplete_expiry';
    incomplete.expiry = true;
  }
  if (checkCvc(values.cvc, brand).state !== 'complete') {
    problems.cvc = 'incomplete_cvc';
    incomplete.cvc = true;
  }
  if (options.postalCode && checkPostalCode(values.postalCode).state !== 'complete') {
    problems.postalCode = 'incomplete_zip';
    incomplete.postalCode = true;
  }
  const empty = digits.length === 0 && digitsOf(values.expiry).length === 0 && digitsOf(values.cvc).length === 0 && (!options.postalCode || values.postalCode.trim() === '');
  return { brand, empty, complete: Object.keys(problems).length === 0, problems, incomplete, expiry: expiry.state === 'complete' ? expiry.expiry : undefined };
}

export const cardFieldOrder: readonly CardField[] = ['number', 'expiry', 'cvc', 'postalCode'];
