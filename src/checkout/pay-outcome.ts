import { checkoutPagePath } from './render.ts';
import type { CheckoutSessionRow } from './repository.ts';

/** How a payment (or, in setup mode, a card's saving) attempted on the page ended, for the page to answer. */
export type PayOutcome =
  | { kind: 'complete'; session: CheckoutSessionRow }
  | { kind: 'redirect'; url: string }
  /** The payment failed: Stripe's message and codes (the page says it in the shopper's language by the codes). */
  | { kind: 'declined'; message: string; code?: string; declineCode?: string }
  | { kind: 'processing'; session: CheckoutSessionRow }
  | { kind: 'closed'; session: CheckoutSessionRow };

/** Where 3-D Secure and wallets send the shopper back: the session's return page, which settles it. */
export function checkoutReturnUrl(publicUrl: string, sessionId: string): string {
  return `${publicUrl}${checkoutPagePath(sessionId)}/return`;
}
