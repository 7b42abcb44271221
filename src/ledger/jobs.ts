import type { Dependencies } from '../dependencies.ts';
import { inTransaction } from '../platform/db.ts';
import { advancePayouts, runPayoutSchedules, type PayoutJobDependencies } from '../payouts/jobs.ts';
import { lockDueBalanceTransactions, markBalanceTransactionsAvailable } from './jobs-repository.ts';
import { availabilityEntry } from './movements.ts';
import { writeMovement } from './repository.ts';
import { sealLedger } from './sealer.ts';

/** What the ledger jobs use: the database and clock, and what the payout jobs they run need. */
export type LedgerJobDependencies = Pick<Dependencies, 'db' | 'clock'> & PayoutJobDependencies;

/** Balance transactions made available per run of the settlement job. */
export const releaseBatchMax = 5_000;

/**
 * Settlement: pending funds whose `available_on` has passed become available. Per account, mode and currency, one
 * availability entry moves the sum of their nets from pending to available, in the same transaction as the
 * transactions' status change. SKIP LOCKED lets several Payrail processes run it side by side.
 */
export async function releaseAvailableFunds(deps: LedgerJobDependencies, batchMax = releaseBatchMax): Promise<number> {
  const now = deps.clock.nowSeconds();
  return inTransaction(deps.db, async (client) => {
    const due = await lockDueBalanceTransactions(client, now, batchMax);
    if (due.length === 0) return 0;
    const groups = new Map<string, { accountId: string; livemode: boolean; currency: string; amount: number }>();
    for (const row of due) {
      const key = `${row.account_id}\u0000${row.livemode}\u0000${row.currency}`;
      const group = groups.get(key) ?? { accountId: row.account_id, livemode: row.livemode, currency: row.currency, amount: 0 };
      group.amount += Number(row.net);
      groups.set(key, group);
    }
    const entries = [...groups.values()].filter((group) => group.amount !== 0).map((group) => availabilityEntry(group, group.currency, group.amount, now));
    await writeMovement(client, { entries });
    await markBalanceTransactionsAvailable(client, due.map((row) => row.id));
    return due.length;
  });
}

export interface LedgerJobsResult {
  sealed: number;
  released: number;
  payoutsCreated: number;
  payoutsAdvanced: number;
}

/**
 * One round of the ledger's background work, in dependency order: funds that matured become available, scheduled
 * payouts are created from available funds, payouts move through the payout provider, and everything committed is
 * sealed into the hash chains and sealed balances.
 */
export async function runLedgerJobs(deps: LedgerJobDependencies): Promise<LedgerJobsResult> {
  const released = await releaseAvailableFunds(deps);
  const schedules = await runPayoutSchedules(deps);
  const advanced = await advancePayouts(deps);
  const sealed = await sealLedger(deps.db);
  return { sealed, released, payoutsCreated: schedules.created.length, payoutsAdvanced: advanced.submitted + advanced.paid + advanced.failed };
}
