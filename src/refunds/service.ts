import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { findCharge, findPaymentIntent, type ChargeRow } from '../payments/repository.ts';
import { methodTypeOf } from '../payment-methods/method-types.ts';
import { refundSettlement, type RefundSettlementDependencies } from '../payments/ledger.ts';
import type { SimpleOutput } from '../connectors/connector.ts';
import { connectorFor, type ConnectorLookupDependencies } from '../orchestration/orchestrator.ts';
import { renderRefund } from './render.ts';
import { buildRefundChange, buildRefundOutcomeChange } from './refund-change.ts';
import { findPendingRefunds, findRefund, listRefunds, updateRefundMetadata, type RefundRow } from './repository.ts';
import { writeRefundChanges } from './writer.ts';
import { findDisputeOfCharge } from '../disputes/repository.ts';
import { applyConnectRefundFlags, checkConnectRefundFlags, planRefundReversal, type ConnectRefundFlags } from './connect-refund.ts';

/** What refunding uses: the database and clock, the connector that refunds, and what settling a refund needs. */
export type RefundDependencies = Pick<Dependencies, 'db' | 'clock'> & ConnectorLookupDependencies & RefundSettlementDependencies;

export const refundReasons = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export interface RefundInput {
  charge?: string;
  payment_intent?: string;
  amount?: number;
  reason?: (typeof refundReasons)[number];
  metadata?: MetadataUpdate;
}

export type RefundRequest = RefundInput & ConnectRefundFlags;

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

/** Refuses a refund the charge's payment method cannot make (refunds `none`, or a partial one where only full ones go). */
function checkMethodRefund(charge: ChargeRow, amount: number | undefined, remaining: number, param: string): void {
  const type = (charge.payment_method_details as { type?: string } | null)?.type;
  const method = type ? methodTypeOf(type) : undefined;
  if (!method || method.refunds === 'full_and_partial') return;
  if (method.refunds === 'none') {
    throw new ApiError('charge_not_refundable', `Charge ${charge.id} was paid with ${method.label}, which does not support refunds: return the funds to the customer another way.`, { param });
  }
  if ((amount !== undefined && amount !== remaining) || charge.amount_refunded > 0) {
    throw new ApiError('charge_not_refundable', `Charge ${charge.id} was paid with ${method.label}, which supports only full refunds: refund the whole amount without \`amount\`.`, { param: amount !== undefined ? 'amount' : param });
  }
}

/** What a dispute of the charge withholds from refunds: its amount, unless it is an inquiry or was won. */
async function chargedBackAmount(client: Queryable, scope: Scope, charge: ChargeRow): Promise<number> {
  if (charge.disputed !== true) return 0;
  const dispute = await findDisputeOfCharge(client, scope, charge.id);
  return dispute && !dispute.is_charge_refundable ? dispute.amount : 0;
}

export async function createRefund(work: UnitOfWork, deps: RefundDependencies, scope: Scope, input: RefundRequest): Promise<RefundRow> {
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
    // What the charge's payment method allows (method-types.ts): some take no refunds at all, some only of the whole.
    checkMethodRefund(charge, input.amount, remaining, input.charge !== undefined ? 'charge' : 'payment_intent');
    if (remaining <= 0) throw new ApiError('charge_already_refunded', `Charge ${charge.id} has already been refunded.`, { param: input.charge !== undefined ? 'charge' : 'payment_intent' });
    // A chargeback (a dispute that is not an inquiry, and not won) already took its amount back for the cardholder:
    // only what it left may be refunded (src/disputes/; the dispute is opened under this same lock).
    const refundable = remaining - (await chargedBackAmount(client, scope, charge));
    if (refundable <= 0) {
      throw new ApiError('charge_disputed', `Charge ${charge.id} has been charged back; cannot issue a refund.`, { param: input.charge !== undefined ? 'charge' : 'payment_intent' });
    }
    const amount = input.amount ?? refundable;
    if (amount > refundable) {
      throw new ApiError('amount_too_large', `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(refundable, charge.currency)})`, { param: 'amount' });
    }
    // Connect flags are checked before the provider is asked (nothing moves when they do not apply).
    const connectFlags = input.reverse_transfer || input.refund_application_fee;
    if (connectFlags) checkConnectRefundFlags(charge, input);
    const id = newId('re');
    // Asked under the PaymentIntent's lock, so concurrent refunds cannot together exceed what was captured; the
    // provider idempotency key derives from the refund id, and an ambiguous answer records the refund as pending.
    const connector = await connectorFor(client, deps, scope, charge.connector_configuration_id);
    const output = await connector.refund({ refundId: id, attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference ?? '', amount, currency: charge.currency });
    if (output.status === 'failed') {
      throw new ApiError('processing_error', 'The refund could not be completed by the processor. Try again in a little bit.', { param: 'amount' });
    }
    // The transfer reversal (reverse_transfer) is planned first, so the refund is written naming it and its
    // refund.created event shows the refund as GET /v1/refunds/:id will.
    const reversal = connectFlags ? await planRefundReversal(client, scope, charge, amount, amount === remaining, input) : undefined;
    // The refund is drawn from the merchant's available balance in the same transaction (docs/ledger.md).
    const change = buildRefundChange({
      scope, request: work, paymentIntentId: intent.id, charge, amount, reason: input.reason ?? null, metadata: input.metadata, output,
      settlement: await refundSettlement(deps, client, scope, charge, amount), refundId: id, now: deps.clock.nowSeconds(), created: nowSeconds(), transferReversalId: reversal?.id,
    });
    const [written] = await writeRefundChanges(client, [change]);
    assert(written.applied, `the new refund ${id} is written`);
    if (connectFlags) await applyConnectRefundFlags(client, work, scope, charge, id, amount, amount === remaining, input, reversal, deps.clock.nowSeconds());
    return written.refund;
  });
}

/** Pending refunds asked about per run of the refund sweep. */
export const pendingRefundBatchMax = 100;

/**
 * Refund sweep: asks the provider how each pending refund ended. A success records the provider's reference; a
 * failure returns the money to the merchant's available balance with a reversing entry and a `refund_failure`
 * balance transaction, takes it off the charge's `amount_refunded`, and records `refund.failed`, all in one
 * transaction under the PaymentIntent's lock (the lock every money movement of a payment takes).
 */
export async function resolvePendingRefunds(deps: RefundDependencies, batchMax = pendingRefundBatchMax): Promise<number> {
  let resolved = 0;
  for (const pending of await findPendingRefunds(deps.db, batchMax)) {
    const scope: Scope = { accountId: pending.account_id, livemode: pending.livemode };
    const charge = await findCharge(deps.db, scope, pending.charge_id);
    if (!charge) continue;
    let output;
    try {
      const connector = await connectorFor(deps.db, deps, scope, charge.connector_configuration_id);
      output = await connector.syncRefund({ refundId: pending.id, attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference ?? '', amount: pending.amount, currency: pending.currency });
    } catch {
      continue; // The provider could not say; the next sweep asks again.
    }
    if (await applyRefundOutcome(deps, pending, output)) resolved += 1;
  }
  return resolved;
}

/**
 * Applies how a pending refund ended (from the sweep's `syncRefund` or a provider webhook); false when there is
 * nothing to apply (still pending, or already settled: each refund settles once).
 */
export async function applyRefundOutcome(deps: RefundDependencies, pending: RefundRow, output: SimpleOutput): Promise<boolean> {
  if (output.status === 'pending') return false;
  const scope: Scope = { accountId: pending.account_id, livemode: pending.livemode };
  return new UnitOfWork(deps.db).transaction(async (client) => {
    const intent = await findPaymentIntent(client, scope, pending.payment_intent_id, { forUpdate: true });
    // Read again under a lock after the PaymentIntent's (the order cancelRefund takes them in), so the events render
    // the refund as written even when its metadata changed since `pending` was read.
    const refund = await findRefund(client, scope, pending.id, { forUpdate: true });
    const charge = await findCharge(client, scope, pending.charge_id);
    assert(intent && refund && charge, `refund ${pending.id} has its charge and PaymentIntent`);
    if (refund.status !== 'pending') return false;
    const settlement = output.status === 'failed' ? await refundSettlement(deps, client, scope, charge, refund.amount) : undefined;
    const change = buildRefundOutcomeChange({ scope, refund, charge, output, settlement, now: deps.clock.nowSeconds() });
    const [written] = await writeRefundChanges(client, [change]);
    return written.applied;
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
