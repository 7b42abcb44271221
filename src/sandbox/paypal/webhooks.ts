import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { WebhookSender, type DeliveryResult } from '../shared/webhook-sender.ts';
import { newPayPalId, type SandboxStore, type WebhookRecord } from './store.ts';

export { defaultWebhookRetryDelaysMs, webhookTimeoutMs } from '../shared/webhook-sender.ts';

/**
 * PayPal webhooks (developer.paypal.com/api/rest/webhooks): an event `{id, event_version, create_time, resource_type,
 * resource_version, event_type, summary, resource, links}` POSTed as JSON with the transmission headers
 * PAYPAL-TRANSMISSION-ID, PAYPAL-TRANSMISSION-TIME, PAYPAL-TRANSMISSION-SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO.
 *
 * PayPal signs `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the body, decimal>` with SHA256withRSA
 * under a PayPal certificate. Merchants either check that signature against the certificate or, as Payrail's
 * connector does, ask PayPal with POST /v1/notifications/verify-webhook-signature. The sandbox has no PayPal
 * certificate, so it signs the same string with HMAC-SHA256 under a key only it knows (auth algo `HMACSHA256`,
 * signature in hex) and answers the verification endpoint from that key. A receiver that verifies through the API, as
 * PayPal recommends, cannot tell the difference.
 *
 * Delivery: a 2xx answer counts as delivered; anything else is retried on `retryDelaysMs`, then abandoned (PayPal
 * retries up to 25 times over 3 days; the sandbox's schedule is short and configurable).
 */

export const sandboxAuthAlgorithm = 'HMACSHA256';

export type EventType =
  | 'CHECKOUT.ORDER.APPROVED'
  | 'PAYMENT.AUTHORIZATION.CREATED'
  | 'PAYMENT.AUTHORIZATION.VOIDED'
  | 'PAYMENT.CAPTURE.COMPLETED'
  | 'PAYMENT.CAPTURE.PENDING'
  | 'PAYMENT.CAPTURE.DENIED'
  | 'PAYMENT.CAPTURE.REFUNDED';

/** Upper bound on webhook events kept in memory. */
export const webhooksKeptMax = 100_000;

/** The string PayPal signs for one transmission. */
export function signedString(transmissionId: string, transmissionTime: string, webhookId: string, body: string): string {
  return `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(Buffer.from(body, 'utf8'))}`;
}

export function signTransmission(key: Buffer, transmissionId: string, transmissionTime: string, webhookId: string, body: string): string {
  return createHmac('sha256', key).update(signedString(transmissionId, transmissionTime, webhookId, body), 'utf8').digest('hex');
}

export interface VerificationRequest {
  auth_algo: string;
  cert_url: string;
  transmission_id: string;
  transmission_sig: string;
  transmission_time: string;
  webhook_id: string;
  webhook_event: unknown;
}

export interface WebhookDispatcherOptions {
  signingKey: Buffer;
  webhookId: string;
  url?: string;
  certUrl: () => string;
  retryDelaysMs: readonly number[];
  delayMs: () => number;
  duplicate: () => boolean;
}

export class WebhookDispatcher {
  readonly #store: SandboxStore;
  readonly #options: WebhookDispatcherOptions;
  readonly #sender: WebhookSender<WebhookRecord, string>;
  #url: string | undefined;

  constructor(store: SandboxStore, options: WebhookDispatcherOptions) {
    this.#store = store;
    this.#options = options;
    this.#url = options.url;
    this.#sender = new WebhookSender({ retryDelaysMs: options.retryDelaysMs, target: () => this.#url, send: (record, url, signal) => this.#send(record, url, signal) });
  }

  get url(): string | undefined {
    return this.#url;
  }

  setUrl(url: string | undefined): void {
    this.#url = url;
    if (url) this.#sender.scheduleUnattempted(this.#store.webhooks);
  }

  /** Builds the event and queues it for asynchronous delivery (twice with the `webhookDuplicate` fault). */
  enqueue(eventType: EventType, resourceType: string, summary: string, resource: Record<string, unknown>, resourceId: string): WebhookRecord {
    const createTime = new Date().toISOString();
    const eventId = `WH-${newPayPalId(17)}-${newPayPalId(17)}`;
    const event = {
      id: eventId,
      event_version: '1.0',
      create_time: createTime,
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: eventType,
      summary,
      resource,
      links: [
        { href: `https://api-m.sandbox.paypal.com/v1/notifications/webhooks-events/${eventId}`, rel: 'self', method: 'GET' },
        { href: `https://api-m.sandbox.paypal.com/v1/notifications/webhooks-events/${eventId}/resend`, rel: 'resend', method: 'POST' },
      ],
    };
    const body = JSON.stringify(event);
    const copies = this.#options.duplicate() ? 2 : 1;
    let first: WebhookRecord | undefined;
    for (let copy = 0; copy < copies; copy++) {
      const record: WebhookRecord = { eventId, eventType, resourceId, body, transmissionIds: [], attempts: 0, delivered: false, abandoned: false, duplicate: copy > 0, createTime };
      this.#sender.add(this.#store.webhooks, record, webhooksKeptMax, this.#options.delayMs);
      first ??= record;
    }
    return first!;
  }

  /** The transmission headers of one delivery attempt. */
  transmissionHeaders(body: string): Record<string, string> {
    const transmissionId = randomUUID();
    // PayPal sends the time without milliseconds, e.g. 2024-05-01T12:00:00Z.
    const transmissionTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-transmission-sig': signTransmission(this.#options.signingKey, transmissionId, transmissionTime, this.#options.webhookId, body),
      'paypal-cert-url': this.#options.certUrl(),
      'paypal-auth-algo': sandboxAuthAlgorithm,
    };
  }

  /**
   * POST /v1/notifications/verify-webhook-signature: SUCCESS only when the webhook id is this sandbox's, the
   * certificate URL and algorithm are the ones it sends, and the signature matches the event as re-serialised.
   * PayPal computes the CRC over the event it receives in `webhook_event`, so a receiver must pass the body it got
   * unchanged (the sandbox compares against `JSON.stringify` of the parsed event, which is the body it sent).
   */
  verify(request: VerificationRequest): 'SUCCESS' | 'FAILURE' {
    if (request.webhook_id !== this.#options.webhookId) return 'FAILURE';
    if (request.auth_algo !== sandboxAuthAlgorithm || request.cert_url !== this.#options.certUrl()) return 'FAILURE';
    const expected = Buffer.from(signTransmission(this.#options.signingKey, request.transmission_id, request.transmission_time, request.webhook_id, JSON.stringify(request.webhook_event)), 'hex');
    const given = Buffer.from(request.transmission_sig, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'SUCCESS' : 'FAILURE';
  }

  /** POSTs one event with fresh transmission headers, recording the transmission id; any 2xx is accepted. */
  async #send(record: WebhookRecord, url: string, signal: AbortSignal): Promise<DeliveryResult> {
    const headers = this.transmissionHeaders(record.body);
    record.transmissionIds.push(headers['paypal-transmission-id']);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: record.body, signal });
    await response.arrayBuffer();
    return { status: response.status, accepted: response.ok };
  }

  /** Resolves once no delivery is scheduled or running. */
  idle(pollMs?: number): Promise<void> {
    return this.#sender.idle(pollMs);
  }

  close(): void {
    this.#sender.close();
  }
}
