import type { AuthorizeOutput } from '../connector.ts';

/**
 * Stripe's `next_action.redirect_to_url`, carried out of a connector: where the customer must go to authenticate or
 * approve. For a POST redirect `data` holds the form fields to post (Adyen `CheckoutRedirectAction.data`).
 */
export interface RedirectToUrl {
  type: 'redirect_to_url';
  url: string;
  method: 'GET' | 'POST';
  data: Record<string, string>;
}

/**
 * Payrail's `AuthorizeOutput`, except that `requires_authentication` carries the redirect the customer must follow
 * and the provider's reference (to find the payment again once the customer is back). Assignable to `AuthorizeOutput`.
 */
export type RedirectingAuthorizeOutput =
  | Exclude<AuthorizeOutput, { status: 'requires_authentication' }>
  | { status: 'requires_authentication'; processorReference: string | null; nextAction: RedirectToUrl | null };
