import type { SetupAttemptRow, SetupIntentRow } from './types.ts';

/** Stripe's `payment_method_options` of a SetupIntent: the card's, with Payrail's one option. */
function renderOptions(row: SetupIntentRow): Record<string, unknown> {
  return { card: { mandate_options: null, network: null, request_three_d_secure: row.payment_method_options.card?.request_three_d_secure ?? 'automatic' } };
}

/** The Stripe `setup_intent` object. `attach_to_self` is shown only when set, as Stripe shows it. */
export function renderSetupIntent(row: SetupIntentRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'setup_intent',
    application: null,
    ...(row.attach_to_self ? { attach_to_self: true } : {}),
    automatic_payment_methods: null,
    cancellation_reason: row.cancellation_reason,
    client_secret: row.client_secret,
    created: Number(row.created),
    customer: row.customer_id,
    description: row.description,
    flow_directions: null,
    last_setup_error: row.last_setup_error,
    latest_attempt: row.latest_attempt_id,
    livemode: row.livemode,
    mandate: row.mandate_id,
    metadata: row.metadata,
    next_action: row.next_action,
    on_behalf_of: null,
    payment_method: row.payment_method_id,
    payment_method_configuration_details: null,
    payment_method_options: renderOptions(row),
    payment_method_types: row.payment_method_types,
    single_use_mandate: null,
    status: row.status,
    usage: row.usage,
  };
}

/**
 * The fields of a SetupIntent a publishable key sees (Stripe's "retrievable with publishable key"): what a shopper's
 * browser needs to confirm it and show how it went, nothing about the merchant's customer or metadata.
 */
export const publishableSetupIntentFields = [
  'id', 'object', 'cancellation_reason', 'client_secret', 'created', 'description', 'last_setup_error', 'livemode', 'next_action',
  'payment_method', 'payment_method_types', 'status', 'usage',
] as const;

/** The Stripe `setup_attempt` object. */
export function renderSetupAttempt(row: SetupAttemptRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'setup_attempt',
    application: null,
    ...(row.attach_to_self ? { attach_to_self: true } : {}),
    created: Number(row.created),
    customer: row.customer_id,
    flow_directions: null,
    livemode: row.livemode,
    on_behalf_of: null,
    payment_method: row.payment_method_id,
    payment_method_details: row.payment_method_details,
    setup_error: row.setup_error,
    setup_intent: row.setup_intent_id,
    status: row.status,
    usage: row.usage,
  };
}
