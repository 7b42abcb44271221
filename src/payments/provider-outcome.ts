import type { AuthorizeOutput } from '../connectors/connector.ts';
import { findAttempt, updateAttempt, type AttemptRow } from '../orchestration/attempts-repository.ts';
import { attemptChangesOf, recordLateAnswer, releaseUnheldAuthorization, type AttemptAnswerDependencies, type LateAnswerDependencies } from '../orchestration/attempt-answers.ts';
import { applyAttemptOutcome, type AttemptOutcomeDependencies } from '../orchestration/attempt-outcome.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { assert } from '../platform/errors.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { findCharge, updatePaymentIntent } from './repository.ts';
import { lockIntent } from './checks.ts';

/**
 * What applying a provider's report uses: the database and the janitor's first delay, and what recording a late answer
 * and applying an outcome need.
 */
export type ProviderOutcomeDependencies = Pick<Dependencies, 'db' | 'orchestration'> & AttemptAnswerDependencies & LateAnswerDependencies & AttemptOutcomeDependencies;

/**
 * Applies a provider's own report of an attempt's authorization (a webhook): as the janitor would apply a `sync`
 * answer. An intent waiting for the customer (`requires_action`) whose provider reports the outcome moves on too.
 * Reports about attempts that no longer decide their charge are kept on the attempt, and an authorization there is
 * voided. Returns whether the report changed the payment.
 */
export async function applyProviderOutcome(deps: ProviderOutcomeDependencies, attempt: AttemptRow, output: Exclude<AuthorizeOutput, { status: 'pending' | 'processing' | 'requires_authentication' }>): Promise<boolean> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  const begun = await new UnitOfWork(deps.db).transaction(async (client) => {
    const charge = await findCharge(client, scope, attempt.charge_id);
    assert(charge, `charge ${attempt.charge_id} exists`);
    const intent = await lockIntent(client, scope, charge.payment_intent_id);
    const current = (await findAttempt(client, attempt.id)) ?? attempt;
    const decides = intent.latest_charge_id === charge.id && charge.status === 'pending' && (charge.attempt_id === null || charge.attempt_id === attempt.id);
    if (!decides || !['pending', 'unknown', 'requires_action'].includes(current.status)) return { charge, intent, current, decides: false };
    const processing = intent.status === 'requires_action' ? await updatePaymentIntent(client, intent, { status: 'processing', next_action: null }) : intent;
    if (current.status === 'requires_action') {
      // In flight again: should this process die before the answer is applied, the janitor finds the attempt.
      await updateAttempt(client, attempt.id, { status: 'pending', next_sync_in_seconds: deps.orchestration.janitorScheduleSeconds[0] }, ['requires_action']);
    }
    return { charge, intent: processing, current, decides: processing.status === 'processing' };
  });
  if (!begun.decides) {
    const superseded = begun.current.status === 'pending' || begun.current.status === 'unknown';
    if (superseded && !(begun.charge.attempt_id === attempt.id)) {
      await recordLateAnswer(deps, scope, begun.current, begun.charge, output, attemptChangesOf(deps, output, begun.current, null));
    } else {
      // An authorization for an attempt Payrail ended without one (not sent, failed, declined) is not Payrail's to keep.
      await releaseUnheldAuthorization(deps, scope, begun.current, begun.charge, output);
    }
    return false;
  }
  const paymentMethod = await findPaymentMethod(deps.db, scope, begun.charge.payment_method_id);
  assert(paymentMethod, 'an attempt has a payment method');
  const result = await applyAttemptOutcome(deps, scope, { intent: begun.intent, charge: begun.charge, paymentMethod }, attempt.id, output, { kind: 'provider_webhook', attempt: begun.current });
  return result.applied === true;
}
