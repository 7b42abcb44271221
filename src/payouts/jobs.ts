import { defaultSettings, weekdays, type AccountSettings } from '../accounts/settings.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { findDefaultExternalAccount, findExternalAccountById, markExternalAccountErrored } from '../external-accounts/repository.ts';
import { accountNumberOf } from '../external-accounts/service.ts';
import { payoutPaidEntry, payoutReversalMovement } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import { availableBalance } from '../ledger/service.ts';
import { startOfDay } from '../platform/clock.ts';
import { inTransaction } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { payoutFailureMessages, type PayoutTransferStatus } from './provider.ts';
import { renderPayout } from './render.ts';
import {
  claimPayoutRun, lockPayoutBalance, markPaidOutTransactions, payoutsToSettle, payoutsToSubmit, recordPayoutRunPayout, scheduleCandidates,
  setProviderReference, transitionPayout, type PayoutRow, type ScheduleCandidate,
} from './repository.ts';
import { rejectedForPayouts, writeNewPayout } from './service.ts';

/**
 * What the payout jobs use: the database, the clock, the payout rail, and the secret box that reveals a destination's
 * account number.
 */
export type PayoutJobDependencies = Pick<Dependencies, 'db' | 'clock' | 'payoutProvider' | 'secretBox'>;

/** Payouts one `advancePayouts` call submits, and separately settles, at most. */
export const payoutJobBatchMax = 500;
/** Account, mode and currency combinations one `runPayoutSchedules` call looks at, at most. */
export const scheduleCandidatesPerRunMax = 1_000;

export interface AdvanceResult {
  submitted: number;
  paid: number;
  failed: number;
  /** Provider calls that threw (a rail timeout or outage); those payouts are retried on the next run. */
  errors: number;
}

function scopeOf(payout: PayoutRow): Scope {
  return { accountId: payout.account_id, livemode: payout.livemode };
}

/**
 * Moves payouts along: sends pending ones to the provider (pending -> in_transit, `payout.updated`) and, once their
 * arrival date has passed, asks the provider how they ended (paid or failed, with their ledger entries). Every state
 * change is a compare-and-set in the transaction that writes its ledger entries and event, so two runners, or a
 * runner and a cancel, never both act on a payout. Provider calls happen outside any transaction; they are
 * idempotent on the payout id, so a payout whose submit was interrupted is simply submitted again.
 */
export async function advancePayouts(deps: PayoutJobDependencies, limit: number = payoutJobBatchMax): Promise<AdvanceResult> {
  assert(Number.isSafeInteger(limit) && limit >= 1 && limit <= payoutJobBatchMax, `payout batch size ${limit} is within 1..${payoutJobBatchMax}`);
  const provider = deps.payoutProvider;
  const result: AdvanceResult = { submitted: 0, paid: 0, failed: 0, errors: 0 };

  for (const candidate of await payoutsToSubmit(deps.db, limit)) {
    let payout: PayoutRow | undefined = candidate;
    if (candidate.status === 'pending') {
      // Claimed before the provider is called: from here on a cancel is refused, so money never leaves for a
      // payout that was canceled. A crash after this commit leaves an in-transit payout without a reference, which
      // the next run submits again under the same idempotency key.
      payout = await inTransaction(deps.db, async (client) => {
        const claimed = await transitionPayout(client, candidate.id, 'pending', 'in_transit');
        if (claimed) await recordEvent(client, scopeOf(claimed), undefined, 'payout.updated', renderPayout(claimed), { status: 'pending' });
        return claimed;
      });
      if (!payout) continue;
    }
    const destination = await findExternalAccountById(deps.db, payout.destination_id);
    assert(destination !== undefined, `payout ${payout.id} names an existing bank account`);
    let reference: string;
    try {
      const submission = await provider.submit({
        payoutId: payout.id,
        amount: payout.amount,
        currency: payout.currency,
        accountNumber: accountNumberOf(deps, destination),
        routingNumber: destination.routing_number,
        country: destination.country,
      });
      reference = submission.reference;
    } catch {
      // The rail is unreachable or timed out: the payout stays in transit without a reference and is sent again
      // (same idempotency key) on the next run. Other payouts are not held up by it.
      result.errors += 1;
      continue;
    }
    await setProviderReference(deps.db, payout.id, reference);
    result.submitted += 1;
  }

  for (const payout of await payoutsToSettle(deps.db, deps.clock.nowSeconds(), limit)) {
    let status: PayoutTransferStatus;
    try {
      status = await provider.status(payout.provider_reference!);
    } catch {
      // No answer from the rail: asked again on the next run.
      result.errors += 1;
      continue;
    }
    if (status.status === 'in_transit') continue;
    const scope = scopeOf(payout);
    const now = deps.clock.nowSeconds();
    if (status.status === 'paid') {
      const paid = await inTransaction(deps.db, async (client) => {
        const updated = await transitionPayout(client, payout.id, 'in_transit', 'paid');
        if (!updated) return false;
        await writeMovement(client, { entries: [payoutPaidEntry(scope, payout, now)] });
        await recordEvent(client, scope, undefined, 'payout.paid', renderPayout(updated), { status: 'in_transit' });
        return true;
      });
      if (paid) result.paid += 1;
      continue;
    }
    const failed = await inTransaction(deps.db, async (client) => {
      const movement = payoutReversalMovement(scope, payout, 'payout_failure', now);
      const updated = await transitionPayout(client, payout.id, 'in_transit', 'failed', {
        failure_code: status.failureCode,
        failure_message: payoutFailureMessages[status.failureCode],
        failure_balance_transaction_id: movement.balanceTransactions[0].id,
      });
      if (!updated) return false;
      await writeMovement(client, movement);
      await markExternalAccountErrored(client, payout.destination_id);
      await recordEvent(client, scope, undefined, 'payout.failed', renderPayout(updated), {
        status: 'in_transit', failure_code: null, failure_message: null, failure_balance_transaction: null,
      });
      return true;
    });
    if (failed) result.failed += 1;
  }
  return result;
}

/** The date (YYYY-MM-DD, UTC) of the day starting at `dayStart`, as payout_runs keys it. */
export function payoutDayOf(dayStart: number): string {
  return new Date(dayStart * 1000).toISOString().slice(0, 10);
}

/**
 * Whether a schedule pays out on the day starting at `dayStart` (midnight UTC). Daily pays every day; weekly on its
 * anchor weekday; monthly on its anchor day of the month, or on the month's last day when the month is shorter.
 */
export function isPayoutDay(schedule: Pick<AccountSettings, 'payout_interval' | 'payout_weekly_anchor' | 'payout_monthly_anchor'>, dayStart: number): boolean {
  const date = new Date(dayStart * 1000);
  switch (schedule.payout_interval) {
    case 'manual':
      return false;
    case 'daily':
      return true;
    case 'weekly':
      return weekdays[date.getUTCDay()] === schedule.payout_weekly_anchor;
    case 'monthly': {
      const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      return date.getUTCDate() === Math.min(schedule.payout_monthly_anchor, lastDay);
    }
  }
}

function scheduleOf(candidate: ScheduleCandidate): Pick<AccountSettings, 'payout_interval' | 'payout_weekly_anchor' | 'payout_monthly_anchor'> {
  const defaults = defaultSettings(candidate.account_id);
  return {
    payout_interval: (candidate.payout_interval ?? defaults.payout_interval) as AccountSettings['payout_interval'],
    payout_weekly_anchor: (candidate.payout_weekly_anchor ?? defaults.payout_weekly_anchor) as AccountSettings['payout_weekly_anchor'],
    payout_monthly_anchor: candidate.payout_monthly_anchor ?? defaults.payout_monthly_anchor,
  };
}

export interface ScheduleResult {
  /** Account, mode and currency combinations looked at today for the first time. */
  considered: number;
  created: PayoutRow[];
}

/**
 * Automatic payouts: for each account, mode and currency with a default bank account and a non-manual schedule, on
 * a payout day, one payout of the whole available balance to that bank account. A payout_runs row, claimed with
 * insert-on-conflict-do-nothing in the payout's own transaction, makes it at most one per day however many runners
 * there are; it is written on days without a payout too, so each combination is looked at once a day. A zero
 * balance pays nothing; a negative one is debited from the bank account when `debit_negative_balances` allows it.
 */
export async function runPayoutSchedules(deps: PayoutJobDependencies, limit: number = scheduleCandidatesPerRunMax): Promise<ScheduleResult> {
  assert(Number.isSafeInteger(limit) && limit >= 1 && limit <= scheduleCandidatesPerRunMax, `schedule batch size ${limit} is within 1..${scheduleCandidatesPerRunMax}`);
  const today = startOfDay(deps.clock.nowSeconds());
  const payoutDay = payoutDayOf(today);
  const result: ScheduleResult = { considered: 0, created: [] };
  for (const candidate of await scheduleCandidates(deps.db, payoutDay, limit)) {
    const scope: Scope = { accountId: candidate.account_id, livemode: candidate.livemode };
    const payout = await inTransaction(deps.db, async (client) => {
      await lockPayoutBalance(client, scope, candidate.currency);
      if (!(await claimPayoutRun(client, scope, candidate.currency, payoutDay))) return 'already_run' as const;
      if (!isPayoutDay(scheduleOf(candidate), today)) return undefined;
      // A connected account its platform rejected is paid nothing, and no negative balance is debited from its bank.
      if (await rejectedForPayouts(client, scope)) return undefined;
      const destination = await findDefaultExternalAccount(client, scope, candidate.currency);
      if (!destination) return undefined;
      const available = await availableBalance(client, scope, candidate.currency);
      // A negative balance is reclaimed from the bank account (a payout of negative amount, a debit) when the
      // account allows it (`debit_negative_balances`, on by default as at Stripe); otherwise later charges cover it.
      if (available === 0 || (available < 0 && !candidate.debit_negative_balances)) return undefined;
      const created = await writeNewPayout(client, deps, scope, undefined, {
        amount: available,
        currency: candidate.currency,
        destination_id: destination.id,
        automatic: true,
        description: null,
        statement_descriptor: null,
        metadata: {},
      });
      await markPaidOutTransactions(client, scope, candidate.currency, created.id);
      await recordPayoutRunPayout(client, scope, candidate.currency, payoutDay, created.id);
      return created;
    });
    if (payout === 'already_run') continue;
    result.considered += 1;
    if (payout) result.created.push(payout);
  }
  return result;
}
