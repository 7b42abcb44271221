import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Connector, type Decline, type StoredCardReference } from '../connectors/connector.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { candidateKey, decideRoute, successDimension } from '../routing/decide.ts';
import { isHardDecline } from '../routing/declines.ts';
import type { PaymentFacts, RoutingDecision, RoutingProfile } from '../routing/types.ts';
import { findPaymentConfiguration } from './payment-configuration.ts';
import { attemptReturnUrl } from './registry.ts';
import { attemptInsertStatement, attemptUpdateStatement, type AttemptChanges, type AttemptRow, type NewAttempt } from './attempts-repository.ts';
import { combine, noRows, run } from '../platform/statements.ts';
import type { ConfiguredCandidate } from './routing-cache.ts';

/** What the charge keeps of its routing: shown on it as the `payrail_routing` extension field. */
export interface ChargeRouting {
  strategy: string;
  rule: string | null;
  explored: boolean;
  reason: string;
  attempts: AttemptSummary[];
}

export interface AttemptSummary {
  id: string;
  connector: string;
  connector_configuration: string | null;
  status: AttemptRow['status'];
  decline_code: string | null;
  failure_code: string | null;
  latency_ms: number | null;
  routing_reason: string;
}

/** The routing of one confirmation: the decision, the candidates in order, and the first attempt to record. */
export interface RoutePlan {
  decision: RoutingDecision;
  profile: RoutingProfile;
  facts: PaymentFacts;
  options: ConfiguredCandidate[];
  first: NewAttempt;
}

/**
 * An authorization request without the attempt it belongs to (each attempt has its own id and return URL) and, for a
 * merchant-initiated payment, what each connector configuration's provider kept of the card's setup ('' for the
 * built-in test processor): each attempt sends its own configuration's (`attemptAuthorizeInput`).
 */
export type BaseAuthorizeInput = Omit<AuthorizeInput, 'attemptId' | 'returnUrl'> & { storedReferences?: ReadonlyMap<string, StoredCardReference> };

/**
 * The request of one attempt: the base with the attempt's id and return URL and, for a merchant-initiated payment, the
 * stored reference of the attempt's configuration. Built the same way for the first ask and every replay.
 */
export function attemptAuthorizeInput(base: BaseAuthorizeInput, attempt: Pick<AuthorizeInput, 'attemptId' | 'returnUrl' | 'processorReference'>, configurationId: string | null): AuthorizeInput {
  const { storedReferences, ...input } = base;
  const reference = storedReferences?.get(configurationId ?? '');
  const storedCredential = input.storedCredential && reference ? { ...input.storedCredential, reference } : input.storedCredential;
  return { ...input, ...(storedCredential ? { storedCredential } : {}), ...attempt };
}

/** What the cascade of attempts came to: the answer to apply, the attempt it came from, and what to record. */
export interface AttemptsOutcome {
  output: AuthorizeOutput;
  attempt: { id: string; connector: string; configurationId: string | null };
  /** The final attempt's changes: written by the caller in the statement that applies the answer. */
  changes: AttemptChanges;
  routing: ChargeRouting;
}

/**
 * What routing and running a payment's attempts use: the routing cache and health figures, the connectors, the
 * database (the next attempt's row), the orchestration settings, and the public URL (return links). Finding a
 * payment's connector alone takes less (ConnectorLookupDependencies).
 */
export type OrchestratorDependencies = Pick<Dependencies, 'db' | 'connectors' | 'routing' | 'routingHealth' | 'orchestration' | 'publicUrl'>;

const notProcessedDecline: Decline = {
  code: 'processing_error',
  declineCode: 'processing_error',
  message: 'An error occurred while processing your card. Try again in a little bit.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/**
 * Chooses the connectors for a payment, in the order to try them. Throws a 400 when none can take it (no enabled
 * configuration supports the currency, country, method or capture mode), before anything is recorded.
 */
export async function planRoute(db: Queryable, deps: OrchestratorDependencies, scope: Scope, payment: { intentId: string; chargeId: string; facts: PaymentFacts; merchantInitiated: boolean }): Promise<RoutePlan> {
  const context = await deps.routing.get(db, scope);
  if (context.candidates.length === 0 && scope.livemode) {
    throw new ApiError('live_connector_configuration_missing', 'This account has no enabled live-mode connector configuration, so it cannot process live payments. Create one with a live secret key (POST /v1/payrail/connector_configurations with connector adyen, stripe, paypal, mollie or mercadopago); the built-in test processor only processes test-mode payments.');
  }
  const decision = decideRoute({ facts: payment.facts, candidates: context.candidates.map((option) => option.candidate), profile: context.profile, health: deps.routingHealth, random: Math.random, nowMs: Date.now() });
  if (decision.ordered.length === 0) {
    const reasons = decision.excluded.map((excluded) => `${excluded.configurationId ?? excluded.connector}: ${excluded.reason}`).join('; ');
    throw new ApiError('no_eligible_connector', `No enabled connector configuration can process this payment (${reasons || 'none is enabled'}).`, { param: 'payment_method' });
  }
  const options = decision.ordered.map((routed) => {
    const option = context.candidates.find((candidate) => candidate.candidate === routed.candidate);
    if (!option) throw new Error('invariant violated: routing returned a candidate it was not given');
    return option;
  });
  return { decision, profile: context.profile, facts: payment.facts, options, first: newAttempt(payment.intentId, payment.chargeId, 1, options[0], decision.ordered[0].reason, payment.merchantInitiated) };
}

function newAttempt(intentId: string, chargeId: string, position: number, option: ConfiguredCandidate, reason: string, merchantInitiated: boolean): NewAttempt {
  return {
    id: newId('pa'), payment_intent_id: intentId, charge_id: chargeId, position, connector: option.candidate.connector, connector_configuration_id: option.candidate.configurationId,
    routing_reason: reason, merchant_initiated: merchantInitiated,
  };
}

type Tried =
  /** The provider answered and that answer stands: authorized, needs the customer, or a decline not worth retrying elsewhere. */
  | { kind: 'final'; output: AuthorizeOutput; changes: AttemptChanges }
  /** Nothing was authorized and another connector may try: a soft decline, a request not sent, an open circuit. */
  | { kind: 'next'; output: AuthorizeOutput | null; changes: AttemptChanges }
  /** The provider may have acted and would not say, even when asked again: never cascade, leave it to the janitor. */
  | { kind: 'ambiguous'; changes: AttemptChanges };

/**
 * Runs the cascade: the first attempt (already recorded by the caller) and, after a definite non-authorization that
 * failover may retry, the next eligible connector, within the profile's time budget and attempt limit. An ambiguous
 * answer is synced first and, if still unknown, ends the cascade as `pending`: a second provider is never asked
 * while the first may have authorized, so a customer is never charged twice.
 */
export async function runAttempts(deps: OrchestratorDependencies, scope: Scope, plan: RoutePlan, base: BaseAuthorizeInput): Promise<AttemptsOutcome> {
  const { failover } = plan.profile;
  const budgetEndsAt = Date.now() + failover.timeBudgetMs;
  const maxAttempts = failover.enabled ? Math.min(failover.maxAttempts, plan.options.length) : 1;
  const summaries: AttemptSummary[] = [];
  let attempt = plan.first;
  let lastDecline: AuthorizeOutput | null = null;
  for (let index = 0; ; index += 1) {
    const option = plan.options[index];
    const connector = deps.connectors.forConfiguration(option.row);
    const input = attemptAuthorizeInput(base, { attemptId: attempt.id, returnUrl: attemptReturnUrl(deps.publicUrl, attempt.id) }, option.candidate.configurationId);
    const tried = await tryConnector(deps, plan, option, connector, input);
    summaries.push(summaryOf(attempt, tried.changes));
    const routing: ChargeRouting = { strategy: plan.decision.strategy, rule: plan.decision.ruleId, explored: plan.decision.explored, reason: plan.decision.reason, attempts: summaries };
    const result = { id: attempt.id, connector: attempt.connector, configurationId: attempt.connector_configuration_id };
    if (tried.kind === 'final') return { output: tried.output, attempt: result, changes: tried.changes, routing };
    if (tried.kind === 'ambiguous') return { output: { status: 'pending' }, attempt: result, changes: tried.changes, routing };
    if (tried.output) lastDecline = tried.output;
    const canContinue = index + 1 < maxAttempts && Date.now() < budgetEndsAt;
    if (!canContinue) return { output: lastDecline ?? { status: 'declined', decline: notProcessedDecline, processorReference: null, riskScore: 0 }, attempt: result, changes: tried.changes, routing };
    // This attempt ends here; the next connector gets its own attempt (and its own idempotency key). One statement
    // writes both, so a crash in between cannot leave the charge with no unresolved attempt for the janitor to find.
    const next = newAttempt(attempt.payment_intent_id, attempt.charge_id, attempt.position + 1, plan.options[index + 1], `failover after ${describe(tried.changes)}; ${plan.decision.ordered[index + 1].reason}`, attempt.merchant_initiated);
    await run(deps.db, combine([
      { name: 'finished', statement: attemptUpdateStatement(attempt.id, tried.changes, ['pending']) },
      { name: 'next_attempt', statement: attemptInsertStatement(scope, next, deps.orchestration.janitorScheduleSeconds[0]) },
    ], noRows));
    attempt = next;
  }
}

function describe(changes: AttemptChanges): string {
  return changes.decline_code ? `soft decline ${changes.decline_code} at attempt` : `${changes.failure_code ?? changes.status}`;
}

function summaryOf(attempt: NewAttempt, changes: AttemptChanges): AttemptSummary {
  return {
    id: attempt.id,
    connector: attempt.connector,
    connector_configuration: attempt.connector_configuration_id,
    status: changes.status,
    decline_code: changes.decline_code ?? null,
    failure_code: changes.failure_code ?? null,
    latency_ms: changes.latency_ms ?? null,
    routing_reason: attempt.routing_reason,
  };
}

/** One connector's try: asks, syncs an ambiguous answer, records health, and says whether the cascade may go on. */
async function tryConnector(deps: OrchestratorDependencies, plan: RoutePlan, option: ConfiguredCandidate, connector: Connector, input: AuthorizeInput): Promise<Tried> {
  const key = candidateKey(option.candidate);
  const { breakers, successRates } = deps.routingHealth;
  if (!breakers.acquire(key, Date.now())) {
    return { kind: 'next', output: null, changes: { status: 'failed', failure_code: 'circuit_open', detail: 'Not sent: the circuit breaker of this connector is open.', latency_ms: 0, next_sync_in_seconds: null } };
  }
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let output: AuthorizeOutput;
  try {
    output = await connector.authorize(input);
  } catch (error) {
    if (error instanceof ConnectorRequestError) {
      breakers.record(key, 'failure', Date.now());
      return { kind: 'next', output: null, changes: { status: 'failed', failure_code: error.kind, detail: `Not processed by the provider: ${error.message}`, latency_ms: latency(), next_sync_in_seconds: null } };
    }
    output = { status: 'pending' };
  }
  let detail: string | null = null;
  if (output.status === 'pending') {
    breakers.record(key, 'failure', Date.now());
    output = await syncInline(deps, connector, input);
    if (output.status === 'pending') {
      return { kind: 'ambiguous', changes: { status: 'unknown', detail: 'No definite answer from the provider, even when asked again: the janitor resolves it.', latency_ms: latency(), next_sync_in_seconds: deps.orchestration.janitorScheduleSeconds[0] } };
    }
    detail = 'The first answer was ambiguous (timeout or provider error); resolved by asking the provider again.';
  } else {
    breakers.record(key, 'success', Date.now());
  }
  return classify(plan, key, output, latency(), detail, successRates, deps.orchestration.janitorScheduleSeconds[0]);
}

/** Asks the provider again about an ambiguous authorization, a few times, with a pause before each. */
async function syncInline(deps: OrchestratorDependencies, connector: Connector, input: AuthorizeInput): Promise<AuthorizeOutput> {
  for (let sync = 0; sync < deps.orchestration.inlineSyncs; sync += 1) {
    await sleep(deps.orchestration.inlineSyncDelayMs * (sync + 1));
    try {
      const output = await connector.sync(input);
      if (output.status !== 'pending') return output;
    } catch {
      // The question did not get through: still unknown.
    }
  }
  return { status: 'pending' };
}

function classify(plan: RoutePlan, key: string, output: Exclude<AuthorizeOutput, { status: 'pending' }>, latencyMs: number, detail: string | null, successRates: Dependencies['routingHealth']['successRates'], firstSyncSeconds: number): Tried {
  const dimension = successDimension(plan.facts);
  switch (output.status) {
    case 'authorized':
      successRates.record(key, dimension, true, Date.now());
      return { kind: 'final', output, changes: { status: 'authorized', processor_reference: output.processorReference, latency_ms: latencyMs, detail, next_sync_in_seconds: null } };
    case 'processing':
      // Accepted by the provider, the outcome to follow (BLIK, a debit): final for the cascade, resolved by sync or webhook.
      return {
        kind: 'final',
        output,
        changes: { status: 'pending', processor_reference: output.processorReference, latency_ms: latencyMs, detail: 'Processing at the provider: the outcome follows asynchronously.', next_sync_in_seconds: firstSyncSeconds },
      };
    case 'requires_authentication':
      return {
        kind: 'final',
        output,
        // A test voucher its simulated customer pays later is due then (src/payments/display-test-payment.ts).
        changes: { status: 'requires_action', processor_reference: output.processorReference ?? null, redirect: output.nextAction ?? null, latency_ms: latencyMs, detail, next_sync_in_seconds: output.display?.paidAfterSeconds ?? null },
      };
    case 'declined': {
      successRates.record(key, dimension, false, Date.now());
      const hard = output.decline.blocked || isHardDecline(output.decline.declineCode, plan.profile);
      const changes: AttemptChanges = {
        status: 'declined',
        processor_reference: output.processorReference,
        decline_code: output.decline.declineCode,
        failure_code: output.decline.code,
        detail: detail ?? (hard ? 'Hard decline: never retried elsewhere.' : 'Soft decline: another connector may be tried.'),
        latency_ms: latencyMs,
        next_sync_in_seconds: null,
      };
      return hard ? { kind: 'final', output, changes } : { kind: 'next', output, changes };
    }
  }
}

/** What finding a payment's connector uses: the connector registry. */
export type ConnectorLookupDependencies = Pick<Dependencies, 'connectors'>;

/**
 * The connector an attempt or charge was sent through (configurations are found even when since disabled or
 * deleted: a payment in flight finishes where it started). The configuration is the account's own or, for a connected
 * account that routed through its platform's, the platform's: the id recorded on the attempt decides, not what the
 * account routes through today.
 */
export async function connectorFor(db: Queryable, deps: ConnectorLookupDependencies, scope: Scope, configurationId: string | null): Promise<Connector> {
  if (configurationId === null) return deps.connectors.builtIn;
  const row = await findPaymentConfiguration(db, scope, configurationId);
  if (!row) throw new Error(`invariant violated: connector configuration ${configurationId} of a payment is missing`);
  return deps.connectors.forConfiguration(row);
}
