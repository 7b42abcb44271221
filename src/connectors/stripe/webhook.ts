import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthorizeOutput, SimpleOutput } from '../connector.ts';
import {
  attemptMetadataKey, fromPaymentIntent, fromRefund, isPaymentIntentStatus, refundMetadataKey,
  type PaymentIntentStatus, type StripeCharge, type StripePaymentIntent, type StripeRefund,
} from './transformers.ts';

/*
 * Stripe webhooks (docs.stripe.com/webhooks#verify-manually): the body is an Event, signed in the `Stripe-Signature`
 * header as `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint secret>`. While a secret is
 * being rolled Stripe sends one `v1` per active secret, so any `v1` matching any configured secret is accepted. The
 * timestamp bounds replays: a signature older (or further in the future) than the tolerance is refused.
 */

/** Stripe's default tolerance between the signed timestamp and now (the official libraries use 300 s). */
export const signatureToleranceSeconds = 300;

/** Largest webhook body accepted; a Stripe event is a few kilobytes. */
export const webhookBodyBytesMax = 1_048_576;

/** Most `v1` signatures read from one header (one per active secret; Stripe keeps at most a few). */
export const signaturesPerHeaderMax = 8;

/** A webhook that must not be trusted, or that is not a Stripe event. */
export class StripeWebhookError extends Error {
  constructor(
    readonly reason: 'signature_missing' | 'signature_invalid' | 'timestamp_outside_tolerance' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

/** The `v1` signature Stripe computes for a payload at a timestamp. */
export function computeSignature(payload: Buffer | string, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(payload).digest('hex');
}

/** A `Stripe-Signature` header for a payload, one `v1` per secret (what Stripe sends; for tests and sandboxes). */
export function signatureHeader(payload: Buffer | string, secrets: readonly string[], timestamp: number): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${computeSignature(payload, secret, timestamp)}`)].join(',');
}

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedHeader {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Other schemes (Stripe's test-only v0) are ignored, as the official libraries do.
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value) && signatures.length < signaturesPerHeaderMax) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null) throw new StripeWebhookError('signature_invalid', 'the Stripe-Signature header has no timestamp');
  if (signatures.length === 0) throw new StripeWebhookError('signature_invalid', 'the Stripe-Signature header has no v1 signature');
  return { timestamp, signatures };
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Verifies the `Stripe-Signature` of a raw body against the endpoint's secrets (several while a secret is rolled),
 * in constant time per comparison. Throws StripeWebhookError when no signature matches or the timestamp is outside
 * the tolerance. The body must be the exact bytes received: re-serialized JSON would not match.
 */
export function verifySignature(body: Buffer, header: string | undefined, secrets: readonly string[], nowSeconds: number, toleranceSeconds = signatureToleranceSeconds): void {
  if (secrets.length === 0) throw new Error('a Stripe webhook needs at least one signing secret to verify against');
  if (header === undefined || header === '') throw new StripeWebhookError('signature_missing', 'the request has no Stripe-Signature header');
  const parsed = parseHeader(header);
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(computeSignature(body, secret, parsed.timestamp), 'hex');
    // Every candidate is compared (no early exit inside a comparison); lengths are equal by construction.
    return parsed.signatures.map((given) => timingSafeEqual(given, expected)).includes(true);
  });
  if (!matches) throw new StripeWebhookError('signature_invalid', 'no signature in the Stripe-Signature header matches the signing secret');
  // Checked after the signature so that a forged request learns nothing about the clock.
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) {
    throw new StripeWebhookError('timestamp_outside_tolerance', `the signature timestamp is more than ${toleranceSeconds} s away from now`);
  }
}

export type StripeWebhookKind = 'payment_intent' | 'charge_refunded' | 'refund' | 'other';

/** Event types whose object Payrail reads, with what they are about. */
const eventKinds: Readonly<Record<string, StripeWebhookKind>> = {
  'payment_intent.succeeded': 'payment_intent',
  'payment_intent.payment_failed': 'payment_intent',
  'payment_intent.amount_capturable_updated': 'payment_intent',
  'payment_intent.canceled': 'payment_intent',
  'payment_intent.processing': 'payment_intent',
  'payment_intent.requires_action': 'payment_intent',
  'charge.refunded': 'charge_refunded',
  'refund.created': 'refund',
  'refund.updated': 'refund',
  'refund.failed': 'refund',
  'charge.refund.updated': 'refund',
};

/** One Stripe event in Payrail's terms. Duplicates and ordering are the caller's concern (Stripe retries). */
export interface StripeWebhookEvent {
  /** Stripe's event id (`evt_...`): the key to drop duplicates by. */
  eventId: string;
  type: string;
  kind: StripeWebhookKind;
  created: number;
  livemode: boolean;
  /** The PaymentIntent the event is about (Payrail's charge `processor_reference`), when there is one. */
  paymentIntentId: string | null;
  /** For PaymentIntent events, its status as sent. */
  paymentIntentStatus: PaymentIntentStatus | null;
  /** The Payrail attempt (charge) id from `metadata.payrail_attempt`, when the object carries it. */
  attemptId: string | null;
  /** For PaymentIntent events, the intent mapped as `authorize` would map it. */
  authorization: AuthorizeOutput | null;
  /** For refund events: Stripe's refund id, Payrail's refund id (`metadata.payrail_refund`) and the mapped outcome. */
  refund: { id: string; payrailRefundId: string | null; outcome: SimpleOutput } | null;
  /** For `charge.refunded`, the charge's total refunded amount (minor units). */
  amountRefunded: number | null;
}

/**
 * Verifies and parses a Stripe webhook. `headers` as received (any case); `body` the raw bytes. Throws
 * StripeWebhookError; the HTTP handler answers it with 400 (Stripe retries non-2xx) and a parsed event with 200.
 */
export function parseStripeWebhook(headers: Record<string, string | string[] | undefined>, body: Buffer, secrets: readonly string[], nowSeconds: number, toleranceSeconds = signatureToleranceSeconds): StripeWebhookEvent {
  if (body.byteLength > webhookBodyBytesMax) throw new StripeWebhookError('malformed', `the webhook body is larger than ${webhookBodyBytesMax} bytes`);
  verifySignature(body, headerValue(headers, 'stripe-signature'), secrets, nowSeconds, toleranceSeconds);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new StripeWebhookError('malformed', 'the webhook body is not JSON');
  }
  if (!isObject(parsed) || parsed.object !== 'event' || typeof parsed.id !== 'string' || typeof parsed.type !== 'string') {
    throw new StripeWebhookError('malformed', 'the webhook body is not a Stripe event');
  }
  const data = parsed.data;
  if (!isObject(data) || !isObject(data.object)) throw new StripeWebhookError('malformed', 'the event has no data.object');
  const object = data.object;
  const kind = eventKinds[parsed.type] ?? 'other';
  const event: StripeWebhookEvent = {
    eventId: parsed.id,
    type: parsed.type,
    kind,
    created: typeof parsed.created === 'number' ? parsed.created : 0,
    livemode: parsed.livemode === true,
    paymentIntentId: null,
    paymentIntentStatus: null,
    attemptId: metadataValue(object, attemptMetadataKey),
    authorization: null,
    refund: null,
    amountRefunded: null,
  };
  switch (kind) {
    case 'payment_intent': {
      if (object.object !== 'payment_intent' || typeof object.id !== 'string') throw new StripeWebhookError('malformed', `${parsed.type} does not carry a payment_intent`);
      const intent = object as unknown as StripePaymentIntent;
      event.paymentIntentId = intent.id;
      event.paymentIntentStatus = isPaymentIntentStatus(intent.status) ? intent.status : null;
      event.authorization = fromPaymentIntent(intent);
      break;
    }
    case 'charge_refunded': {
      if (object.object !== 'charge') throw new StripeWebhookError('malformed', `${parsed.type} does not carry a charge`);
      const charge = object as unknown as StripeCharge;
      event.paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : null;
      event.amountRefunded = typeof charge.amount_refunded === 'number' ? charge.amount_refunded : null;
      break;
    }
    case 'refund': {
      if (object.object !== 'refund' || typeof object.id !== 'string') throw new StripeWebhookError('malformed', `${parsed.type} does not carry a refund`);
      const refund = object as unknown as StripeRefund;
      event.paymentIntentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : null;
      event.refund = { id: refund.id, payrailRefundId: metadataValue(object, refundMetadataKey), outcome: fromRefund(refund) };
      break;
    }
    case 'other':
      break;
  }
  return event;
}

function metadataValue(object: Record<string, unknown>, key: string): string | null {
  const metadata = object.metadata;
  if (!isObject(metadata)) return null;
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
