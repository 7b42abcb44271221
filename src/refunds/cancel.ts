import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { refundFailureMovement } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/service.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { refundSettlement } from '../payments/ledger.ts';
import { findCharge, findPaymentIntent, updateCharge } from '../payments/repository.ts';
import { renderRefund } from './render.ts';
import { findRefund, markRefundCanceled, type RefundRow } from './repository.ts';

/** The only status a refund may be canceled from, as at Stripe: it still waits for the customer to act. */
export const cancelableRefundStatus = 'requires_action';

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
export async function cancelRefund(work: UnitOfWork, deps: Dependencies, scope: Scope, id: string): Promise<RefundRow> {
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
    let failureTransactionId: string | null = null;
    if (refund.balance_transaction_id !== null) {
      const movement = refundFailureMovement(scope, refund, await refundSettlement(deps, client, scope, charge, refund.amount), deps.clock.nowSeconds());
      await writeMovement(client, movement);
      failureTransactionId = movement.balanceTransactions[0].id;
    }
    const canceled = await markRefundCanceled(client, refund, failureTransactionId);
    assert(canceled, `refund ${id} is still in ${cancelableRefundStatus} under its row lock`);
    await updateCharge(client, charge, { amount_refunded: charge.amount_refunded - refund.amount });
    const previous = { status: refund.status, failure_balance_transaction: refund.failure_balance_transaction_id };
    await recordEvent(client, scope, work, 'refund.updated', renderRefund(canceled), previous);
    await recordEvent(client, scope, work, 'charge.refund.updated', renderRefund(canceled), previous);
    return canceled;
  });
}
