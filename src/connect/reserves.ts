import type { Dependencies } from '../dependencies.ts';
import { collectionTransfer, reserveMovement } from '../ledger/connect-reserve-movements.ts';
import { joinMovements } from '../ledger/connect-movements.ts';
import type { Movement } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/service.ts';
import { inTransaction } from '../platform/db.ts';
export { isConnectPlatform } from './reserves-repository.ts';
import { negativeLiableBalances, platformReserves, replaceTrackedNegatives, trackedNegatives, tryLockReserveSweep, type NegativeBalance } from './reserves-repository.ts';

/** How long a connected account may stay negative before its platform's reserve clears the balance (Stripe: 180 days). */
export const negativeBalanceClearingSeconds = 180 * 24 * 60 * 60;

export interface ReserveSweepResult {
  /** Accounts below zero whose platform bears their losses, after this round. */
  negativeAccounts: number;
  /** Reserve movements written (one per platform, mode and currency whose reserve changed). */
  reserveChanges: number;
  /** Negative balances cleared by their platform after 180 days. */
  cleared: number;
}

/** An account's (a platform's, or a connected account's) balance in one mode and currency, as a map key. */
const keyOf = (accountId: string, livemode: boolean, currency: string) => `${accountId}\u0000${livemode}\u0000${currency}`;

/**
 * One round of the Connect reserve, as Stripe keeps it for platforms: for each platform, mode and currency, the
 * reserve becomes the sum of the negative available balances of its connected accounts whose losses it bears
 * (Custom and Express accounts, `controller.losses.payments = application`). The difference is held from (or released
 * to) the platform's available balance as a `reserve_transaction`; the platform's available balance may go below
 * zero for it, as a platform's bank account is debited at Stripe. An account negative for 180 days is cleared: the
 * platform's funds make it zero (a `connect_collection_transfer` on each side) and the reserve held for it is released.
 * Balances are read once per round, so a balance that changes during the round is caught up by the next round.
 */
export async function sweepConnectReserves(deps: Pick<Dependencies, 'db' | 'clock'>): Promise<ReserveSweepResult> {
  const now = deps.clock.nowSeconds();
  return inTransaction(deps.db, async (client) => {
    if (!(await tryLockReserveSweep(client))) return { negativeAccounts: 0, reserveChanges: 0, cleared: 0 };
    const negative = await negativeLiableBalances(client);
    const since = new Map((await trackedNegatives(client)).map((row) => [keyOf(row.account_id, row.livemode, row.currency), row.since]));
    const due = (row: NegativeBalance) => {
      const first = since.get(keyOf(row.account_id, row.livemode, row.currency));
      return first !== undefined && now - first >= negativeBalanceClearingSeconds;
    };
    const cleared = negative.filter(due);
    const remaining = negative.filter((row) => !due(row));
    const target = new Map<string, { platformId: string; livemode: boolean; currency: string; amount: number }>();
    for (const row of remaining) {
      const key = keyOf(row.platform_id, row.livemode, row.currency);
      const entry = target.get(key) ?? { platformId: row.platform_id, livemode: row.livemode, currency: row.currency, amount: 0 };
      entry.amount += row.owed;
      target.set(key, entry);
    }
    const current = new Map((await platformReserves(client)).map((row) => [keyOf(row.platform_id, row.livemode, row.currency), row]));
    const movements: Movement[] = [];
    for (const key of new Set([...target.keys(), ...current.keys()])) {
      const wanted = target.get(key);
      const held = current.get(key);
      const change = (wanted?.amount ?? 0) - (held?.reserved ?? 0);
      if (change === 0) continue;
      const platform = wanted ? { accountId: wanted.platformId, livemode: wanted.livemode } : { accountId: held!.platform_id, livemode: held!.livemode };
      movements.push(reserveMovement(platform, wanted?.currency ?? held!.currency, change, now));
    }
    for (const row of cleared) {
      movements.push(collectionTransfer({ accountId: row.platform_id, livemode: row.livemode }, { accountId: row.account_id, livemode: row.livemode }, row.currency, row.owed, now));
    }
    if (movements.length > 0) await writeMovement(client, joinMovements(...movements));
    await replaceTrackedNegatives(client, remaining, now);
    return { negativeAccounts: remaining.length, reserveChanges: movements.length - cleared.length, cleared: cleared.length };
  });
}
