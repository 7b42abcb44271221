import { createHmac, randomUUID } from 'node:crypto';
import { WebhookSender, type DeliveryResult } from '../shared/webhook-sender.ts';
import type { SandboxStore, WebhookRecord } from './store.ts';

export { defaultWebhookRetryDelaysMs, webhookTimeoutMs } from '../shared/webhook-sender.ts';

/**
 * Mercado Pago Webhooks (mercadopago.com.br/developers/en/docs/your-integrations/notifications/webhooks): a JSON
 * notification `{id, live_mode, type: "payment", date_created, user_id, api_version: "v1", action, data: {id}}` POSTed
 * to the payment's `notification_url` (or the application's configured URL), with `?data.id=<id>&type=payment` added to
 * the URL, and the headers `x-request-id` (a fresh UUID per attempt) and `x-signature: ts=<unix seconds>,v1=<hex>`,
 * where v1 is the HMAC-SHA256, under the application's secret signature, of the manifest
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` (an alphanumeric data.id is lower-cased first).
 *
 * Delivery: Mercado Pago expects HTTP 200 or 201; anything else is retried on `retryDelaysMs`, then abandoned
 * (Mercado Pago retries every 15 minutes, a few times; the sandbox's schedule is short and configurable).
 */

/** Upper bound on notifications kept in memory. */
export const webhooksKeptMax = 100_000;

/** The manifest Mercado Pago signs for one delivery. */
export function signatureManifest(dataId: string, requestId: string, timestampSeconds: string): string {
  const id = /^[a-z0-9]+$/i.test(dataId) && /[a-z]/i.test(dataId) ? dataId.toLowerCase() : dataId;
  return `id:${id};request-id:${requestId};ts:${timestampSeconds};`;
}

/** The `x-signature` header value for one delivery. */
export function signatureHeader(secret: string, dataId: string, requestId: string, timestampSeconds: string): string {
  const v1 = createHmac('sha256', secret).update(signatureManifest(dataId, requestId, timestampSeconds), 'utf8').digest('hex');
  return `ts=${timestampSeconds},v1=${v1}`;
}

export interface WebhookDispatcherOptions {
  secret: string;
  /** The application's notification URL, used when a payment has no notification_url. */
  url?: string;
  /** The collector's user id (`user_id` of the notification). */
  userId: number;
  retryDelaysMs: readonly number[];
  delayMs: () => number;
  duplicate: () => boolean;
}

/** A truthy target for the shared sender: each record carries its own URL (or falls back to the configured one). */
const anyTarget = true;

export class WebhookDispatcher {
  readonly #store: SandboxStore;
  readonly #options: WebhookDispatcherOptions;
  readonly #sender: WebhookSender<WebhookRecord, true>;
  #url: string | undefined;

  constructor(store: SandboxStore, options: WebhookDispatcherOptions) {
    this.#store = store;
    this.#options = options;
    this.#url = options.url;
    this.#sender = new WebhookSender<WebhookRecord, true>({
      retryDelaysMs: options.retryDelaysMs,
      target: () => anyTarget,
      send: (record, _target, signal) => this.#send(record, signal),
    });
  }

  get url(): string | undefined {
    return this.#url;
  }

  /** Sets the application's notification URL; notifications queued while there was none are sent now. */
  setUrl(url: string | undefined): void {
    this.#url = url;
    if (url) this.#sender.scheduleUnattempted(this.#store.webhooks.filter((record) => record.url === undefined));
  }

  /** Builds the notification for a payment event and queues it (twice with the `webhookDuplicate` fault). */
  enqueue(action: WebhookRecord['action'], paymentId: number, notificationUrl: string | undefined): void {
    const dateCreated = new Date().toISOString();
    const notificationId = this.#store.notificationIds.next();
    const body = JSON.stringify({
      id: notificationId,
      live_mode: false,
      type: 'payment',
      date_created: dateCreated,
      user_id: this.#options.userId,
      api_version: 'v1',
      action,
      data: { id: String(paymentId) },
    });
    const copies = this.#options.duplicate() ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const record: WebhookRecord = {
        notificationId,
        action,
        paymentId,
        ...(notificationUrl !== undefined ? { url: notificationUrl } : {}),
        body,
        requestIds: [],
        attempts: 0,
        delivered: false,
        abandoned: false,
        duplicate: copy > 0,
        dateCreated,
      };
      if (record.url === undefined && this.#url === undefined) {
        // Nowhere to send it yet: kept, and sent when a URL is configured.
        if (this.#store.webhooks.length >= webhooksKeptMax) this.#store.webhooks.shift();
        this.#store.webhooks.push(record);
      } else {
        this.#sender.add(this.#store.webhooks, record, webhooksKeptMax, this.#options.delayMs);
      }
    }
  }

  /** POSTs one notification with a fresh x-request-id and signature; only 200 and 201 count as received. */
  async #send(record: WebhookRecord, signal: AbortSignal): Promise<DeliveryResult> {
    const base = record.url ?? this.#url;
    if (base === undefined) throw new Error('no notification URL');
    const target = new URL(base);
    target.searchParams.set('data.id', String(record.paymentId));
    target.searchParams.set('type', 'payment');
    const requestId = randomUUID();
    record.requestIds.push(requestId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        'x-signature': signatureHeader(this.#options.secret, String(record.paymentId), requestId, timestamp),
      },
      body: record.body,
      signal,
    });
    await response.arrayBuffer();
    return { status: response.status, accepted: response.status === 200 || response.status === 201 };
  }

  /** Resolves once no delivery is scheduled or running. */
  idle(pollMs?: number): Promise<void> {
    return this.#sender.idle(pollMs);
  }

  close(): void {
    this.#sender.close();
  }
}
