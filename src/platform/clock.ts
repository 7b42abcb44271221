/**
 * Where time comes from for money that waits on dates: settlement (`available_on`), payout schedules and arrival
 * dates. Tests and the property-based ledger test move an adjustable clock forward instead of sleeping.
 */
export interface Clock {
  /** Unix time in seconds. */
  nowSeconds(): number;
  /** Unix time in milliseconds. */
  nowMilliseconds(): number;
}

export const systemClock: Clock = {
  nowSeconds: () => Math.floor(Date.now() / 1000),
  nowMilliseconds: () => Date.now(),
};

/** Real time plus an offset that only grows: `advance` moves every date-driven job forward. */
export class AdjustableClock implements Clock {
  #offsetSeconds = 0;

  nowSeconds(): number {
    return Math.floor(Date.now() / 1000) + this.#offsetSeconds;
  }

  nowMilliseconds(): number {
    return Date.now() + this.#offsetSeconds * 1000;
  }

  advance(seconds: number): void {
    if (!Number.isSafeInteger(seconds) || seconds < 0) throw new Error('a clock only moves forward, by whole seconds');
    this.#offsetSeconds += seconds;
  }
}

export const secondsPerDay = 86_400;

/** Midnight UTC of the day containing `seconds`. */
export function startOfDay(seconds: number): number {
  return seconds - (((seconds % secondsPerDay) + secondsPerDay) % secondsPerDay);
}
