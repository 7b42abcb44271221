/**
 * Payment method types whose outcome can arrive long after the shopper has left (Stripe's "delayed notification"
 * methods). A Checkout Session paid with one completes as soon as the payment is processing, with payment_status
 * `unpaid`, and later sends `checkout.session.async_payment_succeeded` or `_failed` (docs/checkout.md).
 *
 * - `paypal`: a capture PayPal answers PENDING (an eCheck clears in 3-5 business days; a payment under PayPal's review)
 *   keeps the PaymentIntent processing until PayPal's PAYMENT.CAPTURE.COMPLETED or .DENIED arrives.
 *
 * A card is not here: a card payment's outcome is synchronous at the networks, and a card PaymentIntent that is
 * processing is one whose provider answer was ambiguous, which the janitor settles within minutes; its session stays
 * open ("Payment in progress") so the shopper can still use another card if it fails. Bank debits and vouchers
 * (sepa_debit, boleto, ...) join this list with the international methods.
 */
const delayedNotificationTypes: ReadonlySet<string> = new Set(['paypal']);

export const delayedNotificationTypeList: readonly string[] = [...delayedNotificationTypes];

export function isDelayedNotification(paymentMethodType: string): boolean {
  return delayedNotificationTypes.has(paymentMethodType);
}
