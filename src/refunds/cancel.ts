import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { refundSettlement, type RefundSettlementDependencies } from '../payments/ledger.ts';
import { findCharge, findPaymentIntent } from '../payments/repository.ts';
import { buildRefundCancelChange, cancelableRefundStatus } from './refund-change.ts';
import { findRefund, type RefundRow } from './repository.ts';
import { writeRefundChanges } from './writer.ts';

/** What canceling a refund uses: the clock, and what settling its reversal needs. */
export type RefundCancelDependencies = Pick<Dependencies, 'clock'> & RefundSettlementDependencies;

/**
 * Cancels a refund in `requires_action` (Stripe's rule; every other status is 400 `refund_unexpected_state`). A
 * refund draws its money from the available balance when it is made, so canceling one returns it with a reversing
 * entry (a `refund_failure` balance transaction, shown as the refund's `failure_balance_transaction`) and takes it off
 * the charge's `amount_refunded`, in one transaction under the PaymentIntent's lock (the lock every money movement of
 * a payment takes).
 *
 * Payrail's connectors refund cards, which never wait for the customer, so today no refund reaches `requires_action`
 * and every cancel is refused; the rule and the reversal are kept for connectors whose refunds do.
 */
export async function cancelRefund(work: UnitOfWork, deps: RefundCancelDependencies, scope: Scope, id: string): Promise<RefundRow> {
  return work.finalTransaction(async (client) => {
    const found = await findRefund(client, scope, id);
    if (!found) throw missing('refund', id);
    const intent = await findPaymentIntent(client, scope, found.payment_intent_id, { forUpdate: true });
    const refund = await findRefund(client, scope, id, { forUpdate: true });
    const charge = await findCharge(client, scope, found.charge_id);
    assert(intent && refund && charge, `refund ${id} has its charge and PaymentIntent`);
    if (refund.status !== cancelableRefundStatus) {
      throw new ApiError('refund_unexpected_state', `You can't cancel a refund with status ${refund.status}. Only refunds with status ${cancelableRefundStatus} can be canceled.`, { param: 'refund' });
    }
    const settlement = refund.balance_transaction_id !== null ? await refundSettlement(deps, client, scope, charge, refund.amount) : undefined;
    const change = buildRefundCancelChange({ scope, request: work, refund, charge, settlement, now: deps.clock.nowSeconds() });
    const [written] = await writeRefundChanges(client, [change]);
    assert(written.applied, `refund ${id} is still in ${cancelableRefundStatus} under its row lock`);
    return written.refund;
  });
}
