import { ConnectorRequestError, type Decline, type LocalMethodData } from '../connector.ts';
import { refusalDeclines, refusalReasonCodeOf } from './declines.ts';

/*
 * The local payment methods the Adyen connector carries besides cards, as Checkout API v71 names them
 * (specs/adyen/CheckoutService-v71.json `IdealDetails`, `SepaDirectDebitDetails`), and the Stripe declines of their
 * failures. Pure: transformers.ts puts the details into the `/payments` body, notifications.ts uses the declines.
 *
 * - `ideal` -> `{type: 'ideal'}`. iDEAL 2.0 lets the shopper choose the bank on iDEAL's own page, so no `issuer` is
 *   sent (Adyen's issuer ids are not Stripe's bank names). The answer is `RedirectShopper`; the shopper's return
 *   brings the `redirectResult` for `/payments/details`.
 * - `sepa_debit` -> `{type: 'sepadirectdebit', iban, ownerName}`: the IBAN decrypted for this request only (never
 *   logged, never in an error), the account holder the PaymentMethod's billing name. The answer is `Received`:
 *   the intent is `processing` until Adyen's AUTHORISATION webhook tells how the debit ended.
 */

/** Payrail's payment method types this connector carries (a configuration may list these only). */
export const adyenCarriedTypes = ['card', 'ideal', 'sepa_debit'] as const;

export type AdyenLocalMethodDetails = { type: 'ideal' } | { type: 'sepadirectdebit'; iban: string; ownerName: string };

/** Adyen's `paymentMethod.type` of each carried local method: how a notification's `paymentMethod` names it. */
export const adyenLocalMethodNames = { ideal: 'ideal', sepa_debit: 'sepadirectdebit' } as const;

/** Whether the payment is one whose shopper is sent to a page before anything can be charged (iDEAL). */
export function isRedirectMethod(method: LocalMethodData | undefined): boolean {
  return method?.type === 'ideal';
}

/** The `paymentMethod` of a local method's `/payments` body. */
export function toLocalMethodDetails(method: LocalMethodData): AdyenLocalMethodDetails {
  switch (method.type) {
    case 'ideal':
      return { type: 'ideal' };
    case 'sepa_debit': {
      const ownerName = method.billingDetails.name;
      if (method.bankAccount === undefined || ownerName === null) {
        throw new ConnectorRequestError('configuration', 'A SEPA Direct Debit through Adyen needs the bank account and its holder\'s name (billing_details[name]).');
      }
      return { type: 'sepadirectdebit', iban: method.bankAccount.iban, ownerName };
    }
    default:
      // Routing sends Adyen only the types its configurations list, which validation limits to adyenCarriedTypes.
      throw new ConnectorRequestError('configuration', `The Adyen connector does not carry ${method.type} payments.`);
  }
}

/** The customer failed or cancelled an iDEAL payment at the bank: Stripe's answer for a redirect method that failed. */
export const idealFailed: Decline = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'generic_decline',
  message: 'The customer did not authorize the iDEAL payment at the bank.',
  blocked: false,
  networkStatus: 'declined_by_network',
};

/**
 * The decline of a SEPA debit the shopper's bank returned, in Stripe's words: `payment_method_provider_decline` with
 * the bank's reason as `decline_code` (`insufficient_funds` for Adyen's "Not enough balance"; `generic_decline`
 * otherwise), as Payrail's test processor answers for Stripe's failing test IBANs.
 */
export function sepaDecline(refusalReasonCode: string | undefined, reason: string | null | undefined): Decline {
  const known = refusalReasonCodeOf(refusalReasonCode, reason ?? undefined);
  const declineCode = known !== null && refusalDeclines[known].declineCode === 'insufficient_funds' ? 'insufficient_funds' : 'generic_decline';
  return {
    code: 'payment_method_provider_decline',
    declineCode,
    message: declineCode === 'insufficient_funds' ? 'The bank account has insufficient funds to complete the debit.' : 'The customer\'s bank declined the debit.',
    blocked: false,
    networkStatus: 'declined_by_network',
  };
}

/** The decline of a refused payment of a local method, by Adyen's `paymentMethod` name; null for cards. */
export function localMethodDecline(paymentMethod: string | null, refusalReasonCode: string | undefined, reason: string | null | undefined): Decline | null {
  if (paymentMethod === adyenLocalMethodNames.ideal) return idealFailed;
  if (paymentMethod === adyenLocalMethodNames.sepa_debit) return sepaDecline(refusalReasonCode, reason);
  return null;
}
