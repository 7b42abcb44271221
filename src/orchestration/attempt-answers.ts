import type { AuthorizeInput, AuthorizeOutput } from '../connectors/connector.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import type { ChargeRow } from '../payments/repository.ts';
import { listChargeAttempts, updateAttempt, type AttemptChanges, type AttemptRow } from './attempts-repository.ts';
import { connectorFor, type ChargeRouting, type ConnectorLookupDependencies } from './orchestrator.ts';
import { attemptReturnUrl } from './registry.ts';
import { janitorDelaySeconds } from './settings.ts';

// Helpers for an answer that arrives outside the cascade (a continuation, the janitor, a provider webhook).

/** What describing an answer outside the cascade uses: the public URL (return links) and the janitor's schedule. */
export type AttemptAnswerDependencies = Pick<Dependencies, 'publicUrl' | 'orchestration'>;

/** What recording a late answer uses: the database, and the connector that voids a late authorization. */
export type LateAnswerDependencies = Pick<Dependencies, 'db'> & ConnectorLookupDependencies;

/**
 * The routing summary of a charge: as its confirmation recorded it, or, when the answer is applied by someone else
 * before that (a webhook or the janitor, after the confirming process died), rebuilt from its attempt records (the
 * decision's strategy and rule are then unknown).
 */
export async function routingOf(db: Queryable, charge: ChargeRow): Promise<ChargeRouting> {
  if (charge.routing) return charge.routing as unknown as ChargeRouting;
  const attempts = await listChargeAttempts(db, charge.id);
  return {
    strategy: 'unknown',
    rule: null,
    explored: false,
    reason: attempts[0]?.routing_reason ?? 'unknown',
    attempts: attempts.map((attempt) => ({
      id: attempt.id, connector: attempt.connector, connector_configuration: attempt.connector_configuration_id, status: attempt.status,
      decline_code: attempt.decline_code, failure_code: attempt.failure_code, latency_ms: attempt.latency_ms, routing_reason: attempt.routing_reason,
    })),
  };
}

/** The attempt's id, return URL and provider reference, for a call that continues or asks about it. */
export function attemptReference(deps: AttemptAnswerDependencies, attempt: AttemptRow): Pick<AuthorizeInput, 'attemptId' | 'returnUrl' | 'processorReference'> {
  return { attemptId: attempt.id, returnUrl: attemptReturnUrl(deps.publicUrl, attempt.id), processorReference: attempt.processor_reference };
}

/** What to record on an attempt for a provider's answer outside the cascade (a continuation, the janitor). */
export function attemptChangesOf(deps: AttemptAnswerDependencies, output: AuthorizeOutput, attempt: AttemptRow, latencyMs: number | null): AttemptChanges {
  switch (output.status) {
    case 'authorized':
      return { status: 'authorized', processor_reference: output.processorReference, latency_ms: latencyMs, next_sync_in_seconds: null };
    case 'declined':
      return { status: 'declined', processor_reference: output.processorReference ?? attempt.processor_reference, decline_code: output.decline.declineCode, failure_code: output.decline.code, latency_ms: latencyMs, next_sync_in_seconds: null };
    case 'requires_authentication':
      // A test processor's voucher its simulated customer pays later is due then (display-test-payment.ts); any other
      // wait is ended by the customer, a webhook or the expiry sweep.
      return { status: 'requires_action', processor_reference: output.processorReference ?? attempt.processor_reference, redirect: output.nextAction ?? null, latency_ms: latencyMs, next_sync_in_seconds: output.display?.paidAfterSeconds ?? null };
    case 'processing':
      // Accepted, its outcome still to come (BLIK's app approval, a debit clearing): asked again on the janitor's schedule.
      return { status: 'pending', processor_reference: output.processorReference, latency_ms: latencyMs, next_sync_in_seconds: janitorDelaySeconds(deps.orchestration, attempt.sync_count), detail: 'Processing at the provider: the outcome follows asynchronously.' };
    case 'pending':
      return { status: 'unknown', next_sync_in_seconds: janitorDelaySeconds(deps.orchestration, attempt.sync_count), detail: 'No definite answer from the provider yet: the janitor asks again.' };
  }
}

/**
 * Keeps the provider's answer for an attempt whose charge ended without it (its process died mid-cascade, and the
 * janitor or a webhook learned the answer later), and voids an authorization there: nobody will ever capture it. An
 * authorization the provider captured at once (automatic capture) is refunded instead.
 */
export async function recordLateAnswer(deps: LateAnswerDependencies, scope: Scope, attempt: AttemptRow, charge: ChargeRow, output: AuthorizeOutput, changes: AttemptChanges): Promise<void> {
  if (output.status === 'authorized') {
    await releaseAuthorization(deps, scope, attempt, charge, output);
    const detail = output.captured
      ? 'Authorized and captured after its charge had ended: the capture was refunded.'
      : 'Authorized after its charge had ended: the authorization was voided.';
    changes = { ...changes, detail };
  } else if (output.status !== 'pending' && output.status !== 'processing') {
    changes = { ...changes, detail: 'Answered by the provider after its charge had ended.' };
  }
  await updateAttempt(deps.db, attempt.id, changes, ['pending', 'unknown']);
}

/** What an attempt's detail starts with once an authorization it was not supposed to have was released. */
const unheldReleased = 'Authorized by the provider after Payrail had recorded this attempt as';

/**
 * An authorization the provider reports for an attempt Payrail had already ended without one (failed, not sent, or
 * declined). It happens when a question that replays the request by its idempotency key (the janitor's sync, as
 * Adyen is asked) reaches the provider while the confirming request records that very attempt as not sent (an open
 * circuit): the replay is the first time the provider sees it, and authorizes. Payrail holds no such authorization, so
 * it is released as a late one is (voided, or refunded when captured at once), and the attempt keeps its status,
 * with the provider's reference and what happened in its detail. Once per attempt: a detail that says so already
 * means it was done. Any other answer, or an attempt in another status, is left alone.
 */
export async function releaseUnheldAuthorization(deps: LateAnswerDependencies, scope: Scope, attempt: AttemptRow, charge: ChargeRow, output: AuthorizeOutput): Promise<void> {
  if (output.status !== 'authorized' || (attempt.status !== 'failed' && attempt.status !== 'declined')) return;
  if (attempt.detail?.startsWith(unheldReleased)) return;
  await releaseAuthorization(deps, scope, attempt, charge, output);
  const detail = `${unheldReleased} ${attempt.status} (${attempt.failure_code ?? attempt.decline_code ?? 'no code'}): ${output.captured ? 'the capture was refunded' : 'the authorization was voided'}.`;
  await updateAttempt(deps.db, attempt.id, { status: attempt.status, processor_reference: output.processorReference, detail }, [attempt.status]);
}

/**
 * Gives back an authorization Payrail will never use: voids it, or refunds it when the provider captured it with the
 * authorization (a void does not take captured money back). The refund's id comes from the attempt, so doing this
 * again is the same refund at the provider.
 */
async function releaseAuthorization(deps: LateAnswerDependencies, scope: Scope, attempt: AttemptRow, charge: ChargeRow, output: Extract<AuthorizeOutput, { status: 'authorized' }>): Promise<void> {
  const connector = await connectorFor(deps.db, deps, scope, attempt.connector_configuration_id);
  const reference = { attemptId: attempt.id, processorReference: output.processorReference, amount: charge.amount, currency: charge.currency };
  if (output.captured) await connector.refund({ ...reference, refundId: `late_${attempt.id}` });
  else await connector.void(reference);
}
