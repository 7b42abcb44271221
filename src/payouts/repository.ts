import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest, type RangeBounds } from '../platform/pagination.ts';
import type { PayoutStatus } from './state.ts';

export interface PayoutRow {
  id: string;
  account_id: string;
  livemode: boolean;
  amount: number;
  currency: string;
  status: PayoutStatus;
  automatic: boolean;
  method: 'standard';
  destination_id: string;
  description: string | null;
  statement_descriptor: string | null;
  arrival_date: number;
  failure_code: string | null;
  failure_message: string | null;
  failure_balance_transaction_id: string | null;
  balance_transaction_id: string | null;
  provider_reference: string | null;
  metadata: Record<string, string>;
  created: number;
  /** For a reversal: the payout it reverses (Stripe's `original_payout`). */
  original_payout_id: string | null;
  /** The payout that reverses this one (Stripe's `reversed_by`). */
  reversed_by_id: string | null;
}

export async function insertPayout(db: Queryable, row: PayoutRow): Promise<PayoutRow> {
  const result = await db.query<PayoutRow>(
    `INSERT INTO payouts (id, account_id, livemode, amount, currency, status, automatic, method, destination_id, description, statement_descriptor,
       arrival_date, failure_code, failure_message, failure_balance_transaction_id, balance_transaction_id, provider_reference, metadata, created, original_payout_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING *`,
    [row.id, row.account_id, row.livemode, row.amount, row.currency, row.status, row.automatic, row.method, row.destination_id, row.description,
      row.statement_descriptor, row.arrival_date, row.failure_code, row.failure_message, row.failure_balance_transaction_id, row.balance_transaction_id,
      row.provider_reference, row.metadata, row.created, row.original_payout_id],
  );
  return result.rows[0];
}

export async function findPayout(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PayoutRow | undefined> {
  const result = await db.query<PayoutRow>(
    `SELECT * FROM payouts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updatePayoutMetadata(db: Queryable, row: PayoutRow, metadata: Record<string, string>): Promise<PayoutRow> {
  const result = await db.query<PayoutRow>('UPDATE payouts SET metadata = $3 WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *', [row.id, row.account_id, metadata]);
  return result.rows[0];
}

/** Records the payout that reverses this one (once: a payout is reversed at most once). */
export async function setReversedBy(db: Queryable, row: Pick<PayoutRow, 'id' | 'account_id'>, reversalId: string): Promise<PayoutRow | undefined> {
  const result = await db.query<PayoutRow>(
    'UPDATE payouts SET reversed_by_id = $3 WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 AND reversed_by_id IS NULL RETURNING *',
    [row.id, row.account_id, reversalId],
  );
  return result.rows[0];
}

export interface PayoutTransitionFields {
  failure_code?: string;
  failure_message?: string;
  failure_balance_transaction_id?: string;
}

/**
 * Compare-and-set of a payout's status: moves it only if it is still in `from`, and returns the updated row (or
 * undefined when another runner or request moved it first). The row stays locked until the transaction ends, so the
 * ledger entries written next belong to exactly one transition.
 */
export async function transitionPayout(db: Queryable, id: string, from: PayoutStatus, to: PayoutStatus, fields: PayoutTransitionFields = {}): Promise<PayoutRow | undefined> {
  const result = await db.query<PayoutRow>(
    `UPDATE payouts SET status = $3,
        failure_code = coalesce($4, failure_code), failure_message = coalesce($5, failure_message),
        failure_balance_transaction_id = coalesce($6, failure_balance_transaction_id)
      WHERE id = $1 AND status = $2 RETURNING *`,
    [id, from, to, fields.failure_code ?? null, fields.failure_message ?? null, fields.failure_balance_transaction_id ?? null],
  );
  return result.rows[0];
}

/** Records the provider's reference once (a retried submit returns the same reference anyway). */
export async function setProviderReference(db: Queryable, id: string, reference: string): Promise<void> {
  await db.query('UPDATE payouts SET provider_reference = $2 WHERE id = $1 AND provider_reference IS NULL', [id, reference]);
}

/** Payouts waiting to be sent: pending ones, and in-transit ones whose submit never returned (crash, timeout). */
export async function payoutsToSubmit(db: Queryable, limit: number): Promise<PayoutRow[]> {
  const result = await db.query<PayoutRow>(
    `SELECT * FROM payouts WHERE status = 'pending' OR (status = 'in_transit' AND provider_reference IS NULL) ORDER BY seq LIMIT $1`,
    [limit],
  );
  return result.rows;
}

/** In-transit payouts whose arrival date has passed: the bank should have an answer. */
export async function payoutsToSettle(db: Queryable, now: number, limit: number): Promise<PayoutRow[]> {
  const result = await db.query<PayoutRow>(
    `SELECT * FROM payouts WHERE status = 'in_transit' AND provider_reference IS NOT NULL AND arrival_date <= $1 ORDER BY arrival_date, seq LIMIT $2`,
    [now, limit],
  );
  return result.rows;
}

/**
 * Serializes everything that reads and then spends one available balance (payout creation, automatic payout runs)
 * per account, mode and currency, until the transaction ends. Payments and refunds do not take it: they only add to
 * the balance or are allowed to take it negative.
 */
export async function lockPayoutBalance(db: Queryable, scope: Scope, currency: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`payouts:${scope.accountId}:${scope.livemode}:${currency}`]);
}

export interface PayoutFilters {
  status?: PayoutStatus;
  destination?: string;
  arrival_date?: RangeBounds;
}

export async function listPayouts(db: Queryable, scope: Scope, page: PageRequest, filters: PayoutFilters): Promise<Page<PayoutRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.status !== undefined) conditions.push({ sql: 'status = $?', value: filters.status });
  if (filters.destination !== undefined) conditions.push({ sql: 'destination_id = $?', value: filters.destination });
  const arrival = filters.arrival_date ?? {};
  for (const [operator, key] of [['>', 'gt'], ['>=', 'gte'], ['<', 'lt'], ['<=', 'lte']] as const) {
    if (arrival[key] !== undefined) conditions.push({ sql: `arrival_date ${operator} $?`, value: arrival[key] });
  }
  return listPage<PayoutRow>(db, { table: 'payouts', objectName: 'payout', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}

/** Candidates for automatic payouts: each account, mode and currency with a default bank account, with its schedule. */
export interface ScheduleCandidate {
  account_id: string;
  livemode: boolean;
  currency: string;
  payout_interval: string | null;
  payout_weekly_anchor: string | null;
  payout_monthly_anchor: number | null;
  debit_negative_balances: boolean;
}

/**
 * Up to `limit` candidates that have no payout run for `payoutDay` yet (a run row is written even when there was
 * nothing to pay, so each candidate is looked at once per day and a long list is worked through across runs).
 */
export async function scheduleCandidates(db: Queryable, payoutDay: string, limit: number): Promise<ScheduleCandidate[]> {
  const result = await db.query<ScheduleCandidate>(
    `SELECT e.account_id, e.livemode, e.currency, s.payout_interval, s.payout_weekly_anchor, s.payout_monthly_anchor,
            coalesce(s.debit_negative_balances, true) AS debit_negative_balances
       FROM external_accounts e LEFT JOIN account_settings s ON s.account_id = e.account_id
      WHERE e.default_for_currency AND NOT e.deleted AND coalesce(s.payout_interval, 'daily') <> 'manual'
        AND NOT EXISTS (SELECT 1 FROM payout_runs r WHERE r.account_id = e.account_id AND r.livemode = e.livemode AND r.currency = e.currency AND r.payout_day = $1::date)
      ORDER BY e.seq LIMIT $2`,
    [payoutDay, limit],
  );
  return result.rows;
}

/** Claims the payout run of a day; false when it was already claimed (by this or another runner). */
export async function claimPayoutRun(db: Queryable, scope: Scope, currency: string, payoutDay: string): Promise<boolean> {
  const result = await db.query(
    'INSERT INTO payout_runs (account_id, livemode, currency, payout_day) VALUES ($1, $2, $3, $4::date) ON CONFLICT DO NOTHING RETURNING 1',
    [scope.accountId, scope.livemode, currency, payoutDay],
  );
  return result.rowCount === 1;
}

export async function recordPayoutRunPayout(db: Queryable, scope: Scope, currency: string, payoutDay: string, payoutId: string): Promise<void> {
  await db.query('UPDATE payout_runs SET payout_id = $5 WHERE account_id = $1 AND livemode = $2 AND currency = $3 AND payout_day = $4::date', [
    scope.accountId, scope.livemode, currency, payoutDay, payoutId,
  ]);
}

/**
 * Marks the available balance transactions not yet paid out as paid out by an automatic payout (Stripe's `payout`
 * filter of balance transactions), the payout's own transaction included.
 */
export async function markPaidOutTransactions(db: Queryable, scope: Scope, currency: string, payoutId: string): Promise<number> {
  const result = await db.query(
    `UPDATE balance_transactions SET payout_id = $4
      WHERE account_id = $1 AND livemode = $2 AND currency = $3 AND payout_id IS NULL AND status = 'available'`,
    [scope.accountId, scope.livemode, currency, payoutId],
  );
  return result.rowCount ?? 0;
}
