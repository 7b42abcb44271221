/**
 * In-process sliding windows of outcomes: authorization rates per connector and payment dimension for the
 * success-rate strategy, and (through `SlidingWindow`) the error rates of the circuit breakers. Each window is a ring
 * of fixed time buckets, so recording and reading cost a bounded number of steps and the memory of a window is fixed;
 * the number of windows is bounded too. The figures are per process: each Payrail process learns from the payments it
 * routes, which is enough to steer by and needs no coordination.
 */

/** How far back authorization rates look, in milliseconds. */
export const successRateWindowMs = 20 * 60_000;
/** Buckets a success-rate window is divided into (one minute each by default): outcomes leave the window a bucket at a time. */
export const successRateBucketCount = 20;
/**
 * Most (connector, dimension) windows kept at once; the least recently recorded is dropped beyond it (about 300
 * bytes each, so the default bounds the memory near 6 MB).
 */
export const successRateSeriesMax = 20_000;

/**
 * Counts of calls and successes over the last `bucketCount` buckets of `bucketMs`. A bucket is reused for a later
 * time once it has left the window; an outcome older than what its bucket now holds is dropped.
 */
export class SlidingWindow {
  readonly #bucketMs: number;
  readonly #bucketCount: number;
  /** Per slot: the bucket number it holds (-1: none yet), its calls, its successes. */
  readonly #buckets: Int32Array;
  readonly #calls: Int32Array;
  readonly #successes: Int32Array;

  constructor(bucketMs: number, bucketCount: number) {
    if (!(bucketMs > 0) || !Number.isInteger(bucketCount) || bucketCount < 1) throw new Error(`invariant violated: sliding window of ${bucketCount} buckets of ${bucketMs} ms`);
    this.#bucketMs = bucketMs;
    this.#bucketCount = bucketCount;
    this.#buckets = new Int32Array(bucketCount).fill(-1);
    this.#calls = new Int32Array(bucketCount);
    this.#successes = new Int32Array(bucketCount);
  }

  record(success: boolean, nowMs: number): void {
    const bucket = Math.floor(nowMs / this.#bucketMs);
    const slot = bucket % this.#bucketCount;
    const held = this.#buckets[slot];
    if (held > bucket) return;
    if (held !== bucket) {
      this.#buckets[slot] = bucket;
      this.#calls[slot] = 0;
      this.#successes[slot] = 0;
    }
    this.#calls[slot] += 1;
    if (success) this.#successes[slot] += 1;
  }

  /** Calls and successes in the window ending at `nowMs` (buckets later than `nowMs` are not counted). */
  totals(nowMs: number): { calls: number; successes: number } {
    const current = Math.floor(nowMs / this.#bucketMs);
    const oldest = current - this.#bucketCount + 1;
    let calls = 0;
    let successes = 0;
    for (let slot = 0; slot < this.#bucketCount; slot++) {
      const bucket = this.#buckets[slot];
      if (bucket >= oldest && bucket <= current) {
        calls += this.#calls[slot];
        successes += this.#successes[slot];
      }
    }
    return { calls, successes };
  }

  clear(): void {
    this.#buckets.fill(-1);
    this.#calls.fill(0);
    this.#successes.fill(0);
  }
}

export interface SuccessRateSettings {
  windowMs: number;
  bucketCount: number;
  seriesMax: number;
}

/**
 * Authorization outcomes per routing key (`candidateKey`) and dimension (`successDimension`, e.g. `card:usd:visa`).
 * Record only outcomes that say something about the connector's acceptance: an authorization or an issuer decline;
 * not a request that never reached the provider.
 */
export class SuccessRates {
  readonly #settings: SuccessRateSettings;
  readonly #bucketMs: number;
  /** By `key \u0001 dimension`; Map order is recency of recording (re-inserted on each record), oldest first. */
  readonly #series = new Map<string, SlidingWindow>();

  constructor(settings: Partial<SuccessRateSettings> = {}) {
    this.#settings = { windowMs: successRateWindowMs, bucketCount: successRateBucketCount, seriesMax: successRateSeriesMax, ...settings };
    this.#bucketMs = this.#settings.windowMs / this.#settings.bucketCount;
  }

  record(key: string, dimension: string, authorized: boolean, nowMs: number): void {
    const id = seriesId(key, dimension);
    let window = this.#series.get(id);
    if (window) {
      this.#series.delete(id);
    } else {
      window = new SlidingWindow(this.#bucketMs, this.#settings.bucketCount);
      if (this.#series.size >= this.#settings.seriesMax) this.#series.delete(this.#series.keys().next().value as string);
    }
    this.#series.set(id, window);
    window.record(authorized, nowMs);
  }

  /** Attempts and authorizations of `key` in `dimension` over the window ending at `nowMs` (zeros when none). */
  rate(key: string, dimension: string, nowMs: number): { attempts: number; authorized: number } {
    const window = this.#series.get(seriesId(key, dimension));
    if (!window) return { attempts: 0, authorized: 0 };
    const totals = window.totals(nowMs);
    return { attempts: totals.calls, authorized: totals.successes };
  }

  /** Windows held (for tests and metrics). */
  get size(): number {
    return this.#series.size;
  }
}

function seriesId(key: string, dimension: string): string {
  return `${key}\u0001${dimension}`;
}
