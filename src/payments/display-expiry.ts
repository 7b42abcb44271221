import type { Dependencies } from '../dependencies.ts';
import { completeRedirect, type AuthenticationDependencies } from './authentication.ts';
import { findExpiredDisplays } from './display-expiry-repository.ts';

/**
 * Boleto vouchers and Pix QR codes left unpaid past their `expires_at`: the connector is asked to finish the attempt as
 * not paid (the path of a failed redirect), and the intent returns to `requires_payment_method` with
 * `last_payment_error.code = payment_intent_payment_attempt_expired` and `payment_intent.payment_failed`, as at Stripe.
 * Run by the janitor's sweep; returns how many expired.
 */
export async function expireDisplayedPayments(deps: AuthenticationDependencies & Pick<Dependencies, 'clock'>, limit = 100): Promise<number> {
  let expired = 0;
  for (const row of await findExpiredDisplays(deps.db, deps.clock.nowSeconds(), limit)) {
    const result = await completeRedirect(deps, row.attempt_id, { status: 'failed' });
    if (result?.intent.status === 'requires_payment_method') expired += 1;
  }
  return expired;
}
