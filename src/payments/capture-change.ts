import type { ChargeSettlement } from '../ledger/settlement.ts';
import { captureMovement } from '../ledger/movements.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PaymentChange } from './change.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';

// The posting of a capture the provider made, as a change value (no I/O); written by payments/writer.ts.

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
  const movement = captureMovement(scope, charge, settlement, hold, inputs.now);
  const chargeChanges: Partial<ChargeRow> = {
    captured: true,
    amount_captured: amount,
    released: amount < charge.amount,
    balance_transaction_id: movement.balanceTransactions[0].id,
    settlement_currency: settlement.settlementCurrency,
    exchange_rate: settlement.exchangeRate,
    capture_status: inputs.captureStatus,
    capture_requested_amount: null,
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
    events: [
      { type: 'charge.captured', object: renderCharge({ ...charge, ...chargeChanges }), previousAttributes: { captured: false, amount_captured: 0 } },
      { type: 'payment_intent.succeeded', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
    ],
  };
}
