import type { Decline } from '../connector.ts';

/**
 * Declines the local-method connectors (Mollie, Mercado Pago) share: a provider that refused or could not process the
 * request, and a payment its customer did not complete.
 */

export const processingError: Decline = {
  code: 'processing_error',
  declineCode: 'processing_error',
  message: 'An error occurred while processing your payment. Try again in a little bit.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** The customer canceled, or did not complete the payment in time (a redirect method's checkout). */
export const customerCanceled: Decline = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'generic_decline',
  message: 'The customer canceled the payment, or it was not completed in time.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** A boleto voucher or Pix QR code that expired unpaid (Stripe's `payment_intent_payment_attempt_expired`). */
export function displayExpired(what: 'boleto voucher' | 'Pix QR code'): Decline {
  return { code: 'payment_intent_payment_attempt_expired', declineCode: 'payment_intent_payment_attempt_expired', message: `The ${what} expired before it was paid.`, blocked: false, networkStatus: 'not_sent_to_network' };
}

/**
 * The capabilities of a connector whose methods are paid and captured at once by the customer's bank (iDEAL, Bancontact
 * at Mollie): no manual or partial capture, no 3-D Secure; refunds, also partial.
 */
export const paidAtOnceCapabilities = { manualCapture: false, partialCapture: false, refunds: true, partialRefunds: true, threeDSecure: false } as const;
