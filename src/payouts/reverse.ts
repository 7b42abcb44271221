import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { findExternalAccount } from '../external-accounts/repository.ts';
import { secondsPerDay } from '../platform/clock.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPayout } from './render.ts';
import { findPayout, lockPayoutBalance, setReversedBy, type PayoutRow } from './repository.ts';
import { writeNewPayout } from './service.ts';

/** What reversing a payout uses: the clock (the 90-day limit and the reversal's dates). */
export type PayoutReverseDependencies = Pick<Dependencies, 'clock'>;

/** Countries whose bank accounts a payout may be reversed from (debited), as at Stripe. */
export const payoutReversalCountries: readonly string[] = ['US', 'CA'];
/** A payout may be reversed until this many days after its arrival date, as at Stripe. */
export const payoutReversalWindowDays = 90;

/**
 * Reverses a paid payout: a new payout of the opposite amount debits the same bank account (`original_payout` on
 * it, `reversed_by` on the original). Stripe offers this to platforms for their connected accounts; every Payrail
 * account is such an account of the platform that runs Payrail. The reversal's ledger movement returns the money to
 * the available balance at once (in transit -> available, a `payout` balance transaction of positive amount), and the
 * payout job then collects it from the bank like any debit; should that fail, the usual `payout_failure` entry takes
 * it back out. Creation is serialized with other payouts of the currency (`lockPayoutBalance`).
 *
 * Refused, as at Stripe: a payout that is not `paid` (a pending one is canceled instead), one already reversed, a
 * debit or a reversal itself, one whose arrival date is more than 90 days ago, and one to a bank account outside the
 * US and Canada.
 */
export async function reversePayout(work: UnitOfWork, deps: PayoutReverseDependencies, scope: Scope, id: string, metadata: MetadataUpdate | undefined): Promise<PayoutRow> {
  return work.finalTransaction(async (client) => {
    const payout = await findPayout(client, scope, id, { forUpdate: true });
    if (!payout) throw missing('payout', id);
    checkReversible(payout, deps.clock.nowSeconds());
    const destination = await findExternalAccount(client, scope, payout.destination_id);
    if (!destination) throw new ApiError('payout_unexpected_state', `The bank account ${payout.destination_id} of this payout was deleted, so it cannot be debited.`);
    if (!payoutReversalCountries.includes(destination.country)) {
      throw new ApiError('country_unsupported', `Payouts can only be reversed from bank accounts in ${payoutReversalCountries.join(' or ')}; this payout went to a bank account in ${destination.country}.`);
    }
    await lockPayoutBalance(client, scope, payout.currency);
    const reversalId = newId('po');
    const original = await setReversedBy(client, payout, reversalId);
    assert(original, `payout ${id} is not reversed yet under its row lock`);
    // Stripe's order: the original's update first, then the reversal's own events.
    await recordEvent(client, scope, work, 'payout.updated', renderPayout(original), { reversed_by: null });
    return writeNewPayout(client, deps, scope, work, {
      id: reversalId,
      original_payout_id: payout.id,
      amount: -payout.amount,
      currency: payout.currency,
      destination_id: payout.destination_id,
      automatic: false,
      description: payout.description,
      statement_descriptor: payout.statement_descriptor,
      metadata: mergeMetadata({}, metadata),
    });
  });
}

function checkReversible(payout: PayoutRow, now: number): void {
  if (payout.status === 'pending') {
    throw new ApiError('payout_unexpected_state', 'This payout is pending: cancel it with POST /v1/payouts/:id/cancel instead of reversing it.');
  }
  if (payout.reversed_by_id !== null) throw new ApiError('payout_unexpected_state', `This payout has already been reversed by ${payout.reversed_by_id}.`);
  if (payout.original_payout_id !== null || payout.amount < 0) throw new ApiError('payout_unexpected_state', 'This payout is a debit of the bank account (or itself a reversal) and cannot be reversed.');
  if (payout.status !== 'paid') throw new ApiError('payout_unexpected_state', `Only paid payouts can be reversed; this payout is ${payout.status}.`);
  if (now - payout.arrival_date > payoutReversalWindowDays * secondsPerDay) {
    throw new ApiError('payout_unexpected_state', `Payouts can only be reversed within ${payoutReversalWindowDays} days of their arrival date.`);
  }
}
