import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { jsonRows, jsonRowsFrom, jsonRowsGate, type PartOptions, type Statement } from '../platform/statements.ts';

// A card's security code, kept encrypted until the card's first authorization (payment_method_security_codes,
// db/migrations/049_card_security_codes.sql; docs/security.md): the only SQL that touches it. The code is never read
// into a rendered object: findPaymentMethod reads the ciphertext for a connector call, and nothing else does.

/** How long a security code that no authorization used is kept: after this, the janitor deletes it. */
export const securityCodeLifetimeSeconds = 3600;
/** How many unused codes one janitor round deletes (the rest wait for the next round). */
export const securityCodesPerSweepMax = 1000;

/** Keeps a new card PaymentMethod's security code, sealed by the caller (secretBox, the PaymentMethod's id as associated data). */
export function securityCodeInsertStatement(scope: Scope, paymentMethodId: string, sealed: Buffer, created: number): Statement {
  return {
    text: 'INSERT INTO payment_method_security_codes (payment_method_id, account_id, livemode, security_code_encrypted, created) VALUES ($1, $2, $3, $4, $5)',
    values: [paymentMethodId, scope.accountId, scope.livemode, sealed, created],
  };
}

/**
 * Deletes a PaymentMethod's security code, as a part of the statement recording an authorization's outcome, only when
 * the intent's compare-and-set (`gate`) returned its row: the code is used once. Written as JSON rows gated by key and
 * reached through `= ANY` of its own array, so the group commit can merge the outcomes of many requests into one
 * statement, as it merges the outcomes of cards that have no code.
 */
export function securityCodeWipeStatement(scope: Scope, paymentMethodId: string, gate: PartOptions): Statement {
  const gated = jsonRowsGate(gate);
  const row: Record<string, unknown> = { payment_method_id: paymentMethodId, account_id: scope.accountId, livemode: scope.livemode };
  if (gate.gateKey !== undefined) row.gate = gate.gateKey;
  return {
    text: `DELETE FROM payment_method_security_codes c USING ${jsonRowsFrom('$1', 'payment_method_security_codes')}${gated.from}
      WHERE c.payment_method_id = ANY ($2::text[]) AND c.payment_method_id = r.payment_method_id
        AND (c.account_id, c.livemode) IS NOT DISTINCT FROM (r.account_id, r.livemode) AND ${gated.condition} RETURNING c.payment_method_id`,
    values: [jsonRows([row]), [paymentMethodId]],
  };
}

/** Deletes security codes no authorization used within their lifetime (the janitor's round); answers how many. */
export async function deleteExpiredSecurityCodes(db: Queryable, nowSeconds: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM payment_method_security_codes WHERE payment_method_id IN (
       SELECT payment_method_id FROM payment_method_security_codes WHERE created <= $1 ORDER BY created LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [nowSeconds - securityCodeLifetimeSeconds, securityCodesPerSweepMax],
  );
  return result.rowCount ?? 0;
}
