/**
 * Adyen's documented test cards and test triggers, as the sandbox understands them.
 *
 * Sources (Adyen documentation):
 * - "Test card numbers" (docs.adyen.com/development-resources/testing/test-card-numbers): the card numbers, and the
 *   `test_` prefix that lets server-side tests send unencrypted values in the `encrypted*` fields
 *   (`encryptedCardNumber: "test_4111111145551142"`, `encryptedExpiryMonth: "test_03"`, ...).
 * - "Testing 3D Secure 2 authentication" (docs.adyen.com/development-resources/testing/3d-secure-2-authentication):
 *   cards enrolled in 3-D Secure, all with expiry 03/2030 and CVC 737 (American Express: 7373); the challenge password
 *   is "password", anything else fails the challenge.
 * - "Testing result codes and refusal reasons" (docs.adyen.com/development-resources/testing/result-codes) and
 *   "Refusal reasons" (docs.adyen.com/development-resources/refusal-reasons): a value in `paymentMethod.holderName`
 *   (or `additionalData.RequestedTestAcquirerResponseCode`) selects the resultCode / refusalReason /
 *   refusalReasonCode of the response.
 *
 * Sandbox choices where Adyen's documentation leaves room (documented so connectors and tests can rely on them):
 * - The expiry date must not be in the past (an expired date is refused as "Expired Card"); the documented 03/2030 is
 *   what the tests use. The CVC, when sent, must be 737 (7373 for American Express), otherwise "CVC Declined".
 * - A Luhn-valid number that is not one of the listed test cards is refused with "Invalid Card Number" (Adyen's test
 *   platform only knows its test cards); a number that fails the Luhn check is a 422 validation error (code 101).
 * - 3-D Secure enrolled cards always get a challenge (redirect flow) unless `authenticationData.attemptAuthentication`
 *   is "never"; any other card gets one when it is "always".
 */

export type CardBrand = 'visa' | 'mc' | 'amex' | 'discover' | 'diners' | 'jcb' | 'cup';

export interface TestCard {
  number: string;
  brand: CardBrand;
  /** Enrolled in 3-D Secure 2: the payment needs a shopper challenge before authorisation. */
  threeDSecure: boolean;
}

/** The documented expiry and security code for test cards. */
export const testCardExpiryMonth = '03';
export const testCardExpiryYear = '2030';
export const testCardSecurityCode = '737';
export const testCardAmexSecurityCode = '7373';
/** The 3-D Secure 2 challenge password for browser flows. */
export const threeDSecureChallengePassword = 'password';

const cards: TestCard[] = [
  // Cards without 3-D Secure enrolment (frictionless authorisation).
  { number: '4111111145551142', brand: 'visa', threeDSecure: false },
  { number: '4111111111111111', brand: 'visa', threeDSecure: false },
  { number: '4988438843884305', brand: 'visa', threeDSecure: false },
  { number: '4400000000000008', brand: 'visa', threeDSecure: false },
  { number: '5555341244441115', brand: 'mc', threeDSecure: false },
  { number: '5555555555554444', brand: 'mc', threeDSecure: false },
  { number: '5500000000000004', brand: 'mc', threeDSecure: false },
  { number: '370000000000002', brand: 'amex', threeDSecure: false },
  // Cards enrolled in 3-D Secure 2 (expiry 03/2030).
  { number: '4917610000000000', brand: 'visa', threeDSecure: true },
  { number: '4212345678910006', brand: 'visa', threeDSecure: true },
  { number: '5454545454545454', brand: 'mc', threeDSecure: true },
  { number: '2222400010000008', brand: 'mc', threeDSecure: true },
  { number: '371449635398431', brand: 'amex', threeDSecure: true },
  { number: '6011111111111117', brand: 'discover', threeDSecure: true },
  { number: '36569309025904', brand: 'diners', threeDSecure: true },
  { number: '3566111111111113', brand: 'jcb', threeDSecure: true },
];

const cardsByNumber = new Map(cards.map((card) => [card.number, card]));

/** The test card with this number (digits only), if Adyen documents one. */
export function findTestCard(number: string): TestCard | undefined {
  return cardsByNumber.get(number);
}

/** Every test card the sandbox knows, for documentation and tests. */
export function listTestCards(): readonly TestCard[] {
  return cards;
}

/** The Luhn (mod 10) check every card number passes. */
export function passesLuhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let index = 0; index < number.length; index++) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export type TestResultCode = 'Authorised' | 'Refused' | 'Error' | 'Cancelled';

export interface TestOutcome {
  resultCode: TestResultCode;
  /** Adyen's refusalReason text; absent for Authorised. */
  refusalReason?: string;
  /** Adyen's refusalReasonCode (a numeral as a string). */
  refusalReasonCode?: string;
}

function refused(refusalReasonCode: string, refusalReason: string, resultCode: TestResultCode = 'Refused'): TestOutcome {
  return { resultCode, refusalReason, refusalReasonCode };
}

/**
 * Adyen's "values for testing refusal reasons": holder name -> outcome, with the matching
 * RequestedTestAcquirerResponseCode as the refusalReasonCode.
 */
const holderNameOutcomes: Record<string, TestOutcome> = {
  UNKNOWN: refused('0', 'Unknown', 'Error'),
  APPROVED: { resultCode: 'Authorised' },
  DECLINED: refused('2', 'Refused'),
  REFERRAL: refused('3', 'Referral'),
  ERROR: refused('4', 'Acquirer Error', 'Error'),
  BLOCK_CARD: refused('5', 'Blocked Card'),
  CARD_EXPIRED: refused('6', 'Expired Card'),
  INVALID_AMOUNT: refused('7', 'Invalid Amount'),
  INVALID_CARD: refused('8', 'Invalid Card Number'),
  ISSUER_UNAVAILABLE: refused('9', 'Issuer Unavailable'),
  NOT_SUPPORTED: refused('10', 'Not supported'),
  NOT_3D_AUTHENTICATED: refused('11', '3D Not Authenticated'),
  NOT_ENOUGH_BALANCE: refused('12', 'Not enough balance'),
  ACQUIRER_FRAUD: refused('14', 'Acquirer Fraud'),
  CANCELLED: refused('15', 'Cancelled', 'Cancelled'),
  SHOPPER_CANCELLED: refused('16', 'Shopper Cancelled', 'Cancelled'),
  PIN_INVALID: refused('17', 'Invalid Pin'),
  PIN_TRIES_EXCEEDED: refused('18', 'Pin tries exceeded'),
  PIN_VALIDATION_NOT_POSSIBLE: refused('19', 'Pin validation not possible'),
  FRAUD: refused('20', 'FRAUD'),
  NOT_SUBMITTED: refused('21', 'Not Submitted'),
  'FRAUD-CANCELLED': refused('22', 'FRAUD-CANCELLED', 'Cancelled'),
  TRANSACTION_NOT_PERMITTED: refused('23', 'Transaction Not Permitted'),
  CVC_DECLINED: refused('24', 'CVC Declined'),
  RESTRICTED_CARD: refused('25', 'Restricted Card'),
  REVOCATION_OF_AUTH: refused('26', 'Revocation Of Auth'),
  DECLINED_NON_GENERIC: refused('27', 'Declined Non Generic'),
  WITHDRAW_AMOUNT_EXCEEDED: refused('28', 'Withdrawal amount exceeded'),
  WITHDRAW_COUNT_EXCEEDED: refused('29', 'Withdrawal count exceeded'),
  ISSUER_SUSPECTED_FRAUD: refused('31', 'Issuer Suspected Fraud'),
  AVS_DECLINED: refused('32', 'AVS Declined'),
};

const outcomesByResponseCode = new Map(
  Object.values(holderNameOutcomes).map((outcome) => [outcome.refusalReasonCode ?? '1', outcome] as const),
);

/**
 * The outcome a test trigger asks for: the holder name (exact, case-sensitive, as Adyen documents it) or
 * `additionalData.RequestedTestAcquirerResponseCode`; undefined when neither is a trigger.
 */
export function requestedTestOutcome(holderName: string | undefined, requestedResponseCode: string | undefined): TestOutcome | undefined {
  if (holderName !== undefined && Object.hasOwn(holderNameOutcomes, holderName)) return holderNameOutcomes[holderName];
  if (requestedResponseCode !== undefined) return outcomesByResponseCode.get(requestedResponseCode);
  return undefined;
}

/** Outcomes the sandbox itself produces for card checks. */
export const expiredCardOutcome = refused('6', 'Expired Card');
export const cvcDeclinedOutcome = refused('24', 'CVC Declined');
export const invalidCardNumberOutcome = refused('8', 'Invalid Card Number');
export const notAuthenticatedOutcome = refused('11', '3D Not Authenticated');
