import { checkoutPagePath } from './render.ts';
import type { CheckoutSessionRow } from './repository.ts';

/** How a payment (or, in setup mode, a card's saving) attempted on the page ended, for the page to answer. */
export type PayOutcome =
  /**
   * The session completed. `pending`: with a delayed method whose payment is yet to end (a SEPA debit, BLIK or UPI
   * processing, a boleto to pay), the method's type and the intent's next_action (the voucher), for the page to say so.
   */
  | { kind: 'complete'; session: CheckoutSessionRow; pending?: { type: string; nextAction: Record<string, unknown> | null } }
  /** Details for the shopper to pay with while the session stays open (Pix's QR code). */
  | { kind: 'display'; session: CheckoutSessionRow; nextAction: Record<string, unknown> }
  | { kind: 'redirect'; url: string }
  /** The payment failed: Stripe's message and codes (the page says it in the shopper's language by the codes). */
  | { kind: 'declined'; message: string; code?: string; declineCode?: string }
  | { kind: 'processing'; session: CheckoutSessionRow }
  | { kind: 'closed'; session: CheckoutSessionRow };

/** Where 3-D Secure and wallets send the shopper back: the session's return page, which settles it. */
export function checkoutReturnUrl(publicUrl: string, sessionId: string): string {
  return `${publicUrl}${checkoutPagePath(sessionId)}/return`;
}
