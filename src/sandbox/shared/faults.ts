/**
 * Fault injection for the provider sandboxes (Adyen, PayPal and Mollie), set through `POST /sandbox/admin/faults` or
 * `setFaults()`.
 *
 * Faults apply to the provider's API paths only (never to the admin endpoints or the shopper's pages), and the rates are
 * probabilities drawn per request, so a test that needs determinism uses 0 or 1. What each fault means for the caller:
 * - `outage`: every API request gets HTTP 503 without being processed.
 * - `errorRate`: HTTP 500 (an Adyen ServiceError, errorType "internal") *before* processing: nothing happened.
 * - `status5xxRate`: the request *is processed* (a payment may be authorised), then answered with HTTP 500: the
 *   ambiguous outcome a connector must resolve by retrying with the same Idempotency-Key, which returns the real result.
 * - `timeoutRate`: the request is processed, then no response is ever sent (the connection is held until the client
 *   gives up, or `faultTimeoutHoldMs` passes and it is dropped).
 * - `latencyMs`: added before processing every API request.
 * - `answerDelayMs` (Adyen sandbox): added after processing, before answering: the request's notification (a refund's
 *   REFUND webhook) can reach the caller before the answer does.
 * - `webhookDelayMs`: added before the first delivery of every notification.
 * - `webhookDuplicate`: every notification is delivered twice (Adyen documents that duplicates can happen).
 */
export interface Faults {
  latencyMs: number;
  answerDelayMs: number;
  errorRate: number;
  timeoutRate: number;
  status5xxRate: number;
  outage: boolean;
  webhookDelayMs: number;
  webhookDuplicate: boolean;
}

/** Upper bound of injected latency and webhook delay, so a typo cannot hang a test run for hours. */
export const faultDelayMaxMs = 120_000;
/** How long a "timed out" request is held open before the sandbox drops the connection. */
export const faultTimeoutHoldMs = 120_000;

export function noFaults(): Faults {
  return { latencyMs: 0, answerDelayMs: 0, errorRate: 0, timeoutRate: 0, status5xxRate: 0, outage: false, webhookDelayMs: 0, webhookDuplicate: false };
}

const rateFields = ['errorRate', 'timeoutRate', 'status5xxRate'] as const;
const delayFields = ['latencyMs', 'answerDelayMs', 'webhookDelayMs'] as const;
const flagFields = ['outage', 'webhookDuplicate'] as const;

/** Merges a partial update into the current faults; returns an error message naming the field on bad input. */
export function mergeFaults(current: Faults, update: unknown): { faults: Faults } | { error: string } {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return { error: 'the body must be a JSON object' };
  const next: Faults = { ...current };
  const known = new Set<string>([...rateFields, ...delayFields, ...flagFields]);
  for (const [field, value] of Object.entries(update)) {
    if (!known.has(field)) return { error: `unknown fault '${field}'` };
    if ((rateFields as readonly string[]).includes(field)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return { error: `${field} must be a number from 0 to 1` };
      next[field as (typeof rateFields)[number]] = value;
    } else if ((delayFields as readonly string[]).includes(field)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > faultDelayMaxMs) {
        return { error: `${field} must be an integer from 0 to ${faultDelayMaxMs}` };
      }
      next[field as (typeof delayFields)[number]] = value;
    } else {
      if (typeof value !== 'boolean') return { error: `${field} must be a boolean` };
      next[field as (typeof flagFields)[number]] = value;
    }
  }
  return { faults: next };
}

/** What happens to one API request, drawn once when it arrives. */
export interface FaultDraw {
  /** Answer 503 without processing. */
  outage: boolean;
  /** Answer 500 without processing. */
  failBefore: boolean;
  /** Process, then never answer. */
  timeoutAfter: boolean;
  /** Process, then answer 500. */
  failAfter: boolean;
  latencyMs: number;
  /** Process, then wait this long before answering. */
  answerDelayMs: number;
}

export function drawFaults(faults: Faults, random: () => number = Math.random): FaultDraw {
  return {
    outage: faults.outage,
    failBefore: faults.errorRate > 0 && random() < faults.errorRate,
    timeoutAfter: faults.timeoutRate > 0 && random() < faults.timeoutRate,
    failAfter: faults.status5xxRate > 0 && random() < faults.status5xxRate,
    latencyMs: faults.latencyMs,
    answerDelayMs: faults.answerDelayMs,
  };
}
