import type { Queryable } from '../platform/db.ts';
import { rowsIn, type Statement } from '../platform/statements.ts';
import type { Scope } from '../platform/scope.ts';

// The test processor's 3-D Secure challenges (authentication_challenges): the only SQL that touches them.

export interface ChallengeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  payment_intent_id: string;
  charge_id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'abandoned';
  return_url: string | null;
  created: number;
}

/**
 * A challenge of the built-in test processor's 3-D Secure page. Live challenges are never answered: the test page
 * completes authentication for anyone who posts to it, so it must not touch a live payment even if one was somehow
 * sent there.
 */
export async function findChallenge(db: Queryable, id: string): Promise<ChallengeRow | undefined> {
  const result = await db.query<ChallengeRow>('SELECT * FROM authentication_challenges WHERE id = $1 AND NOT livemode', [id]);
  return result.rows[0];
}

/**
 * Takes a pending challenge for answering, under its row lock (held by the caller's transaction): marks it with the
 * customer's result. False when it is gone, live, or answered already (a second post of the page).
 */
export async function claimChallenge(db: Queryable, id: string, status: 'succeeded' | 'failed'): Promise<boolean> {
  const locked = (await db.query<ChallengeRow>('SELECT * FROM authentication_challenges WHERE id = $1 AND NOT livemode FOR UPDATE', [id])).rows[0];
  if (!locked || locked.status !== 'pending') return false;
  await db.query('UPDATE authentication_challenges SET status = $2 WHERE id = $1', [id, status]);
  return true;
}

/** The customer's answer to a charge's challenge, once given (the janitor passes it on when it asks the provider). */
export async function findAnsweredChallenge(db: Queryable, chargeId: string): Promise<{ status: 'succeeded' | 'failed' } | undefined> {
  const result = await db.query<{ status: 'succeeded' | 'failed' }>(
    `SELECT status FROM authentication_challenges WHERE charge_id = $1 AND status IN ('succeeded', 'failed')`,
    [chargeId],
  );
  return result.rows[0];
}

/**
 * A canceled intent's challenges that were still waiting for the customer (the page no longer answers them), as a
 * statement to combine with the cancel, only when the earlier part `onlyIfRowsIn` returned a row.
 */
export function challengesAbandonStatement(paymentIntentId: string, onlyIfRowsIn: string): Statement {
  return { text: `UPDATE authentication_challenges SET status = 'abandoned' WHERE payment_intent_id = $1 AND status = 'pending' AND ${rowsIn(onlyIfRowsIn)} RETURNING id`, values: [paymentIntentId] };
}

/** The INSERT of a new pending challenge, for combining with the answer that asked for it, only when the earlier part `onlyIfRowsIn` returned a row. */
export function challengeInsertStatement(
  scope: Scope,
  challenge: Pick<ChallengeRow, 'id' | 'payment_intent_id' | 'charge_id' | 'return_url' | 'created'>,
  onlyIfRowsIn: string,
): Statement {
  return {
    text: `INSERT INTO authentication_challenges (id, account_id, livemode, payment_intent_id, charge_id, status, return_url, created)
           SELECT $1::text, $2::text, $3::boolean, $4::text, $5::text, 'pending', $6::text, $7::bigint WHERE ${rowsIn(onlyIfRowsIn)}`,
    values: [challenge.id, scope.accountId, scope.livemode, challenge.payment_intent_id, challenge.charge_id, challenge.return_url, challenge.created],
  };
}
