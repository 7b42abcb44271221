import type { Queryable } from '../platform/db.ts';

/** A payment waiting on a voucher or QR code past its `expires_at`: its waiting attempt. */
export interface ExpiredDisplay {
  attempt_id: string;
}

/**
 * Intents waiting (`requires_action`) on a boleto voucher or Pix QR code whose `next_action.<type>.expires_at` has
 * passed, across tenants (the expiry sweep), oldest first.
 */
export async function findExpiredDisplays(db: Queryable, now: number, limit: number): Promise<ExpiredDisplay[]> {
  const result = await db.query<ExpiredDisplay>(
    `SELECT c.attempt_id FROM payment_intents pi JOIN charges c ON c.id = pi.latest_charge_id
      WHERE pi.status = 'requires_action' AND pi.next_action->>'type' IN ('boleto_display_details', 'pix_display_qr_code')
        AND c.attempt_id IS NOT NULL AND (pi.next_action->(pi.next_action->>'type')->>'expires_at')::bigint <= $1
      ORDER BY pi.created LIMIT $2`,
    [now, limit],
  );
  return result.rows;
}
