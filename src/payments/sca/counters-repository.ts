import type { Queryable } from '../../platform/db.ts';
import type { Scope } from '../../platform/scope.ts';
import { rowsIn, type Statement } from '../../platform/statements.ts';
import type { CounterChange } from './counters.ts';
import { emptyCounters, type CardCounters } from './types.ts';

// The `sca_card_counters` table (migration 038): one row per card fingerprint, account and mode.

/** The card's low-value counters on this account, zero when it has none yet. */
export async function findCardCounters(db: Queryable, scope: Scope, fingerprint: string): Promise<CardCounters> {
  const result = await db.query<{ exempted_count: number; exempted_amount_eur: string; recurring_amount: string | null; recurring_currency: string | null }>(
    `SELECT exempted_count, exempted_amount_eur, recurring_amount, recurring_currency FROM sca_card_counters
     WHERE card_fingerprint = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)`,
    [fingerprint, scope.accountId, scope.livemode],
  );
  const row = result.rows[0];
  if (!row) return emptyCounters;
  return {
    exempted_count: row.exempted_count,
    exempted_amount_eur: Number(row.exempted_amount_eur),
    recurring_amount: row.recurring_amount === null ? null : Number(row.recurring_amount),
    recurring_currency: row.recurring_currency,
  };
}

/**
 * The upsert of a counter change as a part of a payment's combined statement: written only when `onlyIfRowsIn` (the
 * payment's compare-and-set) returned a row, so the counters move with the outcome or not at all.
 */
export function counterChangeStatement(scope: Scope, change: CounterChange, now: number, onlyIfRowsIn: string): Statement {
  if (change.kind === 'authenticated') {
    return {
      text: `INSERT INTO sca_card_counters (account_id, livemode, card_fingerprint, exempted_count, exempted_amount_eur, recurring_amount, recurring_currency, last_authenticated, updated)
       SELECT $1, $2, $3, 0, 0, $4::bigint, $5::text, $6::bigint, $6::bigint WHERE ${rowsIn(onlyIfRowsIn)}
       ON CONFLICT (account_id, livemode, card_fingerprint) DO UPDATE SET exempted_count = 0, exempted_amount_eur = 0,
         recurring_amount = EXCLUDED.recurring_amount, recurring_currency = EXCLUDED.recurring_currency,
         last_authenticated = EXCLUDED.last_authenticated, updated = EXCLUDED.updated
       RETURNING card_fingerprint`,
      values: [scope.accountId, scope.livemode, change.fingerprint, change.recurring?.amount ?? null, change.recurring?.currency ?? null, now],
    };
  }
  return {
    text: `INSERT INTO sca_card_counters (account_id, livemode, card_fingerprint, exempted_count, exempted_amount_eur, updated)
     SELECT $1, $2, $3, 1, $4::bigint, $5::bigint WHERE ${rowsIn(onlyIfRowsIn)}
     ON CONFLICT (account_id, livemode, card_fingerprint) DO UPDATE SET exempted_count = sca_card_counters.exempted_count + 1,
       exempted_amount_eur = sca_card_counters.exempted_amount_eur + EXCLUDED.exempted_amount_eur, updated = EXCLUDED.updated
     RETURNING card_fingerprint`,
    values: [scope.accountId, scope.livemode, change.fingerprint, change.amountEur, now],
  };
}
