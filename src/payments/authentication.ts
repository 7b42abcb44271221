import type pg from 'pg';
import type { AuthorizeInput, AuthorizeOutput } from '../connectors/connector.ts';
import { findAttempt, updateAttempt } from '../orchestration/attempts-repository.ts';
import { attemptReference, type AttemptAnswerDependencies } from '../orchestration/attempt-answers.ts';
import { applyAttemptOutcome, type AttemptOutcomeDependencies } from '../orchestration/attempt-outcome.ts';
import { attemptAuthorizeInput, connectorFor, type ConnectorLookupDependencies } from '../orchestration/orchestrator.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { assert } from '../platform/errors.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { findCharge, updatePaymentIntent, type PaymentIntentRow } from './repository.ts';
import { claimChallenge, findChallenge, type ChallengeRow } from './challenges-repository.ts';
import { lockIntent } from './checks.ts';
import { storedDecision } from './sca/three-d-secure.ts';
import { authorizeInput, type PlanAttemptDependencies } from './plan-attempt.ts';

// 3-D Secure and redirect continuation: the customer comes back, and the same connector is asked to finish.

/**
 * What continuing after authentication uses: the database and the janitor's first delay, and what finding the
 * connector, building the continued call and applying its outcome need.
 */
export type AuthenticationDependencies = Pick<Dependencies, 'db' | 'orchestration'> & ConnectorLookupDependencies & PlanAttemptDependencies & AttemptAnswerDependencies & AttemptOutcomeDependencies;

/**
 * The customer finished (or failed) the 3-D Secure challenge: the intent goes back to `processing` and the
 * provider is asked again with the authentication result. Returns the intent and where to send the customer.
 */
export async function completeChallenge(deps: AuthenticationDependencies, challengeId: string, succeeded: boolean): Promise<{ intent: PaymentIntentRow; challenge: ChallengeRow } | undefined> {
  const challenge = await findChallenge(deps.db, challengeId);
  if (!challenge) return undefined;
  const status = succeeded ? ('succeeded' as const) : ('failed' as const);
  const result = await continueAttempt(deps, { accountId: challenge.account_id, livemode: challenge.livemode }, { chargeId: challenge.charge_id, authentication: { status } }, (client) => claimChallenge(client, challengeId, status));
  return { intent: result.intent, challenge: result.continued ? { ...challenge, status } : (await findChallenge(deps.db, challengeId)) ?? challenge };
}

/**
 * The customer came back from a provider's redirect (Adyen's 3-D Secure, PayPal's approval) to Payrail's return page
 * of an attempt: the provider is asked to finish with what the redirect brought back (`details`, as the provider
 * names them), and the customer is sent on to the intent's `return_url`. Undefined for an unknown attempt.
 */
export async function completeRedirect(deps: AuthenticationDependencies, attemptId: string, authentication: NonNullable<AuthorizeInput['authentication']>): Promise<{ intent: PaymentIntentRow } | undefined> {
  const attempt = await findAttempt(deps.db, attemptId);
  if (!attempt) return undefined;
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  const result = await continueAttempt(deps, scope, { chargeId: attempt.charge_id, authentication, attemptId }, async () => true);
  return { intent: result.intent };
}

/**
 * Continues an attempt that waits for the customer (`requires_action`): under the intent's lock, checks that this
 * attempt is still the one waiting (and `claim` agrees), moves the intent back to `processing`, then asks the same
 * connector to finish and applies its answer. Never another connector: the customer authenticated with this one.
 */
async function continueAttempt(
  deps: AuthenticationDependencies,
  scope: Scope,
  target: { chargeId: string; attemptId?: string; authentication: NonNullable<AuthorizeInput['authentication']> },
  claim: (client: pg.PoolClient) => Promise<boolean>,
): Promise<{ intent: PaymentIntentRow; continued: boolean }> {
  const begun = await new UnitOfWork(deps.db).transaction(async (client) => {
    const charge = await findCharge(client, scope, target.chargeId);
    assert(charge, `charge ${target.chargeId} exists`);
    const intent = await lockIntent(client, scope, charge.payment_intent_id);
    const attemptId = charge.attempt_id;
    const waiting = intent.status === 'requires_action' && intent.latest_charge_id === charge.id && charge.status === 'pending' && attemptId !== null
      && (target.attemptId === undefined || target.attemptId === attemptId);
    if (!waiting || !(await claim(client))) return { intent, attempt: undefined };
    const attempt = await findAttempt(client, attemptId);
    assert(attempt, `attempt ${attemptId} exists`);
    const processing = await updatePaymentIntent(client, intent, { status: 'processing', next_action: null });
    // In flight again: should this process die before the answer is applied, the janitor finds the attempt.
    await updateAttempt(client, attempt.id, { status: 'pending', next_sync_in_seconds: deps.orchestration.janitorScheduleSeconds[0] }, ['requires_action']);
    const paymentMethod = await findPaymentMethod(client, scope, intent.payment_method_id ?? '');
    assert(paymentMethod, 'a waiting attempt has a payment method');
    const connector = await connectorFor(client, deps, scope, attempt.connector_configuration_id);
    return { intent: processing, attempt: { row: attempt, charge, paymentMethod, connector } };
  });
  if (!begun.attempt) return { intent: begun.intent, continued: false };
  const { row, charge, paymentMethod, connector } = begun.attempt;
  const input: AuthorizeInput = attemptAuthorizeInput(authorizeInput(deps, begun.intent, paymentMethod, target.authentication, row.merchant_initiated, storedDecision(charge.payment_method_details)), attemptReference(deps, row), row.connector_configuration_id);
  const started = performance.now();
  let output: AuthorizeOutput;
  try {
    output = await connector.authorize(input);
  } catch {
    output = { status: 'pending' };
  }
  const result = await applyAttemptOutcome(deps, scope, { intent: begun.intent, charge, paymentMethod }, row.id, output, {
    kind: 'redirect_return', attempt: row, authentication: target.authentication, latencyMs: Math.round(performance.now() - started),
  });
  return { intent: result.intent, continued: true };
}
