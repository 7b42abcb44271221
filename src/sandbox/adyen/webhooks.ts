import { createHmac } from 'node:crypto';
import { WebhookSender, type DeliveryResult } from '../shared/webhook-sender.ts';
import type { Amount, NotificationRecord, SandboxStore } from './store.ts';

export { defaultWebhookRetryDelaysMs, webhookTimeoutMs } from '../shared/webhook-sender.ts';

/**
 * Adyen standard webhooks (Webhooks-v1.json): `{ live, notificationItems: [{ NotificationRequestItem: {...} }] }`,
 * POSTed as JSON to the configured URL, each item signed with HMAC-SHA256 as Adyen documents ("Verify HMAC
 * signatures"): the signed payload is
 * `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`
 * (missing values as empty strings), the key is the hex HMAC key decoded to bytes, and the signature is base64 in
 * `additionalData.hmacSignature`. The official @adyen/api-library `hmacValidator` computes the same string; the tests
 * verify the sandbox's signatures with it.
 *
 * Delivery: a notification counts as delivered when the receiver answers 2xx (the published spec says events "are
 * accepted on the basis of the HTTP status code"); with `requireAcceptedBody` the body must also be `[accepted]`, the
 * acknowledgement Adyen's older documentation asks for. Anything else is retried on `retryDelaysMs`, then abandoned
 * (Adyen retries for days; the sandbox's schedule is short and configurable so tests finish).
 */

export type EventCode = 'AUTHORISATION' | 'CAPTURE' | 'CANCELLATION' | 'REFUND';

export interface NotificationItem {
  eventCode: EventCode;
  success: 'true' | 'false';
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: Amount;
  eventDate: string;
  reason?: string;
  paymentMethod?: string;
  operations?: string[];
  additionalData: { hmacSignature: string };
}

/** The HMAC-SHA256 signature of a standard notification item, base64, with the hex key. */
export function signNotificationItem(item: Omit<NotificationItem, 'additionalData'>, hmacKeyHex: string): string {
  const payload = [
    item.pspReference,
    item.originalReference ?? '',
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(':');
  return createHmac('sha256', Buffer.from(hmacKeyHex, 'hex')).update(payload, 'utf8').digest('base64');
}

export interface WebhookTarget {
  url: string;
  /** Basic authentication the receiver expects, as configured in Adyen's Customer Area. */
  username?: string;
  password?: string;
}

export interface WebhookDispatcherOptions {
  hmacKeyHex: string;
  target?: WebhookTarget;
  /** Delays before each retry; the number of entries is the number of retries. */
  retryDelaysMs: readonly number[];
  requireAcceptedBody: boolean;
  /** Read per notification, so fault changes apply to notifications queued afterwards. */
  delayMs: () => number;
  duplicate: () => boolean;
}

/** Upper bound on notifications kept in memory, so a long-running sandbox cannot grow without limit. */
export const notificationsKeptMax = 100_000;

export class WebhookDispatcher {
  readonly #store: SandboxStore;
  readonly #options: WebhookDispatcherOptions;
  readonly #sender: WebhookSender<NotificationRecord, WebhookTarget>;
  #target: WebhookTarget | undefined;
  #nextId = 1;

  constructor(store: SandboxStore, options: WebhookDispatcherOptions) {
    this.#store = store;
    this.#options = options;
    this.#target = options.target;
    this.#sender = new WebhookSender({ retryDelaysMs: options.retryDelaysMs, target: () => this.#target, send: (record, target, signal) => this.#send(record, target, signal) });
  }

  get target(): WebhookTarget | undefined {
    return this.#target;
  }

  /** Sets (or clears) the receiver; notifications queued while none was set are delivered now. */
  setTarget(target: WebhookTarget | undefined): void {
    this.#target = target;
    if (target) this.#sender.scheduleUnattempted(this.#store.notifications);
  }

  /** Signs and queues a notification for asynchronous delivery. */
  enqueue(item: Omit<NotificationItem, 'additionalData' | 'eventDate'>): NotificationRecord {
    const unsigned = { ...item, eventDate: new Date().toISOString() };
    const signed: NotificationItem = { ...unsigned, additionalData: { hmacSignature: signNotificationItem(unsigned, this.#options.hmacKeyHex) } };
    const body = { live: 'false', notificationItems: [{ NotificationRequestItem: signed }] };
    const copies = this.#options.duplicate() ? 2 : 1;
    let first: NotificationRecord | undefined;
    for (let copy = 0; copy < copies; copy++) {
      const record: NotificationRecord = {
        id: this.#nextId++,
        eventCode: item.eventCode,
        pspReference: item.pspReference,
        ...(item.originalReference ? { originalReference: item.originalReference } : {}),
        success: item.success === 'true',
        body,
        attempts: 0,
        delivered: false,
        abandoned: false,
        duplicate: copy > 0,
        createdAt: unsigned.eventDate,
      };
      this.#sender.add(this.#store.notifications, record, notificationsKeptMax, this.#options.delayMs);
      first ??= record;
    }
    return first!;
  }

  /** POSTs one notification; with Basic credentials when configured, and `[accepted]` checked when required. */
  async #send(record: NotificationRecord, target: WebhookTarget, signal: AbortSignal): Promise<DeliveryResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
    }
    const response = await fetch(target.url, { method: 'POST', headers, body: JSON.stringify(record.body), signal });
    const text = await response.text();
    const accepted = response.ok && (!this.#options.requireAcceptedBody || text.trim() === '[accepted]');
    return { status: response.status, accepted, ...(response.ok ? { error: 'the receiver did not answer [accepted]' } : {}) };
  }

  /** Resolves once no delivery is scheduled or running (for tests and graceful shutdown). */
  idle(pollMs?: number): Promise<void> {
    return this.#sender.idle(pollMs);
  }

  close(): void {
    this.#sender.close();
  }
}
