import { createHmac } from 'node:crypto';
import { WebhookSender, type DeliveryResult } from '../shared/webhook-sender.ts';
import { newRazorpayId, unixSeconds, type SandboxStore, type WebhookRecord } from './store.ts';

export { defaultWebhookRetryDelaysMs, webhookTimeoutMs } from '../shared/webhook-sender.ts';

/**
 * Razorpay webhooks (razorpay.com/docs/webhooks): an event `{entity: 'event', account_id, event, contains, payload,
 * created_at}` POSTed as JSON, where `payload` has one `{entity: {...}}` per name in `contains` (e.g. order.paid
 * contains payment and order). Headers: `X-Razorpay-Signature`, the hex HMAC-SHA256 of the raw body under the
 * webhook's secret (what the SDK's `validateWebhookSignature(body, signature, secret)` recomputes), and
 * `X-Razorpay-Event-Id`, the same for every delivery of one event so a receiver can drop duplicates.
 *
 * Delivery: a 2xx answer counts as delivered; anything else (or no answer within the timeout) is retried on
 * `retryDelaysMs`, then abandoned. Razorpay retries with exponential back-off for 24 hours; the sandbox's schedule is
 * short and configurable.
 */

export type EventName = 'payment.authorized' | 'payment.captured' | 'payment.failed' | 'order.paid' | 'refund.created' | 'refund.processed';

/** The entities an event carries, in the order of its `contains`. */
export type EventPayload = Partial<Record<'payment' | 'order' | 'refund', Record<string, unknown>>>;

/** Upper bound on webhook events kept in memory. */
export const webhooksKeptMax = 100_000;

export function signWebhookBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export interface WebhookDispatcherOptions {
  secret: string;
  accountId: string;
  url?: string;
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
  enqueue(event: EventName, payload: EventPayload): void {
    const createdAt = unixSeconds();
    const contains = Object.keys(payload);
    const body = JSON.stringify({
      entity: 'event',
      account_id: this.#options.accountId,
      event,
      contains,
      payload: Object.fromEntries(Object.entries(payload).map(([name, entity]) => [name, { entity }])),
      created_at: createdAt,
    });
    const eventId = newRazorpayId('');
    const copies = this.#options.duplicate() ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const record: WebhookRecord = { eventId, event, body, attempts: 0, delivered: false, abandoned: false, duplicate: copy > 0, createdAt };
      this.#sender.add(this.#store.webhooks, record, webhooksKeptMax, this.#options.delayMs);
    }
  }

  async #send(record: WebhookRecord, url: string, signal: AbortSignal): Promise<DeliveryResult> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Razorpay-Webhook/v1',
        'x-razorpay-signature': signWebhookBody(record.body, this.#options.secret),
        'x-razorpay-event-id': record.eventId,
      },
      body: record.body,
      signal,
    });
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
