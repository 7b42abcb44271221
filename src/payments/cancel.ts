import { updateAttempt } from '../orchestration/attempts-repository.ts';
import { connectorFor } from '../orchestration/orchestrator.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { holdRelease } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/service.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import { findCharge, updateCharge, updatePaymentIntent } from './repository.ts';
import { assertTransition } from './state.ts';
import { abandonPendingChallenges } from './challenges-repository.ts';
import { lockIntent } from './checks.ts';
import type { IntentResult } from './types.ts';

export const cancellationReasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

export async function cancelPaymentIntent(work: UnitOfWork, deps: Dependencies, scope: Scope, id: string, reason: (typeof cancellationReasons)[number] | undefined): Promise<IntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    assertTransition('cancel', intent.status, { payment_intent: renderPaymentIntent(intent) });
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
      if (charge.hold_entry_id) {
        await writeMovement(client, { entries: [holdRelease(scope, charge.id, charge.hold_entry_id, charge.amount, charge.currency, deps.clock.nowSeconds())] });
      }
      const released = await updateCharge(client, charge, { released: true });
      await recordEvent(client, scope, work, 'charge.refunded', renderCharge(released));
    }
    if (intent.status === 'requires_action') {
      await abandonPendingChallenges(client, intent.id);
      if (intent.latest_charge_id) {
        const charge = await findCharge(client, scope, intent.latest_charge_id);
        if (charge && charge.status === 'pending') {
          const failed = await updateCharge(client, charge, { status: 'failed', failure_code: 'authentication_required', failure_message: 'The payment was canceled before authentication completed.' });
          if (charge.attempt_id) {
            await updateAttempt(client, charge.attempt_id, { status: 'failed', failure_code: 'canceled', detail: 'The PaymentIntent was canceled while the customer had not finished the redirect.', next_sync_in_seconds: null }, ['requires_action']);
          }
          await recordEvent(client, scope, work, 'charge.failed', renderCharge(failed));
        }
      }
    }
    const updated = await updatePaymentIntent(client, intent, {
      status: 'canceled',
      cancellation_reason: reason ?? null,
      canceled_at: nowSeconds(),
      amount_capturable: 0,
      next_action: null,
    });
    await recordEvent(client, scope, work, 'payment_intent.canceled', renderPaymentIntent(updated));
    return { intent: updated };
  });
}
