/**
 * Card number facts that need no issuer: the Luhn check, the brand from the number's leading digits, and the
 * funding type and country of Stripe's published test card numbers (which Payrail's test mode accepts).
 */

export type CardBrand = 'amex' | 'diners' | 'discover' | 'jcb' | 'mastercard' | 'unionpay' | 'visa' | 'unknown';
export type CardFunding = 'credit' | 'debit' | 'prepaid' | 'unknown';

export const cardNumberLengthMin = 12;
export const cardNumberLengthMax = 19;

export function passesLuhn(digits: string): boolean {
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

function inRange(digits: string, length: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

/** Brand by IIN range, as the networks publish them (most specific ranges first). */
export function brandOf(digits: string): CardBrand {
  if (digits.startsWith('4')) return 'visa';
  if (inRange(digits, 2, 51, 55) || inRange(digits, 4, 2221, 2720)) return 'mastercard';
  if (inRange(digits, 2, 34, 34) || inRange(digits, 2, 37, 37)) return 'amex';
  if (digits.startsWith('6011') || digits.startsWith('65') || inRange(digits, 3, 644, 649) || inRange(digits, 6, 622126, 622925)) return 'discover';
  if (inRange(digits, 4, 3528, 3589)) return 'jcb';
  if (inRange(digits, 3, 300, 305) || digits.startsWith('36') || digits.startsWith('38') || digits.startsWith('39') || digits.startsWith('3095')) return 'diners';
  if (digits.startsWith('62') || digits.startsWith('81')) return 'unionpay';
  return 'unknown';
}

/** Card lengths each brand issues. */
const brandLengths: Record<CardBrand, readonly number[]> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  discover: [16, 17, 18, 19],
  jcb: [16, 17, 18, 19],
  diners: [14, 15, 16, 17, 18, 19],
  unionpay: [16, 17, 18, 19],
  unknown: [12, 13, 14, 15, 16, 17, 18, 19],
};

export function hasValidLength(digits: string, brand: CardBrand): boolean {
  return brandLengths[brand].includes(digits.length);
}

interface TestCardFacts {
  funding: CardFunding;
  country: string;
}

/** Funding and country of Stripe's documented test cards. */
const testCardFacts: Record<string, TestCardFacts> = {
  '4242424242424242': { funding: 'credit', country: 'US' },
  '4000056655665556': { funding: 'debit', country: 'US' },
  '5555555555554444': { funding: 'credit', country: 'US' },
  '2223003122003222': { funding: 'credit', country: 'US' },
  '5200828282828210': { funding: 'debit', country: 'US' },
  '5105105105105100': { funding: 'prepaid', country: 'US' },
  '378282246310005': { funding: 'credit', country: 'US' },
  '371449635398431': { funding: 'credit', country: 'US' },
  '6011111111111117': { funding: 'credit', country: 'US' },
  '6011000990139424': { funding: 'credit', country: 'US' },
  '6011981111111113': { funding: 'debit', country: 'US' },
  '3056930009020004': { funding: 'credit', country: 'US' },
  '36227206271667': { funding: 'credit', country: 'US' },
  '6555900000604105': { funding: 'debit', country: 'US' },
  '3566002020360505': { funding: 'credit', country: 'JP' },
  '6200000000000005': { funding: 'credit', country: 'CN' },
  '4000000760000002': { funding: 'credit', country: 'BR' },
  '4000001240000000': { funding: 'credit', country: 'CA' },
  '4000004840008001': { funding: 'credit', country: 'MX' },
  '4000000400000008': { funding: 'credit', country: 'AT' },
  '4000000560000004': { funding: 'credit', country: 'BE' },
  '4000002500000003': { funding: 'credit', country: 'FR' },
  '4000002760000016': { funding: 'credit', country: 'DE' },
  '4000003800000008': { funding: 'credit', country: 'IT' },
  '4000005280000002': { funding: 'credit', country: 'NL' },
  '4000007240000007': { funding: 'credit', country: 'ES' },
  '4000008260000000': { funding: 'credit', country: 'GB' },
  '4000003920000003': { funding: 'credit', country: 'JP' },
  '4000000360000006': { funding: 'credit', country: 'AU' },
  '4000007020000003': { funding: 'credit', country: 'SG' },
  '4000003560000008': { funding: 'credit', country: 'IN' },
};

/**
 * Stripe's published test card numbers that carry a behaviour rather than facts (declines, 3-D Secure, refunds that
 * fail). With `testCardFacts` and `testPaymentMethodNumbers` they make the set of known test cards, which live mode
 * refuses as Stripe does.
 */
const behaviourTestCardNumbers = [
  '4000000000000002', '4000000000009995', '4000000000009987', '4000000000009979', '4000000000000069', '4000000000000127',
  '4000000000000119', '4000000000006975', '4100000000000019', '4000000000005126', '4000002500003155', '4000002760003184',
  '4000000000003220', '4000000000003063', '4000008260003178', '4000008400001629', '4000000000003055', '4000000000000077',
  '4000000000000093', '4000003720000278', '4000000000000010', '4000000000000028', '4000000000000036', '4000000000000044',
  '4000000000000101', '4000000000000341', '4000000000000259', '4000000000002685', '4000000000001976', '4000000000005423',
  '4000000000003097',
];

export function factsOf(digits: string): TestCardFacts | undefined {
  return testCardFacts[digits];
}

/**
 * Stripe's test PaymentMethod ids, usable as `payment_method` in test mode; each stands for a test card number.
 * Using one creates a fresh PaymentMethod from that number, as Stripe does.
 */
export const testPaymentMethodNumbers: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_mastercard_debit: '5200828282828210',
  pm_card_mastercard_prepaid: '5105105105105100',
  pm_card_amex: '378282246310005',
  pm_card_discover: '6011111111111117',
  pm_card_diners: '3056930009020004',
  pm_card_jcb: '3566002020360505',
  pm_card_unionpay: '6200000000000005',
  pm_card_us: '4242424242424242',
  pm_card_br: '4000000760000002',
  pm_card_ca: '4000001240000000',
  pm_card_mx: '4000004840008001',
  pm_card_at: '4000000400000008',
  pm_card_be: '4000000560000004',
  pm_card_fr: '4000002500000003',
  pm_card_de: '4000002760000016',
  pm_card_it: '4000003800000008',
  pm_card_nl: '4000005280000002',
  pm_card_es: '4000007240000007',
  pm_card_gb: '4000008260000000',
  pm_card_jp: '4000003920000003',
  pm_card_au: '4000000360000006',
  pm_card_sg: '4000007020000003',
  pm_card_in: '4000003560000008',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeDeclinedIncorrectCvc: '4000000000000127',
  pm_card_chargeDeclinedProcessingError: '4000000000000119',
  pm_card_chargeDeclinedFraudulent: '4100000000000019',
  pm_card_radarBlock: '4100000000000019',
  pm_card_chargeDeclinedVelocityLimitExceeded: '4000000000006975',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_authenticationRequiredOnSetup: '4000002500003155',
  pm_card_authenticationRequiredChargeDeclinedInsufficientFunds: '4000008260003178',
  pm_card_threeDSecure2Required: '4000000000003220',
  pm_card_threeDSecureRequired: '4000000000003063',
  pm_card_threeDSecureRequiredChargeDeclined: '4000008400001629',
  pm_card_threeDSecureOptional: '4000000000003055',
  pm_card_createDispute: '4000000000000259',
  pm_card_createDisputeProductNotReceived: '4000000000002685',
  pm_card_createDisputeInquiry: '4000000000001976',
  pm_card_createIssuerFraudRecord: '4000000000005423',
};

const knownTestCardNumbers: ReadonlySet<string> = new Set([...Object.keys(testCardFacts), ...Object.values(testPaymentMethodNumbers), ...behaviourTestCardNumbers]);

/** Whether a card number is one of Stripe's published test cards: live mode must never process one. */
export function isKnownTestCardNumber(digits: string): boolean {
  return knownTestCardNumbers.has(digits);
}

/**
 * The test card number of one of Stripe's test tokens (`tok_visa`, `tok_chargeDeclined`, ...): each names the same
 * card as the test PaymentMethod id of the same name (`pm_card_visa`). Undefined for any other id.
 */
export function testTokenNumber(id: string): string | undefined {
  if (!id.startsWith('tok_')) return undefined;
  const name = `pm_card_${id.slice('tok_'.length)}`;
  return Object.prototype.hasOwnProperty.call(testPaymentMethodNumbers, name) ? testPaymentMethodNumbers[name] : undefined;
}
