/**
 * Payment method types whose outcome can arrive long after the shopper has left (Stripe's "delayed notification"
 * methods). A Checkout Session paid with one completes as soon as the payment is processing, with payment_status
 * `unpaid`, and later sends `checkout.session.async_payment_succeeded` or `_failed` (docs/checkout.md).
 *
 * - `paypal`: a capture PayPal answers PENDING (an eCheck clears in 3-5 business days; a payment under PayPal's review)
 *   keeps the PaymentIntent processing until PayPal's PAYMENT.CAPTURE.COMPLETED or .DENIED arrives.
 *
 * - `sepa_debit`: the debit is processing until the bank answers, days later (the janitor's sync);
 * - `blik`, `upi`: processing while the shopper approves in the banking or UPI app; the provider reports the outcome;
 * - `boleto`: the session completes once the voucher is issued (the intent `requires_action`, showing
 *   `boleto_display_details`): the shopper pays it within days, or it expires (completesOnDisplay).
 *
 * Pix is not here: it is instant, so the page shows its QR code and waits on the session's page, which stays open; an
 * expired code lets the shopper try again. The redirect methods (iDEAL, ...) end while the shopper is at the bank.
 *
 * A card is not here: a card payment's outcome is synchronous at the networks, and a card PaymentIntent that is
 * processing is one whose provider answer was ambiguous, which the janitor settles within minutes; its session stays
 * open ("Payment in progress") so the shopper can still use another card if it fails. Bank debits and vouchers
 * are.
 */
const delayedNotificationTypes: ReadonlySet<string> = new Set(['paypal', 'sepa_debit', 'blik', 'upi', 'boleto']);

/** Delayed methods whose session completes as soon as their details are shown (the voucher), not when processing. */
const completesOnDisplayTypes: ReadonlySet<string> = new Set(['boleto']);

export const delayedNotificationTypeList: readonly string[] = [...delayedNotificationTypes];

export function isDelayedNotification(paymentMethodType: string): boolean {
  return delayedNotificationTypes.has(paymentMethodType);
}

/** Whether a session paid with the type completes (unpaid) once the intent shows its details for the shopper to pay. */
export function completesOnDisplay(paymentMethodType: string): boolean {
  return completesOnDisplayTypes.has(paymentMethodType);
}
