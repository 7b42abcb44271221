import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent, type Scope } from '../events/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderCharge, reportedAmountRefunded } from '../payments/render.ts';
import { findCharge, findPaymentIntent, updateCharge } from '../payments/repository.ts';
import { refundMovement } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/service.ts';
import { refundSettlement } from '../payments/ledger.ts';
import { renderRefund } from './render.ts';
import { findRefund, insertRefund, listRefunds, updateRefundMetadata, type RefundRow } from './repository.ts';

export const refundReasons = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export interface RefundInput {
  charge?: string;
  payment_intent?: string;
  amount?: number;
  reason?: (typeof refundReasons)[number];
  metadata?: MetadataUpdate;
}

/**
 * Refunds all or part of a captured charge. The PaymentIntent row is locked first (the one lock every money
 * movement of a payment takes), so concurrent refunds serialize and the total never exceeds what was captured;
 * a CHECK constraint on charges backs this up.
 */
/** A refund names exactly one of a charge or a PaymentIntent. */
export function checkRefundTarget(input: Pick<RefundInput, 'charge' | 'payment_intent'>): void {
  if (input.charge === undefined && input.payment_intent === undefined) {
    throw new ApiError('parameter_missing', 'One of the following params should be provided for this request: payment_intent or charge.', { param: 'charge' });
  }
  if (input.charge !== undefined && input.payment_intent !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: charge, payment_intent.', { param: 'payment_intent' });
  }
}

export async function createRefund(work: UnitOfWork, deps: Dependencies, scope: Scope, input: RefundInput): Promise<RefundRow> {
  checkRefundTarget(input);
  return work.finalTransaction(async (client) => {
    let intentId: string;
    if (input.payment_intent !== undefined) {
      intentId = input.payment_intent;
    } else {
      const charge = await findCharge(client, scope, input.charge!);
      if (!charge) throw missing('charge', input.charge!, 'charge');
      intentId = charge.payment_intent_id;
    }
    const intent = await findPaymentIntent(client, scope, intentId, { forUpdate: true });
    if (!intent) throw missing('payment_intent', intentId, 'payment_intent');
    const chargeId = input.charge ?? intent.latest_charge_id;
    const charge = chargeId ? await findCharge(client, scope, chargeId) : undefined;
    if (!charge || charge.status !== 'succeeded' || !charge.captured) {
      if (input.payment_intent !== undefined && intent.status !== 'succeeded') {
        throw new ApiError('payment_intent_unexpected_state', `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
      }
      throw new ApiError('charge_not_refundable', `Charge ${chargeId ?? ''} has not been captured and cannot be refunded; cancel its PaymentIntent to release the authorization.`, { param: input.charge !== undefined ? 'charge' : 'payment_intent' });
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw new ApiError('charge_already_refunded', `Charge ${charge.id} has already been refunded.`, { param: input.charge !== undefined ? 'charge' : 'payment_intent' });
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw new ApiError('amount_too_large', `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`, { param: 'amount' });
    }
    const id = newId('re');
    // The test processor answers in-process; provider connectors record a pending refund before calling out.
    const output = await deps.connector.refund({ refundId: id, attemptId: charge.id, processorReference: charge.processor_reference ?? '', amount, currency: charge.currency });
    if (output.status === 'failed') {
      throw new ApiError('processing_error', 'The refund could not be completed by the processor. Try again in a little bit.', { param: 'amount' });
    }
    // The refund is drawn from the merchant's available balance in the same transaction (docs/ledger.md).
    const movement = refundMovement(scope, { id, amount, currency: charge.currency }, await refundSettlement(deps, scope, charge, amount), deps.clock.nowSeconds());
    await writeMovement(client, movement);
    const refund = await insertRefund(client, {
      id,
      account_id: scope.accountId,
      livemode: scope.livemode,
      charge_id: charge.id,
      payment_intent_id: intent.id,
      amount,
      currency: charge.currency,
      status: output.status === 'succeeded' ? 'succeeded' : 'pending',
      reason: input.reason ?? null,
      failure_reason: null,
      processor_reference: output.status === 'succeeded' ? output.processorReference : null,
      metadata: mergeMetadata({}, input.metadata),
      created: nowSeconds(),
      balance_transaction_id: movement.balanceTransactions[0].id,
      failure_balance_transaction_id: null,
    });
    const updatedCharge = await updateCharge(client, charge, { amount_refunded: charge.amount_refunded + amount });
    await recordEvent(client, scope, work, 'refund.created', renderRefund(refund));
    await recordEvent(client, scope, work, 'charge.refunded', renderCharge(updatedCharge), { amount_refunded: reportedAmountRefunded(charge), refunded: false });
    return refund;
  });
}

export async function retrieveRefund(db: Queryable, scope: Scope, id: string): Promise<RefundRow> {
  const refund = await findRefund(db, scope, id);
  if (!refund) throw missing('refund', id);
  return refund;
}

export async function updateRefund(work: UnitOfWork, scope: Scope, id: string, metadata: MetadataUpdate | undefined): Promise<RefundRow> {
  return work.finalTransaction(async (client) => {
    const refund = await findRefund(client, scope, id, { forUpdate: true });
    if (!refund) throw missing('refund', id);
    const updated = await updateRefundMetadata(client, refund, mergeMetadata(refund.metadata, metadata));
    const after = renderRefund(updated);
    const previous = changedAttributes(renderRefund(refund), after);
    // An update that changes nothing is not a state change, so it records no event (as at Stripe).
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'refund.updated', after, previous);
    return updated;
  });
}

export function listRefundPage(db: Queryable, scope: Scope, page: PageRequest, filters: { charge?: string; payment_intent?: string }): Promise<Page<RefundRow>> {
  return listRefunds(db, scope, page, filters);
}
