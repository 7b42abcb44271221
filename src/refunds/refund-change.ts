import type { NewEvent } from '../events/service.ts';
import { emptyMovement, refundFailureMovement, refundMovement, type Movement } from '../ledger/movements.ts';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import { assert } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderCharge, reportedAmountRefunded } from '../payments/render.ts';
import type { ChargeRow } from '../payments/repository.ts';
import { renderRefund } from './render.ts';
import type { RefundRow } from './repository.ts';

// A change to a refund as a plain value: what a pure builder decided, before any SQL exists. The writer
// (refunds/writer.ts) turns one or several of these into one statement; nothing in here does I/O. Ids and times
// come in as inputs (the ledger helpers mint their entries' and balance transactions' ids, as for payments).

/** The refund's columns an outcome or a cancel may change. */
export type RefundChanges = Partial<Pick<RefundRow, 'status' | 'failure_reason' | 'processor_reference' | 'failure_balance_transaction_id'>>;

/**
 * Everything one refund decision changes. The refund's write gates the rest: a new refund's insert, or an existing
 * refund's compare-and-set on its status. When the compare-and-set does not match (the refund was settled or
 * canceled meanwhile), nothing else of the change is written.
 */
export interface RefundChange {
  scope: Scope;
  /** The request the events are attributed to (request id and idempotency key on each event), if any. */
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The refund row to insert, or its new columns applied only while its status is still `expectStatus`. */
  refund: { insert: RefundRow } | { update: { current: Pick<RefundRow, 'id' | 'account_id'>; changes: RefundChanges; expectStatus: RefundRow['status'] } };
  /**
   * What the refund adds to (or, returned, takes off) the charge's `amount_refunded`. Written relative to the row
   * (`amount_refunded + n`, kept within 0..amount_captured), so changes of one charge commute across commits.
   */
  charge?: { current: Pick<ChargeRow, 'id' | 'account_id'>; amountRefundedChange: number };
  /** Ledger entries and balance transactions that move with the refund (each entry balanced). */
  movement: Movement;
  /** Events recorded with the change, in order. */
  events: NewEvent[];
}

/** What writing one change did: the refund as written when its gate matched, else `applied: false`. */
export type RefundChangeResult = { applied: true; refund: RefundRow } | { applied: false };

/** Stripe's `failure_reason` values for refunds. */
export const refundFailureReasons = ['lost_or_stolen_card', 'expired_or_canceled_card', 'charge_for_pending_refund_disputed', 'insufficient_funds', 'declined', 'merchant_request', 'unknown'] as const;

/** The only status a refund may be canceled from, as at Stripe: it still waits for the customer to act. */
export const cancelableRefundStatus = 'requires_action';

export interface NewRefundInputs {
  scope: Scope;
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The PaymentIntent's id, read under its lock. */
  paymentIntentId: string;
  /** The captured charge, read under the PaymentIntent's lock. */
  charge: ChargeRow;
  amount: number;
  reason: string | null;
  metadata: MetadataUpdate | undefined;
  /** The provider's answer: only an accepted refund (succeeded or pending) is recorded. */
  output: { status: 'succeeded' | 'pending'; processorReference?: string | null };
  /** What refunding `amount` draws from the balance (refundSettlement, read before building). */
  settlement: ChargeSettlement;
  /** The refund's id, given to the provider as its idempotency key before this is built. */
  refundId: string;
  /** The ledger's clock (deps.clock). */
  now: number;
  /** Wall-clock seconds for the refund's `created`. */
  created: number;
  /** The transfer reversal this refund makes (reverse_transfer), chosen before it is written so its events show it. */
  transferReversalId?: string;
}

/**
 * A new refund the provider accepted: drawn from the merchant's available balance at once (docs/ledger.md), added
 * to the charge's `amount_refunded`, announced by `refund.created` and `charge.refunded`.
 */
export function buildRefundChange(inputs: NewRefundInputs): RefundChange {
  const { scope, charge, amount } = inputs;
  assert(Number.isSafeInteger(amount) && amount > 0, 'a refund is a positive integer amount');
  assert(charge.amount_refunded + amount <= charge.amount_captured, `a refund of charge ${charge.id} stays within what was captured`);
  const movement = refundMovement(scope, { id: inputs.refundId, amount, currency: charge.currency }, inputs.settlement, inputs.now);
  const refund: RefundRow = {
    id: inputs.refundId,
    account_id: scope.accountId,
    livemode: scope.livemode,
    charge_id: charge.id,
    payment_intent_id: inputs.paymentIntentId,
    amount,
    currency: charge.currency,
    status: inputs.output.status,
    reason: inputs.reason,
    failure_reason: null,
    processor_reference: inputs.output.processorReference ?? null,
    metadata: mergeMetadata({}, inputs.metadata),
    created: inputs.created,
    balance_transaction_id: movement.balanceTransactions[0].id,
    failure_balance_transaction_id: null,
    transfer_reversal_id: inputs.transferReversalId ?? null,
  };
  const refundedCharge: ChargeRow = { ...charge, amount_refunded: charge.amount_refunded + amount };
  return {
    scope,
    request: inputs.request,
    refund: { insert: refund },
    charge: { current: charge, amountRefundedChange: amount },
    movement,
    events: [
      { type: 'refund.created', object: renderRefund(refund) },
      { type: 'charge.refunded', object: renderCharge(refundedCharge), previousAttributes: { amount_refunded: reportedAmountRefunded(charge), refunded: false } },
    ],
  };
}

export interface RefundOutcomeInputs {
  scope: Scope;
  /** The pending refund, as read under the PaymentIntent's lock. */
  refund: RefundRow;
  /** Its charge, read under the same lock. */
  charge: Pick<ChargeRow, 'id' | 'account_id'>;
  /** How the provider says it ended (a pending answer has nothing to apply and is not built). */
  output: { status: 'succeeded'; processorReference: string } | { status: 'failed'; reason: string };
  /** For a failure: what returning the refund's amount puts back (refundSettlement, read before building). */
  settlement?: ChargeSettlement;
  /** The ledger's clock (deps.clock). */
  now: number;
}

/**
 * How a pending refund ended, applied only while it is still pending (each refund settles once). A success records
 * the provider's reference. A failure returns the money to the available balance with a reversing entry and a
 * `refund_failure` balance transaction, and takes it off the charge's `amount_refunded`. Outcomes come from the
 * sweep or a provider webhook, so their events carry no request.
 */
export function buildRefundOutcomeChange(inputs: RefundOutcomeInputs): RefundChange {
  const { scope, refund, output } = inputs;
  const current = { id: refund.id, account_id: refund.account_id };
  if (output.status === 'succeeded') {
    const changes: RefundChanges = { status: 'succeeded', failure_reason: null, processor_reference: output.processorReference, failure_balance_transaction_id: null };
    return {
      scope,
      request: undefined,
      refund: { update: { current, changes, expectStatus: 'pending' } },
      movement: emptyMovement(),
      events: [{ type: 'refund.updated', object: renderRefund({ ...refund, ...changes }), previousAttributes: { status: 'pending' } }],
    };
  }
  assert(inputs.settlement, `a failed refund ${refund.id} is built with the settlement it returns`);
  const reason = (refundFailureReasons as readonly string[]).includes(output.reason) ? output.reason : 'unknown';
  const movement = refundFailureMovement(scope, refund, inputs.settlement, inputs.now);
  const changes: RefundChanges = { status: 'failed', failure_reason: reason, processor_reference: null, failure_balance_transaction_id: movement.balanceTransactions[0].id };
  const failed = renderRefund({ ...refund, ...changes });
  return {
    scope,
    request: undefined,
    refund: { update: { current, changes, expectStatus: 'pending' } },
    charge: { current: inputs.charge, amountRefundedChange: -refund.amount },
    movement,
    events: [
      { type: 'refund.failed', object: failed },
      { type: 'refund.updated', object: failed, previousAttributes: { status: 'pending' } },
      { type: 'charge.refund.updated', object: failed, previousAttributes: { status: 'pending' } },
    ],
  };
}

export interface RefundCancelInputs {
  scope: Scope;
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The refund, read under its row lock (after the PaymentIntent's), in `requires_action`. */
  refund: RefundRow;
  charge: Pick<ChargeRow, 'id' | 'account_id'>;
  /** What returning the refund's amount puts back; needed when the refund drew from the balance. */
  settlement?: ChargeSettlement;
  /** The ledger's clock (deps.clock). */
  now: number;
}

/**
 * Canceling a refund that waits for the customer: a refund that drew its money from the available balance returns
 * it with a reversing entry (a `refund_failure` balance transaction, shown as the refund's
 * `failure_balance_transaction`); the amount comes off the charge's `amount_refunded`.
 */
export function buildRefundCancelChange(inputs: RefundCancelInputs): RefundChange {
  const { scope, refund } = inputs;
  assert(refund.status === cancelableRefundStatus, `refund ${refund.id} is canceled only from ${cancelableRefundStatus}`);
  let movement = emptyMovement();
  if (refund.balance_transaction_id !== null) {
    assert(inputs.settlement, `refund ${refund.id} is canceled with the settlement it returns`);
    movement = refundFailureMovement(scope, refund, inputs.settlement, inputs.now);
  }
  const changes: RefundChanges = { status: 'canceled', failure_balance_transaction_id: movement.balanceTransactions[0]?.id ?? null };
  const canceled = renderRefund({ ...refund, ...changes });
  const previous = { status: refund.status, failure_balance_transaction: refund.failure_balance_transaction_id };
  return {
    scope,
    request: inputs.request,
    refund: { update: { current: { id: refund.id, account_id: refund.account_id }, changes, expectStatus: cancelableRefundStatus } },
    charge: { current: inputs.charge, amountRefundedChange: -refund.amount },
    movement,
    events: [
      { type: 'refund.updated', object: canceled, previousAttributes: previous },
      { type: 'charge.refund.updated', object: canceled, previousAttributes: previous },
    ],
  };
}
