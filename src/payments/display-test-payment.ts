import type { Dependencies } from '../dependencies.ts';
import { completeRedirect, type AuthenticationDependencies } from './authentication.ts';
import { findDueTestDisplayPayments } from './display-expiry-repository.ts';

/**
 * The simulated customer of Stripe's boleto and Pix test e-mails (src/connectors/test-processor/local-methods.ts): a test
 * voucher whose payment is due (`paidAfterSeconds` after it was shown: within seconds for `succeed_immediately@`,
 * about 3 minutes for any other e-mail) is paid, as the tester's "Mark as paid" pays it: the processor is asked to
 * finish and answers authorized (`charge.succeeded`, `payment_intent.succeeded`). A voucher already expired is
 * expired instead (the expiry sweep runs first; a voucher past `expires_at` is not payable). Run by the janitor's
 * sweep; returns how many were paid.
 */
export async function payDueTestDisplays(deps: AuthenticationDependencies & Pick<Dependencies, 'clock'>, options: { limit?: number; shownSecondsAgo?: number } = {}): Promise<number> {
  let paid = 0;
  for (const row of await findDueTestDisplayPayments(deps.db, deps.clock.nowSeconds(), options.limit ?? 100, options.shownSecondsAgo ?? null)) {
    const result = await completeRedirect(deps, row.attempt_id, { status: 'succeeded' });
    if (result?.intent.status === 'succeeded' || result?.intent.status === 'requires_capture') paid += 1;
  }
  return paid;
}
