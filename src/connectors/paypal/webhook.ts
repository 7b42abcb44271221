import { fromPayPalMoney, type PayPalMoney } from './amounts.ts';
import type { PayPalLink } from './transformers.ts';

/*
 * PayPal webhooks (developer.paypal.com/api/rest/webhooks): a JSON event with the transmission headers
 * PAYPAL-TRANSMISSION-ID / -TIME / -SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO. Payrail verifies them the way PayPal
 * documents for merchants without certificate handling: POST /v1/notifications/verify-webhook-signature with the five
 * header values, the webhook id and the event, and trust it only on `verification_status: SUCCESS`. PayPal computes
 * the CRC32 of the event it is given, so the event is passed on as the exact bytes received, never re-serialised.
 * This module builds that request and turns a verified event into Payrail's terms; connector.ts does the HTTP.
 */

/** A webhook that must not be trusted, or that could not be checked. */
export class PayPalWebhookError extends Error {
  constructor(
    /** `verification_unavailable`: PayPal could not be asked; answer with a 5xx so that PayPal delivers it again. */
    readonly reason: 'signature_missing' | 'signature_invalid' | 'malformed' | 'verification_unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** The transmission headers PayPal sends with every webhook, lower-case. */
export const transmissionHeaders = ['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url', 'paypal-auth-algo'] as const;

/** PayPal events are a few kilobytes; a larger body is not PayPal's. */
export const webhookBodyBytesMax = 512 * 1024;

/** Header values by lower-case name (HTTP frameworks differ in how they case them). */
export function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * The body of POST /v1/notifications/verify-webhook-signature, with `webhook_event` spliced in as the raw JSON text
 * received. Throws PayPalWebhookError when a header is missing or the body is not a JSON object.
 */
export function verificationRequestBody(headers: Record<string, string>, body: Buffer, webhookId: string): string {
  if (body.length > webhookBodyBytesMax) throw new PayPalWebhookError('malformed', `the webhook body is larger than ${webhookBodyBytesMax} bytes`);
  const lower = lowerCaseHeaders(headers);
  for (const name of transmissionHeaders) {
    if (typeof lower[name] !== 'string' || lower[name] === '') throw new PayPalWebhookError('signature_missing', `the webhook has no ${name.toUpperCase()} header`);
  }
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PayPalWebhookError('malformed', 'the webhook body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new PayPalWebhookError('malformed', 'the webhook body is not a JSON object');
  const fields = JSON.stringify({
    auth_algo: lower['paypal-auth-algo'],
    cert_url: lower['paypal-cert-url'],
    transmission_id: lower['paypal-transmission-id'],
    transmission_sig: lower['paypal-transmission-sig'],
    transmission_time: lower['paypal-transmission-time'],
    webhook_id: webhookId,
  });
  return `${fields.slice(0, -1)},"webhook_event":${text.trim()}}`;
}

export type PayPalWebhookKind = 'order' | 'authorization' | 'capture' | 'refund' | 'other';

/** One verified event in Payrail's terms. Duplicates (same `id`) and ordering are the caller's concern. */
export interface PayPalWebhookEvent {
  /** PayPal's event id (`WH-...`): the same for a redelivery, so it deduplicates. */
  id: string;
  eventType: string;
  kind: PayPalWebhookKind;
  /** What the event says happened: `succeeded` (approved, authorized, captured, refunded), `pending`, `failed`, `voided`. */
  outcome: 'approved' | 'succeeded' | 'pending' | 'failed' | 'voided' | 'other';
  /** The resource's PayPal id (order, authorization, capture or refund). */
  resourceId: string;
  /** The order it belongs to, when PayPal says (`supplementary_data.related_ids.order_id`, or the order itself). */
  orderId: string | null;
  /** For refunds, the capture refunded (the `up` link). */
  captureId: string | null;
  /** Payrail's id that the connector sent as `custom_id`: the attempt (charge) id, or the refund id for refunds. */
  payrailId: string | null;
  /** In Payrail minor units and lower-case currency, when the resource has an amount. */
  amount: { amount: number; currency: string } | null;
  createTime: string | null;
}

/**
 * Event types Payrail acts on (developer.paypal.com/api/rest/webhooks/event-names, Orders v2 / Payments v2). Others
 * are reported as `other` with their type, for logging.
 */
const eventTypes: Readonly<Record<string, { kind: PayPalWebhookKind; outcome: PayPalWebhookEvent['outcome'] }>> = {
  'CHECKOUT.ORDER.APPROVED': { kind: 'order', outcome: 'approved' },
  'CHECKOUT.ORDER.COMPLETED': { kind: 'order', outcome: 'succeeded' },
  'CHECKOUT.PAYMENT-APPROVAL.REVERSED': { kind: 'order', outcome: 'failed' },
  'PAYMENT.AUTHORIZATION.CREATED': { kind: 'authorization', outcome: 'succeeded' },
  'PAYMENT.AUTHORIZATION.VOIDED': { kind: 'authorization', outcome: 'voided' },
  'PAYMENT.CAPTURE.COMPLETED': { kind: 'capture', outcome: 'succeeded' },
  'PAYMENT.CAPTURE.PENDING': { kind: 'capture', outcome: 'pending' },
  'PAYMENT.CAPTURE.DENIED': { kind: 'capture', outcome: 'failed' },
  'PAYMENT.CAPTURE.DECLINED': { kind: 'capture', outcome: 'failed' },
  'PAYMENT.CAPTURE.REFUNDED': { kind: 'refund', outcome: 'succeeded' },
};

interface EventResource {
  id?: unknown;
  custom_id?: unknown;
  amount?: unknown;
  purchase_units?: { custom_id?: unknown; amount?: unknown }[];
  supplementary_data?: { related_ids?: { order_id?: unknown } };
  links?: PayPalLink[];
}

/** Turns a verified event body into Payrail's terms; throws PayPalWebhookError('malformed') when it is not an event. */
export function parseVerifiedEvent(body: Buffer): PayPalWebhookEvent {
  const event = JSON.parse(body.toString('utf8')) as { id?: unknown; event_type?: unknown; resource?: EventResource & { order_id?: unknown }; create_time?: unknown };
  if (typeof event.id !== 'string' || typeof event.event_type !== 'string' || typeof event.resource !== 'object' || event.resource === null) {
    throw new PayPalWebhookError('malformed', 'the webhook is not a PayPal event with a resource');
  }
  // CHECKOUT.PAYMENT-APPROVAL.REVERSED names its order as `order_id` and has no `id` of its own.
  const resource: EventResource = typeof event.resource.id === 'string' ? event.resource : { ...event.resource, id: event.resource.order_id };
  if (typeof resource.id !== 'string') throw new PayPalWebhookError('malformed', 'the webhook is not a PayPal event with a resource');
  const known = eventTypes[event.event_type] ?? { kind: 'other' as const, outcome: 'other' as const };
  const isOrder = known.kind === 'order';
  const unit = isOrder ? resource.purchase_units?.[0] : undefined;
  const relatedOrder = resource.supplementary_data?.related_ids?.order_id;
  const customId = isOrder ? unit?.custom_id : resource.custom_id;
  const upLink = resource.links?.find((link) => link.rel === 'up')?.href;
  return {
    id: event.id,
    eventType: event.event_type,
    kind: known.kind,
    outcome: known.outcome,
    resourceId: resource.id as string,
    orderId: isOrder ? (resource.id as string) : typeof relatedOrder === 'string' ? relatedOrder : null,
    captureId: known.kind === 'refund' && upLink ? (/\/v2\/payments\/captures\/([^/?#]+)/.exec(upLink)?.[1] ?? null) : null,
    payrailId: typeof customId === 'string' ? customId : null,
    amount: amountOf(isOrder ? unit?.amount : resource.amount),
    createTime: typeof event.create_time === 'string' ? event.create_time : null,
  };
}

function amountOf(value: unknown): { amount: number; currency: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const money = value as Partial<PayPalMoney>;
  if (typeof money.currency_code !== 'string' || typeof money.value !== 'string') return null;
  try {
    return fromPayPalMoney(money as PayPalMoney);
  } catch {
    throw new PayPalWebhookError('malformed', `the amount ${money.value} ${money.currency_code} is not a Payrail amount`);
  }
}
