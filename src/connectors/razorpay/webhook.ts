import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderNotification } from '../connector.ts';
import { attemptIdOf, declineOf, fromRefund, methodDetailsOf, refundIdOf, type RazorpayOrder, type RazorpayPayment, type RazorpayRefund } from './transformers.ts';

// Razorpay's webhooks (razorpay.com/docs/webhooks): a JSON event `{entity: 'event', event, contains, payload: {payment:
// {entity}, order: {entity}, refund: {entity}}}`, signed in `X-Razorpay-Signature` with the hex HMAC-SHA256 of the raw
// body under the webhook's secret (set in Razorpay's dashboard, stored as the configuration's webhook_secret), and
// carrying `X-Razorpay-Event-Id`, the same for every delivery of one event. Only a body whose signature verifies is read.

/** Largest body taken: an event with a payment, an order and a refund is a few kilobytes. */
export const webhookBodyBytesMax = 262_144;

export class RazorpayWebhookError extends Error {
  constructor(
    readonly reason: 'signature_invalid' | 'body_invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function signatureValid(body: Buffer, signature: string | undefined, secret: string): boolean {
  if (signature === undefined || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

interface RazorpayEvent {
  event?: unknown;
  payload?: { payment?: { entity?: RazorpayPayment }; order?: { entity?: RazorpayOrder }; refund?: { entity?: RazorpayRefund } };
}

/**
 * Verifies a Razorpay webhook and says what it means in Payrail's terms. Throws `RazorpayWebhookError` for a missing
 * or wrong signature or a body that is not an event. The notifications' keys are the event id (or, without one, the
 * body's digest) and the event name, so a redelivery is applied once.
 */
export function razorpayNotifications(headers: Record<string, string>, body: Buffer, secret: string): ProviderNotification[] {
  if (body.byteLength > webhookBodyBytesMax) throw new RazorpayWebhookError('body_invalid', 'the webhook body is too large');
  if (!signatureValid(body, headers['x-razorpay-signature'], secret)) throw new RazorpayWebhookError('signature_invalid', 'the X-Razorpay-Signature does not match the body');
  let event: RazorpayEvent;
  try {
    event = JSON.parse(body.toString('utf8')) as RazorpayEvent;
  } catch {
    throw new RazorpayWebhookError('body_invalid', 'the webhook body is not JSON');
  }
  if (typeof event !== 'object' || event === null || typeof event.event !== 'string') throw new RazorpayWebhookError('body_invalid', 'the webhook body is not a Razorpay event');
  const name = event.event;
  const eventId = headers['x-razorpay-event-id'] ?? createHash('sha256').update(body).digest('hex');
  const eventKey = `${eventId}:${name}`;
  const payment = event.payload?.payment?.entity;
  const order = event.payload?.order?.entity;
  const refund = event.payload?.refund?.entity;
  const attemptId = attemptIdOf(payment) ?? attemptIdOf(order);
  const processorReference = typeof payment?.id === 'string' ? payment.id : null;
  switch (name) {
    case 'payment.authorized':
      // With automatic capture (every UPI payment) `payment.captured` follows and settles the attempt; an authorization
      // alone only settles a manual-capture attempt, which the service decides from the intent.
      if (payment?.captured === true || payment?.status === 'captured') return [{ kind: 'authorization', eventKey, attemptId, processorReference, result: { status: 'authorized', ...methodDetailsOf(payment) } }];
      return [{ kind: 'other', eventKey, description: `payment.authorized of ${processorReference ?? 'an unknown payment'}, awaiting capture` }];
    case 'payment.captured':
    case 'order.paid':
      if (!payment) return [{ kind: 'other', eventKey, description: `${name} without a payment` }];
      return [{ kind: 'authorization', eventKey, attemptId, processorReference, result: { status: 'authorized', ...methodDetailsOf(payment) } }];
    case 'payment.failed':
      if (!payment) return [{ kind: 'other', eventKey, description: 'payment.failed without a payment' }];
      return [{ kind: 'authorization', eventKey, attemptId, processorReference, result: { status: 'declined', decline: declineOf(payment) } }];
    case 'refund.processed':
    case 'refund.failed':
    case 'refund.created': {
      if (!refund) return [{ kind: 'other', eventKey, description: `${name} without a refund` }];
      const outcome = fromRefund(refund);
      const status = name === 'refund.created' ? 'pending' : outcome.status;
      return [{ kind: 'refund', eventKey, refundId: refundIdOf(refund), processorReference: typeof refund.id === 'string' ? refund.id : null, status, reason: status === 'failed' ? 'declined' : null }];
    }
    default:
      return [{ kind: 'other', eventKey, description: name }];
  }
}
