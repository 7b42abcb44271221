import { WebhookSender, type DeliveryResult } from '../shared/webhook-sender.ts';
import type { SandboxStore, WebhookRecord } from './store.ts';

export { webhookTimeoutMs } from '../shared/webhook-sender.ts';

/**
 * Mollie's webhooks (docs.mollie.com "Webhooks"): a POST of `application/x-www-form-urlencoded` with the single field
 * `id=tr_...` to the payment's own `webhookUrl`, and nothing else: no status, no signature. The receiver fetches the
 * payment to learn what changed, so a forged call can never make a shop ship an unpaid order.
 *
 * Mollie calls it when a payment becomes paid, authorized, expired, failed or canceled, and when one of its refunds
 * becomes processing, refunded or failed (with the payment's id). Only `200 OK` counts as received; a redirect is
 * followed (a 301 or 302 turns the POST into a GET, which loses the id, as Mollie warns). Otherwise Mollie calls again:
 * 10 calls in all, the retries 1, 2, 4, 8, 16 and 29 minutes, then 1, 2 and 22 hours apart (26 hours in all). The
 * sandbox keeps that schedule 600 times faster by default (100 ms to 132 s); `webhookRetryDelaysMs` replaces it.
 */

/** Mollie's documented intervals between webhook calls (retries 1 to 9). */
export const mollieWebhookRetryDelaysMs: readonly number[] = [60_000, 120_000, 240_000, 480_000, 960_000, 1_740_000, 3_600_000, 7_200_000, 79_200_000];
/** How much faster than Mollie the sandbox retries by default, so tests and local runs see the retries. */
export const webhookRetrySpeedUp = 600;
export const defaultWebhookRetryDelaysMs: readonly number[] = mollieWebhookRetryDelaysMs.map((delay) => delay / webhookRetrySpeedUp);
/** Upper bound on webhook calls kept in memory. */
export const webhooksKeptMax = 100_000;
/** The User-Agent of Mollie's webhook calls (as in Mollie's documented example). */
const webhookUserAgent = 'Mollie HTTP client/1.0';

export interface WebhookDispatcherOptions {
  retryDelaysMs: readonly number[];
  delayMs: () => number;
  duplicate: () => boolean;
}

export class WebhookDispatcher {
  readonly #store: SandboxStore;
  readonly #options: WebhookDispatcherOptions;
  readonly #sender: WebhookSender<WebhookRecord, true>;

  constructor(store: SandboxStore, options: WebhookDispatcherOptions) {
    this.#store = store;
    this.#options = options;
    // Each payment names its own webhookUrl, so the "target" is always there and the URL travels with the record.
    this.#sender = new WebhookSender({ retryDelaysMs: options.retryDelaysMs, target: () => true, send: (record, _target, signal) => this.#send(record, signal) });
  }

  /** Queues a call to `url` with the payment's id (twice with the `webhookDuplicate` fault). */
  enqueue(url: string | null, paymentId: string, cause: string): void {
    if (url === null) return;
    const copies = this.#options.duplicate() ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const record: WebhookRecord = { resourceId: paymentId, url, cause, duplicate: copy > 0, attempts: 0, delivered: false, abandoned: false, createdAt: new Date().toISOString() };
      this.#sender.add(this.#store.webhooks, record, webhooksKeptMax, this.#options.delayMs);
    }
  }

  async #send(record: WebhookRecord, signal: AbortSignal): Promise<DeliveryResult> {
    const response = await fetch(record.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*', 'user-agent': webhookUserAgent },
      body: new URLSearchParams({ id: record.resourceId }).toString(),
      signal,
    });
    await response.arrayBuffer();
    return { status: response.status, accepted: response.status === 200 };
  }

  /** Resolves once no delivery is scheduled or running. */
  idle(pollMs?: number): Promise<void> {
    return this.#sender.idle(pollMs);
  }

  close(): void {
    this.#sender.close();
  }
}
