/**
 * Background webhook delivery both provider sandboxes share: timers, in-flight requests with a per-request timeout,
 * the retry schedule and the delivered/abandoned bookkeeping on each record. What is sent, with which headers, and
 * what counts as accepted stays with the provider (its `send`).
 */

/** How long the sandbox waits for a webhook receiver to answer one delivery. */
export const webhookTimeoutMs = 10_000;
/** The providers' documented retry patterns are minutes to days apart; the sandbox default is short so tests finish. */
export const defaultWebhookRetryDelaysMs: readonly number[] = [100, 250, 500, 1_000, 2_000, 5_000];

/** The delivery state a provider's webhook record carries. */
export interface DeliveryRecord {
  attempts: number;
  delivered: boolean;
  /** Whether delivery was abandoned after the last retry. */
  abandoned: boolean;
  lastStatus?: number;
  lastError?: string;
}

/** The outcome of one delivery attempt that got an answer. */
export interface DeliveryResult {
  status: number;
  accepted: boolean;
  /** Why an answered attempt was not accepted; `HTTP <status>` when absent. */
  error?: string;
}

export interface WebhookSenderOptions<R, T> {
  /** Delays before each retry; the number of entries is the number of retries. */
  retryDelaysMs: readonly number[];
  /** The receiver, read when a delivery is due; with none, the delivery is skipped and no attempt counted. */
  target: () => T | undefined;
  /** POSTs one record to the target and reads the answer; a rejection counts as a failed attempt. */
  send: (record: R, target: T, signal: AbortSignal) => Promise<DeliveryResult>;
}

export class WebhookSender<R extends DeliveryRecord, T> {
  readonly #options: WebhookSenderOptions<R, T>;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(options: WebhookSenderOptions<R, T>) {
    this.#options = options;
  }

  /**
   * Adds a new record to the provider's bounded record list (dropping the oldest at `keptMax`) and, when a receiver
   * is set, schedules its first delivery after `delayMs()`.
   */
  add(records: R[], record: R, keptMax: number, delayMs: () => number): void {
    if (records.length >= keptMax) records.shift();
    records.push(record);
    if (this.#options.target()) this.schedule(record, delayMs());
  }

  /** Schedules every record never attempted (queued while no receiver was set) for delivery now. */
  scheduleUnattempted(records: Iterable<R>): void {
    for (const record of records) if (!record.delivered && !record.abandoned && record.attempts === 0) this.schedule(record, 0);
  }

  schedule(record: R, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(record);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #deliver(record: R): Promise<void> {
    const target = this.#options.target();
    if (this.#closed || !target) return;
    record.attempts += 1;
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), webhookTimeoutMs);
    try {
      const result = await this.#options.send(record, target, controller.signal);
      record.lastStatus = result.status;
      if (result.accepted) {
        record.delivered = true;
        delete record.lastError;
        return;
      }
      record.lastError = result.error ?? `HTTP ${result.status}`;
    } catch (error) {
      record.lastError = (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.#inFlight.delete(controller);
    }
    const retryDelay = this.#options.retryDelaysMs[record.attempts - 1];
    if (retryDelay === undefined) record.abandoned = true;
    else this.schedule(record, retryDelay);
  }

  /** Resolves once no delivery is scheduled or running (for tests and graceful shutdown). */
  async idle(pollMs = 10): Promise<void> {
    while (this.#timers.size > 0 || this.#inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  /** Cancels scheduled deliveries and aborts running ones; nothing is scheduled afterwards. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#inFlight) controller.abort();
  }
}
