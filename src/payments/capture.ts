import type pg from 'pg';
import type { SimpleOutput } from '../connectors/connector.ts';
import type { AttemptRow } from '../orchestration/attempts-repository.ts';
import { connectorFor, type ConnectorLookupDependencies } from '../orchestration/orchestrator.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert } from '../platform/errors.ts';
import type { MetadataUpdate } from '../platform/metadata.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { captureSettlement, type SettlementDependencies } from './ledger.ts';
import { renderPaymentIntent } from './render.ts';
import { findCharge, updatePaymentIntent, type ChargeRow, type PaymentIntentRow } from './repository.ts';
import type { IntentConnect } from './connect-charge.ts';
import { buildCaptureChange, buildCaptureReleaseChange, buildCaptureReportChange, buildCaptureReservationChange } from './capture-change.ts';
import { writeChanges } from './writer.ts';
import { assertTransition } from './state.ts';
import { lockIntent } from './checks.ts';
import type { IntentResult } from './types.ts';

/** What capturing uses: the database and clock, the connector that captures, and what settling the capture needs. */
export type PaymentCaptureDependencies = Pick<Dependencies, 'db' | 'clock'> & ConnectorLookupDependencies & SettlementDependencies;

export interface CaptureInput {
  amount_to_capture?: number;
  metadata?: MetadataUpdate;
  /** Stripe's capture-time Connect overrides: the fee, and a destination charge's transfer amount. */
  application_fee_amount?: number;
  transfer_data?: { amount?: number };
}

/**
 * The intent's Connect parameters with a capture's overrides (Stripe's application_fee_amount and transfer_data[amount]
 * on capture): a fee only on a Connect charge, a transfer amount only on a destination charge, each at most the amount
 * captured, and not both.
 */
function captureConnect(intent: PaymentIntentRow, input: CaptureInput, amount: number): IntentConnect {
  const connect = intent.connect;
  const fee = input.application_fee_amount;
  const transferAmount = input.transfer_data?.amount;
  if (fee !== undefined && !(connect?.kind === 'destination' || connect?.kind === 'direct')) {
    throw new ApiError('payment_intent_invalid_parameter', 'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).', { param: 'application_fee_amount' });
  }
  if (transferAmount !== undefined && connect?.kind !== 'destination') {
    throw new ApiError('payment_intent_invalid_parameter', 'transfer_data[amount] can only be set on a PaymentIntent created with transfer_data[destination].', { param: 'transfer_data[amount]' });
  }
  assert(connect, 'checked above');
  const nextFee = fee !== undefined ? fee : connect.application_fee_amount;
  const nextTransfer = transferAmount !== undefined ? transferAmount : connect.transfer_amount;
  if (nextFee !== null && nextTransfer !== null) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: application_fee_amount, transfer_data[amount].', { param: fee !== undefined ? 'application_fee_amount' : 'transfer_data[amount]' });
  }
  for (const [param, value] of [['application_fee_amount', fee], ['transfer_data[amount]', transferAmount]] as const) {
    if (value !== undefined && value > amount) {
      throw new ApiError('payment_intent_invalid_parameter', `The ${param} (${value}) cannot be greater than the amount to capture (${amount}).`, { param });
    }
  }
  return { ...connect, application_fee_amount: nextFee, transfer_amount: nextTransfer };
}

/**
 * Captures an authorization in three steps, so no database connection or row lock is held while the provider works:
 * 1. under the intent's lock, checks the request and reserves the capture on the charge (`capture_status` pending,
 *    with the amount): from then on a cancel is refused and a capture of another amount too, so two different
 *    captures can never both reach the provider;
 * 2. asks the provider (the idempotency key derives from the attempt, so a repeated or concurrent capture of the
 *    same amount is the same capture at the provider);
 * 3. under the lock again, posts the capture. Of concurrent identical captures one posts it and the others find the
 *    intent succeeded and get Stripe's `payment_intent_unexpected_state`; a capture the provider's webhook posted
 *    while the request waited is answered as done.
 * An ambiguous answer leaves the reservation: the capture is in doubt until a retry or the provider's webhook settles
 * it. A refusal releases it.
 */
export async function capturePaymentIntent(work: UnitOfWork, deps: PaymentCaptureDependencies, scope: Scope, id: string, input: CaptureInput): Promise<IntentResult> {
  const reserved = await work.transaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    assertTransition('capture', intent.status, { payment_intent: renderPaymentIntent(intent) });
    const charge = await findCharge(client, scope, intent.latest_charge_id ?? '');
    assert(charge && charge.status === 'succeeded' && !charge.captured && charge.processor_reference, `intent ${id} in requires_capture has an authorized charge`);
    const inDoubt = charge.capture_status === 'pending' && charge.capture_requested_amount !== null ? charge.capture_requested_amount : null;
    const amount = input.amount_to_capture ?? inDoubt ?? intent.amount_capturable;
    if (inDoubt !== null && amount !== inDoubt) {
      // The provider may already have captured that amount: asking for another could capture twice.
      throw new ApiError('payment_intent_unexpected_state', `A capture of ${inDoubt} is in progress or may have reached the processor and is not settled yet. Retry the capture with that amount (or without amount_to_capture).`, { param: 'amount_to_capture', extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    if (amount > intent.amount_capturable) {
      throw new ApiError('amount_too_large', `The amount to capture (${amount}) must be less than or equal to the PaymentIntent's amount_capturable (${intent.amount_capturable}).`, { param: 'amount_to_capture' });
    }
    if (amount <= 0) throw new ApiError('amount_too_small', 'The amount to capture must be a positive integer.', { param: 'amount_to_capture' });
    if (inDoubt === null) await writeChanges(client, [buildCaptureReservationChange(scope, charge, amount)]);
    // Capture-time Connect overrides are written on the intent under its lock, and the capture below reads them.
    if (input.application_fee_amount !== undefined || input.transfer_data?.amount !== undefined) {
      await updatePaymentIntent(client, intent, { connect: captureConnect(intent, input, amount) });
    }
    return { intent, charge, amount, connector: await connectorFor(client, deps, scope, charge.connector_configuration_id) };
  });
  const { charge, amount } = reserved;
  let output: SimpleOutput;
  try {
    output = await reserved.connector.capture({ attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference ?? '', amount, currency: charge.currency });
  } catch {
    output = { status: 'pending' };
  }
  if (output.status === 'pending') {
    throw new ApiError('processing_error', 'The processor did not confirm the capture. Retry the capture: the retry is safe and cannot capture twice.', { extra: { payment_intent: renderPaymentIntent(reserved.intent) } });
  }
  if (output.status !== 'succeeded') {
    // Refused: nothing was captured, so the reservation goes (if it is still this capture's).
    await writeChanges(deps.db, [buildCaptureReleaseChange(scope, charge, amount)]);
    throw new ApiError('processing_error', 'The capture could not be completed by the processor. Try again in a little bit.', { extra: { payment_intent: renderPaymentIntent(reserved.intent) } });
  }
  return work.finalTransaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    const current = await findCharge(client, scope, charge.id);
    assert(current, `charge ${charge.id} exists`);
    // The provider's CAPTURE webhook posted this very capture while the request waited for the provider's answer.
    if (current.captured && current.capture_status === 'succeeded' && current.amount_captured === amount) return { intent };
    assertTransition('capture', intent.status, { payment_intent: renderPaymentIntent(intent) });
    const updated = await applyCapture(client, work, deps, scope, intent, current, amount, { metadata: input.metadata, captureStatus: null });
    return { intent: updated };
  });
}

/**
 * Posts a capture the provider made: reads its settlement, builds the change (buildCaptureChange) and writes it in
 * one statement (writeChanges). The caller holds the intent's lock.
 */
async function applyCapture(
  client: pg.PoolClient,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  deps: PaymentCaptureDependencies,
  scope: Scope,
  intent: PaymentIntentRow,
  charge: ChargeRow,
  amount: number,
  options: { metadata?: MetadataUpdate; captureStatus: ChargeRow['capture_status'] },
): Promise<PaymentIntentRow> {
  const settlement = await captureSettlement(deps, client, scope, charge, amount);
  const change = buildCaptureChange({ scope, request: work, intent, charge, amount, settlement, now: deps.clock.nowSeconds(), metadata: options.metadata, captureStatus: options.captureStatus });
  const [written] = await writeChanges(client, [change]);
  assert(written.applied, `the capture of intent ${intent.id} is written under its lock`);
  return written.intent;
}

/**
 * A provider's report of a capture (a webhook) of an authorized attempt. A capture Payrail made is confirmed (or
 * marked failed) on the charge; a capture whose answer was ambiguous is posted (or released for a retry or cancel)
 * as the provider reports it. Read under the intent's lock: Payrail's own capture holds it while it asks the
 * provider, and a provider that notifies at once must not see the charge before that capture commits.
 */
export async function applyProviderCapture(deps: PaymentCaptureDependencies, attempt: AttemptRow, status: 'succeeded' | 'failed'): Promise<boolean> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  return new UnitOfWork(deps.db).transaction(async (client) => {
    const intent = await lockIntent(client, scope, attempt.payment_intent_id);
    const charge = await findCharge(client, scope, attempt.charge_id);
    if (!charge || charge.attempt_id !== attempt.id) return false;
    if (charge.captured) {
      if (charge.capture_status === status) return false;
      // A failed capture (rare: Adyen's CAPTURE_FAILED) is recorded on the charge for the merchant to act on; the
      // ledger is not reversed automatically (docs/connectors.md).
      await writeChanges(client, [buildCaptureReportChange(scope, charge, status)]);
      return true;
    }
    if (intent.status !== 'requires_capture' || charge.capture_status !== 'pending' || charge.capture_requested_amount === null) return false;
    if (status === 'failed') {
      await writeChanges(client, [buildCaptureReportChange(scope, charge, status)]);
      return true;
    }
    await applyCapture(client, undefined, deps, scope, intent, charge, charge.capture_requested_amount, { captureStatus: 'succeeded' });
    return true;
  });
}
