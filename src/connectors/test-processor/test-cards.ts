import type { Decline } from '../connector.ts';

/** What the test processor does with a card number, following Stripe's documented test cards. */
export type TestCardBehaviour =
  /** Approved; with `refundFails`, refunds of the charge fail some time after they were made (Stripe's 4000000000005126). */
  | { kind: 'approve'; refundFails?: boolean; dispute?: TestDispute }
  | { kind: 'decline'; decline: Decline }
  /**
   * 3-D Secure is required; after a successful challenge the card is approved, or declined with `thenDecline`. With
   * `offSessionOnceSetUp`, a merchant-initiated payment of a card set up for later payments (a SetupIntent, or a payment
   * with setup_future_usage) needs no authentication (Stripe's 4000002500003155); the others ask even then.
   */
  | { kind: 'authenticate'; thenDecline?: Decline; offSessionOnceSetUp?: boolean };

/**
 * The disputes of Stripe's dispute test cards: the charge succeeds and is then disputed, as fraudulent
 * (4000000000000259), as a product not received (4000000000002685), or as an inquiry (4000000000001976, Stripe's
 * `warning_needs_response`); 4000000000005423 gets an early fraud warning instead (no dispute). Payrail's disputes
 * sweep opens them after capture (docs/disputes.md).
 */
export type TestDispute = 'fraudulent' | 'product_not_received' | 'inquiry' | 'early_fraud_warning';
export const testDisputes: readonly TestDispute[] = ['fraudulent', 'product_not_received', 'inquiry', 'early_fraud_warning'];

/** The suffix of the processor reference of a charge the test processor will dispute (it is stateless: the reference carries it). */
export function disputeMarker(dispute: TestDispute): string {
  return `.dispute_${dispute}`;
}

/** Which dispute a processor reference carries, if any. */
export function testDisputeOf(processorReference: string | null): TestDispute | undefined {
  if (processorReference === null) return undefined;
  return testDisputes.find((dispute) => processorReference.endsWith(disputeMarker(dispute)));
}

const declinedMessage = 'Your card was declined.';

function issuerDecline(code: string, declineCode: string, message = declinedMessage): Decline {
  return { code, declineCode, message, blocked: false, networkStatus: 'declined_by_network' };
}

const insufficientFunds = issuerDecline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.');

const behaviours: Record<string, TestCardBehaviour> = {
  '4000000000000002': { kind: 'decline', decline: issuerDecline('card_declined', 'generic_decline') },
  '4000000000009995': { kind: 'decline', decline: insufficientFunds },
  '4000000000009987': { kind: 'decline', decline: issuerDecline('card_declined', 'lost_card') },
  '4000000000009979': { kind: 'decline', decline: issuerDecline('card_declined', 'stolen_card') },
  '4000000000000069': { kind: 'decline', decline: issuerDecline('expired_card', 'expired_card', 'Your card has expired.') },
  '4000000000000127': { kind: 'decline', decline: issuerDecline('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect.") },
  '4000000000000119': {
    kind: 'decline',
    decline: issuerDecline('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'),
  },
  '4000000000006975': { kind: 'decline', decline: issuerDecline('card_declined', 'card_velocity_exceeded') },
  '4100000000000019': {
    kind: 'decline',
    decline: { code: 'card_declined', declineCode: 'fraudulent', message: declinedMessage, blocked: true, networkStatus: 'not_sent_to_network' },
  },
  '4000000000005126': { kind: 'approve', refundFails: true },
  '4000000000000259': { kind: 'approve', dispute: 'fraudulent' },
  '4000000000002685': { kind: 'approve', dispute: 'product_not_received' },
  '4000000000001976': { kind: 'approve', dispute: 'inquiry' },
  '4000000000005423': { kind: 'approve', dispute: 'early_fraud_warning' },
  '4000002500003155': { kind: 'authenticate', offSessionOnceSetUp: true },
  '4000002760003184': { kind: 'authenticate' },
  '4000000000003220': { kind: 'authenticate' },
  '4000000000003063': { kind: 'authenticate' },
  '4000008260003178': { kind: 'authenticate', thenDecline: insufficientFunds },
  '4000008400001629': { kind: 'authenticate', thenDecline: issuerDecline('card_declined', 'card_declined') },
};

/**
 * How a card that does not insist on 3-D Secure answers when it is asked for (the PSD2 mandate, or
 * request_three_d_secure), after Stripe's 3-D Secure test cards: 4000 0000 0000 3055 authenticates frictionless (no
 * challenge) unless a challenge is forced; 3782 822463 10005 does not support 3-D Secure, and the payment goes on
 * without it; 4000 0000 0000 3097's authentication ends in a processing error, and the payment goes on without it.
 * Every other card runs the challenge (Payrail's /3ds page).
 */
export type ThreeDSecureSupport = 'challenge' | 'frictionless' | 'not_supported' | 'processing_error';

const threeDSecureSupports: Record<string, ThreeDSecureSupport> = {
  '4000000000003055': 'frictionless',
  '378282246310005': 'not_supported',
  '4000000000003097': 'processing_error',
};

export function threeDSecureSupportOf(cardNumber: string): ThreeDSecureSupport {
  return threeDSecureSupports[cardNumber] ?? 'challenge';
}

export function behaviourOf(cardNumber: string): TestCardBehaviour {
  return behaviours[cardNumber] ?? { kind: 'approve' };
}

/** Card brands whose authorizations may be incremented (Visa, Mastercard and Discover, as at Stripe). */
export const incrementableBrands: readonly string[] = ['visa', 'mastercard', 'discover'];

/**
 * How the test processor answers an incremental authorization: by the last two digits of the new total, after
 * Stripe's Terminal test amounts (ending in 01: `call_issuer`, ending in 05: `generic_decline`); any other total is
 * approved. Zero-decimal currencies use the same digits.
 */
export function incrementDeclineFor(amount: number, _currency: string): Decline | undefined {
  switch (amount % 100) {
    case 1: return issuerDecline('card_declined', 'call_issuer');
    case 5: return issuerDecline('card_declined', 'generic_decline');
    default: return undefined;
  }
}
