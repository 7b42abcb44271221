import type { Decline } from '../connector.ts';

// Adyen's documented refusal reasons and the Stripe decline each one becomes. Split from transformers.ts (requests
// and responses) because the same table serves payment responses, webhooks (notifications.ts, webhook.ts) and tests.

/**
 * Adyen's refusal reasons (docs.adyen.com/development-resources/refusal-reasons): `refusalReasonCode` ->
 * `refusalReason`. The code is what Payrail maps (never message text); the reason text is used only to recover the
 * code when a response carries the documented reason without its code (webhooks carry `reason`, not a code).
 */
export const adyenRefusalReasons = {
  '2': 'Refused',
  '3': 'Referral',
  '4': 'Acquirer Error',
  '5': 'Blocked Card',
  '6': 'Expired Card',
  '7': 'Invalid Amount',
  '8': 'Invalid Card Number',
  '9': 'Issuer Unavailable',
  '10': 'Not supported',
  '11': '3D Not Authenticated',
  '12': 'Not enough balance',
  '14': 'Acquirer Fraud',
  '15': 'Cancelled',
  '16': 'Shopper Cancelled',
  '17': 'Invalid Pin',
  '18': 'Pin tries exceeded',
  '19': 'Pin validation not possible',
  '20': 'FRAUD',
  '21': 'Not Submitted',
  '22': 'FRAUD-CANCELLED',
  '23': 'Transaction Not Permitted',
  '24': 'CVC Declined',
  '25': 'Restricted Card',
  '26': 'Revocation Of Auth',
  '27': 'Declined Non Generic',
  '28': 'Withdrawal amount exceeded',
  '29': 'Withdrawal count exceeded',
  '31': 'Issuer Suspected Fraud',
  '32': 'AVS Declined',
  '33': 'Card requires online pin',
  '34': 'No checking account available on Card',
  '35': 'No savings account available on Card',
  '36': 'Mobile pin required',
  '37': 'Contactless fallback',
  '38': 'Authentication required',
  '39': 'RReq not received from DS',
  '40': 'Current AID is in Penalty Box',
  '41': 'CVM Required Restart Payment',
  '42': '3DS Authentication Error',
  '46': 'Transaction blocked by Adyen to prevent excessive retry fees',
} as const;
export type AdyenRefusalReasonCode = keyof typeof adyenRefusalReasons;

const declinedMessage = 'Your card was declined.';

/** An issuer (network) decline with Stripe's error code and decline code. */
function issuer(code: string, declineCode: string, message = declinedMessage): Decline {
  return { code, declineCode, message, blocked: false, networkStatus: 'declined_by_network' };
}

/** Refused before reaching the issuer (Adyen's own checks, or a request that was never submitted). */
function notSent(code: string, declineCode: string, message: string, blocked: boolean): Decline {
  return { code, declineCode, message, blocked, networkStatus: 'not_sent_to_network' };
}

const processingErrorMessage = 'An error occurred while processing your card. Try again in a little bit.';
const authenticationMessage = 'Your card was declined. This transaction requires authentication.';

/**
 * Adyen refusal reason code -> Stripe error `code` + `decline_code` (docs.stripe.com/declines/codes). Choices where
 * the two vocabularies do not line up one-to-one:
 * - 5 Blocked Card -> `restricted_card`: Stripe's "the card cannot be used to make this payment (it is possible it
 *   has been reported lost or stolen)" states what Adyen knows without claiming it was lost (`lost_card`) or that the
 *   brand is unsupported (`card_not_supported`, which is what 10 Not supported means).
 * - 20 FRAUD and 46 (blocked by Adyen) are Adyen's own risk decisions, before the issuer: like Radar blocks they are
 *   `blocked` and `not_sent_to_network`. 22 FRAUD-CANCELLED is Adyen's post-authorisation risk check; Payrail's
 *   Decline has no `reversed_after_approval`, so it is reported as a blocked network decline.
 * - 11 3D Not Authenticated / 38 Authentication required -> `authentication_required`, as the test processor reports
 *   a failed challenge. 39 and 42 are 3-D Secure infrastructure errors -> `processing_error` (retryable).
 * - 27 Declined Non Generic is Adyen's bucket for issuer codes it cannot map -> `generic_decline`.
 */
export const refusalDeclines: Readonly<Record<AdyenRefusalReasonCode, Decline>> = {
  '2': issuer('card_declined', 'generic_decline'),
  '3': issuer('card_declined', 'call_issuer'),
  '4': notSent('processing_error', 'processing_error', processingErrorMessage, false),
  '5': issuer('card_declined', 'restricted_card'),
  '6': issuer('expired_card', 'expired_card', 'Your card has expired.'),
  '7': issuer('card_declined', 'invalid_amount'),
  '8': issuer('incorrect_number', 'incorrect_number', 'Your card number is incorrect.'),
  '9': issuer('card_declined', 'issuer_not_available'),
  '10': issuer('card_declined', 'card_not_supported', 'Your card does not support this type of purchase.'),
  '11': issuer('authentication_required', 'authentication_required', authenticationMessage),
  '12': issuer('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
  '14': issuer('card_declined', 'fraudulent'),
  '15': issuer('card_declined', 'generic_decline'),
  '16': issuer('card_declined', 'generic_decline'),
  '17': issuer('card_declined', 'incorrect_pin'),
  '18': issuer('card_declined', 'pin_try_exceeded'),
  '19': issuer('card_declined', 'generic_decline'),
  '20': notSent('card_declined', 'fraudulent', declinedMessage, true),
  '21': notSent('processing_error', 'processing_error', processingErrorMessage, false),
  '22': { code: 'card_declined', declineCode: 'fraudulent', message: declinedMessage, blocked: true, networkStatus: 'declined_by_network' },
  '23': issuer('card_declined', 'transaction_not_allowed'),
  '24': issuer('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
  '25': issuer('card_declined', 'restricted_card'),
  '26': issuer('card_declined', 'revocation_of_authorization'),
  '27': issuer('card_declined', 'generic_decline'),
  '28': issuer('card_declined', 'card_velocity_exceeded'),
  '29': issuer('card_declined', 'withdrawal_count_limit_exceeded'),
  '31': issuer('card_declined', 'fraudulent'),
  '32': issuer('card_declined', 'incorrect_zip'),
  '33': issuer('card_declined', 'online_or_offline_pin_required'),
  '34': issuer('card_declined', 'invalid_account'),
  '35': issuer('card_declined', 'invalid_account'),
  '36': issuer('card_declined', 'authentication_required'),
  '37': issuer('card_declined', 'reenter_transaction'),
  '38': issuer('authentication_required', 'authentication_required', authenticationMessage),
  '39': notSent('processing_error', 'processing_error', processingErrorMessage, false),
  '40': issuer('card_declined', 'generic_decline'),
  '41': issuer('card_declined', 'reenter_transaction'),
  '42': notSent('processing_error', 'processing_error', processingErrorMessage, false),
  '46': notSent('card_declined', 'do_not_try_again', declinedMessage, true),
};

export const genericDecline = issuer('card_declined', 'generic_decline');
export const processingError = notSent('processing_error', 'processing_error', processingErrorMessage, false);

const refusalCodeByReason: ReadonlyMap<string, AdyenRefusalReasonCode> = new Map(
  (Object.entries(adyenRefusalReasons) as [AdyenRefusalReasonCode, string][]).map(([code, reason]) => [reason.toLowerCase(), code]),
);

function isRefusalReasonCode(value: string): value is AdyenRefusalReasonCode {
  return Object.hasOwn(adyenRefusalReasons, value);
}

/** The documented refusal reason code for a response or webhook, from its code or (failing that) its documented reason. */
export function refusalReasonCodeOf(code: string | undefined, reason: string | undefined): AdyenRefusalReasonCode | null {
  if (code !== undefined && isRefusalReasonCode(code)) return code;
  if (reason !== undefined) return refusalCodeByReason.get(reason.trim().toLowerCase()) ?? null;
  return null;
}
