import { channel } from 'node:diagnostics_channel';
import type { AuthorizeInput, AuthorizeOutput } from '../connectors/connector.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { assert } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import { buildAuthorizationChange, settlementNeeded, type AttemptContext, type AttemptSource } from '../payments/authorization-change.ts';
import { captureSettlement, type SettlementDependencies } from '../payments/ledger.ts';
import { findCharge, findPaymentIntent, type PaymentIntentRow } from '../payments/repository.ts';
import { mandateDeactivationOf } from '../mandates/deactivation.ts';
import type { IntentResult } from '../payments/types.ts';
import { writeChanges } from '../payments/writer.ts';
import { findAttempt, type AttemptRow } from './attempts-repository.ts';
import { attemptChangesOf, recordLateAnswer, releaseUnheldAuthorization, routingOf, type AttemptAnswerDependencies, type LateAnswerDependencies } from './attempt-answers.ts';
import type { AttemptsOutcome } from './orchestrator.ts';

/**
 * Who brought an attempt's answer. Each origin carries only what it alone knows; everything else (the attempt's
 * changes, the routing summary, the flags the builder takes) is derived here, in one place.
 */
export type AttemptOrigin =
  /** The request that confirmed: the cascade's own record of its final attempt, in the request's unit of work. */
  | { kind: 'confirming_request'; work: UnitOfWork; cascade: Omit<AttemptsOutcome, 'output'>; offSession: boolean }
  /** The customer came back (Payrail's 3-D Secure page or a provider's redirect) and the connector was asked to finish. */
  | { kind: 'redirect_return'; attempt: AttemptRow; authentication: NonNullable<AuthorizeInput['authentication']>; latencyMs: number }
  /** The janitor asked the provider with `sync`; `authentication` is the customer's answer to a challenge, if any. */
  | { kind: 'janitor'; attempt: AttemptRow; authentication: { status: 'succeeded' | 'failed' } | undefined }
  /** The provider reported the outcome itself (a verified webhook). */
  | { kind: 'provider_webhook'; attempt: AttemptRow };

export type AttemptOriginKind = AttemptOrigin['kind'];

/** What each application publishes on `attemptOutcomeChannel` (for observability, and for tests to see the path taken). */
export interface AttemptOutcomeMessage {
  attemptId: string;
  paymentIntentId: string;
  origin: AttemptOriginKind;
  outputStatus: AuthorizeOutput['status'];
  applied: boolean;
}

/**
 * What applying an attempt's outcome uses: the database, clock and public URL, what settling a capture needs, and
 * what describing an answer outside the cascade needs.
 */
export type AttemptOutcomeDependencies = Pick<Dependencies, 'db' | 'commits' | 'clock' | 'publicUrl' | 'secretBox'> & SettlementDependencies & AttemptAnswerDependencies & LateAnswerDependencies;

/** A node:diagnostics_channel channel: costs nothing while nobody subscribes. */
export const attemptOutcomeChannel = channel('payrail:attempt-outcome');

/**
 * The one path by which an attempt's outcome is applied, whoever brings it: derives the attempt's changes and the
 * flags for its origin, reads what the builder needs (the settlement of a capture), builds the change as a value
 * (buildAuthorizationChange, no I/O) and writes it as one statement (writeChanges). The intent's compare-and-set
 * gates the change, so an outcome is applied exactly once however many origins bring it.
 */
export async function applyAttemptOutcome(
  deps: AttemptOutcomeDependencies,
  scope: Scope,
  payment: AttemptContext,
  attemptId: string,
  output: AuthorizeOutput,
  origin: AttemptOrigin,
): Promise<IntentResult> {
  const source = await sourceOf(deps, payment, attemptId, output, origin);
  const work = origin.kind === 'confirming_request' ? origin.work : UnitOfWork.alone(deps.db, deps.commits);
  const now = deps.clock.nowSeconds();
  // Reads first (settings and rates on a cache miss), then the pure builder, then the writer.
  const settlement = settlementNeeded(output) ? await captureSettlement(deps, deps.db, scope, payment.charge, payment.charge.amount) : undefined;
  const change = buildAuthorizationChange(payment, output, {
    scope,
    request: origin.kind === 'confirming_request' ? origin.work : undefined,
    offSession: origin.kind === 'confirming_request' ? origin.offSession : false,
    authenticated: authenticatedOf(output, origin),
    source,
    now,
    createdAt: nowSeconds(),
    publicUrl: deps.publicUrl,
    settlement,
  });
  // A debit refused because its mandate is gone (account closed, not authorized) ends the mandate in the same statement.
  const mandate = await mandateDeactivationOf(deps.db, deps, scope, payment.charge, output);
  const changeToWrite = mandate ? { ...change, mandate } : change;
  const resultOf = (intent: PaymentIntentRow): IntentResult => change.decline ? { intent, decline: change.decline, applied: true } : { intent, applied: true };
  // A confirming request's stored answer (its idempotency key's) is a part of the change's own statement when the
  // change has a compare-and-set to gate it on: the answer is rendered from the values written, before the write.
  const intentChange = change.intent;
  const answerInStatement = origin.kind === 'confirming_request' && intentChange !== undefined && work.answersInStatement;
  const result = await work.finalTransaction(async (client): Promise<IntentResult> => {
    const answer = answerInStatement && intentChange ? work.finalAnswer(resultOf({ ...payment.intent, ...intentChange.changes })) : undefined;
    const [written] = await writeChanges(client, [changeToWrite], answer);
    if (written.applied) {
      answer?.stored();
      return resultOf(written.intent);
    }
    // Not applied (an answer still pending, or another origin applied one first): the intent as it is now.
    const current = await findPaymentIntent(client, scope, payment.intent.id);
    assert(current, `intent ${payment.intent.id} exists`);
    return { intent: current };
  }, { singleStatement: true, lockKey: payment.intent.id, answerInStatement });
  if (!result.applied && origin.kind !== 'confirming_request' && output.status !== 'pending' && output.status !== 'processing') {
    await keepIfLate(deps, scope, payment.charge.id, attemptId, output, origin.kind === 'janitor');
  }
  if (attemptOutcomeChannel.hasSubscribers) {
    const message: AttemptOutcomeMessage = { attemptId, paymentIntentId: payment.intent.id, origin: origin.kind, outputStatus: output.status, applied: result.applied === true };
    attemptOutcomeChannel.publish(message);
  }
  return result;
}

/**
 * An answer brought from outside the cascade that was not applied: when its charge ended meanwhile by something
 * other than this attempt's answer (the confirming request finished it, say with the next connector's decline, while
 * the provider was being asked), the answer is late. It is kept on the attempt, and an authorization there is voided
 * (recordLateAnswer), as when the charge had already ended before the provider was asked. When this attempt's answer
 * was applied by another origin, the attempt is no longer unresolved and nothing is done.
 */
async function keepIfLate(deps: AttemptOutcomeDependencies, scope: Scope, chargeId: string, attemptId: string, output: AuthorizeOutput, synced: boolean): Promise<void> {
  const [charge, attempt] = await Promise.all([findCharge(deps.db, scope, chargeId), findAttempt(deps.db, attemptId)]);
  if (!charge || !attempt) return;
  // An authorization for an attempt already ended without one (the janitor's replay reached the provider while the
  // confirming request recorded the attempt as not sent): Payrail does not hold it, whatever its charge is doing.
  if (attempt.status === 'failed' || attempt.status === 'declined') return releaseUnheldAuthorization(deps, scope, attempt, charge, output);
  if (charge.status === 'pending' || (attempt.status !== 'pending' && attempt.status !== 'unknown')) return;
  const changes = attemptChangesOf(deps, output, attempt, null);
  await recordLateAnswer(deps, scope, attempt, charge, output, synced ? { ...changes, synced: true } : changes);
}

/** The attempt an answer came from and what to record on it. */
async function sourceOf(deps: AttemptOutcomeDependencies, payment: AttemptContext, attemptId: string, output: AuthorizeOutput, origin: AttemptOrigin): Promise<AttemptSource> {
  if (origin.kind === 'confirming_request') {
    const { cascade } = origin;
    return { id: attemptId, connector: cascade.attempt.connector, configurationId: cascade.attempt.configurationId, changes: cascade.changes, routing: cascade.routing };
  }
  const { attempt } = origin;
  const latencyMs = origin.kind === 'redirect_return' ? origin.latencyMs : null;
  const changes = attemptChangesOf(deps, output, attempt, latencyMs);
  return {
    id: attemptId,
    connector: attempt.connector,
    configurationId: attempt.connector_configuration_id,
    // The janitor's answers count as syncs (the attempt's sync_count).
    changes: origin.kind === 'janitor' ? { ...changes, synced: true } : changes,
    routing: await routingOf(deps.db, payment.charge),
  };
}

/** Whether the customer authenticated (three_d_secure on the charge, and a failed one's error), as far as the origin knows. */
function authenticatedOf(output: AuthorizeOutput, origin: AttemptOrigin): boolean | undefined {
  switch (origin.kind) {
    case 'redirect_return':
      // A return from a provider's redirect cannot tell how the customer's authentication went; the provider's answer
      // can: a decline for want of authentication means the challenge failed, not that an authenticated payment was refused.
      return origin.authentication.status === 'succeeded' && !(output.status === 'declined' && output.decline.declineCode === 'authentication_required');
    case 'janitor':
      return origin.authentication ? origin.authentication.status === 'succeeded' : undefined;
    case 'confirming_request':
    case 'provider_webhook':
      return undefined;
  }
}
