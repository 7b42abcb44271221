import { inTransaction } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { writeDisputeChange } from './outcome.ts';
import { findDispute, findPastDueDisputes } from './repository.ts';
import type { DisputeDependencies } from './service.ts';

/** How many past-due disputes one round of the deadline sweep ends (the rest wait for the next round). */
export const pastDueDisputesPerSweep = 100;

/**
 * The deadline sweep: a dispute still waiting for an answer after its `due_by` is lost, as a bank decides an
 * unanswered chargeback for the cardholder (an unanswered inquiry is `warning_closed`: Stripe escalates some inquiries
 * to a chargeback, Payrail closes them). Each in its own transaction, under the dispute's row lock, re-checked there, so
 * an answer that arrives at the same moment wins or loses cleanly: never both.
 */
export async function expirePastDueDisputes(deps: DisputeDependencies): Promise<number> {
  const now = deps.clock.nowSeconds();
  const due = await findPastDueDisputes(deps.db, now, pastDueDisputesPerSweep);
  let expired = 0;
  for (const candidate of due) {
    const scope: Scope = { accountId: candidate.account_id, livemode: candidate.livemode };
    const changed = await inTransaction(deps.db, async (client) => {
      const dispute = await findDispute(client, scope, candidate.id, { forUpdate: true });
      if (!dispute || dispute.due_by === null || dispute.due_by >= now) return undefined;
      if (dispute.status !== 'needs_response' && dispute.status !== 'warning_needs_response') return undefined;
      return writeDisputeChange(deps, client, undefined, scope, dispute, {}, 'lost');
    });
    if (changed) expired += 1;
  }
  return expired;
}
