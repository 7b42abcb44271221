import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromAdyenAmount } from './transformers.ts';
import { refusalDeclines, refusalReasonCodeOf } from './declines.ts';

/*
 * Adyen standard webhooks (specs/adyen/Webhooks-v1.json): a JSON `NotificationRequest` with `notificationItems`, each
 * a `NotificationRequestItem` signed with HMAC-SHA256 in `additionalData.hmacSignature`. Verification follows
 * docs.adyen.com/development-resources/webhooks/verify-hmac-signatures and Adyen's own libraries
 * (@adyen/api-library `HmacValidator.getDataToSign`): the signed text is eight fields joined with ':' in a fixed
 * order, missing fields as empty strings; the key is the hex string from the Customer Area, decoded to bytes; the
 * signature is base64.
 */

/** A webhook that must not be trusted: bad signature, missing signature, or a body that is not Adyen's shape. */
export class AdyenWebhookError extends Error {
  constructor(
    readonly reason: 'signature_missing' | 'signature_invalid' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

/** Adyen's documented size of a webhook batch is small; anything larger is not from Adyen. */
export const webhookItemsMax = 100;

export interface AdyenNotificationItem {
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number; currency?: string };
  eventCode?: string;
  success?: string;
  reason?: string;
  eventDate?: string;
  /** The payment method as Adyen names it: a card brand (`visa`, `mc`), `ideal`, `sepadirectdebit`, ... */
  paymentMethod?: string;
  additionalData?: Record<string, string>;
}

/** The text Adyen signs for one notification item. */
export function signingString(item: AdyenNotificationItem): string {
  return [
    item.pspReference ?? '',
    item.originalReference ?? '',
    item.merchantAccountCode ?? '',
    item.merchantReference ?? '',
    item.amount?.value ?? '',
    item.amount?.currency ?? '',
    item.eventCode ?? '',
    item.success ?? '',
  ].join(':');
}

/** The base64 HMAC-SHA256 signature of one notification item under a hex key (what Adyen puts in `hmacSignature`). */
export function calculateHmacSignature(item: AdyenNotificationItem, hmacKeyHex: string): string {
  return createHmac('sha256', hmacKey(hmacKeyHex)).update(signingString(item), 'utf8').digest('base64');
}

function hmacKey(hex: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error('the Adyen HMAC key must be a non-empty hex string');
  return Buffer.from(hex, 'hex');
}

/** Whether an item's `additionalData.hmacSignature` is Adyen's signature under `hmacKeyHex`, compared in constant time. */
export function isValidHmacSignature(item: AdyenNotificationItem, hmacKeyHex: string): boolean {
  const received = item.additionalData?.hmacSignature;
  if (typeof received !== 'string') return false;
  const expected = Buffer.from(calculateHmacSignature(item, hmacKeyHex), 'base64');
  const given = Buffer.from(received, 'base64');
  // timingSafeEqual needs equal lengths; the length of a signature is not a secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type AdyenWebhookKind = 'authorisation' | 'capture' | 'cancellation' | 'refund' | 'other';

/** One notification item in Payrail's terms. Duplicates and ordering are the caller's concern (Adyen retries). */
export interface AdyenWebhookEvent {
  kind: AdyenWebhookKind;
  /** Adyen's event code as sent, e.g. `CAPTURE_FAILED` (kind `capture`, success false). */
  eventCode: string;
  /** The reference of this event: the payment for AUTHORISATION, the modification for CAPTURE/REFUND/... */
  pspReference: string;
  /** For modifications, the payment's pspReference (Payrail's charge `processor_reference`). */
  originalReference: string | null;
  /** The reference Payrail sent: the attempt (charge) id for payments and captures, the refund id for refunds. */
  merchantReference: string;
  merchantAccount: string;
  /** Whether the event happened (a failed capture or refund is reported as success false). */
  success: boolean;
  /** Payrail minor units and lower-case currency. */
  amount: { amount: number; currency: string };
  /** Adyen's reason when success is false, as sent. */
  reason: string | null;
  /** For a refused AUTHORISATION with a documented reason, Stripe's decline code. */
  declineCode: string | null;
  eventDate: string | null;
  /** Adyen's name of the payment method (`paymentMethod`), when sent: a local method's failure has its own decline. */
  paymentMethod?: string;
}

/**
 * Event codes Payrail acts on. CAPTURE_FAILED, REFUND_FAILED and REFUNDED_REVERSED are sent with `success: true`
 * (the failure event happened); they mean the capture or refund did not take effect, so they are reported as their
 * operation with success false.
 */
const eventKinds: Readonly<Record<string, { kind: AdyenWebhookKind; failure: boolean }>> = {
  AUTHORISATION: { kind: 'authorisation', failure: false },
  CAPTURE: { kind: 'capture', failure: false },
  CAPTURE_FAILED: { kind: 'capture', failure: true },
  CANCELLATION: { kind: 'cancellation', failure: false },
  REFUND: { kind: 'refund', failure: false },
  REFUND_FAILED: { kind: 'refund', failure: true },
  REFUNDED_REVERSED: { kind: 'refund', failure: true },
};

export interface ParsedAdyenWebhook {
  live: boolean;
  events: AdyenWebhookEvent[];
}

/**
 * Verifies and parses an Adyen standard webhook body. Every item must carry a valid HMAC signature (Adyen signs
 * each item separately); one bad item rejects the whole batch, so nothing from a forged request is acted on.
 * Throws AdyenWebhookError; the HTTP handler answers it with 401 and a parsed batch with Adyen's `[accepted]`.
 */
export function parseAdyenWebhook(body: Buffer, hmacKeyHex: string): ParsedAdyenWebhook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdyenWebhookError('malformed', 'the webhook body is not JSON');
  }
  if (!isObject(parsed) || !Array.isArray(parsed.notificationItems)) throw new AdyenWebhookError('malformed', 'the webhook has no notificationItems');
  if (parsed.notificationItems.length === 0 || parsed.notificationItems.length > webhookItemsMax) {
    throw new AdyenWebhookError('malformed', `a webhook carries 1 to ${webhookItemsMax} notification items`);
  }
  const events: AdyenWebhookEvent[] = [];
  for (const wrapper of parsed.notificationItems) {
    const item = isObject(wrapper) ? wrapper.NotificationRequestItem : undefined;
    if (!isObject(item)) throw new AdyenWebhookError('malformed', 'a notification item is not a NotificationRequestItem');
    const notification = item as AdyenNotificationItem;
    if (typeof notification.additionalData?.hmacSignature !== 'string') throw new AdyenWebhookError('signature_missing', 'a notification item has no hmacSignature');
    if (!isValidHmacSignature(notification, hmacKeyHex)) throw new AdyenWebhookError('signature_invalid', 'a notification item has an invalid hmacSignature');
    events.push(toEvent(notification));
  }
  return { live: parsed.live === 'true' || parsed.live === true, events };
}

function toEvent(item: AdyenNotificationItem): AdyenWebhookEvent {
  const { pspReference, merchantReference, merchantAccountCode, eventCode, success, amount } = item;
  if (typeof pspReference !== 'string' || typeof merchantReference !== 'string' || typeof merchantAccountCode !== 'string' || typeof eventCode !== 'string') {
    throw new AdyenWebhookError('malformed', 'a notification item lacks pspReference, merchantReference, merchantAccountCode or eventCode');
  }
  if (success !== 'true' && success !== 'false') throw new AdyenWebhookError('malformed', 'success must be "true" or "false"');
  if (!amount || typeof amount.value !== 'number' || typeof amount.currency !== 'string') throw new AdyenWebhookError('malformed', 'a notification item lacks its amount');
  const known = eventKinds[eventCode];
  const happened = success === 'true';
  const reason = typeof item.reason === 'string' && item.reason !== '' ? item.reason : null;
  const refused = known?.kind === 'authorisation' && !happened;
  const refusal = refused ? refusalReasonCodeOf(item.additionalData?.refusalReasonCode, reason ?? undefined) : null;
  return {
    kind: known?.kind ?? 'other',
    eventCode,
    pspReference,
    originalReference: typeof item.originalReference === 'string' && item.originalReference !== '' ? item.originalReference : null,
    merchantReference,
    merchantAccount: merchantAccountCode,
    success: known?.failure ? false : happened,
    amount: payrailAmount(amount.value, amount.currency),
    reason,
    declineCode: refused ? (refusal !== null ? refusalDeclines[refusal].declineCode : 'generic_decline') : null,
    eventDate: typeof item.eventDate === 'string' ? item.eventDate : null,
    ...(typeof item.paymentMethod === 'string' && item.paymentMethod !== '' ? { paymentMethod: item.paymentMethod } : {}),
  };
}

function payrailAmount(value: number, currency: string): { amount: number; currency: string } {
  try {
    return fromAdyenAmount({ value, currency });
  } catch {
    // An unknown currency or an amount finer than Payrail's unit cannot come from a payment Payrail sent.
    throw new AdyenWebhookError('malformed', `the amount ${value} ${currency} is not a Payrail amount`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
