import { SlidingWindow } from './success-rates.ts';

/**
 * Circuit breakers per routing key (a connector configuration). A breaker is `closed` (calls go), `open` (calls are
 * refused until a cooldown has passed) or `half_open` (one probe call at a time may go; its outcome closes or re-opens
 * the breaker). It opens when the failure rate over a sliding window reaches a threshold with enough calls to judge,
 * or after a run of consecutive failures (which catches an outage quickly at low volume).
 *
 * A "failure" is the provider not doing its job: a timeout, a 5xx, a refused connection. A card decline is an answer,
 * not a failure, and must be recorded as a success here. State is per process and evaluated lazily from `nowMs`, so
 * the breakers need no timer.
 */

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Span of the failure-rate window, in milliseconds. */
  windowMs: number;
  /** Buckets the window is divided into. */
  bucketCount: number;
  /** Calls in the window below which the failure rate is not trusted (consecutive failures still open). */
  minimumCalls: number;
  /** Failure rate in the window that opens the breaker, in percent. */
  failureRatePercent: number;
  /** Consecutive failures that open the breaker whatever the volume. */
  consecutiveFailuresMax: number;
  /** How long an open breaker refuses calls before letting a probe through, in milliseconds. */
  cooldownMs: number;
  /**
   * How long a half-open probe may stay unanswered before another probe may go, in milliseconds: a probe whose
   * outcome is never recorded (a crash mid-call) must not hold the breaker half-open forever.
   */
  probeTimeoutMs: number;
  /** Breakers kept at once; the least recently used is dropped beyond it (as if closed). */
  breakersMax: number;
}

export const defaultBreakerSettings: Readonly<BreakerSettings> = {
  windowMs: 60_000,
  bucketCount: 6,
  minimumCalls: 20,
  failureRatePercent: 50,
  consecutiveFailuresMax: 5,
  cooldownMs: 30_000,
  probeTimeoutMs: 30_000,
  breakersMax: 100_000,
};

interface Breaker {
  window: SlidingWindow;
  consecutiveFailures: number;
  /** When the breaker last opened; null while closed. */
  openedAtMs: number | null;
  /** When the current half-open probe was let through; null when no probe is out. */
  probeStartedAtMs: number | null;
}

export class CircuitBreakers {
  readonly #settings: BreakerSettings;
  readonly #breakers = new Map<string, Breaker>();

  constructor(settings: Partial<BreakerSettings> = {}) {
    this.#settings = { ...defaultBreakerSettings, ...settings };
  }

  /** The breaker's state at `nowMs` (a key never recorded is closed). Reading takes nothing. */
  state(key: string, nowMs: number): CircuitState {
    const breaker = this.#breakers.get(key);
    if (!breaker || breaker.openedAtMs === null) return 'closed';
    return nowMs - breaker.openedAtMs < this.#settings.cooldownMs ? 'open' : 'half_open';
  }

  /**
   * Whether a call to `key` may go now. Closed: yes. Open: no. Half-open: yes for one caller (the probe), which
   * takes the probe slot until its outcome is recorded or `probeTimeoutMs` passes; no for the others meanwhile.
   */
  acquire(key: string, nowMs: number): boolean {
    const state = this.state(key, nowMs);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const breaker = this.#breakers.get(key)!;
    if (breaker.probeStartedAtMs !== null && nowMs - breaker.probeStartedAtMs < this.#settings.probeTimeoutMs) return false;
    breaker.probeStartedAtMs = nowMs;
    return true;
  }

  /**
   * Records a call's outcome. Closed: counted, and the breaker opens when a threshold is crossed. Half-open: the
   * probe's answer, so success closes (with a fresh window) and failure re-opens for another cooldown. Open: ignored
   * (a late answer to a call sent before the breaker opened says nothing about now).
   */
  record(key: string, outcome: 'success' | 'failure', nowMs: number): void {
    const breaker = this.#touch(key);
    const state = this.state(key, nowMs);
    if (state === 'open') return;
    if (state === 'half_open') {
      breaker.probeStartedAtMs = null;
      if (outcome === 'success') {
        breaker.openedAtMs = null;
        breaker.consecutiveFailures = 0;
        breaker.window.clear();
      } else {
        breaker.openedAtMs = nowMs;
      }
      return;
    }
    breaker.window.record(outcome === 'success', nowMs);
    if (outcome === 'success') {
      breaker.consecutiveFailures = 0;
      return;
    }
    breaker.consecutiveFailures += 1;
    if (breaker.consecutiveFailures >= this.#settings.consecutiveFailuresMax || this.#failureRateExceeded(breaker, nowMs)) {
      breaker.openedAtMs = nowMs;
      breaker.probeStartedAtMs = null;
      breaker.consecutiveFailures = 0;
      breaker.window.clear();
    }
  }

  #failureRateExceeded(breaker: Breaker, nowMs: number): boolean {
    const { calls, successes } = breaker.window.totals(nowMs);
    if (calls < this.#settings.minimumCalls) return false;
    return (calls - successes) * 100 >= this.#settings.failureRatePercent * calls;
  }

  /** The key's breaker, created closed if absent, and marked most recently used. */
  #touch(key: string): Breaker {
    let breaker = this.#breakers.get(key);
    if (breaker) {
      this.#breakers.delete(key);
    } else {
      breaker = { window: new SlidingWindow(this.#settings.windowMs / this.#settings.bucketCount, this.#settings.bucketCount), consecutiveFailures: 0, openedAtMs: null, probeStartedAtMs: null };
      if (this.#breakers.size >= this.#settings.breakersMax) this.#breakers.delete(this.#breakers.keys().next().value as string);
    }
    this.#breakers.set(key, breaker);
    return breaker;
  }
}
