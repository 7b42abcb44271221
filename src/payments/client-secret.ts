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
  return publishableFields(rendered, publishablePaymentIntentFields);
}

/** The fields of a rendered object a publishable key may see: those listed, as rendered. */
export function publishableFields(rendered: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const field of fields) if (field in rendered) shown[field] = rendered[field];
  return shown;
}

/**
 * What lets a publishable key (a shopper's browser) read or confirm one PaymentIntent: its client secret. A wrong
 * secret, another account's intent and an unknown id all answer the same `resource_missing`, so a guess learns nothing
 * (Stripe says "does not match" for a wrong secret, which tells that the intent exists). Compared in constant time.
 */
export async function checkIntentClientSecret(db: Queryable, scope: Scope, id: string, clientSecret: string | undefined): Promise<void> {
  await checkClientSecret({ resource: 'payment_intent', name: 'PaymentIntent', id, clientSecret, find: () => findPaymentIntent(db, scope, id) });
}

/**
 * The same check for any object a client secret opens (a PaymentIntent, a SetupIntent): without the secret the call
 * is one for a secret key (401); an unknown id, another account's object and a wrong secret are one 404.
 */
export async function checkClientSecret(target: {
  /** Stripe's object name in the 404 (`payment_intent`, `setup_intent`). */
  resource: string;
  /** The object's name for people (`PaymentIntent`, `SetupIntent`). */
  name: string;
  id: string;
  clientSecret: string | undefined;
  /** The object in the caller's account and mode, if there is one. */
  find: () => Promise<{ client_secret: string } | undefined>;
}): Promise<void> {
  // Without its client secret the call is one for a secret key, and is refused as such (as at Stripe).
  if (target.clientSecret === undefined) {
    throw new ApiError('secret_key_required', `This API call cannot be made with a publishable API key unless it carries the ${target.name}'s client_secret. Please use a secret API key.`);
  }
  const found = await target.find();
  if (!found || !constantTimeEqual(Buffer.from(target.clientSecret, 'utf8'), Buffer.from(found.client_secret, 'utf8'))) throw missing(target.resource, target.id);
}
