/** How webhooks are delivered; every value comes from configuration (docs/configuration.md). */
export interface WebhookSettings {
  /** A 2xx within this time is success (default 10 s). */
  timeoutMs: number;
  /** The first retry comes after about this long (with jitter: between half of it and all of it). */
  firstRetrySeconds: number;
  /** Retry delays double from the first and stop growing here. */
  retryDelayMaxSeconds: number;
  /** A delivery is retried for this long after its first attempt, then given up (default 3 days). */
  retryWindowSeconds: number;
  /** An endpoint that has failed continuously for this long is disabled (default 3 days). */
  disableAfterSeconds: number;
  /** Delivery jobs running at once per worker process (sending, or waiting for the database or a connection). */
  concurrency: number;
  /** Requests in flight at once to one endpoint from one worker process, each on its own kept-alive connection. */
  connectionsPerEndpoint: number;
  /** Whether live-mode endpoints may reach private, loopback and link-local addresses. */
  allowPrivateAddresses: boolean;
  /** Most bytes of a response body read. */
  responseBytesMax: number;
  /** A delivery job locked longer than this belongs to a worker that died; it is released and runs again. */
  lockRecoverySeconds: number;
}

export const defaultWebhookSettings: WebhookSettings = {
  timeoutMs: 10_000,
  firstRetrySeconds: 30,
  retryDelayMaxSeconds: 6 * 3_600,
  retryWindowSeconds: 3 * 86_400,
  disableAfterSeconds: 3 * 86_400,
  concurrency: 128,
  connectionsPerEndpoint: 8,
  allowPrivateAddresses: false,
  responseBytesMax: 64 * 1_024,
  lockRecoverySeconds: 60,
};

/**
 * The delay before retry number `failures` (1 for the first retry): exponential from `firstRetrySeconds`, capped,
 * with jitter so that many deliveries failing together do not all come back at the same moment.
 */
export function retryDelaySeconds(settings: Pick<WebhookSettings, 'firstRetrySeconds' | 'retryDelayMaxSeconds'>, failures: number, random: () => number = Math.random): number {
  const full = Math.min(settings.retryDelayMaxSeconds, settings.firstRetrySeconds * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return full * (0.5 + random() / 2);
}
