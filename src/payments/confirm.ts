import type pg from 'pg';
import { attemptInsertStatement, listChargeAttempts } from '../orchestration/attempts-repository.ts';
import { planRoute, runAttempts, type OrchestratorDependencies } from '../orchestration/orchestrator.ts';
import { resolveAttempt, type JanitorDependencies } from '../orchestration/janitor.ts';
import { applyAttemptOutcome, type AttemptOutcomeDependencies } from '../orchestration/attempt-outcome.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { combine, rowsOf, run, type Statement } from '../platform/statements.ts';
import { ApiError, assert } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { paymentMethodInsertStatement } from '../payment-methods/repository.ts';
import { planMandate } from '../mandates/plan.ts';
import { mandateInsertStatement } from '../mandates/repository.ts';
import { lookupPaymentMethod, paymentMethodFromData, refuseTestCardInLiveMode, type PaymentMethodDependencies } from '../payment-methods/service.ts';
import { renderPaymentIntent } from './render.ts';
import { chargeInsertStatement, findPaymentIntent, intentUpdateStatement, type LastPaymentError, type PaymentIntentRow } from './repository.ts';
import { assertTransition } from './state.ts';
import { checkChargeCapabilities } from './connect-capabilities.ts';
import { lockIntent, retrievePaymentIntent } from './checks.ts';
import { confirmationAuthorizeInput, paymentFacts, planAttempt, storedReferencesOf, mandatePayment, withMandate, withScaDecision, type Attempt, type PlanAttemptDependencies } from './plan-attempt.ts';
import { decideForPayment, type ScaDependencies } from './sca/facts.ts';
import type { ConfirmInput, IntentResult } from './types.ts';

/**
 * What confirming uses: the database and the janitor's first delay, and what looking up the payment method, building
 * the attempt's input, routing and the cascade, applying the outcome and resolving a left attempt (resume) need.
 */
export type ConfirmDependencies = Pick<Dependencies, 'db' | 'orchestration'> & PaymentMethodDependencies & PlanAttemptDependencies & OrchestratorDependencies & AttemptOutcomeDependencies & JanitorDependencies & ScaDependencies;

function missingPaymentMethod(intent: PaymentIntentRow): ApiError {
  return new ApiError(
    'payment_intent_unexpected_state',
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
    { extra: { payment_intent: renderPaymentIntent(intent) } },
  );
}

/** First half of confirming an existing intent, under its row lock: records the attempt and moves it to `processing`. */
async function beginAttempt(client: pg.PoolClient, deps: ConfirmDependencies, scope: Scope, intent: PaymentIntentRow, input: ConfirmInput): Promise<Attempt> {
  assertTransition('confirm', intent.status, { payment_intent: renderPaymentIntent(intent) });
  // A Connect charge's accounts must have the capabilities it needs, checked before anything is written.
  await checkChargeCapabilities(client, deps, scope, input.platformAccountId, intent.connect);
  const paymentMethodId = input.payment_method ?? intent.payment_method_id;
  if (!paymentMethodId && !input.payment_method_data) throw missingPaymentMethod(intent);
  // payment_method_data makes a new PaymentMethod, written with the attempt (as a test card id's is).
  const paymentMethod = input.payment_method_data
    ? paymentMethodFromData(deps, scope, input.payment_method_data)
    : await lookupPaymentMethod(client, deps, scope, paymentMethodId ?? '', 'payment_method');
  const planned = planAttempt(scope, intent, input, paymentMethod.row);
  // Strong customer authentication is decided with the intent's options as this confirmation leaves them.
  const decision = await decideForPayment(deps, client, scope, planned.intent, planned.paymentMethod, planned.merchantInitiated);
  // A SEPA debit's mandate: given now (mandate_data) or, off-session, the PaymentMethod's reusable one.
  const mandate = await planMandate(client, scope, mandatePayment(planned), input.mandate_data, input.mandate);
  const plan = { ...planned, charge: withMandate(withScaDecision(planned.charge, decision), mandate.mandate?.id ?? null, planned.intent.payment_method_options.sepa_debit?.target_date) };
  const authorize = await storedReferencesOf(client, scope, confirmationAuthorizeInput(deps, plan, decision), plan.paymentMethod.id);
  // A test card stored before live mode refused them (or by any other path) still never reaches a live connector.
  if (authorize.card) refuseTestCardInLiveMode(scope, authorize.card.number, 'payment_method');
  const route = await planRoute(client, deps, scope, { intentId: intent.id, chargeId: plan.charge.id, facts: paymentFacts(plan.intent, plan.paymentMethod, authorize), merchantInitiated: plan.merchantInitiated });
  const parts: { name: string; statement: Statement }[] = [];
  if (paymentMethod.isNew) parts.push({ name: 'new_payment_method', statement: paymentMethodInsertStatement(scope, paymentMethod.row) });
  if (mandate.isNew && mandate.mandate) parts.push({ name: 'new_mandate', statement: mandateInsertStatement(mandate.mandate) });
  parts.push(
    { name: 'intent', statement: intentUpdateStatement(intent, plan.changes) },
    { name: 'new_charge', statement: chargeInsertStatement(plan.charge) },
    { name: 'new_attempt', statement: attemptInsertStatement(scope, route.first, deps.orchestration.janitorScheduleSeconds[0]) },
  );
  const [updated] = await run<PaymentIntentRow>(client, combine(parts, rowsOf('intent')));
  return { ...plan, intent: updated, route, authorize };
}

/**
 * Second half of a confirmation: runs the cascade of connectors (routing, failover) and applies the answer in the
 * request's final transaction, with the final attempt's record.
 */
export async function finishAttempt(work: UnitOfWork, deps: ConfirmDependencies, scope: Scope, attempt: Attempt): Promise<IntentResult> {
  const outcome = await runAttempts(deps, scope, attempt.route, attempt.authorize);
  return applyAttemptOutcome(deps, scope, attempt, outcome.attempt.id, outcome.output, { kind: 'confirming_request', work, cascade: outcome, offSession: attempt.offSession });
}

export async function confirmPaymentIntent(work: UnitOfWork, deps: ConfirmDependencies, scope: Scope, id: string, input: ConfirmInput): Promise<IntentResult> {
  const attempt = await work.transaction(async (client) => {
    const begun = await beginAttempt(client, deps, scope, await lockIntent(client, scope, id), input);
    await work.checkpoint(client, id);
    return begun;
  });
  return finishAttempt(work, deps, scope, attempt);
}

/**
 * Finishes a create-and-confirm or confirm request whose first step committed before its process died (found
 * through the idempotency key's recovery point): resolves the attempt if it is still in flight, then answers with
 * the intent as it is, as the original request would have.
 */
export async function resumeConfirmation(work: UnitOfWork, deps: ConfirmDependencies, scope: Scope, intentId: string): Promise<IntentResult> {
  const intent = await retrievePaymentIntent(deps.db, scope, intentId);
  if (intent.status === 'processing' && intent.latest_charge_id) {
    const unresolved = (await listChargeAttempts(deps.db, intent.latest_charge_id)).filter((attempt) => attempt.status === 'pending' || attempt.status === 'unknown').at(-1);
    if (unresolved) await resolveAttempt(deps, unresolved);
  }
  return work.finalTransaction(async (client) => {
    const current = await findPaymentIntent(client, scope, intentId);
    assert(current, `intent ${intentId} exists`);
    const error = current.last_payment_error as (LastPaymentError & { payment_method?: unknown }) | null;
    const declined = current.status === 'requires_payment_method' && error !== null;
    return declined ? { intent: current, decline: error } : { intent: current };
  });
}
