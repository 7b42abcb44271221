import type { Queryable } from '../platform/db.ts';

/** A payment waiting on a voucher or QR code past its `expires_at`: its waiting attempt. */
export interface ExpiredDisplay {
  attempt_id: string;
}

/**
 * Intents waiting (`requires_action`) on a boleto voucher or Pix QR code whose `next_action.<type>.expires_at` has
 * passed, across tenants (the expiry sweep), oldest first; and the test processor's UPI intents past theirs (a real
 * provider times its own out and says so by webhook).
 */
export async function findExpiredDisplays(db: Queryable, now: number, limit: number): Promise<ExpiredDisplay[]> {
  const result = await db.query<ExpiredDisplay>(
    `SELECT c.attempt_id FROM payment_intents pi JOIN charges c ON c.id = pi.latest_charge_id
      WHERE pi.status = 'requires_action'
        AND (pi.next_action->>'type' IN ('boleto_display_details', 'pix_display_qr_code')
          OR (pi.next_action->>'type' = 'upi_handle_redirect_or_display_qr_code'
            AND EXISTS (SELECT 1 FROM payment_attempts a WHERE a.id = c.attempt_id AND a.connector = 'test_processor')))
        AND c.attempt_id IS NOT NULL AND (pi.next_action->(pi.next_action->>'type')->>'expires_at')::bigint <= $1
      ORDER BY pi.created LIMIT $2`,
    [now, limit],
  );
  return result.rows;
}

/**
 * Test-mode attempts of the built-in test processor waiting (`requires_action`) on a voucher whose simulated customer
 * pays at the attempt's `next_sync_at` (DisplayDetails.paidAfterSeconds), due now and not expired, oldest first; with `shownSecondsAgo`,
 * any shown at least that long ago (as the janitor's `startedSecondsAgo`, for tests and operators).
 */
export async function findDueTestDisplayPayments(db: Queryable, now: number, limit: number, shownSecondsAgo: number | null): Promise<ExpiredDisplay[]> {
  // Not past the display's `expires_at` (Payrail's clock): an expired voucher is not payable.
  const result = await db.query<ExpiredDisplay>(
    `SELECT a.id AS attempt_id FROM payment_attempts a JOIN payment_intents pi ON pi.id = a.payment_intent_id AND pi.latest_charge_id = a.charge_id
      WHERE a.status = 'requires_action' AND a.next_sync_at IS NOT NULL AND a.connector = 'test_processor' AND a.livemode = false
        AND (a.next_sync_at <= now() OR ($3::integer IS NOT NULL AND a.started_at <= now() - make_interval(secs => $3::integer)))
        AND pi.status = 'requires_action' AND (pi.next_action->(pi.next_action->>'type')->>'expires_at')::bigint > $1
      ORDER BY a.next_sync_at LIMIT $2`,
    [now, limit, shownSecondsAgo],
  );
  return result.rows;
}
