import { createHmac } from 'node:crypto';
import type { Amount, NotificationRecord, SandboxStore } from './store.ts';

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

/** How long the sandbox waits for a webhook receiver to answer one delivery. */
export const webhookTimeoutMs = 10_000;
/** Adyen's documented retry pattern is minutes apart; the sandbox default is short so tests finish quickly. */
export const defaultWebhookRetryDelaysMs: readonly number[] = [100, 250, 500, 1_000, 2_000, 5_000];
/** Upper bound on notifications kept in memory, so a long-running sandbox cannot grow without limit. */
export const notificationsKeptMax = 100_000;

export class WebhookDispatcher {
  readonly #store: SandboxStore;
  readonly #options: WebhookDispatcherOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<AbortController>();
  #target: WebhookTarget | undefined;
  #nextId = 1;
  #closed = false;

  constructor(store: SandboxStore, options: WebhookDispatcherOptions) {
    this.#store = store;
    this.#options = options;
    this.#target = options.target;
  }

  get target(): WebhookTarget | undefined {
    return this.#target;
  }

  /** Sets (or clears) the receiver; notifications queued while none was set are delivered now. */
  setTarget(target: WebhookTarget | undefined): void {
    this.#target = target;
    if (!target) return;
    for (const record of this.#store.notifications) {
      if (!record.delivered && !record.abandoned && record.attempts === 0) this.#schedule(record, 0);
    }
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
      if (this.#store.notifications.length >= notificationsKeptMax) this.#store.notifications.shift();
      this.#store.notifications.push(record);
      first ??= record;
      if (this.#target) this.#schedule(record, this.#options.delayMs());
    }
    return first!;
  }

  #schedule(record: NotificationRecord, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(record);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #deliver(record: NotificationRecord): Promise<void> {
    const target = this.#target;
    if (this.#closed || !target) return;
    record.attempts += 1;
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), webhookTimeoutMs);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (target.username !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
      }
      const response = await fetch(target.url, { method: 'POST', headers, body: JSON.stringify(record.body), signal: controller.signal });
      const text = await response.text();
      record.lastStatus = response.status;
      const accepted = response.ok && (!this.#options.requireAcceptedBody || text.trim() === '[accepted]');
      if (accepted) {
        record.delivered = true;
        delete record.lastError;
        return;
      }
      record.lastError = response.ok ? 'the receiver did not answer [accepted]' : `HTTP ${response.status}`;
    } catch (error) {
      record.lastError = (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.#inFlight.delete(controller);
    }
    const retryDelay = this.#options.retryDelaysMs[record.attempts - 1];
    if (retryDelay === undefined) record.abandoned = true;
    else this.#schedule(record, retryDelay);
  }

  /** Resolves once no delivery is scheduled or running (for tests and graceful shutdown). */
  async idle(pollMs = 10): Promise<void> {
    while (this.#timers.size > 0 || this.#inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#inFlight) controller.abort();
  }
}
