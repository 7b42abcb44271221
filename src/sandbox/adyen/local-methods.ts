import { AdyenError } from './errors.ts';
import { isObject } from './requests.ts';

/*
 * The local payment methods the sandbox takes besides cards, read and checked as Adyen's Checkout API v71 describes
 * them (specs/adyen/CheckoutService-v71.json `IdealDetails`, `SepaDirectDebitDetails`), with their test outcomes.
 *
 * - iDEAL (`paymentMethod.type` `ideal`, optional `issuer`): `/payments` answers `RedirectShopper` with a GET redirect
 *   action to the sandbox's bank page, where the tester authorizes or fails the payment; the shopper comes back to
 *   `returnUrl` with a `redirectResult` that `/payments/details` completes (Authorised, or Refused).
 * - SEPA Direct Debit (`sepadirectdebit`, `iban` and `ownerName` required): `/payments` answers `Received`; the bank's
 *   answer comes later, as an AUTHORISATION webhook. Adyen's documentation gives example accounts that succeed
 *   (docs.adyen.com, SEPA Direct Debit: DE87123456781234567890 "A. Schneider", NL13TEST0123456789 "A. Klaassen") and
 *   documents no account that fails, so the sandbox fails the debit of Stripe's failing SEPA test IBANs (the ones
 *   Payrail's test processor fails too, docs/payment-methods.md) with "Not enough balance"; every other valid IBAN
 *   succeeds.
 */

export type LocalMethodType = 'ideal' | 'sepadirectdebit';

/** Whether a payment record's `brand` is a local method rather than a card brand. */
export function isLocalMethodBrand(brand: string): brand is LocalMethodType {
  return brand === 'ideal' || brand === 'sepadirectdebit';
}

export type LocalMethod =
  | { type: 'ideal'; issuer?: string }
  | { type: 'sepadirectdebit'; iban: string; ownerName: string };

const ownerNameLengthMax = 200;
const issuerLengthMax = 64;

/** Fields of IdealDetails / SepaDirectDebitDetails (additionalProperties false in the spec: anything else is refused). */
const idealFields = new Set(['type', 'issuer', 'checkoutAttemptId', 'sdkData', 'storedPaymentMethodId', 'recurringDetailReference']);
const sepaFields = new Set(['type', 'iban', 'ownerName', 'dueDate', 'checkoutAttemptId', 'sdkData', 'storedPaymentMethodId', 'recurringDetailReference', 'transferInstrumentId']);

/** IBANs whose debit the sandbox's bank refuses (Stripe's failing SEPA test IBANs). */
export const failingSepaIbans: ReadonlySet<string> = new Set(['AT861904300235473202', 'DE62370400440532013001']);

/** The refusal of a failed debit, as Adyen words refusal reason 12. */
export const sepaRefusal = { refusalReason: 'Not enough balance', refusalReasonCode: '12' } as const;

/** The payment method of a request when it is one of the local methods above; undefined for cards (and tokens). */
export function readLocalMethod(value: unknown): LocalMethod | undefined {
  if (!isObject(value) || (value.type !== 'ideal' && value.type !== 'sepadirectdebit')) return undefined;
  const allowed = value.type === 'ideal' ? idealFields : sepaFields;
  for (const field of Object.keys(value)) {
    if (!allowed.has(field)) throw new AdyenError(422, '702', `Unexpected field 'paymentMethod.${field}' for paymentMethod.type '${value.type}'.`);
  }
  if (value.storedPaymentMethodId !== undefined || value.recurringDetailReference !== undefined) {
    throw new AdyenError(422, '905', 'Payment details are not supported: the sandbox keeps no stored iDEAL or SEPA details.', 'configuration');
  }
  if (value.type === 'ideal') {
    const issuer = value.issuer;
    if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > issuerLengthMax)) {
      throw new AdyenError(422, '702', `Field 'paymentMethod.issuer' must be a string of 1 to ${issuerLengthMax} characters.`);
    }
    return { type: 'ideal', ...(issuer !== undefined ? { issuer: issuer as string } : {}) };
  }
  const ownerName = value.ownerName;
  if (typeof ownerName !== 'string' || ownerName.trim().length === 0 || ownerName.length > ownerNameLengthMax) {
    throw new AdyenError(422, '702', "Required field 'paymentMethod.ownerName' is not provided or is too long.");
  }
  const iban = typeof value.iban === 'string' ? value.iban.replace(/\s+/g, '').toUpperCase() : '';
  // Adyen's "Invalid bank account number" (validation error 161 in its error list); the IBAN is never echoed.
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban) || !passesMod97(iban)) throw new AdyenError(422, '161', 'Invalid iban');
  return { type: 'sepadirectdebit', iban, ownerName };
}

/** ISO 13616's check: the IBAN with its first four characters moved to the end, letters as 10..35, is 1 modulo 97. */
function passesMod97(iban: string): boolean {
  let remainder = 0;
  for (const character of iban.slice(4) + iban.slice(0, 4)) {
    const digits = /[A-Z]/.test(character) ? String(character.charCodeAt(0) - 55) : character;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}
