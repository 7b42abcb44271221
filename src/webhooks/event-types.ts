import { ApiError } from '../platform/errors.ts';
import { stripeEventTypes } from './stripe-event-types.ts';

/**
 * Every event type Payrail emits. A test checks that every type recorded in src/ is listed here. A webhook endpoint
 * may subscribe to these, to every type of Stripe's spec (`stripeEventTypes`: an integration written for Stripe
 * subscribes to types Payrail does not emit yet, such as `payment_intent.partially_funded`, and Stripe accepts them), and
 * to `*`; anything else is refused.
 */
export const webhookEventTypes = [
  'account.external_account.created',
  'account.external_account.deleted',
  'account.external_account.updated',
  'account.updated',
  'charge.captured',
  'charge.dispute.closed',
  'charge.dispute.created',
  'charge.dispute.funds_reinstated',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.updated',
  'charge.failed',
  'charge.pending',
  'charge.refund.updated',
  'charge.refunded',
  'charge.succeeded',
  'charge.updated',
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.created',
  'customer.deleted',
  'customer.source.created',
  'customer.source.deleted',
  'customer.source.updated',
  'customer.updated',
  'mandate.updated',
  'payment_intent.amount_capturable_updated',
  'person.created',
  'person.deleted',
  'person.updated',
  'payment_intent.canceled',
  'payment_intent.created',
  'payment_intent.payment_failed',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.succeeded',
  'payment_link.created',
  'payment_link.updated',
  'payment_method.attached',
  'payment_method.detached',
  'payment_method.updated',
  'payout.canceled',
  'payout.created',
  'payout.failed',
  'payout.paid',
  'payout.updated',
  // Payrail extension: connector configurations (credentials masked in the event).
  'payrail.connector_configuration.created',
  'payrail.connector_configuration.deleted',
  'payrail.connector_configuration.updated',
  // Payrail extension: the routing profile of an account and mode.
  'payrail.routing_profile.updated',
  'price.created',
  'price.updated',
  'product.created',
  'product.deleted',
  'product.updated',
  'radar.early_fraud_warning.created',
  'refund.created',
  'refund.failed',
  'refund.updated',
  'setup_intent.canceled',
  'setup_intent.created',
  'setup_intent.requires_action',
  'setup_intent.setup_failed',
  'setup_intent.succeeded',
  // Emitted by the delivery worker when an endpoint has failed continuously for too long and is disabled.
  'webhook_endpoint.disabled',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The subscription to every event type, present and future. */
export const allEventsWildcard = '*';

/** What `enabled_events` may name: Stripe's types and Payrail's own (its `payrail.*` extensions), once each. */
export const subscribableEventTypes: readonly string[] = [...new Set<string>([...stripeEventTypes, ...webhookEventTypes])].sort();

const known: ReadonlySet<string> = new Set<string>([...subscribableEventTypes, allEventsWildcard]);

/** Most entries an `enabled_events` list may have: every subscribable type once plus the wildcard. */
export const enabledEventsMax = subscribableEventTypes.length + 1;

/**
 * Checks an `enabled_events` list (each a subscribable type, or `*`) and returns it without duplicates, in the
 * order given. The error names the first bad entry in Stripe's bracket notation (`enabled_events[2]`).
 */
export function validateEnabledEvents(events: readonly string[], param = 'enabled_events'): string[] {
  if (events.length === 0) throw new ApiError('invalid_value', `Invalid ${param}: subscribe to at least one event type, or '*' for all of them.`, { param });
  events.forEach((type, index) => {
    if (!known.has(type)) {
      throw new ApiError('invalid_value', `Invalid ${param}[${index}]: '${type}' is not a Stripe or Payrail event type. Use '*' or a type such as payment_intent.succeeded (the list: docs/webhooks.md).`, { param: `${param}[${index}]` });
    }
  });
  return [...new Set(events)];
}

/** Whether an endpoint subscribed to `enabledEvents` receives events of `type` (the rule the events trigger applies). */
export function subscribesTo(enabledEvents: readonly string[], type: string): boolean {
  return enabledEvents.includes(allEventsWildcard) || enabledEvents.includes(type);
}
