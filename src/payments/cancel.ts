import { connectorFor, type ConnectorLookupDependencies } from '../orchestration/orchestrator.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPaymentIntent } from './render.ts';
import { findCharge, type ChargeRow } from './repository.ts';
import { assertTransition } from './state.ts';
import { buildCancelChange } from './cancel-change.ts';
import { writeChanges } from './writer.ts';
import { lockIntent } from './checks.ts';
import type { IntentResult } from './types.ts';

/** What canceling a PaymentIntent uses: the clock, and the connector that voids its authorization. */
export type PaymentCancelDependencies = Pick<Dependencies, 'clock'> & ConnectorLookupDependencies;

export const cancellationReasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

/**
 * Cancels under the intent's lock: reads the charge, asks the provider to void an authorization, then builds the
 * change (buildCancelChange) and writes it in one statement (writeChanges).
 */
export async function cancelPaymentIntent(work: UnitOfWork, deps: PaymentCancelDependencies, scope: Scope, id: string, reason: (typeof cancellationReasons)[number] | undefined): Promise<IntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    assertTransition('cancel', intent.status, { payment_intent: renderPaymentIntent(intent) });
    let voided: ChargeRow | undefined;
    let awaitingAuthentication: ChargeRow | undefined;
    if (intent.status === 'requires_capture') {
      const charge = await findCharge(client, scope, intent.latest_charge_id ?? '');
      assert(charge && charge.status === 'succeeded' && !charge.captured && charge.processor_reference, `intent ${id} in requires_capture has an authorized charge`);
      if (charge.capture_status === 'pending') {
        // The provider may have captured: releasing the authorization now could leave captured money Payrail shows
        // as canceled.
        throw new ApiError('payment_intent_unexpected_state', 'A capture of this PaymentIntent may have reached the processor and is not settled yet. Retry the capture (it cannot capture twice), or wait for the processor to confirm it, before canceling.', { extra: { payment_intent: renderPaymentIntent(intent) } });
      }
      const connector = await connectorFor(client, deps, scope, charge.connector_configuration_id);
      const output = await connector.void({ attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference, amount: charge.amount, currency: charge.currency });
      if (output.status !== 'succeeded') {
        throw new ApiError('processing_error', 'The authorization could not be released by the processor. Try again in a little bit.', { extra: { payment_intent: renderPaymentIntent(intent) } });
      }
      voided = charge;
    }
    if (intent.status === 'requires_action' && intent.latest_charge_id) {
      awaitingAuthentication = await findCharge(client, scope, intent.latest_charge_id);
    }
    const change = buildCancelChange({ scope, request: work, intent, reason: reason ?? null, voided, awaitingAuthentication, now: deps.clock.nowSeconds(), canceledAt: nowSeconds() });
    const [written] = await writeChanges(client, [change]);
    assert(written.applied, `the cancel of intent ${id} is written under its lock`);
    return { intent: written.intent };
  });
}
