/*
 * The date a SEPA debit is expected to reach the customer's account, which the pre-notification announces with the
 * amount and the mandate reference. Payrail sends a debit to the bank at confirmation; under the SEPA Core rulebook a
 * collection is presented at least one TARGET2 business day before its due date, so the debit date is the first TARGET2
 * business day after the confirmation's day (UTC). TARGET2 is closed on Saturdays, Sundays, 1 January, Good Friday,
 * Easter Monday, 1 May, 25 and 26 December. Pure.
 */

import { ApiError } from '../platform/errors.ts';

const secondsPerDay = 86_400;
/** A bound on the search: at most four closing days follow each other (Good Friday to Easter Monday). */
const searchDaysMax = 10;

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm), as [month (1-12), day]. */
function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** Whether TARGET2 settles on this UTC day. */
export function isTargetBusinessDay(date: Date): boolean {
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  if ((month === 1 && day === 1) || (month === 5 && day === 1) || (month === 12 && (day === 25 || day === 26))) return false;
  const [easterMonth, easterDay] = easterSunday(date.getUTCFullYear());
  const easter = Date.UTC(date.getUTCFullYear(), easterMonth - 1, easterDay);
  const time = Date.UTC(date.getUTCFullYear(), month - 1, day);
  return time !== easter - 2 * secondsPerDay * 1000 && time !== easter + secondsPerDay * 1000;
}

/** The expected debit date (YYYY-MM-DD) of a SEPA debit confirmed at `confirmedAt` (Unix seconds). */
export function expectedDebitDate(confirmedAt: number): string {
  const startOfDay = Math.floor(confirmedAt / secondsPerDay) * secondsPerDay;
  for (let days = 1; days <= searchDaysMax; days += 1) {
    const candidate = new Date((startOfDay + days * secondsPerDay) * 1000);
    if (isTargetBusinessDay(candidate)) return candidate.toISOString().slice(0, 10);
  }
  throw new Error(`no TARGET2 business day within ${searchDaysMax} days of ${confirmedAt}`);
}

/** Stripe's bounds of a debit's `target_date`: 3 to 15 calendar days from today. */
export const targetDateDaysMin = 3;
export const targetDateDaysMax = 15;

/**
 * Checks `payment_method_options[sepa_debit][target_date]` as Stripe bounds it (YYYY-MM-DD, 3 to 15 calendar days from
 * today, UTC), and that TARGET2 settles that day (a debit can only be due on a TARGET2 business day).
 */
export function checkDebitTargetDate(value: string, now: number, param: string): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  const date = new Date(time);
  if (!match || Number.isNaN(time) || date.toISOString().slice(0, 10) !== value) {
    throw new ApiError('invalid_value', `Invalid ${param}: must be a date in the YYYY-MM-DD format.`, { param });
  }
  const days = Math.round((time / 1000 - Math.floor(now / secondsPerDay) * secondsPerDay) / secondsPerDay);
  if (days < targetDateDaysMin || days > targetDateDaysMax) {
    throw new ApiError('invalid_value', `Invalid ${param}: must be between ${targetDateDaysMin} and ${targetDateDaysMax} calendar days from today.`, { param });
  }
  if (!isTargetBusinessDay(date)) {
    throw new ApiError('invalid_value', `Invalid ${param}: ${value} is not a TARGET2 business day (weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December are closed).`, { param });
  }
}

/**
 * The expected debit date of a debit confirmed at `confirmedAt` with the intent's `target_date`: that day, unless the
 * earliest day the debit can reach the account (expectedDebitDate) is later by then (a target given days before the
 * confirmation), in which case the earliest day.
 */
export function debitDateFor(confirmedAt: number, targetDate: string | undefined): string {
  const earliest = expectedDebitDate(confirmedAt);
  return targetDate !== undefined && targetDate > earliest ? targetDate : earliest;
}
