import { assertNever, type ProviderNotification } from '../connector.ts';
import { fundingDeclined, processingError } from './transformers.ts';
import type { PayPalWebhookEvent } from './webhook.ts';

/*
 * Pure mapping from a verified PayPal webhook event (webhook.ts `parseVerifiedEvent`) to Payrail's
 * `ProviderNotification`s (event names: developer.paypal.com/api/rest/webhooks/event-names; resources:
 * specs/paypal/checkout_orders_v2.json and payments_payment_v2.json).
 *
 * Dedupe key: PayPal's event id (`WH-...`), the same for every redelivery of an event. An event that says two things
 * gives two notifications, keyed `<event id>:authorization` and `<event id>:capture`; every other event gives one,
 * keyed by the bare event id. The same event therefore always gives the same keys.
 *
 * References. The connector sends the attempt (charge) id as the order's `purchase_units[0].custom_id`, which PayPal
 * copies onto the order's authorizations and captures, and the refund id as the refund's `custom_id`; so
 * `custom_id` is the attemptId, or the refundId for refunds. A charge's processor reference is the PayPal ORDER id
 * (connector.ts: every authorize/sync outcome, `fromCompletedOrder`), so `processorReference` is the order: the order
 * itself for CHECKOUT.* events, `supplementary_data.related_ids.order_id` for authorizations and captures. It is
 * never the authorization, capture or refund id, which Payrail does not store. PayPal's refund resources carry no
 * order id (only an `up` link to the capture), so a refund notification is found by its refundId alone.
 *
 * Events:
 * - CHECKOUT.ORDER.APPROVED -> approval (the buyer approved; Payrail may complete the order without their return).
 * - PAYMENT.AUTHORIZATION.CREATED -> authorization `authorized` (intent AUTHORIZE).
 * - PAYMENT.AUTHORIZATION.VOIDED -> void `succeeded`.
 * - PAYMENT.CAPTURE.COMPLETED -> capture `succeeded`. When the capture is the payment itself (intent CAPTURE: the
 *   capture names no authorization in `related_ids.authorization_id`), also authorization `authorized`, since for
 *   such an order the capture is the authorization.
 * - PAYMENT.CAPTURE.PENDING -> capture `pending` only: a pending capture says nothing final about the payment.
 * - PAYMENT.CAPTURE.DENIED / .DECLINED -> capture `failed`. When the capture is the payment itself, also
 *   authorization `declined` (PayPal refused the buyer's funding, `fundingDeclined`, as `fromCompletedOrder` reports
 *   a DECLINED capture). A denied capture of an authorization is only a failed capture: the authorization stands.
 * - PAYMENT.CAPTURE.REFUNDED -> refund `succeeded` (refundId = the refund's `custom_id`).
 * - CHECKOUT.PAYMENT-APPROVAL.REVERSED -> authorization `declined`: PayPal cancelled the order because it was not
 *   captured in time after approval (developer.paypal.com/docs/checkout/apm/reference/handle-uncaptured-payments).
 *   Nothing is wrong with the buyer's funding, so the decline is Payrail's retryable `processing_error`.
 * - Everything else (CHECKOUT.ORDER.COMPLETED, which PayPal sends to platforms and which the capture or
 *   authorization event already covers; disputes; ...) -> other.
 * Descriptions carry the event type and PayPal's ids only: PayPal resources can hold payer names and e-mail addresses.
 */

/** What the raw body of a PAYMENT.CAPTURE.* event says beyond the parsed event: the authorization it captured, if any. */
export interface PayPalCaptureContext {
  /** The authorization the capture captured (intent AUTHORIZE), or null when the capture is the payment itself. */
  capturedAuthorizationId: string | null;
}

/** `resource.supplementary_data.related_ids.authorization_id` of a capture event, or its `up` link to an authorization. */
export function captureContextOf(body: Buffer): PayPalCaptureContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { capturedAuthorizationId: null };
  }
  const resource = (parsed as { resource?: { supplementary_data?: { related_ids?: { authorization_id?: unknown } }; links?: unknown } } | null)?.resource;
  const related = resource?.supplementary_data?.related_ids?.authorization_id;
  if (typeof related === 'string' && related !== '') return { capturedAuthorizationId: related };
  const up = Array.isArray(resource?.links) ? (resource.links as { rel?: unknown; href?: unknown }[]).find((link) => link?.rel === 'up')?.href : undefined;
  const fromLink = typeof up === 'string' ? /\/v2\/payments\/authorizations\/([^/?#]+)/.exec(up)?.[1] : undefined;
  return { capturedAuthorizationId: fromLink ?? null };
}

/**
 * Maps one verified PayPal event. `context` matters only for PAYMENT.CAPTURE.* events; without it a capture is taken
 * to be the payment itself (intent CAPTURE, which is what Payrail's automatic capture creates).
 */
export function paypalNotifications(event: PayPalWebhookEvent, context: PayPalCaptureContext = { capturedAuthorizationId: null }): ProviderNotification[] {
  const attemptId = event.payrailId;
  const processorReference = event.orderId;
  const other = (): ProviderNotification[] => [{ kind: 'other', eventKey: event.id, description: describe(event) }];
  switch (event.kind) {
    case 'order':
      switch (event.outcome) {
        case 'approved':
          return [{ kind: 'approval', eventKey: event.id, attemptId, processorReference }];
        case 'failed':
          return [{ kind: 'authorization', eventKey: event.id, attemptId, processorReference, result: { status: 'declined', decline: processingError } }];
        default:
          return other();
      }
    case 'authorization':
      switch (event.outcome) {
        case 'succeeded':
          return [{ kind: 'authorization', eventKey: event.id, attemptId, processorReference, result: { status: 'authorized' } }];
        case 'voided':
          return [{ kind: 'void', eventKey: event.id, attemptId, processorReference, status: 'succeeded' }];
        default:
          return other();
      }
    case 'capture': {
      const isPayment = context.capturedAuthorizationId === null;
      switch (event.outcome) {
        case 'succeeded':
          if (!isPayment) return [{ kind: 'capture', eventKey: event.id, attemptId, processorReference, status: 'succeeded' }];
          return [
            { kind: 'authorization', eventKey: `${event.id}:authorization`, attemptId, processorReference, result: { status: 'authorized' } },
            { kind: 'capture', eventKey: `${event.id}:capture`, attemptId, processorReference, status: 'succeeded' },
          ];
        case 'pending':
          return [{ kind: 'capture', eventKey: event.id, attemptId, processorReference, status: 'pending' }];
        case 'failed':
          if (!isPayment) return [{ kind: 'capture', eventKey: event.id, attemptId, processorReference, status: 'failed' }];
          return [
            { kind: 'authorization', eventKey: `${event.id}:authorization`, attemptId, processorReference, result: { status: 'declined', decline: fundingDeclined } },
            { kind: 'capture', eventKey: `${event.id}:capture`, attemptId, processorReference, status: 'failed' },
          ];
        default:
          return other();
      }
    }
    case 'refund':
      if (event.outcome !== 'succeeded') return other();
      return [{ kind: 'refund', eventKey: event.id, refundId: event.payrailId, processorReference: event.resourceId, status: 'succeeded', reason: null }];
    case 'other':
      return other();
    default:
      return assertNever(event.kind);
  }
}

function describe(event: PayPalWebhookEvent): string {
  const order = event.orderId !== null && event.orderId !== event.resourceId ? ` (order ${event.orderId})` : '';
  return `PayPal ${event.eventType} ${event.resourceId}${order}`;
}
