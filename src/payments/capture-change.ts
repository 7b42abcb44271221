import type { ChargeSettlement } from '../ledger/settlement.ts';
import { captureMovement, emptyMovement } from '../ledger/movements.ts';
import { joinMovements } from '../ledger/connect-movements.ts';
import { buildConnectCapture, movesConnectMoney } from './connect-charge.ts';
import { assert } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PaymentChange } from './change.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';

// A capture's writes as change values (no I/O), written by payments/writer.ts: the reservation before the provider is
// asked, its release after a refusal, the posting of a capture the provider made, and a provider's report.

export interface CaptureInputs {
  scope: Scope;
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The intent and charge as read under the intent's lock. */
  intent: PaymentIntentRow;
  charge: ChargeRow;
  amount: number;
  /** What capturing `amount` settles to (captureSettlement, read before building). */
  settlement: ChargeSettlement;
  /** The ledger's clock (deps.clock). */
  now: number;
  metadata?: MetadataUpdate;
  captureStatus: ChargeRow['capture_status'];
}

/**
 * A capture: one ledger entry posts the capture and voids the whole hold, so a partial capture releases the rest
 * (charges authorized before the ledger existed have no hold to void); then the charge, the intent and their events.
 * The intent's update has no compare-and-set: the caller holds the intent's lock and has checked its state.
 */
export function buildCaptureChange(inputs: CaptureInputs): PaymentChange {
  const { scope, intent, charge, amount, settlement } = inputs;
  const hold = charge.hold_entry_id ? { entryId: charge.hold_entry_id } : null;
  const captured = captureMovement(scope, charge, settlement, hold, inputs.now);
  // A Connect charge moves its transfer or application fee in the same statement; an ordinary one builds nothing more.
  const connect = movesConnectMoney(intent.connect) ? buildConnectCapture(scope, intent.id, charge.id, intent.connect, amount, settlement, inputs.now) : undefined;
  const movement = connect ? joinMovements(captured, connect.movement) : captured;
  const chargeChanges: Partial<ChargeRow> = {
    captured: true,
    amount_captured: amount,
    released: amount < charge.amount,
    balance_transaction_id: movement.balanceTransactions[0].id,
    settlement_currency: settlement.settlementCurrency,
    exchange_rate: settlement.exchangeRate,
    capture_status: inputs.captureStatus,
    capture_requested_amount: null,
    ...(connect ? { connect: connect.charge, transfer_group: connect.transferGroup } : {}),
  };
  const intentChanges: Partial<PaymentIntentRow> = {
    status: 'succeeded',
    amount_received: amount,
    amount_capturable: 0,
    metadata: mergeMetadata(intent.metadata, inputs.metadata),
  };
  return {
    scope,
    request: inputs.request,
    intent: { current: intent, changes: intentChanges },
    charge: { current: charge, changes: chargeChanges },
    movement,
    ...(connect ? { connect: connect.rows } : {}),
    events: [
      { type: 'charge.captured', object: renderCharge({ ...charge, ...chargeChanges }), previousAttributes: { captured: false, amount_captured: 0 } },
      { type: 'payment_intent.succeeded', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
    ],
  };
}

/**
 * Step 1 of a capture: the charge reserves the capture of `amount` (its capture pending with that amount), so a
 * cancel or a capture of another amount is refused until the provider's answer is known. The caller holds the
 * intent's lock and has checked that no capture is reserved; nothing else changes, so the change has no gate.
 */
export function buildCaptureReservationChange(scope: Scope, charge: Pick<ChargeRow, 'id' | 'account_id'>, amount: number): PaymentChange {
  return { scope, request: undefined, charge: { current: charge, changes: { capture_status: 'pending', capture_requested_amount: amount } }, movement: emptyMovement(), events: [] };
}

/**
 * The provider refused the capture of `amount`, so nothing was captured: the reservation goes, but only while it is
 * still that capture's (written with no lock held, so a webhook may have settled the charge meanwhile).
 */
export function buildCaptureReleaseChange(scope: Scope, charge: Pick<ChargeRow, 'id' | 'account_id'>, amount: number): PaymentChange {
  return {
    scope,
    request: undefined,
    charge: { current: charge, changes: { capture_status: null, capture_requested_amount: null }, expect: { reservedCapture: amount } },
    movement: emptyMovement(),
    events: [],
  };
}

/**
 * A provider's report of how a capture ended that posts nothing: a capture already posted is marked as the provider
 * reports it (a failure is left to the merchant: the ledger is not reversed automatically), and a reserved capture
 * the provider reports failed is marked failed and its reservation dropped. The caller holds the intent's lock.
 */
export function buildCaptureReportChange(scope: Scope, charge: Pick<ChargeRow, 'id' | 'account_id' | 'captured'>, status: 'succeeded' | 'failed'): PaymentChange {
  const changes: Partial<ChargeRow> = charge.captured ? { capture_status: status } : { capture_status: 'failed', capture_requested_amount: null };
  assert(charge.captured || status === 'failed', 'a reported capture of a charge not yet captured is posted (buildCaptureChange), not only marked');
  return { scope, request: undefined, charge: { current: charge, changes }, movement: emptyMovement(), events: [] };
}
