import type { RoutingProfile } from './types.ts';

/**
 * Which declines failover may retry on another connector. A soft decline says the issuer or the network could not
 * answer this time (another acquirer may get through); a hard decline is the issuer's answer about the card or the
 * customer, which another acquirer would only hear again, and retrying it elsewhere looks like card testing to the
 * networks. Codes are Stripe's `decline_code` values, which every connector normalises to.
 *
 * A code not listed as soft is hard, including codes Payrail does not know: retrying a real decline elsewhere risks
 * the merchant's standing with the networks, while not retrying a soft one only loses one payment.
 */

/** Declines that say nothing about the card: the issuer or network was unavailable or failed to process. */
export const softDeclineCodes: ReadonlySet<string> = new Set([
  'processing_error',
  'try_again_later',
  'issuer_not_available',
  'reenter_transaction',
]);

/**
 * Hard declines whatever the profile says (listed for documentation and tests; every code not soft is hard anyway):
 * the card is reported lost or stolen, suspected fraud, wrong or expired details, or the customer must act.
 */
export const hardDeclineCodes: ReadonlySet<string> = new Set([
  'stolen_card',
  'lost_card',
  'pickup_card',
  'fraudulent',
  'merchant_blacklist',
  'security_violation',
  'restricted_card',
  'expired_card',
  'incorrect_number',
  'invalid_number',
  'incorrect_cvc',
  'invalid_cvc',
  'incorrect_pin',
  'invalid_pin',
  'pin_try_exceeded',
  'incorrect_zip',
  'invalid_expiry_month',
  'invalid_expiry_year',
  'invalid_account',
  'invalid_amount',
  'authentication_required',
  'card_not_supported',
  'currency_not_supported',
  'card_velocity_exceeded',
  'withdrawal_count_limit_exceeded',
  'generic_decline',
  'call_issuer',
  'do_not_try_again',
  'not_permitted',
  'service_not_allowed',
  'transaction_not_allowed',
  'revocation_of_authorization',
  'revocation_of_all_authorizations',
  'stop_payment_order',
  'new_account_information_available',
  'duplicate_transaction',
  'testmode_decline',
]);

/** `do_not_honor`: the issuer's generic refusal. Hard unless the profile retries it (`failover.retryDoNotHonor`). */
export const doNotHonorCode = 'do_not_honor';
/** `insufficient_funds`: hard unless the profile retries it (`failover.retryInsufficientFunds`). */
export const insufficientFundsCode = 'insufficient_funds';

/** Whether a decline must never be retried on another connector under this profile. */
export function isHardDecline(declineCode: string, profile: RoutingProfile): boolean {
  if (softDeclineCodes.has(declineCode)) return false;
  if (declineCode === doNotHonorCode) return !profile.failover.retryDoNotHonor;
  if (declineCode === insufficientFundsCode) return !profile.failover.retryInsufficientFunds;
  return true;
}
