import { constantTimeEqual } from '../platform/crypto.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { findPaymentIntent } from './repository.ts';

/**
 * The fields of a PaymentIntent a publishable key sees (Stripe's "retrievable with publishable key"): what a shopper's
 * browser needs to show and confirm the payment, and nothing about the merchant's customer, charges or bookkeeping.
 */
export const publishablePaymentIntentFields = [
  'id', 'object', 'amount', 'automatic_payment_methods', 'canceled_at', 'cancellation_reason', 'capture_method', 'client_secret',
  'confirmation_method', 'created', 'currency', 'description', 'last_payment_error', 'livemode', 'next_action', 'payment_method',
  'payment_method_types', 'processing', 'receipt_email', 'setup_future_usage', 'shipping', 'status',
] as const;

export function publishablePaymentIntent(rendered: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const field of publishablePaymentIntentFields) if (field in rendered) shown[field] = rendered[field];
  return shown;
}

/**
 * What lets a publishable key (a shopper's browser) read or confirm one PaymentIntent: its client secret. A wrong
 * secret, another account's intent and an unknown id all answer the same `resource_missing`, so a guess learns nothing
 * (Stripe says "does not match" for a wrong secret, which tells that the intent exists). Compared in constant time.
 */
export async function checkIntentClientSecret(db: Queryable, scope: Scope, id: string, clientSecret: string | undefined): Promise<void> {
  // Without its client secret the call is one for a secret key, and is refused as such (as at Stripe).
  if (clientSecret === undefined) {
    throw new ApiError('secret_key_required', "This API call cannot be made with a publishable API key unless it carries the PaymentIntent's client_secret. Please use a secret API key.");
  }
  const intent = await findPaymentIntent(db, scope, id);
  if (!intent || !constantTimeEqual(Buffer.from(clientSecret, 'utf8'), Buffer.from(intent.client_secret, 'utf8'))) throw missing('payment_intent', id);
}
