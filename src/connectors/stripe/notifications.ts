import { assertNever, type ProviderNotification } from '../connector.ts';
import type { StripeWebhookEvent } from './webhook.ts';

/*
 * Pure mapping from a verified Stripe event (webhook.ts `parseStripeWebhook`) to Payrail's `ProviderNotification`s
 * (event types: docs.stripe.com/api/events/types).
 *
 * Dedupe key: Stripe's event id (`evt_...`), the same for every redelivery (docs.stripe.com/webhooks#handle-duplicate-
 * events). An event that says two things (payment_intent.succeeded: authorized and captured) gives two notifications,
 * keyed `<event id>:authorization` and `<event id>:capture`; every other event gives one, keyed by the bare event id.
 *
 * References. The connector puts the attempt (charge) id in the PaymentIntent's `metadata.payrail_attempt` and the
 * refund id in the refund's `metadata.payrail_refund`; a charge's processor reference is the PaymentIntent id
 * (transformers.ts `fromPaymentIntent`), so `processorReference` is always the PaymentIntent, also for refunds.
 *
 * Events (the PaymentIntent's own status, mapped as `authorize` maps it, must agree with the event type; an event
 * whose object says otherwise is reported as `other` rather than acted on):
 * - payment_intent.succeeded -> authorization `authorized` and capture `succeeded` (also after a separate capture of
 *   an authorized intent, where the authorization is then a repeat of what Payrail knows).
 * - payment_intent.amount_capturable_updated -> authorization `authorized` (requires_capture).
 * - payment_intent.payment_failed -> authorization `declined` with the decline of `last_payment_error`.
 * - payment_intent.canceled -> void `succeeded`. Payrail only cancels (`void`) an intent it created, and Stripe
 *   cancels on its own only an uncaptured authorization that expired; both release the payment.
 * - payment_intent.processing, payment_intent.requires_action -> other: nothing final happened.
 * - refund.created / refund.updated / refund.failed / charge.refund.updated -> refund, with the refund's status
 *   (`pending`, `succeeded`, or `failed` with Stripe's `failure_reason`); refundId = `metadata.payrail_refund`.
 * - charge.refunded -> other: it carries the charge's refunded total, not which refund; the refund events do.
 * - Everything else -> other.
 * Descriptions carry the event type and Stripe's ids only.
 */

/** Maps one verified Stripe event. */
export function stripeNotifications(event: StripeWebhookEvent): ProviderNotification[] {
  const other = (): ProviderNotification[] => [{ kind: 'other', eventKey: event.eventId, description: describe(event) }];
  // Any event that carries a refund is about that refund (refund.* and charge.refund.updated).
  if (event.refund !== null) {
    const { outcome, payrailRefundId } = event.refund;
    return [{ kind: 'refund', eventKey: event.eventId, refundId: payrailRefundId, processorReference: event.refund.id, status: outcome.status, reason: outcome.status === 'failed' ? outcome.reason : null }];
  }
  switch (event.kind) {
    case 'payment_intent':
      return paymentIntentNotifications(event) ?? other();
    case 'refund':
    case 'charge_refunded':
    case 'other':
      return other();
    default:
      return assertNever(event.kind);
  }
}

/** The notifications of a PaymentIntent event, or null when Payrail does not act on it (or the intent disagrees). */
function paymentIntentNotifications(event: StripeWebhookEvent): ProviderNotification[] | null {
  const { eventId, attemptId, paymentIntentId: processorReference, authorization } = event;
  switch (event.type) {
    case 'payment_intent.succeeded':
      if (authorization?.status !== 'authorized' || !authorization.captured) return null;
      return [
        { kind: 'authorization', eventKey: `${eventId}:authorization`, attemptId, processorReference, result: { status: 'authorized' } },
        { kind: 'capture', eventKey: `${eventId}:capture`, attemptId, processorReference, status: 'succeeded' },
      ];
    case 'payment_intent.amount_capturable_updated':
      if (authorization?.status !== 'authorized') return null;
      return [{ kind: 'authorization', eventKey: eventId, attemptId, processorReference, result: { status: 'authorized' } }];
    case 'payment_intent.payment_failed':
      if (authorization?.status !== 'declined') return null;
      return [{ kind: 'authorization', eventKey: eventId, attemptId, processorReference, result: { status: 'declined', decline: authorization.decline } }];
    case 'payment_intent.canceled':
      if (event.paymentIntentStatus !== 'canceled') return null;
      return [{ kind: 'void', eventKey: eventId, attemptId, processorReference, status: 'succeeded' }];
    default:
      return null;
  }
}

function describe(event: StripeWebhookEvent): string {
  const about = event.paymentIntentId !== null ? ` ${event.paymentIntentId}` : '';
  return `Stripe ${event.type}${about}`;
}
