import { assertNever, type Decline, type ProviderNotification } from '../connector.ts';
import { refusalDeclines, refusalReasonCodeOf, type AdyenRefusalReasonCode } from './declines.ts';
import type { AdyenWebhookEvent, ParsedAdyenWebhook } from './webhook.ts';
import { localMethodDecline } from './local-methods.ts';

/*
 * Pure mapping from a verified Adyen standard webhook (webhook.ts `parseAdyenWebhook`) to Payrail's
 * `ProviderNotification`s, one per notification item (specs/adyen/Webhooks-v1.json `NotificationRequestItem`).
 *
 * Dedupe key. An item has no id of its own. Adyen documents that a notification is identified by its `eventCode`
 * and `pspReference` together with `success` (docs.adyen.com/development-resources/webhooks/handle-webhook-events,
 * duplicates), and for modifications the `originalReference` of the payment they modify. The key is
 * those fields joined with ':' (`AUTHORISATION:PSP1:true`, `CAPTURE:PSP2:PSP1:true`); none of them can contain ':'
 * (references are alphanumeric, event codes upper-case words). `success` is the parsed one, in which CAPTURE_FAILED,
 * REFUND_FAILED and REFUNDED_REVERSED are always false: their `eventCode` differs from the plain operation's, so the
 * key stays distinct, and a redelivery (an identical item) always gives the same key.
 *
 * References. Payrail sends its attempt (charge) id as the payment's `reference` and as the `reference` of a capture
 * and of a cancel, and its refund id as the `reference` of a refund (connector.ts), so `merchantReference` is the
 * attempt id, or the refund id for refunds. The payment's `pspReference` is the charge's processor reference; a
 * modification carries it as `originalReference` (its own `pspReference` names the modification, which Payrail
 * does not store).
 *
 * Events:
 * - AUTHORISATION, success true -> authorization `authorized` (attemptId = merchantReference, processorReference =
 *   pspReference); success false -> `declined`, with the Decline of the refusal reason (see `authorisationDecline`),
 *   or for iDEAL and SEPA Direct Debit (`paymentMethod` ideal, sepadirectdebit) that method's decline.
 * - CAPTURE -> capture `succeeded`; CAPTURE with success false, or CAPTURE_FAILED -> capture `failed`.
 * - CANCELLATION -> void `succeeded`, or `failed` when success is false.
 * - REFUND -> refund `succeeded`; REFUND with success false and REFUND_FAILED (the scheme or issuer refused the
 *   refund) -> `failed` with Stripe's `declined`; REFUNDED_REVERSED (the refunded money came back to the merchant,
 *   for a reason Adyen does not say) -> `failed` with Stripe's `unknown`. processorReference = the refund's own
 *   pspReference (kept on Payrail's refund from Adyen's `received` answer); refundId = merchantReference when it is
 *   a Payrail refund id. A REFUNDED_REVERSED may follow a REFUND that succeeded: a refund can
 *   go from succeeded to failed, as Stripe's can (refund.failed after refund succeeded).
 * - Every other event code (CHARGEBACK, TECHNICAL_CANCEL, CANCEL_OR_REFUND, REPORT_AVAILABLE, ...) -> `other`.
 * Descriptions carry the event code and references only, never `reason`: for an AUTHORISATION, Adyen puts the
 * authorisation code, the card's last digits and its expiry date there.
 */

/** Stripe's generic issuer decline, for a refused AUTHORISATION whose reason Payrail cannot tell. */
const genericCardDecline: Decline = refusalDeclines['2'];

/** Refusal reason codes in ascending order: the first one with a given decline code is the canonical one. */
const refusalReasonCodes = Object.keys(refusalDeclines) as AdyenRefusalReasonCode[];

/**
 * The Decline of a refused AUTHORISATION. The parsed event keeps Stripe's `declineCode` (from `refusalReasonCode`
 * or the documented `reason` text) but not Adyen's refusal code, and several refusal codes share a decline code with
 * different error codes or network statuses (e.g. `fraudulent` for 14 Acquirer Fraud, 20 FRAUD (blocked by Adyen)
 * and 31 Issuer Suspected Fraud). So: the refusal code the `reason` names, when its decline code is the event's;
 * otherwise the first refusal code with the event's decline code; otherwise a generic `card_declined`.
 */
/** Payrail refund ids (`re_` and 24 base62 characters). */
const payrailRefundIdPattern = /^re_[0-9A-Za-z]{24}$/;

export function authorisationDecline(declineCode: string | null, reason: string | null): Decline {
  if (declineCode === null) return genericCardDecline;
  const named = reason !== null ? refusalReasonCodeOf(undefined, reason) : null;
  if (named !== null && refusalDeclines[named].declineCode === declineCode) return refusalDeclines[named];
  const first = refusalReasonCodes.find((code) => refusalDeclines[code].declineCode === declineCode);
  return first !== undefined ? refusalDeclines[first] : genericCardDecline;
}

/** The provider's dedupe key of one notification item (see the header). */
export function adyenEventKey(event: AdyenWebhookEvent): string {
  return [event.eventCode, event.pspReference, ...(event.originalReference !== null ? [event.originalReference] : []), String(event.success)].join(':');
}

/** Maps one parsed notification item to exactly one ProviderNotification. */
export function adyenNotification(event: AdyenWebhookEvent): ProviderNotification {
  const eventKey = adyenEventKey(event);
  switch (event.kind) {
    case 'authorisation':
      return {
        kind: 'authorization',
        eventKey,
        attemptId: event.merchantReference,
        processorReference: event.pspReference,
        // A refused iDEAL payment or returned SEPA debit has its method's Stripe decline (local-methods.ts).
        result: event.success ? { status: 'authorized' } : { status: 'declined', decline: localMethodDecline(event.paymentMethod ?? null, undefined, event.reason) ?? authorisationDecline(event.declineCode, event.reason) },
      };
    case 'capture':
      return { kind: 'capture', eventKey, attemptId: event.merchantReference, processorReference: event.originalReference, status: event.success ? 'succeeded' : 'failed' };
    case 'cancellation':
      return { kind: 'void', eventKey, attemptId: event.merchantReference, processorReference: event.originalReference, status: event.success ? 'succeeded' : 'failed' };
    case 'refund':
      return {
        kind: 'refund',
        eventKey,
        // Adyen's REFUND notification carries the refund's own pspReference, which Payrail keeps from the refund's
        // `received` answer; merchantReference is the payment's reference (per the spec), or the refund's own
        // `reference` where an account echoes it, so it only counts when it is a Payrail refund id.
        refundId: payrailRefundIdPattern.test(event.merchantReference) ? event.merchantReference : null,
        processorReference: event.pspReference,
        status: event.success ? 'succeeded' : 'failed',
        reason: event.success ? null : event.eventCode === 'REFUNDED_REVERSED' ? 'unknown' : 'declined',
        // The payment refunded and the amount: what finds a refund whose REFUND arrives before Adyen's answer to the
        // refund request (and its pspReference) was written.
        paymentReference: event.originalReference,
        amount: event.amount.amount,
      };
    case 'other':
      return { kind: 'other', eventKey, description: describe(event) };
    default:
      return assertNever(event.kind);
  }
}

/** Maps a verified batch, item by item, in Adyen's order. */
export function adyenNotifications(parsed: ParsedAdyenWebhook): ProviderNotification[] {
  return parsed.events.map(adyenNotification);
}

function describe(event: AdyenWebhookEvent): string {
  const original = event.originalReference !== null ? ` of ${event.originalReference}` : '';
  return `Adyen ${event.eventCode} ${event.pspReference}${original} (success ${event.success}, merchant reference ${event.merchantReference})`;
}
