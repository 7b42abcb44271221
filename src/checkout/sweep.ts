import { ApiError } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import { expireSession, type ExpireDependencies } from './expire.ts';
import { openSessionsOfFullLinks, sessionsToSweep } from './repository.ts';
import { settleAsyncPayment, settleSession } from './settle.ts';
import { delayedNotificationTypeList } from './delayed-notification.ts';

/** Sessions one sweep looks at, of each kind; the rest wait for the next period. */
const sweepBatch = 100;

/**
 * The Checkout Sessions sweep: completes open sessions whose payment went through (a process that died between the
 * payment and the session's completion) or is processing with a delayed-notification method, records the end of
 * delayed payments of completed sessions (`checkout.session.async_payment_succeeded|failed`), then expires the open
 * sessions of Payment Links at their completion limit and open sessions past `expires_at` (`checkout.session.expired`).
 * A session whose payment is still under way stays open until it ends. Answers how many sessions it ended.
 */
export async function sweepCheckoutSessions(deps: ExpireDependencies): Promise<{ completed: number; expired: number }> {
  const { paid, asyncEnded, due } = await sessionsToSweep(deps.db, nowSeconds(), sweepBatch, delayedNotificationTypeList);
  let completed = 0;
  let expired = 0;
  for (const session of paid) {
    const after = await settleSession(deps, { accountId: session.account_id, livemode: session.livemode }, session.id);
    if (after?.status === 'complete') completed += 1;
  }
  // Completed sessions whose delayed payment has ended since: its checkout.session.async_payment_* event.
  for (const session of asyncEnded) await settleAsyncPayment(deps, { accountId: session.account_id, livemode: session.livemode }, session.id);
  // Sessions of a Payment Link at its limit that a crash left open (between the last completion and closing them),
  // then sessions past their expiry: both expire as the API's expire does (a payment started is canceled first).
  const full = await openSessionsOfFullLinks(deps.db, sweepBatch);
  for (const session of [...full, ...due.filter((candidate) => !full.some((other) => other.id === candidate.id))]) {
    try {
      await expireSession(deps, { accountId: session.account_id, livemode: session.livemode }, session.id);
      expired += 1;
    } catch (error) {
      // Completed, paid or paying meanwhile: not this sweep's to end.
      if (!(error instanceof ApiError && error.code === 'checkout_session_unexpected_state')) throw error;
    }
  }
  return { completed, expired };
}
