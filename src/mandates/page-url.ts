import type { SecretBox } from '../platform/crypto.ts';

/**
 * The mandate's hosted page (Stripe's `payment_method_details.sepa_debit.url`): what the customer agreed to, with the
 * mandate reference the SEPA pre-notification quotes. The token binds the URL to the mandate, so ids alone open nothing.
 */
export function mandatePageToken(secretBox: SecretBox, mandateId: string): string {
  return secretBox.digest('mandate-page', mandateId);
}

export function mandatePageUrl(deps: { secretBox: SecretBox; publicUrl: string }, mandateId: string): string {
  return `${deps.publicUrl}/payrail/mandates/${mandateId}/${mandatePageToken(deps.secretBox, mandateId)}`;
}
