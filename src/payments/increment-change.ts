import type { IncrementOutput } from '../connectors/connector.ts';
import { authorizationHold, emptyMovement, holdRelease } from '../ledger/movements.ts';
import { assert } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PaymentChange } from './change.ts';
import { renderPaymentIntent } from './render.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';

// The processor's answer to an incremental authorization as a change value (no I/O); written by payments/writer.ts.

export interface IncrementInputs {
  scope: Scope;
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The intent and its authorized charge, as read under the intent's lock and checked eligible. */
  intent: PaymentIntentRow;
  charge: ChargeRow;
  /** The new total asked for. */
  amount: number;
  description?: string;
  statementDescriptor?: string;
  metadata?: MetadataUpdate;
  /** The ledger's clock (deps.clock). */
  now: number;
}

/**
 * A final answer to an increment (a pending one writes nothing and is not built). Either way the charge counts the
 * attempt. An approval moves the ledger's hold (the old one released, one of the new total placed) and grows the
 * charge and the intent to the new total; a decline changes nothing else and has no gate (only the attempt count is
 * written). The intent's update has no compare-and-set: the caller holds the intent's lock and checked its state.
 */
export function buildIncrementChange(inputs: IncrementInputs, output: Exclude<IncrementOutput, { status: 'pending' }>): PaymentChange {
  const { scope, intent, charge } = inputs;
  const attempts = charge.incremental_authorization_attempts + 1;
  if (output.status === 'declined') {
    return { scope, request: inputs.request, charge: { current: charge, changes: { incremental_authorization_attempts: attempts } }, movement: emptyMovement(), events: [] };
  }
  assert(output.amount === inputs.amount, `the processor authorized the total asked for (${output.amount} = ${inputs.amount})`);
  const hold = authorizationHold(scope, charge.id, inputs.amount, charge.currency, inputs.now);
  const entries = charge.hold_entry_id ? [holdRelease(scope, charge.id, charge.hold_entry_id, charge.amount, charge.currency, inputs.now), hold] : [hold];
  const details = charge.payment_method_details as { card: Record<string, unknown> };
  const chargeChanges: Partial<ChargeRow> = {
    amount: inputs.amount,
    hold_entry_id: hold.id,
    incremental_authorization_attempts: attempts,
    payment_method_details: {
      ...details,
      card: { ...details.card, amount_authorized: inputs.amount, overcapture: { ...(details.card.overcapture as Record<string, unknown>), maximum_amount_capturable: inputs.amount } },
    },
  };
  const intentChanges: Partial<PaymentIntentRow> = {
    amount: inputs.amount,
    amount_capturable: inputs.amount,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    ...(inputs.statementDescriptor !== undefined ? { statement_descriptor: inputs.statementDescriptor } : {}),
    metadata: mergeMetadata(intent.metadata, inputs.metadata),
  };
  return {
    scope,
    request: inputs.request,
    intent: { current: intent, changes: intentChanges },
    charge: { current: charge, changes: chargeChanges },
    movement: { entries, balanceTransactions: [] },
    events: [{
      type: 'payment_intent.amount_capturable_updated',
      object: renderPaymentIntent({ ...intent, ...intentChanges }),
      previousAttributes: { amount: intent.amount, amount_capturable: intent.amount_capturable },
    }],
  };
}
