import type { LedgerKind } from '../ledger/accounts.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';

/** A connected account's negative available balance in one currency (`owed` > 0), whose losses its platform bears. */
export interface NegativeBalance {
  account_id: string;
  platform_id: string;
  livemode: boolean;
  currency: string;
  owed: number;
}

/** A platform's reserve in one currency (`reserved` >= 0 normally). */
export interface PlatformReserve {
  platform_id: string;
  livemode: boolean;
  currency: string;
  reserved: number;
}

export interface TrackedNegative {
  account_id: string;
  livemode: boolean;
  currency: string;
  since: number;
}

/**
 * Every ledger account's balance of one kind, as rows to sum per account: its sealed balance and the postings not yet
 * sealed (as `ownerBalances` reads one owner's, here for all owners at once). `kind` is one of the ledger's own kinds.
 */
function balancesOfKind(kind: LedgerKind): string {
  return `SELECT owner_id, livemode, currency, balance FROM ledger_balances WHERE kind = '${kind}'
       UNION ALL
       SELECT p.owner_id, p.livemode, p.currency, p.amount FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id
        WHERE e.chain_position IS NULL AND p.kind = '${kind}'`;
}

/** One reserve sweep at a time (a transaction-scoped advisory lock; another process skips its round). */
export async function tryLockReserveSweep(db: Queryable): Promise<boolean> {
  const result = await db.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('payrail:connect_reserves')) AS locked");
  return result.rows[0].locked;
}

/**
 * Every connected account whose platform bears its losses (`controller.losses.payments = application`) and whose
 * available balance is below zero: sealed balances plus the postings not yet sealed, set-based (one pass over the
 * merchant_available balances, not one query per account).
 */
export async function negativeLiableBalances(db: Queryable): Promise<NegativeBalance[]> {
  const result = await db.query<NegativeBalance>(
    `SELECT ca.id AS account_id, ca.account_id AS platform_id, ca.livemode, b.currency, sum(b.balance)::bigint AS owed
       FROM connected_accounts ca
       JOIN (${balancesOfKind('merchant_available')}) b ON b.owner_id = ca.id AND b.livemode = ca.livemode
      WHERE ca.controller->'losses'->>'payments' = 'application'
      GROUP BY ca.id, ca.account_id, ca.livemode, b.currency
     HAVING sum(b.balance) > 0
      ORDER BY ca.id, ca.livemode, b.currency`,
  );
  return result.rows.map((row) => ({ ...row, owed: Number(row.owed) }));
}

/** Every platform's reserve balance, per mode and currency, where it is not zero. */
export async function platformReserves(db: Queryable): Promise<PlatformReserve[]> {
  const result = await db.query<PlatformReserve>(
    `SELECT owner_id AS platform_id, livemode, currency, (0 - sum(balance))::bigint AS reserved FROM (${balancesOfKind('merchant_connect_reserved')}) parts
     GROUP BY owner_id, livemode, currency HAVING sum(balance) <> 0`,
  );
  return result.rows.map((row) => ({ ...row, reserved: Number(row.reserved) }));
}

export async function trackedNegatives(db: Queryable): Promise<TrackedNegative[]> {
  const result = await db.query<TrackedNegative>('SELECT account_id, livemode, currency, since FROM connect_negative_balances');
  return result.rows.map((row) => ({ ...row, since: Number(row.since) }));
}

/** Remembers the accounts newly found negative (since `now`) and forgets those no longer negative. */
export async function replaceTrackedNegatives(db: Queryable, negative: readonly NegativeBalance[], now: number): Promise<void> {
  await db.query(
    `WITH still AS (SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[]) AS n(account_id, livemode, currency, platform_id)),
     gone AS (DELETE FROM connect_negative_balances t WHERE NOT EXISTS (SELECT 1 FROM still s WHERE s.account_id = t.account_id AND s.livemode = t.livemode AND s.currency = t.currency))
     INSERT INTO connect_negative_balances (account_id, livemode, currency, platform_id, since)
     SELECT account_id, livemode, currency, platform_id, $5 FROM still ON CONFLICT (account_id, livemode, currency) DO NOTHING`,
    [negative.map((row) => row.account_id), negative.map((row) => row.livemode), negative.map((row) => row.currency), negative.map((row) => row.platform_id), now],
  );
}

/** Whether the account is a Connect platform (has connected accounts in this mode): its balance then shows `connect_reserved`. */
export async function isConnectPlatform(db: Queryable, scope: Scope): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM connected_accounts WHERE account_id = $1 AND livemode = $2 LIMIT 1', [scope.accountId, scope.livemode]);
  return (result.rowCount ?? 0) > 0;
}
