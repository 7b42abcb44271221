import type { Queryable } from '../platform/db.ts';

/** The SQL of the ledger's background jobs: pending balance transactions that become available. */

export interface DueBalanceTransaction {
  id: string;
  account_id: string;
  livemode: boolean;
  currency: string;
  net: number;
}

/**
 * Locks up to `limit` pending balance transactions whose `available_on` has passed, oldest first, until the
 * transaction ends. SKIP LOCKED: rows another process is releasing are left to it.
 */
export async function lockDueBalanceTransactions(client: Queryable, now: number, limit: number): Promise<DueBalanceTransaction[]> {
  const result = await client.query<DueBalanceTransaction>(
    `SELECT id, account_id, livemode, currency, net FROM balance_transactions
      WHERE status = 'pending' AND available_on <= $1 ORDER BY available_on LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return result.rows;
}

export async function markBalanceTransactionsAvailable(client: Queryable, ids: readonly string[]): Promise<void> {
  await client.query(`UPDATE balance_transactions SET status = 'available' WHERE id = ANY($1::text[])`, [ids]);
}
