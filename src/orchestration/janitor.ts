import type { AuthorizeOutput } from '../connectors/connector.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { findAnsweredChallenge } from '../payments/challenges-repository.ts';
import { authorizeInput, storedReferencesOf, type PlanAttemptDependencies } from '../payments/plan-attempt.ts';
import { findCharge, findPaymentIntent } from '../payments/repository.ts';
import type { IntentResult } from '../payments/types.ts';
import { findAttempt, findDueAttempts, updateAttempt, type AttemptRow } from './attempts-repository.ts';
import { attemptChangesOf, attemptReference, recordLateAnswer, type AttemptAnswerDependencies, type LateAnswerDependencies } from './attempt-answers.ts';
import { applyAttemptOutcome, type AttemptOutcomeDependencies } from './attempt-outcome.ts';
import { attemptAuthorizeInput, connectorFor, type ConnectorLookupDependencies } from './orchestrator.ts';
import { storedDecision } from '../payments/sca/three-d-secure.ts';

/**
 * What the janitor uses: the database and its batch size, and what finding the connector, asking it again (the
 * card, the return URL), recording a late answer and applying an outcome need.
 */
export type JanitorDependencies = Pick<Dependencies, 'db' | 'orchestration'> & ConnectorLookupDependencies & PlanAttemptDependencies & AttemptAnswerDependencies & LateAnswerDependencies & AttemptOutcomeDependencies;

/**
 * The janitor: attempts without a definite answer (the provider's answer was ambiguous even after asking again, or
 * the process died between recording the attempt and applying the answer) are resolved by asking the provider with
 * `sync`, never by authorizing again, on a backoff schedule (`OrchestrationSettings.janitorScheduleSeconds`). With
 * `startedSecondsAgo`, every attempt started at least that long ago is asked now, whatever its schedule.
 */
export async function resolveStuckAttempts(deps: JanitorDependencies, startedSecondsAgo: number | null = null): Promise<number> {
  const due = await findDueAttempts(deps.db, deps.orchestration.janitorBatchMax, startedSecondsAgo);
  let resolved = 0;
  for (const attempt of due) {
    // Counted only when this sweep applied the outcome (another sweep may have got there first).
    if ((await resolveAttempt(deps, attempt))?.applied) resolved += 1;
  }
  return resolved;
}

/** Asks the connector about an unresolved attempt and applies the answer; undefined if it cannot tell yet. */
export async function resolveAttempt(deps: JanitorDependencies, attempt: AttemptRow): Promise<IntentResult | undefined> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  const [intent, charge] = await Promise.all([findPaymentIntent(deps.db, scope, attempt.payment_intent_id), findCharge(deps.db, scope, attempt.charge_id)]);
  const paymentMethod = charge ? await findPaymentMethod(deps.db, scope, charge.payment_method_id) : undefined;
  if (!intent || !charge || !paymentMethod) return undefined;
  // The attempt again, read after its intent and charge: its answer may have been applied since it was found due (by
  // the request still running it, a webhook or another janitor), and then the intent read above can show the charge
  // ended by that very answer, which is not an orphan: voiding it would release an authorization Payrail still holds.
  const fresh = await findAttempt(deps.db, attempt.id);
  if (!fresh || (fresh.status !== 'pending' && fresh.status !== 'unknown')) return undefined;
  const challenge = await findAnsweredChallenge(deps.db, charge.id);
  const authentication = challenge ? { status: challenge.status } : undefined;
  const connector = await connectorFor(deps.db, deps, scope, attempt.connector_configuration_id);
  const ageSeconds = (Date.now() - attempt.started_at.getTime()) / 1000;
  if (attempt.processor_reference === null && connector.syncReplayWindowSeconds !== null && ageSeconds > connector.syncReplayWindowSeconds) {
    // Asking now would replay the original request after the provider forgot its idempotency key: it could authorize
    // a second time. The attempt stays unknown, off the schedule, for someone to reconcile with the provider.
    await updateAttempt(deps.db, attempt.id, { status: 'unknown', next_sync_in_seconds: null, detail: `Unresolved beyond ${connector.name}'s idempotency window: not asked again automatically; reconcile it with the provider.` }, ['pending', 'unknown']);
    return undefined;
  }
  let output: AuthorizeOutput;
  try {
    // The same request as the attempt's first ask (a replay under the same idempotency key), merchant-initiated or not.
    const base = await storedReferencesOf(deps.db, scope, authorizeInput(deps, intent, paymentMethod, authentication, attempt.merchant_initiated, storedDecision(charge.payment_method_details)), paymentMethod.id);
    output = await connector.sync(attemptAuthorizeInput(base, attemptReference(deps, attempt), attempt.connector_configuration_id));
  } catch {
    output = { status: 'pending' };
  }
  const current = intent.status === 'processing' && intent.latest_charge_id === charge.id && charge.status === 'pending';
  if (!current) {
    await recordLateAnswer(deps, scope, attempt, charge, output, { ...attemptChangesOf(deps, output, attempt, null), synced: true });
    return undefined;
  }
  return applyAttemptOutcome(deps, scope, { intent, charge, paymentMethod }, attempt.id, output, { kind: 'janitor', attempt, authentication });
}
