import { missing } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { openStatuses, writeDisputeChange } from './outcome.ts';
import { findDispute } from './repository.ts';
import { disputeView, type DisputeDependencies, type DisputeView } from './service.ts';
import { disputeClosed } from './update.ts';

/**
 * Closes a dispute (Stripe's POST /v1/disputes/:id/close): the merchant accepts it, and it is lost (an inquiry is
 * `warning_closed`). The withdrawn funds stay withdrawn. Under the dispute's row lock: a dispute already ended (won,
 * lost, closed, or decided by a concurrent submission) gets Stripe's error.
 */
export async function closeDispute(work: UnitOfWork, deps: DisputeDependencies, scope: Scope, id: string): Promise<DisputeView> {
  return work.finalTransaction(async (client) => {
    const dispute = await findDispute(client, scope, id, { forUpdate: true });
    if (!dispute) throw missing('dispute', id);
    if (!openStatuses.includes(dispute.status)) throw disputeClosed(dispute);
    const closed = await writeDisputeChange(deps, client, work, scope, dispute, {}, 'lost');
    if (!closed) throw disputeClosed(dispute);
    return disputeView(client, scope, closed, deps.clock.nowSeconds());
  });
}
