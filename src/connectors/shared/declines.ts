/**
 * What several connectors answer alike, in Payrail's terms (kept free of imports so any connector file may use it).
 */

/**
 * The provider refused the request itself (a validation error, a reference that is not the attempt's): Stripe's
 * `processing_error`, never sent to a network.
 */
export const processingError = {
  code: 'processing_error',
  declineCode: 'processing_error',
  message: 'An error occurred while processing your payment. Try again in a little bit.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
} as const;

/**
 * The capabilities of a connector whose methods are paid and captured at once by the customer's bank (iDEAL, Bancontact
 * at Mollie): no manual or partial capture, no 3-D Secure; refunds, also partial.
 */
export const paidAtOnceCapabilities = { manualCapture: false, partialCapture: false, refunds: true, partialRefunds: true, threeDSecure: false } as const;
