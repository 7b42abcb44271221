import { incrementAuthorization as askIncrement, NotSupported, type IncrementOutput } from '../connectors/connector.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import type { MetadataUpdate } from '../platform/metadata.ts';
import { checkChargeAmount, formatAmount } from '../platform/money.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { connectorFor, type ConnectorLookupDependencies } from '../orchestration/orchestrator.ts';
import { renderPaymentIntent } from './render.ts';
import { buildIncrementChange } from './increment-change.ts';
import { findCharge, findPaymentIntent, type ChargeRow } from './repository.ts';
import type { IntentResult } from './types.ts';
import { assertTransition } from './state.ts';
import { writeChanges } from './writer.ts';

/** What incrementing an authorization uses: the clock, and the connector that asks the provider. */
export type IncrementAuthorizationDependencies = Pick<Dependencies, 'clock'> & ConnectorLookupDependencies;

/** Incremental authorization attempts a charge may make, declines included (Stripe's limit). */
export const incrementalAuthorizationAttemptsMax = 10;

export interface IncrementAuthorizationInput {
  /** The new total to authorize: more than what is authorized now. */
  amount: number;
  description?: string;
  metadata?: MetadataUpdate;
  statement_descriptor?: string;
}

function incrementalStatus(charge: ChargeRow): unknown {
  const card = (charge.payment_method_details as { card?: { incremental_authorization?: { status?: unknown } } }).card;
  return card?.incremental_authorization?.status;
}

/**
 * Grows the authorization of a manual-capture card PaymentIntent to a new total (Stripe's increment_authorization).
 * Eligible: status `requires_capture`, a charge whose processor made the authorization incrementable (asked with
 * `payment_method_options[card][request_incremental_authorization]=if_available`), fewer than 10 attempts so far.
 *
 * The PaymentIntent's row lock (the lock every money movement of a payment takes) is held while the processor is
 * asked, so increments of one payment run one at a time: each sees the total the previous one left, and one that does
 * not exceed it is refused, so concurrent increments never authorize more than the largest total asked for. The
 * processor's idempotency key derives from the charge and the new total, so a retry of the same increment is the same
 * increment at the processor. An approval moves the ledger's hold in the same transaction (the old hold is released
 * and one of the new total placed); a decline changes nothing but the attempt count and answers 402 `card_declined`.
 */
export async function incrementPaymentIntentAuthorization(work: UnitOfWork, deps: IncrementAuthorizationDependencies, scope: Scope, id: string, input: IncrementAuthorizationInput): Promise<IntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await findPaymentIntent(client, scope, id, { forUpdate: true });
    if (!intent) throw missing('payment_intent', id);
    assertTransition('increment_authorization', intent.status, { payment_intent: renderPaymentIntent(intent) });
    const charge = await findCharge(client, scope, intent.latest_charge_id ?? '');
    assert(charge && charge.status === 'succeeded' && !charge.captured && charge.processor_reference, `intent ${id} in requires_capture has an authorized charge`);
    if (charge.capture_status === 'pending') {
      throw new ApiError('payment_intent_unexpected_state', 'A capture of this PaymentIntent may have reached the processor and is not settled yet; it can no longer be incremented.', { extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    if (incrementalStatus(charge) !== 'available') {
      throw new ApiError('incremental_authorization_unavailable', 'This PaymentIntent is not eligible for incremental authorization: create it with payment_method_options[card][request_incremental_authorization]=if_available and manual capture, with a card whose processor supports it.', { extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    if (charge.incremental_authorization_attempts >= incrementalAuthorizationAttemptsMax) {
      throw new ApiError('incremental_authorization_unavailable', `This PaymentIntent has used its ${incrementalAuthorizationAttemptsMax} incremental authorization attempts.`, { extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    checkChargeAmount(input.amount, charge.currency);
    if (input.amount <= charge.amount) {
      throw new ApiError('invalid_value', `The amount (${formatAmount(input.amount, charge.currency)}) must be greater than the currently authorized amount (${formatAmount(charge.amount, charge.currency)}).`, { param: 'amount' });
    }
    const connector = await connectorFor(client, deps, scope, charge.connector_configuration_id);
    let output: IncrementOutput;
    try {
      output = await askIncrement(connector, {
        incrementId: `${charge.id}.increment.${input.amount}`, attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference, amount: input.amount, currency: charge.currency,
      });
    } catch (error) {
      if (error instanceof NotSupported) {
        throw new ApiError('incremental_authorization_unavailable', `The processor of this payment (${connector.name}) does not support incremental authorization.`, { extra: { payment_intent: renderPaymentIntent(intent) } });
      }
      output = { status: 'pending' };
    }
    if (output.status === 'pending') {
      // Nothing is written: the processor may or may not have incremented; the same request again asks with the same key.
      throw new ApiError('processing_error', 'The processor did not confirm the incremental authorization. Retry with the same amount: the retry is safe and cannot authorize twice.', { extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    const change = buildIncrementChange({
      scope, request: work, intent, charge, amount: input.amount, description: input.description, statementDescriptor: input.statement_descriptor, metadata: input.metadata,
      now: deps.clock.nowSeconds(),
    }, output);
    const [written] = await writeChanges(client, [change]);
    if (output.status === 'declined') {
      const { decline } = output;
      return { intent, decline: { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, charge: charge.id } };
    }
    assert(written.applied, `intent ${id}'s increment is written under its lock`);
    return { intent: written.intent };
  });
}
