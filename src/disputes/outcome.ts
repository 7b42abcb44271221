import { changedAttributes, recordEvents, type NewEvent } from '../events/service.ts';
import { disputeReinstatementMovement } from '../ledger/dispute-movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import { refundSettlement } from '../payments/ledger.ts';
import { findCharge } from '../payments/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { EventRequest } from '../events/repository.ts';
import { isInquiry } from './render.ts';
import { updateDispute, type DisputeChanges, type DisputeRow, type DisputeStatus } from './repository.ts';
import { disputeView, renderDisputeView, type DisputeDependencies } from './service.ts';

/** Statuses from which a dispute may still change (an answer, a decision, a close); the others are final. */
export const openStatuses: readonly DisputeStatus[] = ['warning_needs_response', 'warning_under_review', 'needs_response', 'under_review'];

/** How a dispute ends: won or lost at the bank, or (an inquiry) closed without becoming a chargeback. */
export type DisputeDecision = 'won' | 'lost';

/** The final status of a decision: an inquiry that ends is `warning_closed` either way, since no funds moved. */
export function finalStatusOf(dispute: Pick<DisputeRow, 'status'>, decision: DisputeDecision): DisputeStatus {
  return isInquiry(dispute) ? 'warning_closed' : decision;
}

/**
 * Writes a change of a dispute the caller holds locked, with its money and events, in the caller's transaction:
 * `changes` (evidence, metadata, a submission) and, with `decision`, its end. Won: the disputed amount is reinstated
 * (a `dispute_reversal` movement; the fee is kept) and `charge.dispute.funds_reinstated` is recorded. Every end
 * records `charge.dispute.closed`; a change that does not end it records `charge.dispute.updated` (when anything shown
 * changed). Undefined when the
 * dispute is no longer in the status it was read in (the compare-and-set lost).
 */
export async function writeDisputeChange(
  deps: DisputeDependencies, client: Queryable, work: EventRequest, scope: Scope, dispute: DisputeRow, changes: DisputeChanges, decision: DisputeDecision | undefined,
): Promise<DisputeRow | undefined> {
  const now = deps.clock.nowSeconds();
  const before = renderDisputeView(await disputeView(client, scope, dispute, now));
  const status = decision ? finalStatusOf(dispute, decision) : changes.status;
  const reinstated = decision === 'won' && !isInquiry(dispute);
  let movement;
  if (reinstated) {
    const charge = await findCharge(client, scope, dispute.charge_id);
    assert(charge, `dispute ${dispute.id} has its charge`);
    movement = disputeReinstatementMovement(scope, dispute, await refundSettlement(deps, client, scope, charge, dispute.amount), now);
  }
  const updated = await updateDispute(client, dispute, {
    ...changes,
    ...(status ? { status } : {}),
    // Stripe: a charge whose dispute was won may be refunded again (what remains of it); lost, it never may.
    ...(decision && !isInquiry(dispute) ? { is_charge_refundable: decision === 'won' } : {}),
    ...(movement ? { reinstatement_balance_transaction_id: movement.balanceTransactions[0].id } : {}),
  }, dispute.status);
  if (!updated) return undefined;
  if (movement) await writeMovement(client, movement);
  const after = renderDisputeView(await disputeView(client, scope, updated, now));
  const previous = changedAttributes(before, after);
  const events: NewEvent[] = [];
  if (!decision && Object.keys(previous).length > 0) events.push({ type: 'charge.dispute.updated', object: after, previousAttributes: previous });
  if (movement) events.push({ type: 'charge.dispute.funds_reinstated', object: after });
  if (decision) events.push({ type: 'charge.dispute.closed', object: after });
  await recordEvents(client, scope, work, events);
  return updated;
}
