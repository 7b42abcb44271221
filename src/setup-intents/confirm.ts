import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { canVerifyCards, ConnectorRequestError, verifyCard, type Connector, type Decline, type VerifyCardInput, type VerifyCardOutput } from '../connectors/connector.ts';
import { findPaymentConfiguration } from '../orchestration/payment-configuration.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordEvents, type NewEvent } from '../events/service.ts';
import { janitorDelaySeconds } from '../orchestration/settings.ts';
import { inTransaction, type Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPaymentMethod } from '../payment-methods/render.ts';
import { attachIfUnattached, findPaymentMethod, insertPaymentMethod, type CardPaymentMethodRow, type PaymentMethodRow } from '../payment-methods/repository.ts';
import { upsertProviderReference } from '../payment-methods/provider-references-repository.ts';
import { completeSepaSetup } from './confirm-sepa.ts';
import { lookupPaymentMethod, paymentMethodFromData, refuseTestCardInLiveMode, revealCardNumber, type PaymentMethodDependencies } from '../payment-methods/service.ts';
import { renderSetupIntent } from './render.ts';
import {
  abandonSetupChallenges, claimSetupChallenge, findAnsweredSetupChallenge, findDueSetupAttempts, findSetupAttempt, findSetupChallenge, findSetupIntent,
  insertSetupAttempt, insertSetupChallenge, updateSetupAttempt, updateSetupIntent, type SetupAttemptChanges,
} from './repository.ts';
import { assertSetupTransition } from './state.ts';
import type { MandateData, MandateDataInput, SetupAttemptRow, SetupConfirmInput, SetupError, SetupIntentResult, SetupIntentRow, SetupPaymentMethodOptions } from './types.ts';

/*
 * Confirming a SetupIntent: a card verification through one connector, as a payment's confirmation is (docs/setup-intents.md):
 *   1. under the SetupIntent's row lock: check the state, resolve the PaymentMethod, choose the connector, record the
 *      SetupAttempt (`processing`) and move the SetupIntent to `processing`: committed before anyone is asked;
 *   2. ask the connector (`verifyCard`) outside any transaction, the attempt id as its idempotency key;
 *   3. apply the answer (applySetupOutcome), in the request's final transaction, as a compare-and-set on the attempt
 *      (`processing`) and the SetupIntent (`processing`, this latest attempt): the one path every answer takes,
 *      whoever brings it (the confirming request, the customer back from 3-D Secure, a look at a stuck attempt).
 * An ambiguous answer (a timeout, a 5xx) leaves the attempt `processing`; it is asked again with the same attempt id
 * (the provider replays its answer), never verified anew, and a second confirmation meanwhile is refused (processing).
 */

/** What confirming a SetupIntent uses: the database, connectors and routing, the public URL, the janitor's schedule. */
export type SetupConfirmDependencies = Pick<Dependencies, 'db' | 'connectors' | 'routing' | 'orchestration' | 'publicUrl'> & PaymentMethodDependencies;

/** Where a provider sends the customer back after its own 3-D Secure page, for a setup attempt. */
export function setupReturnUrl(publicUrl: string, attemptId: string): string {
  return `${publicUrl}/payrail/setup_return/${encodeURIComponent(attemptId)}`;
}

/** The currency a zero-amount verification is expressed in when the configuration names none. */
export const defaultVerificationCurrency = 'usd';

interface ChosenConnector {
  connector: Connector;
  name: string;
  configurationId: string | null;
  currency: string;
}

/**
 * The connector a SetupIntent's card goes to: the first enabled configuration, in routing priority order, that takes
 * cards and whose connector can verify them (PayPal cannot; the Stripe connector does not yet). Without any: the
 * built-in test processor in test mode, or a 400 naming why each configuration was skipped.
 */
export async function chooseSetupConnector(db: Queryable, deps: SetupConfirmDependencies, scope: Scope): Promise<ChosenConnector> {
  const context = await deps.routing.get(db, scope);
  if (context.candidates.length === 0 && scope.livemode) {
    throw new ApiError('live_connector_configuration_missing', 'This account has no enabled live-mode connector configuration, so it cannot set up live cards. Create one with a live secret key (POST /v1/payrail/connector_configurations with connector adyen).');
  }
  const skipped: string[] = [];
  for (const option of context.candidates) {
    const label = option.candidate.configurationId ?? option.candidate.connector;
    if (!option.candidate.paymentMethodTypes.includes('card')) {
      skipped.push(`${label}: does not take cards`);
      continue;
    }
    const connector = option.row ? deps.connectors.forConfiguration(option.row) : deps.connectors.builtIn;
    if (!canVerifyCards(connector)) {
      skipped.push(`${label}: ${connector.name} cannot verify and store cards`);
      continue;
    }
    return { connector, name: connector.name, configurationId: option.candidate.configurationId, currency: option.candidate.supportedCurrencies[0] ?? defaultVerificationCurrency };
  }
  throw new ApiError('no_eligible_connector', `No enabled connector configuration can set up this card (${skipped.join('; ') || 'none is enabled'}).`, { param: 'payment_method' });
}

/** The connector an attempt was sent to (its account's configuration or its platform's), found even if disabled or deleted since. */
async function connectorOfAttempt(db: Queryable, deps: SetupConfirmDependencies, scope: Scope, attempt: SetupAttemptRow): Promise<Connector> {
  if (attempt.connector_configuration_id === null) return deps.connectors.builtIn;
  const row = await findPaymentConfiguration(db, scope, attempt.connector_configuration_id);
  assert(row, `connector configuration ${attempt.connector_configuration_id} of setup attempt ${attempt.id} exists`);
  return deps.connectors.forConfiguration(row);
}

/** Stripe's `mandate_data[customer_acceptance]` as stored: every field present, null where not given. */
export function mandateDataOf(input: MandateDataInput): MandateData {
  const acceptance = input.customer_acceptance;
  if (acceptance.type === 'online' && acceptance.online === undefined) {
    throw new ApiError('parameter_missing', 'Missing required param: mandate_data[customer_acceptance][online].', { param: 'mandate_data[customer_acceptance][online]' });
  }
  if (acceptance.type === 'offline' && acceptance.online !== undefined) {
    throw new ApiError('setup_intent_invalid_parameter', 'mandate_data[customer_acceptance][online] can only be given when the type is online.', { param: 'mandate_data[customer_acceptance][online]' });
  }
  return {
    customer_acceptance: {
      type: acceptance.type,
      accepted_at: acceptance.accepted_at ?? nowSeconds(),
      online: acceptance.type === 'online' && acceptance.online ? { ip_address: acceptance.online.ip_address, user_agent: acceptance.online.user_agent } : null,
      offline: acceptance.type === 'offline' ? {} : null,
    },
  };
}

/** Merges `payment_method_options` as Stripe does: a field given replaces, '' removes, absent keeps. */
export function mergeSetupOptions(current: SetupPaymentMethodOptions, input: SetupConfirmInput['payment_method_options']): SetupPaymentMethodOptions {
  if (input === undefined) return current;
  if (input === null || input.card === null) return {};
  if (input.card === undefined) return current;
  const card = { ...(current.card ?? {}) };
  if (input.card.request_three_d_secure !== undefined) card.request_three_d_secure = input.card.request_three_d_secure;
  return { ...current, card };
}

/** The SetupAttempt's `payment_method_details.card` (Stripe's setup_attempt_payment_method_details_card). */
function attemptCardDetails(paymentMethod: CardPaymentMethodRow, outcome: { cvcCheck: string | null; authenticated: boolean }): Record<string, unknown> {
  return {
    type: 'card',
    card: {
      brand: paymentMethod.card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: outcome.cvcCheck },
      country: paymentMethod.card.country,
      exp_month: paymentMethod.card.exp_month,
      exp_year: paymentMethod.card.exp_year,
      fingerprint: paymentMethod.card.fingerprint,
      funding: paymentMethod.card.funding,
      last4: paymentMethod.card.last4,
      network: paymentMethod.card.brand,
      three_d_secure: outcome.authenticated ? { authentication_flow: 'challenge', electronic_commerce_indicator: null, result: 'authenticated', result_reason: null, transaction_id: null, version: '2.2.0' } : null,
      wallet: null,
    },
  };
}

/** A SetupIntent's PaymentMethod: a card or a sepa_debit account, of a type the SetupIntent takes. */
function requireSettable(paymentMethod: PaymentMethodRow, intent: SetupIntentRow, param = 'payment_method'): PaymentMethodRow {
  if ((paymentMethod.type !== 'card' && paymentMethod.type !== 'sepa_debit') || !intent.payment_method_types.includes(paymentMethod.type)) {
    throw new ApiError(
      'setup_intent_invalid_parameter',
      `The PaymentMethod provided (${paymentMethod.type}) is not allowed for this SetupIntent. Payrail sets up payment methods of type card and sepa_debit only; this SetupIntent takes: ${intent.payment_method_types.join(', ')}.`,
      { param },
    );
  }
  return paymentMethod;
}

/** A PaymentMethod attached to a customer can only be set up for that customer, as at Stripe. */
export function checkSetupPaymentMethodOwner(paymentMethod: PaymentMethodRow, customerId: string | null): void {
  if (paymentMethod.customer_id !== null && paymentMethod.customer_id !== customerId) {
    throw new ApiError(
      'setup_intent_invalid_parameter',
      `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. To use it, pass that Customer's id in the customer parameter.`,
      { param: 'payment_method' },
    );
  }
}

/**
 * A confirmation under way: the SetupIntent moved to `processing`, its attempt recorded, and what to ask whom; or,
 * for sepa_debit (confirm-sepa.ts), already `succeeded` with its mandate: nobody is asked.
 */
export type BegunSetup = VerifyingSetup | { kind: 'completed'; intent: SetupIntentRow };

export interface VerifyingSetup {
  kind: 'verifying';
  intent: SetupIntentRow;
  attempt: SetupAttemptRow;
  paymentMethod: CardPaymentMethodRow;
  connector: Connector;
  input: VerifyCardInput;
}

/** The verification request of an attempt: the same for the first ask and every replay (its idempotency key). */
function verifyInputOf(deps: SetupConfirmDependencies, intent: SetupIntentRow, attempt: SetupAttemptRow, paymentMethod: CardPaymentMethodRow, authentication?: VerifyCardInput['authentication']): VerifyCardInput {
  return {
    attemptId: attempt.id,
    card: { number: revealCardNumber(deps, paymentMethod), expMonth: paymentMethod.card.exp_month, expYear: paymentMethod.card.exp_year, brand: paymentMethod.card.brand, holderName: paymentMethod.billing_details.name },
    usage: attempt.usage,
    currency: attempt.verification_currency,
    // The stored card is filed under the customer when there is one, else under the PaymentMethod itself.
    shopperReference: attempt.customer_id ?? attempt.payment_method_id,
    returnUrl: setupReturnUrl(deps.publicUrl, attempt.id),
    requestThreeDSecure: intent.payment_method_options.card?.request_three_d_secure ?? 'automatic',
    processorReference: attempt.processor_reference,
    ...(authentication ? { authentication } : {}),
  };
}

/**
 * First half of a confirmation, inside the caller's transaction and under the SetupIntent's row lock (`intent` was
 * read FOR UPDATE): records the attempt and moves the SetupIntent to `processing`.
 */
export async function beginSetupAttempt(client: pg.PoolClient, deps: SetupConfirmDependencies, scope: Scope, intent: SetupIntentRow, input: SetupConfirmInput, work?: UnitOfWork): Promise<BegunSetup> {
  assertSetupTransition('confirm', intent.status, { setup_intent: renderSetupIntent(intent) });
  const paymentMethodId = input.payment_method ?? intent.payment_method_id;
  if (input.payment_method_data) {
    const made = paymentMethodFromData(deps, scope, input.payment_method_data);
    requireSettable(made.row, intent, 'payment_method_data[type]');
    return beginSepaSetup(client, deps, scope, intent, made, input, work);
  }
  if (!paymentMethodId) {
    throw new ApiError('setup_intent_unexpected_state', "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.", {
      param: 'payment_method', extra: { setup_intent: renderSetupIntent(intent) },
    });
  }
  const found = await lookupPaymentMethod(client, deps, scope, paymentMethodId, 'payment_method');
  const settable = requireSettable(found.row, intent);
  if (settable.type !== 'card') return beginSepaSetup(client, deps, scope, intent, found, input, work);
  const paymentMethod: CardPaymentMethodRow = settable;
  checkSetupPaymentMethodOwner(paymentMethod, intent.customer_id);
  const number = revealCardNumber(deps, paymentMethod);
  // A test card stored before live mode refused them (or by any other path) never reaches a live connector.
  refuseTestCardInLiveMode(scope, number, 'payment_method');
  if (found.isNew) await insertPaymentMethod(client, scope, paymentMethod);
  const chosen = await chooseSetupConnector(client, deps, scope);
  // Confirming again while the customer was asked to authenticate abandons that attempt and its challenge.
  if (intent.status === 'requires_action' && intent.latest_attempt_id) {
    await updateSetupAttempt(client, intent.latest_attempt_id, { status: 'abandoned', next_sync_in_seconds: null }, ['requires_action']);
    await abandonSetupChallenges(client, intent.id);
  }
  const attempt = await insertSetupAttempt(client, {
    id: newId('setatt'),
    account_id: scope.accountId,
    livemode: scope.livemode,
    setup_intent_id: intent.id,
    payment_method_id: paymentMethod.id,
    customer_id: intent.customer_id,
    usage: intent.usage,
    attach_to_self: intent.attach_to_self,
    status: 'processing',
    connector: chosen.name,
    connector_configuration_id: chosen.configurationId,
    verification_currency: chosen.currency,
    payment_method_details: attemptCardDetails(paymentMethod, { cvcCheck: null, authenticated: false }),
    created: nowSeconds(),
  }, deps.orchestration.janitorScheduleSeconds[0]);
  const updated = await updateSetupIntent(client, intent, {
    status: 'processing',
    payment_method_id: paymentMethod.id,
    latest_attempt_id: attempt.id,
    last_setup_error: null,
    next_action: null,
    return_url: input.return_url ?? intent.return_url,
    mandate_data: input.mandate_data ? mandateDataOf(input.mandate_data) : input.mandate_data === null ? null : intent.mandate_data,
    payment_method_options: mergeSetupOptions(intent.payment_method_options, input.payment_method_options),
  });
  assert(updated, `setup intent ${intent.id} is held under its row lock`);
  return { kind: 'verifying', intent: updated, attempt, paymentMethod, connector: chosen.connector, input: verifyInputOf(deps, updated, attempt, paymentMethod) };
}

/** A sepa_debit SetupIntent: its mandate is made and it succeeds in this transaction (confirm-sepa.ts). */
async function beginSepaSetup(
  client: pg.PoolClient, deps: SetupConfirmDependencies, scope: Scope, intent: SetupIntentRow, found: { row: PaymentMethodRow; isNew: boolean }, input: SetupConfirmInput, work: UnitOfWork | undefined,
): Promise<BegunSetup> {
  checkSetupPaymentMethodOwner(found.row, intent.customer_id);
  const mandateData = input.mandate_data ? mandateDataOf(input.mandate_data) : input.mandate_data === null ? null : intent.mandate_data;
  const completed = await completeSepaSetup(client, scope, work, intent, found, { mandate_data: input.mandate_data, return_url: input.return_url, mandateData }, deps.orchestration.janitorScheduleSeconds[0]);
  return { kind: 'completed', intent: completed };
}

const notProcessed: Decline = {
  code: 'processing_error',
  declineCode: 'processing_error',
  message: 'An error occurred while processing your card. Try again in a little bit.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/**
 * Asks the connector, and asks again (same attempt, so a replay) a few times when the answer is ambiguous. A request
 * the provider did not act on (not sent, refused credentials) is a definite failure: nothing was verified.
 */
async function askConnector(deps: SetupConfirmDependencies, connector: Connector, input: VerifyCardInput, asksMax: number): Promise<VerifyCardOutput> {
  for (let ask = 0; ; ask += 1) {
    try {
      const output = await verifyCard(connector, input);
      if (output.status !== 'pending' || ask >= asksMax) return output;
    } catch (error) {
      if (error instanceof ConnectorRequestError) return { status: 'declined', decline: notProcessed, processorReference: null };
      if (ask >= asksMax) return { status: 'pending' };
    }
    await sleep(deps.orchestration.inlineSyncDelayMs * (ask + 1));
  }
}

/** Second half of a confirmation: asks the connector outside any transaction and applies its answer. */
export async function finishSetupAttempt(work: UnitOfWork, deps: SetupConfirmDependencies, scope: Scope, begun: BegunSetup): Promise<SetupIntentResult> {
  if (begun.kind === 'completed') {
    // Nothing to ask: the answer is the SetupIntent as committed, stored as the request's idempotent response.
    return work.finalTransaction(async () => ({ intent: begun.intent }));
  }
  const output = await askConnector(deps, begun.connector, begun.input, deps.orchestration.inlineSyncs);
  return applySetupOutcome(deps, scope, begun, output, { work });
}

/** Who brings an answer, and what it alone knows. */
interface SetupOrigin {
  /** The request whose final transaction applies it (the confirming request); otherwise a work of its own. */
  work?: UnitOfWork;
  /** The customer's authentication result, when the answer follows a challenge or a provider's redirect. */
  authentication?: 'succeeded' | 'failed';
  /** A look at an attempt left without a definite answer (counted in sync_count). */
  synced?: boolean;
}

const authenticationFailureMessage = 'The latest attempt to set up the payment method has failed because authentication failed.';

/** Stripe's `last_setup_error` for a decline; an authentication the customer failed is `setup_intent_authentication_failure`. */
function setupErrorOf(decline: Decline, paymentMethod: PaymentMethodRow, authenticationFailed: boolean): SetupError {
  return authenticationFailed
    ? { type: 'card_error', code: 'setup_intent_authentication_failure', message: authenticationFailureMessage, payment_method: renderPaymentMethod(paymentMethod) }
    : { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, payment_method: renderPaymentMethod(paymentMethod) };
}

/**
 * The one path by which a setup attempt's answer is applied: in one transaction, the attempt's compare-and-set (still
 * `processing`) and the SetupIntent's (still `processing` with this latest attempt), then what follows from the answer:
 * the card attached to the customer and the provider's reference kept (verified), the error (declined), the challenge
 * (authentication), and the event, all in the same commit. An answer already applied changes nothing.
 */
export async function applySetupOutcome(
  deps: SetupConfirmDependencies,
  scope: Scope,
  context: { intent: SetupIntentRow; attempt: SetupAttemptRow; paymentMethod: CardPaymentMethodRow },
  output: VerifyCardOutput,
  origin: SetupOrigin,
): Promise<SetupIntentResult> {
  const { intent, attempt, paymentMethod } = context;
  const work = origin.work ?? UnitOfWork.alone(deps.db);
  return work.finalTransaction(async (client) => {
    const current = async (): Promise<SetupIntentResult> => {
      const row = await findSetupIntent(client, scope, intent.id);
      assert(row, `setup intent ${intent.id} exists`);
      return { intent: row };
    };
    if (output.status === 'pending') {
      // Nothing definite: the attempt stays processing, to be asked again on the janitor's schedule.
      await updateSetupAttempt(client, attempt.id, { status: 'processing', next_sync_in_seconds: janitorDelaySeconds(deps.orchestration, attempt.sync_count + (origin.synced ? 1 : 0)), synced: origin.synced }, ['processing']);
      return current();
    }
    const authenticated = origin.authentication === 'succeeded';
    let attemptChanges: SetupAttemptChanges;
    let intentChanges: Parameters<typeof updateSetupIntent>[2];
    let error: SetupError | undefined;
    let challengeId: string | undefined;
    switch (output.status) {
      case 'verified':
        attemptChanges = {
          status: 'succeeded', processor_reference: output.processorReference, redirect: null, next_sync_in_seconds: null, synced: origin.synced,
          payment_method_details: attemptCardDetails(paymentMethod, { cvcCheck: paymentMethod.card.cvc_provided ? 'pass' : null, authenticated }),
        };
        intentChanges = { status: 'succeeded', next_action: null, last_setup_error: null };
        break;
      case 'declined': {
        const authenticationFailed = origin.authentication === 'failed' || (origin.authentication === 'succeeded' && output.decline.declineCode === 'authentication_required');
        error = setupErrorOf(output.decline, paymentMethod, authenticationFailed);
        attemptChanges = {
          status: 'failed', processor_reference: output.processorReference ?? attempt.processor_reference, redirect: null, setup_error: error, next_sync_in_seconds: null, synced: origin.synced,
          payment_method_details: attemptCardDetails(paymentMethod, { cvcCheck: output.decline.code === 'incorrect_cvc' ? 'fail' : null, authenticated: false }),
        };
        intentChanges = { status: 'requires_payment_method', payment_method_id: null, next_action: null, last_setup_error: error };
        break;
      }
      case 'requires_authentication': {
        const redirect = output.nextAction ?? null;
        let url: string;
        if (redirect === null) {
          // The test processor runs its own challenge: Payrail's 3-D Secure page.
          challengeId = newId('auth');
          url = `${deps.publicUrl}/3ds/setup/${challengeId}`;
        } else {
          // The provider's page; a form POST goes through Payrail's page that posts the provider's fields.
          url = redirect.method === 'GET' ? redirect.url : `${deps.publicUrl}/payrail/setup_redirect/${attempt.id}`;
        }
        attemptChanges = { status: 'requires_action', processor_reference: output.processorReference ?? attempt.processor_reference, redirect, next_sync_in_seconds: null, synced: origin.synced };
        intentChanges = { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url } } };
        break;
      }
    }
    const attemptRow = await updateSetupAttempt(client, attempt.id, attemptChanges, ['processing']);
    if (!attemptRow) return current();
    const updated = await updateSetupIntent(client, intent, intentChanges, { status: 'processing', latestAttemptId: attempt.id });
    // Nothing moves a processing SetupIntent but its latest attempt's answer, which this transaction holds.
    assert(updated, `setup intent ${intent.id} is processing attempt ${attempt.id}`);
    const events: NewEvent[] = [];
    switch (output.status) {
      case 'verified': {
        if (updated.customer_id !== null) {
          const attached = await attachIfUnattached(client, scope, paymentMethod.id, updated.customer_id);
          if (attached) events.push({ type: 'payment_method.attached', object: renderPaymentMethod(attached) });
        }
        await upsertProviderReference(client, scope, {
          payment_method_id: paymentMethod.id, connector: attempt.connector, connector_configuration_id: attempt.connector_configuration_id,
          provider_token: output.stored.providerToken, shopper_reference: output.stored.shopperReference, network_transaction_id: output.stored.networkTransactionId,
          usage: attempt.usage, source_attempt_id: attempt.id, created: nowSeconds(),
        });
        events.push({ type: 'setup_intent.succeeded', object: renderSetupIntent(updated) });
        break;
      }
      case 'declined':
        events.push({ type: 'setup_intent.setup_failed', object: renderSetupIntent(updated) });
        break;
      case 'requires_authentication':
        if (challengeId) {
          await insertSetupChallenge(client, {
            id: challengeId, account_id: scope.accountId, livemode: scope.livemode, setup_intent_id: intent.id, setup_attempt_id: attempt.id, status: 'pending',
            return_url: updated.return_url, created: nowSeconds(),
          });
        }
        events.push({ type: 'setup_intent.requires_action', object: renderSetupIntent(updated) });
        break;
    }
    // Events carry the confirming request's id only when it is that request that applies the answer.
    await recordEvents(client, scope, origin.work, events);
    return error ? { intent: updated, error } : { intent: updated };
  });
}

/** Confirms an existing SetupIntent (POST /v1/setup_intents/:id/confirm). */
export async function confirmSetupIntent(work: UnitOfWork, deps: SetupConfirmDependencies, scope: Scope, id: string, input: SetupConfirmInput): Promise<SetupIntentResult> {
  const begun = await work.transaction(async (client) => {
    const intent = await findSetupIntent(client, scope, id, { forUpdate: true });
    if (!intent) throw missing('setup_intent', id);
    const started = await beginSetupAttempt(client, deps, scope, intent, input, work);
    // The recovery point: a retry of this request after a crash resumes this SetupIntent instead of starting over.
    await work.checkpoint(client, id);
    return started;
  });
  return finishSetupAttempt(work, deps, scope, begun);
}

/**
 * Asks the provider again about an attempt left `processing` (its answer was ambiguous, or the process that asked died
 * before recording it) and applies the answer. A replay with the same attempt id, never a new verification.
 */
export async function resolveSetupAttempt(deps: SetupConfirmDependencies, attempt: SetupAttemptRow, work?: UnitOfWork): Promise<SetupIntentResult | undefined> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  const [intent, paymentMethod] = await Promise.all([findSetupIntent(deps.db, scope, attempt.setup_intent_id), findPaymentMethod(deps.db, scope, attempt.payment_method_id)]);
  if (!intent || !paymentMethod || paymentMethod.type !== 'card') return undefined;
  const fresh = await findSetupAttempt(deps.db, attempt.id);
  if (!fresh || fresh.status !== 'processing') return undefined;
  const connector = await connectorOfAttempt(deps.db, deps, scope, fresh);
  if (fresh.processor_reference === null && connector.syncReplayWindowSeconds !== null && nowSeconds() - Number(fresh.created) > connector.syncReplayWindowSeconds) {
    // A replay past the provider's idempotency window could verify a second time: leave it for someone to reconcile.
    await updateSetupAttempt(deps.db, fresh.id, { status: 'processing', next_sync_in_seconds: null }, ['processing']);
    return undefined;
  }
  const answered = await findAnsweredSetupChallenge(deps.db, fresh.id);
  const input = verifyInputOf(deps, intent, fresh, paymentMethod, answered ? { status: answered.status } : undefined);
  const output = await askConnector(deps, connector, input, 0);
  return applySetupOutcome(deps, scope, { intent, attempt: fresh, paymentMethod }, output, { work, synced: true, authentication: answered?.status });
}

/** Setup attempts due for another question to their provider, resolved (for the janitor's sweep); how many were. */
export async function resolveStuckSetupAttempts(deps: SetupConfirmDependencies, limit: number): Promise<number> {
  let resolved = 0;
  for (const attempt of await findDueSetupAttempts(deps.db, limit)) {
    const result = await resolveSetupAttempt(deps, attempt);
    if (result && result.intent.status !== 'processing') resolved += 1;
  }
  return resolved;
}

/**
 * Continues an attempt that waits for the customer (`requires_action`): under the SetupIntent's lock, checks that this
 * attempt is still the one waiting (and `claim` agrees), moves both back to `processing`, then asks the same connector
 * to finish with the customer's answer and applies it. Undefined when the attempt is unknown.
 */
async function continueSetupAttempt(
  deps: SetupConfirmDependencies,
  attemptId: string,
  authentication: NonNullable<VerifyCardInput['authentication']>,
  claim: (client: pg.PoolClient) => Promise<boolean>,
): Promise<SetupIntentRow | undefined> {
  const first = await findSetupAttempt(deps.db, attemptId);
  if (!first) return undefined;
  const scope: Scope = { accountId: first.account_id, livemode: first.livemode };
  const begun = await inTransaction(deps.db, async (client) => {
    const intent = await findSetupIntent(client, scope, first.setup_intent_id, { forUpdate: true });
    assert(intent, `setup intent ${first.setup_intent_id} exists`);
    const attempt = await findSetupAttempt(client, attemptId);
    assert(attempt, `setup attempt ${attemptId} exists`);
    const waiting = intent.status === 'requires_action' && intent.latest_attempt_id === attempt.id && attempt.status === 'requires_action';
    if (!waiting || !(await claim(client))) return { intent, continued: undefined };
    const processing = await updateSetupIntent(client, intent, { status: 'processing', next_action: null });
    assert(processing, 'held under its row lock');
    // In flight again: should this process die before the answer is applied, the attempt is found and asked again.
    const inFlight = await updateSetupAttempt(client, attempt.id, { status: 'processing', next_sync_in_seconds: deps.orchestration.janitorScheduleSeconds[0] }, ['requires_action']);
    assert(inFlight, 'the waiting attempt is held under its SetupIntent lock');
    const paymentMethod = await findPaymentMethod(client, scope, attempt.payment_method_id);
    assert(paymentMethod && paymentMethod.type === 'card', 'a setup attempt has a card');
    return { intent: processing, continued: { attempt: inFlight, paymentMethod } };
  });
  if (!begun.continued) return begun.intent;
  const { attempt, paymentMethod } = begun.continued;
  const connector = await connectorOfAttempt(deps.db, deps, scope, attempt);
  const output = await askConnector(deps, connector, verifyInputOf(deps, begun.intent, attempt, paymentMethod, authentication), 0);
  return (await applySetupOutcome(deps, scope, { intent: begun.intent, attempt, paymentMethod }, output, { authentication: authentication.status })).intent;
}

/** The customer answered the test processor's 3-D Secure page for a setup attempt. Undefined for an unknown challenge. */
export async function completeSetupChallenge(deps: SetupConfirmDependencies, challengeId: string, succeeded: boolean): Promise<{ intent: SetupIntentRow; returnUrl: string | null } | undefined> {
  const challenge = await findSetupChallenge(deps.db, challengeId);
  if (!challenge) return undefined;
  const status = succeeded ? ('succeeded' as const) : ('failed' as const);
  const intent = await continueSetupAttempt(deps, challenge.setup_attempt_id, { status }, (client) => claimSetupChallenge(client, challengeId, status));
  if (!intent) return undefined;
  return { intent, returnUrl: challenge.return_url };
}

/**
 * The customer came back from a provider's own 3-D Secure page to Payrail's setup return page: the provider is asked to
 * finish with what the redirect brought (Adyen's `redirectResult`). Undefined for an unknown attempt.
 */
export async function completeSetupRedirect(deps: SetupConfirmDependencies, attemptId: string, details: Record<string, string>): Promise<SetupIntentRow | undefined> {
  return continueSetupAttempt(deps, attemptId, { status: 'succeeded', details }, async () => true);
}

/** A setup challenge's page: what it is about, for the test processor's 3-D Secure page. */
export async function findSetupChallengeForPage(db: Queryable, challengeId: string): Promise<{ status: string; returnUrl: string | null } | undefined> {
  const challenge = await findSetupChallenge(db, challengeId);
  return challenge ? { status: challenge.status, returnUrl: challenge.return_url } : undefined;
}
