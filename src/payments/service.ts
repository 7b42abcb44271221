import type pg from 'pg';
import type { AuthorizeInput, AuthorizeOutput, Decline, SimpleOutput } from '../connectors/connector.ts';
import { attemptInsertStatement, attemptUpdateStatement, findAttempt, findDueAttempts, listChargeAttempts, updateAttempt, type AttemptChanges, type AttemptRow } from '../orchestration/attempts-repository.ts';
import { connectorFor, planRoute, runAttempts, type BaseAuthorizeInput, type ChargeRouting, type RoutePlan } from '../orchestration/orchestrator.ts';
import { attemptReturnUrl } from '../orchestration/registry.ts';
import { janitorDelaySeconds } from '../orchestration/settings.ts';
import type { PaymentFacts } from '../routing/types.ts';
import { findCustomer } from '../customers/repository.ts';
import type { Dependencies } from '../dependencies.ts';
import { eventsInsertStatement, recordEvent, type NewEvent, type Scope } from '../events/service.ts';
import { combine, run, type Statement } from '../platform/statements.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds, randomBase62 } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { checkChargeAmount, parseCurrency } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPaymentMethod, renderPayPalPaymentDetails } from '../payment-methods/render.ts';
import type { PaymentMethodRow } from '../payment-methods/repository.ts';
import { findPaymentMethod, insertPaymentMethod, paymentMethodInsertStatement, paymentMethodWalletStatement } from '../payment-methods/repository.ts';
import { lookupPaymentMethod, paymentMethodFromData, refuseTestCardInLiveMode, resolvePaymentMethod, revealCardNumber, type PaymentMethodDataInput } from '../payment-methods/service.ts';
import { authorizationHold, captureMovement, holdRelease } from '../ledger/movements.ts';
import { movementParts, writeMovement } from '../ledger/service.ts';
import { captureSettlement } from './ledger.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import {
  chargeInsertStatement, findCharge, findPaymentIntent, insertPaymentIntent, intentInsertStatement, listPaymentIntents, updateCharge,
  chargeUpdateStatement, intentUpdateStatement, updatePaymentIntent, type ChargeRow, type LastPaymentError, type PaymentIntentRow,
} from './repository.ts';
import { assertTransition } from './state.ts';
import {
  automaticPaymentMethodsAtCreation, captureIsManual, effectiveSetupFutureUsage, incrementalAuthorizationRequested, mergePaymentMethodOptions, normalizeShipping,
  type PaymentMethodOptionsInput, type ShippingInput,
} from './payment-method-options.ts';

export const supportedPaymentMethodTypes = ['card', 'paypal'] as const;

export interface PaymentIntentInput {
  amount?: number;
  currency?: string;
  customer?: string | null;
  payment_method?: string | null;
  /** Stripe's `payment_method_data` (create only here): a new PaymentMethod for the intent; Payrail takes `paypal`. */
  payment_method_data?: PaymentMethodDataInput;
  payment_method_types?: string[];
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method?: 'automatic' | 'manual';
  description?: string | null;
  receipt_email?: string | null;
  statement_descriptor?: string | null;
  statement_descriptor_suffix?: string | null;
  setup_future_usage?: 'on_session' | 'off_session' | null;
  metadata?: MetadataUpdate;
  /** Create only, as at Stripe. */
  automatic_payment_methods?: { enabled: boolean; allow_redirects?: 'always' | 'never' };
  shipping?: ShippingInput | null;
  payment_method_options?: PaymentMethodOptionsInput | null;
}

export interface ConfirmInput {
  payment_method?: string;
  /** A new PaymentMethod to confirm with, instead of `payment_method` (Payrail takes `paypal`). */
  payment_method_data?: PaymentMethodDataInput;
  return_url?: string;
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  setup_future_usage?: 'on_session' | 'off_session' | null;
  receipt_email?: string | null;
  off_session?: boolean;
  error_on_requires_action?: boolean;
  shipping?: ShippingInput | null;
  payment_method_options?: PaymentMethodOptionsInput | null;
  /** Fields of the new charge that the intent does not carry (a legacy charge's, from POST /v1/charges). */
  charge?: ChargeFields;
}

/** What a legacy charge (POST /v1/charges) keeps on its charge: its own metadata, the card source, shipping. */
export type ChargeFields = Partial<Pick<ChargeRow, 'metadata' | 'source' | 'shipping' | 'transfer_group'>>;

/** The result of an operation that may end in a card decline: the intent, and the error to answer with. */
export interface IntentResult {
  intent: PaymentIntentRow;
  /** Set when this call applied a provider's answer (rather than finding it applied already). */
  applied?: boolean;
  decline?: LastPaymentError & { payment_method?: unknown };
}


function clientSecret(id: string): string {
  return `${id}_secret_${randomBase62(25)}`;
}

function validateTypes(types: string[] | undefined): string[] {
  const result = types ?? ['card'];
  if (result.length === 0) throw new ApiError('invalid_value', 'payment_method_types must contain at least one type', { param: 'payment_method_types' });
  result.forEach((type, index) => {
    if (!(supportedPaymentMethodTypes as readonly string[]).includes(type)) {
      throw new ApiError('invalid_value', `The payment method type "${type}" is invalid. Payrail supports: ${supportedPaymentMethodTypes.join(', ')}.`, { param: `payment_method_types[${index}]` });
    }
  });
  return result;
}

async function checkCustomer(client: Queryable, scope: Scope, customerId: string | null | undefined): Promise<void> {
  if (customerId === null || customerId === undefined) return;
  if (!(await findCustomer(client, scope, customerId))) throw missing('customer', customerId, 'customer');
}

function checkPaymentMethodOwner(paymentMethod: PaymentMethodRow, customerId: string | null): void {
  if (paymentMethod.customer_id !== null && paymentMethod.customer_id !== customerId) {
    throw new ApiError(
      'payment_intent_invalid_parameter',
      `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. To use it, pass that Customer's id in the customer parameter.`,
      { param: 'payment_method' },
    );
  }
}

/**
 * A PaymentIntent takes only PaymentMethods of its `payment_method_types`; Stripe refuses any other with this
 * message. (Its error code is not documented for this case: Payrail answers `payment_intent_incompatible_payment_method`.)
 */
function checkPaymentMethodType(paymentMethod: PaymentMethodRow, types: readonly string[]): void {
  if (!types.includes(paymentMethod.type)) {
    throw new ApiError(
      'payment_intent_incompatible_payment_method',
      `The PaymentMethod provided (${paymentMethod.type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${types.join(', ')}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include "${paymentMethod.type}".`,
      { param: 'payment_method' },
    );
  }
}

/** The charge's `payment_method_details` before the provider answers: the card as stored, or PayPal's payer as far as known. */
function paymentMethodDetails(paymentMethod: PaymentMethodRow, amount: number): Record<string, unknown> {
  if (paymentMethod.type === 'paypal') {
    return { billing_details: paymentMethod.billing_details, type: 'paypal', paypal: renderPayPalPaymentDetails(paymentMethod.wallet, undefined) };
  }
  return {
    billing_details: paymentMethod.billing_details,
    // The charge's own card hash (Stripe's payment_method_details_card), not the PaymentMethod's: see renderChargeCard.
    card: {
      amount_authorized: null,
      brand: paymentMethod.card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
      country: paymentMethod.card.country,
      exp_month: paymentMethod.card.exp_month,
      exp_year: paymentMethod.card.exp_year,
      extended_authorization: { status: 'disabled' },
      fingerprint: paymentMethod.card.fingerprint,
      funding: paymentMethod.card.funding,
      incremental_authorization: { status: 'unavailable' },
      installments: null,
      last4: paymentMethod.card.last4,
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: paymentMethod.card.brand,
      network_token: { used: false },
      network_transaction_id: null,
      overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
      regulated_status: 'unregulated',
      wallet: null,
      three_d_secure: null,
    },
  };
}

/** Creates a PaymentIntent; with `confirm` it also confirms it, all under one request. */
export async function createPaymentIntent(
  work: UnitOfWork,
  deps: Dependencies,
  scope: Scope,
  input: PaymentIntentInput & { amount: number; currency: string },
  confirm: ConfirmInput | undefined,
): Promise<IntentResult> {
  const currency = parseCurrency(input.currency);
  checkChargeAmount(input.amount, currency);
  const types = validateTypes(input.payment_method_types);
  const id = newId('pi');
  const base = {
    id,
    amount: input.amount,
    currency,
    status: 'requires_payment_method' as const,
    capture_method: input.capture_method ?? 'automatic',
    confirmation_method: input.confirmation_method ?? 'automatic',
    customer_id: input.customer ?? null,
    payment_method_id: null as string | null,
    payment_method_types: types,
    description: input.description ?? null,
    receipt_email: input.receipt_email ?? null,
    statement_descriptor: input.statement_descriptor ?? null,
    statement_descriptor_suffix: input.statement_descriptor_suffix ?? null,
    setup_future_usage: input.setup_future_usage ?? null,
    return_url: null,
    amount_capturable: 0,
    amount_received: 0,
    latest_charge_id: null,
    last_payment_error: null,
    next_action: null,
    cancellation_reason: null,
    canceled_at: null,
    client_secret: clientSecret(id),
    metadata: mergeMetadata({}, input.metadata),
    created: nowSeconds(),
    automatic_payment_methods: automaticPaymentMethodsAtCreation(input.automatic_payment_methods, input.payment_method_types !== undefined),
    shipping: normalizeShipping(input.shipping) ?? null,
    payment_method_options: mergePaymentMethodOptions({}, input.payment_method_options),
  };

  const prepare = async (db: Queryable): Promise<{ intent: PaymentIntentRow; paymentMethod: { row: PaymentMethodRow; isNew: boolean } | undefined }> => {
    await checkCustomer(db, scope, base.customer_id);
    let paymentMethod: { row: PaymentMethodRow; isNew: boolean } | undefined;
    if (input.payment_method || input.payment_method_data) {
      paymentMethod = input.payment_method_data
        ? paymentMethodFromData(scope, input.payment_method_data)
        : await lookupPaymentMethod(db, deps, scope, input.payment_method ?? '', 'payment_method');
      checkPaymentMethodOwner(paymentMethod.row, base.customer_id);
      checkPaymentMethodType(paymentMethod.row, types);
    }
    const intent: PaymentIntentRow = {
      ...base,
      account_id: scope.accountId,
      livemode: scope.livemode,
      payment_method_id: paymentMethod?.row.id ?? null,
      status: paymentMethod ? 'requires_confirmation' : base.status,
    };
    return { intent, paymentMethod };
  };

  if (confirm === undefined) {
    return work.finalTransaction(async (client) => {
      const { intent, paymentMethod } = await prepare(client);
      if (paymentMethod?.isNew) await insertPaymentMethod(client, scope, paymentMethod.row);
      const inserted = await insertPaymentIntent(client, scope, intent);
      await recordEvent(client, scope, work, 'payment_intent.created', renderPaymentIntent(inserted));
      return { intent: inserted };
    });
  }
  // Create and confirm: the checks only read, then every write of the first step (a test card's new
  // PaymentMethod, the intent already confirming, its pending charge, the creation event) is one statement.
  const { intent, paymentMethod } = await prepare(deps.db);
  assert(paymentMethod, 'confirm at creation has a payment method');
  const plan = planAttempt(scope, intent, confirm, paymentMethod.row);
  const authorize = authorizeInput(deps, plan.intent, plan.paymentMethod);
  // A test card stored before live mode refused them (or by any other path) still never reaches a live connector.
  if (authorize.card) refuseTestCardInLiveMode(scope, authorize.card.number, 'payment_method');
  const route = await planRoute(deps.db, deps, scope, { intentId: intent.id, chargeId: plan.charge.id, facts: paymentFacts(plan.intent, plan.paymentMethod, authorize) });
  const parts: { name: string; statement: Statement }[] = [];
  if (paymentMethod.isNew) parts.push({ name: 'new_payment_method', statement: paymentMethodInsertStatement(scope, paymentMethod.row) });
  const insert = intentInsertStatement(scope, plan.intent);
  parts.push(
    { name: 'intent', statement: { text: `${insert.text} RETURNING *`, values: insert.values } },
    { name: 'new_charge', statement: chargeInsertStatement(plan.charge) },
    { name: 'new_attempt', statement: attemptInsertStatement(scope, route.first, deps.orchestration.janitorScheduleSeconds[0]) },
    // Its creation event shows the intent as created, before confirmation.
    { name: 'new_events', statement: eventsInsertStatement(scope, work, [{ type: 'payment_intent.created', object: renderPaymentIntent(intent) }]) },
  );
  const [inserted] = await work.write<PaymentIntentRow>(combine(parts, 'SELECT * FROM intent'), intent.id);
  return finishAttempt(work, deps, scope, { ...plan, intent: inserted, route, authorize });
}

export async function retrievePaymentIntent(db: Queryable, scope: Scope, id: string): Promise<PaymentIntentRow> {
  const intent = await findPaymentIntent(db, scope, id);
  if (!intent) throw missing('payment_intent', id);
  return intent;
}

export async function listPaymentIntentPage(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string }): Promise<Page<PaymentIntentRow>> {
  return listPaymentIntents(db, scope, page, filters);
}

async function lockIntent(client: Queryable, scope: Scope, id: string): Promise<PaymentIntentRow> {
  const intent = await findPaymentIntent(client, scope, id, { forUpdate: true });
  if (!intent) throw missing('payment_intent', id);
  return intent;
}

export async function updatePaymentIntentFields(work: UnitOfWork, deps: Dependencies, scope: Scope, id: string, input: PaymentIntentInput): Promise<IntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    const onlyDescriptive = Object.entries(input).every(([key, value]) => value === undefined || key === 'metadata' || key === 'description');
    // Nothing may change an intent while its attempt is in flight (the attempt's outcome is rendered from it).
    if (!onlyDescriptive || intent.status === 'processing') assertTransition('update', intent.status);
    const changes: Partial<PaymentIntentRow> = { metadata: mergeMetadata(intent.metadata, input.metadata) };
    const currency = input.currency !== undefined ? parseCurrency(input.currency) : intent.currency;
    const amount = input.amount ?? intent.amount;
    if (input.amount !== undefined || input.currency !== undefined) {
      checkChargeAmount(amount, currency);
      changes.amount = amount;
      changes.currency = currency;
    }
    if (input.customer !== undefined) {
      await checkCustomer(client, scope, input.customer);
      changes.customer_id = input.customer;
    }
    if (input.payment_method_types !== undefined) {
      changes.payment_method_types = validateTypes(input.payment_method_types);
      // Naming the types replaces the automatic choice, as at Stripe.
      changes.automatic_payment_methods = null;
    }
    if (input.shipping !== undefined) changes.shipping = normalizeShipping(input.shipping) ?? null;
    if (input.payment_method_options !== undefined) changes.payment_method_options = mergePaymentMethodOptions(intent.payment_method_options, input.payment_method_options);
    if (input.payment_method !== undefined) {
      if (input.payment_method === null) {
        changes.payment_method_id = null;
      } else {
        const paymentMethod = await resolvePaymentMethod(client, deps, scope, input.payment_method, 'payment_method');
        checkPaymentMethodOwner(paymentMethod, changes.customer_id !== undefined ? changes.customer_id : intent.customer_id);
        checkPaymentMethodType(paymentMethod, changes.payment_method_types ?? intent.payment_method_types);
        changes.payment_method_id = paymentMethod.id;
      }
    }
    for (const field of ['capture_method', 'description', 'receipt_email', 'statement_descriptor', 'statement_descriptor_suffix', 'setup_future_usage'] as const) {
      if (input[field] !== undefined) (changes as Record<string, unknown>)[field] = input[field];
    }
    // Changing what will be charged sends the intent back for confirmation, as at Stripe.
    if (changes.payment_method_id !== undefined || changes.amount !== undefined) {
      const paymentMethodId = changes.payment_method_id !== undefined ? changes.payment_method_id : intent.payment_method_id;
      changes.status = paymentMethodId ? 'requires_confirmation' : 'requires_payment_method';
      changes.next_action = null;
    }
    // The final transaction's result is what the route presents (and what an idempotent replay stores).
    return { intent: await updatePaymentIntent(client, intent, changes) };
  });
}

interface Attempt {
  intent: PaymentIntentRow;
  charge: ChargeRow;
  paymentMethod: PaymentMethodRow;
  /** The connectors to try, in order, and the first attempt (recorded with the charge). */
  route: RoutePlan;
  authorize: BaseAuthorizeInput;
  offSession: boolean;
}

/**
 * Plans the first half of a confirmation: checks the state and builds the attempt (a pending charge) and the
 * intent's move to `processing`. Nothing is written here; the provider is only called after these rows commit.
 */
function planAttempt(scope: Scope, intent: PaymentIntentRow, input: ConfirmInput, paymentMethod: PaymentMethodRow): Omit<Attempt, 'authorize' | 'route'> & { changes: Partial<PaymentIntentRow> } {
  checkPaymentMethodOwner(paymentMethod, intent.customer_id);
  checkPaymentMethodType(paymentMethod, intent.payment_method_types);
  const chargeId = newId('ch');
  const changes: Partial<PaymentIntentRow> = {
    status: 'processing',
    payment_method_id: paymentMethod.id,
    latest_charge_id: chargeId,
    capture_method: input.capture_method ?? intent.capture_method,
    last_payment_error: null,
    next_action: null,
    return_url: input.return_url ?? intent.return_url,
    setup_future_usage: input.setup_future_usage !== undefined ? input.setup_future_usage : intent.setup_future_usage,
    receipt_email: input.receipt_email !== undefined ? input.receipt_email : intent.receipt_email,
    shipping: input.shipping !== undefined ? normalizeShipping(input.shipping) ?? null : intent.shipping,
    payment_method_options: mergePaymentMethodOptions(intent.payment_method_options, input.payment_method_options),
  };
  const planned = { ...intent, ...changes };
  const charge: ChargeRow = {
    id: chargeId,
    account_id: scope.accountId,
    livemode: scope.livemode,
    payment_intent_id: intent.id,
    payment_method_id: paymentMethod.id,
    customer_id: intent.customer_id,
    amount: intent.amount,
    amount_captured: 0,
    amount_refunded: 0,
    currency: intent.currency,
    status: 'pending',
    captured: false,
    authorized: false,
    released: false,
    failure_code: null,
    failure_message: null,
    outcome: null,
    payment_method_details: paymentMethodDetails(paymentMethod, intent.amount),
    description: intent.description,
    receipt_email: planned.receipt_email,
    processor_reference: null,
    metadata: input.charge?.metadata ?? {},
    created: nowSeconds(),
    balance_transaction_id: null,
    hold_entry_id: null,
    settlement_currency: null,
    exchange_rate: null,
    connector: null,
    connector_configuration_id: null,
    attempt_id: null,
    routing: null,
    capture_status: null,
    capture_requested_amount: null,
    source: input.charge?.source ?? null,
    statement_descriptor: intent.statement_descriptor,
    statement_descriptor_suffix: intent.statement_descriptor_suffix,
    // A legacy charge's own shipping; otherwise the intent's, copied as Stripe does.
    shipping: input.charge?.shipping ?? planned.shipping ?? null,
    fraud_details: {},
    transfer_group: input.charge?.transfer_group ?? null,
    incremental_authorization_attempts: 0,
  };
  return {
    intent: planned,
    changes,
    charge,
    paymentMethod,
    // Off-session payments cannot ask the customer to authenticate, and error_on_requires_action asks to fail instead.
    offSession: input.off_session === true || input.error_on_requires_action === true,
  };
}

function missingPaymentMethod(intent: PaymentIntentRow): ApiError {
  return new ApiError(
    'payment_intent_unexpected_state',
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
    { extra: { payment_intent: renderPaymentIntent(intent) } },
  );
}

/** First half of confirming an existing intent, under its row lock: records the attempt and moves it to `processing`. */
async function beginAttempt(client: pg.PoolClient, deps: Dependencies, scope: Scope, intent: PaymentIntentRow, input: ConfirmInput): Promise<Attempt> {
  assertTransition('confirm', intent.status, { payment_intent: renderPaymentIntent(intent) });
  const paymentMethodId = input.payment_method ?? intent.payment_method_id;
  if (!paymentMethodId && !input.payment_method_data) throw missingPaymentMethod(intent);
  // payment_method_data makes a new PaymentMethod, written with the attempt (as a test card id's is).
  const paymentMethod = input.payment_method_data
    ? paymentMethodFromData(scope, input.payment_method_data)
    : await lookupPaymentMethod(client, deps, scope, paymentMethodId ?? '', 'payment_method');
  const plan = planAttempt(scope, intent, input, paymentMethod.row);
  const authorize = authorizeInput(deps, plan.intent, plan.paymentMethod);
  // A test card stored before live mode refused them (or by any other path) still never reaches a live connector.
  if (authorize.card) refuseTestCardInLiveMode(scope, authorize.card.number, 'payment_method');
  const route = await planRoute(client, deps, scope, { intentId: intent.id, chargeId: plan.charge.id, facts: paymentFacts(plan.intent, plan.paymentMethod, authorize) });
  const parts: { name: string; statement: Statement }[] = [];
  if (paymentMethod.isNew) parts.push({ name: 'new_payment_method', statement: paymentMethodInsertStatement(scope, paymentMethod.row) });
  parts.push(
    { name: 'intent', statement: intentUpdateStatement(intent, plan.changes) },
    { name: 'new_charge', statement: chargeInsertStatement(plan.charge) },
    { name: 'new_attempt', statement: attemptInsertStatement(scope, route.first, deps.orchestration.janitorScheduleSeconds[0]) },
  );
  const [updated] = await run<PaymentIntentRow>(client, combine(parts, 'SELECT * FROM intent'));
  return { ...plan, intent: updated, route, authorize };
}

/**
 * What routing decides from: the payment and its card (the BIN is read from the number in memory, never stored). A
 * wallet (PayPal) has no brand or BIN; its country is the payer's once PayPal told it, else the billing country.
 */
function paymentFacts(intent: PaymentIntentRow, paymentMethod: PaymentMethodRow, authorize: BaseAuthorizeInput): PaymentFacts {
  const card = paymentMethod.type === 'card' ? paymentMethod.card : null;
  const country = card ? card.country : paymentMethod.wallet?.country ?? null;
  return {
    amount: intent.amount,
    currency: intent.currency,
    country: country ?? paymentMethod.billing_details.address?.country ?? null,
    cardBrand: card?.brand ?? null,
    // From the number already decrypted for the provider call: one decryption per payment.
    bin: authorize.card ? authorize.card.number.slice(0, 8) : null,
    paymentMethodType: paymentMethod.type,
    metadata: intent.metadata,
    manualCapture: captureIsManual(intent, paymentMethod.type),
  };
}

function authorizeInput(deps: Dependencies, intent: PaymentIntentRow, paymentMethod: PaymentMethodRow, authentication?: AuthorizeInput['authentication']): BaseAuthorizeInput {
  return {
    amount: intent.amount,
    currency: intent.currency,
    capture: !captureIsManual(intent, paymentMethod.type),
    // A wallet (PayPal) has no card: the buyer pays on the provider's page.
    ...(paymentMethod.type === 'card'
      ? { card: { number: revealCardNumber(deps, paymentMethod), expMonth: paymentMethod.card.exp_month, expYear: paymentMethod.card.exp_year, brand: paymentMethod.card.brand, holderName: paymentMethod.billing_details.name } }
      : {}),
    authentication,
    ...(paymentMethod.type === 'card'
      ? { requestThreeDSecure: intent.payment_method_options.card?.request_three_d_secure ?? 'automatic', requestIncrementalAuthorization: incrementalAuthorizationRequested(intent, paymentMethod.type) }
      : {}),
  };
}

/**
 * Second half of a confirmation: runs the cascade of connectors (routing, failover) and applies the answer in the
 * request's final transaction, with the final attempt's record.
 */
async function finishAttempt(work: UnitOfWork, deps: Dependencies, scope: Scope, attempt: Attempt): Promise<IntentResult> {
  const outcome = await runAttempts(deps, scope, attempt.route, attempt.authorize);
  const source: AttemptSource = { id: outcome.attempt.id, connector: outcome.attempt.connector, configurationId: outcome.attempt.configurationId, changes: outcome.changes, routing: outcome.routing };
  return work.finalTransaction((client) => applyAuthorization(client, work, deps, scope, attempt, outcome.output, { offSession: attempt.offSession, source }), { singleStatement: true });
}

/** The attempt an answer came from, what to record on it, and the routing to show on the charge. */
interface AttemptSource {
  id: string;
  connector: string;
  configurationId: string | null;
  changes: AttemptChanges;
  routing: ChargeRouting | null;
}

export async function confirmPaymentIntent(work: UnitOfWork, deps: Dependencies, scope: Scope, id: string, input: ConfirmInput): Promise<IntentResult> {
  const attempt = await work.transaction(async (client) => {
    const begun = await beginAttempt(client, deps, scope, await lockIntent(client, scope, id), input);
    await work.checkpoint(client, id);
    return begun;
  });
  return finishAttempt(work, deps, scope, attempt);
}

const authenticationFailureMessage =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.';

/** What applying an answer needs to know about its attempt (read in the attempt's first transaction). */
interface AttemptContext {
  /** The intent as it was when the attempt went to `processing`. */
  intent: PaymentIntentRow;
  charge: ChargeRow;
  paymentMethod: PaymentMethodRow;
}

function declineToError(decline: Decline, chargeId: string, paymentMethod: PaymentMethodRow, authenticationFailed: boolean): LastPaymentError & { payment_method: unknown } {
  return authenticationFailed
    ? { type: 'card_error', code: 'payment_intent_authentication_failure', message: authenticationFailureMessage, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) }
    : { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) };
}

/**
 * Applies a provider's answer to an attempt, as one statement: the intent is written with a compare-and-set on
 * (status processing, latest charge = this attempt, that charge still pending), which also takes its row lock, and
 * the charge, events and any side records are written only when that matched. If anything else already applied an
 * answer for this attempt, nothing changes: each attempt's outcome is applied exactly once. The events are rendered
 * here from the attempt's rows, which nothing else may change while the intent is `processing`.
 */
async function applyAuthorization(
  client: pg.PoolClient,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  deps: Dependencies,
  scope: Scope,
  attempt: AttemptContext,
  output: AuthorizeOutput,
  options: { offSession: boolean; authenticated?: boolean; source: AttemptSource },
): Promise<IntentResult> {
  const { intent, charge, paymentMethod } = attempt;
  const source = options.source;
  let attemptChanges = source.changes;
  const unchanged = async (): Promise<IntentResult> => {
    const current = await findPaymentIntent(client, scope, intent.id);
    assert(current, `intent ${intent.id} exists`);
    return { intent: current };
  };
  if (output.status === 'pending') {
    // Nothing to apply yet: the attempt is left to the janitor on its schedule.
    await updateAttempt(client, source.id, attemptChanges, ['pending', 'unknown']);
    return unchanged();
  }
  if (output.status === 'requires_authentication' && options.offSession) {
    output = {
      status: 'declined',
      decline: { code: 'authentication_required', declineCode: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', blocked: false, networkStatus: 'declined_by_network' },
      processorReference: null,
      riskScore: 0,
    };
    attemptChanges = { ...attemptChanges, status: 'declined', decline_code: 'authentication_required', failure_code: 'authentication_required', redirect: null, detail: 'The provider asked for authentication, which an off-session payment cannot give.' };
  }
  const routing = source.routing ? withAttemptStatus(source.routing, source.id, attemptChanges) : null;
  const attribution: Partial<ChargeRow> = { connector: source.connector, connector_configuration_id: source.configurationId, attempt_id: source.id, routing: routing as Record<string, unknown> | null };
  const card = (charge.payment_method_details as { card: Record<string, unknown> }).card;
  // Card checks and 3-D Secure are a card's; a wallet's details change only when its provider reports the payer.
  const detailsWith = (cvcCheck: string | null, extra: Record<string, unknown> = {}) => paymentMethod.type !== 'card' ? charge.payment_method_details : ({
    ...charge.payment_method_details,
    card: {
      ...card,
      ...extra,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: cvcCheck },
      three_d_secure: options.authenticated ? { authentication_flow: 'challenge', result: 'authenticated', result_reason: null, version: '2.2.0' } : null,
    },
  });

  const applied = 'EXISTS (SELECT 1 FROM intent)';
  let intentChanges: Partial<PaymentIntentRow>;
  let chargeChanges: Partial<ChargeRow> | undefined;
  const events: NewEvent[] = [];
  const sideWrites: { name: string; statement: Statement }[] = [];
  const sideEvents: { guard: string; events: NewEvent[] }[] = [];
  let decline: IntentResult['decline'];

  switch (output.status) {
    case 'authorized': {
      intentChanges = output.captured
        ? { status: 'succeeded', amount_received: intent.amount, amount_capturable: 0, next_action: null }
        : { status: 'requires_capture', amount_capturable: intent.amount, next_action: null };
      chargeChanges = {
        ...attribution,
        status: 'succeeded',
        authorized: true,
        captured: output.captured,
        amount_captured: output.captured ? charge.amount : 0,
        processor_reference: output.processorReference,
        payment_method_details: paymentMethod.type === 'card'
          ? detailsWith(paymentMethod.card.cvc_provided ? 'pass' : null, {
            amount_authorized: charge.amount,
            // The processor says whether this authorization can be incremented (asked with request_incremental_authorization).
            incremental_authorization: { status: output.incrementalAuthorization ? 'available' : 'unavailable' },
          })
          : { ...charge.payment_method_details, paypal: renderPayPalPaymentDetails(paymentMethod.wallet, output.payer) },
        outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: output.riskScore, seller_message: 'Payment complete.', type: 'authorized' },
      };
      // The ledger moves with the state, in the same statement and under the same compare-and-set: a capture posts
      // the charge (net to pending, fee to the platform); an authorization alone posts a hold.
      const now = deps.clock.nowSeconds();
      if (output.captured) {
        const settlement = await captureSettlement(deps, client, scope, charge, charge.amount);
        const movement = captureMovement(scope, charge, settlement, null, now);
        Object.assign(chargeChanges, {
          balance_transaction_id: movement.balanceTransactions[0].id,
          settlement_currency: settlement.settlementCurrency,
          exchange_rate: settlement.exchangeRate,
        });
        sideWrites.push(...movementParts('ledger', movement, applied));
      } else {
        const hold = authorizationHold(scope, charge.id, charge.amount, charge.currency, now);
        chargeChanges.hold_entry_id = hold.id;
        sideWrites.push(...movementParts('ledger', { entries: [hold] }, applied));
      }
      events.push(
        { type: 'charge.succeeded', object: renderCharge({ ...charge, ...chargeChanges }) },
        { type: output.captured ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
      );
      // What PayPal told about the payer fills the PaymentMethod's `paypal` hash, as at Stripe. One statement changes
      // a row once, so when the attach below changes the same row it writes the payer too.
      const wallet = paymentMethod.type === 'paypal' && output.payer
        ? { country: output.payer.country, payer_email: output.payer.payerEmail, payer_id: output.payer.payerId }
        : null;
      const attaching = Boolean(effectiveSetupFutureUsage(intent, paymentMethod.type) && intent.customer_id);
      if (wallet && !attaching) {
        sideWrites.push({ name: 'wallet', statement: paymentMethodWalletStatement(scope, paymentMethod.id, wallet, applied) });
      }
      // setup_future_usage saves the card for the intent's customer once it has been used successfully.
      if (attaching) {
        sideWrites.push({
          name: 'attached',
          statement: {
            // The payer's fields merge as paymentMethodWalletStatement merges them (a field PayPal did not send keeps its value).
            text: `UPDATE payment_methods SET customer_id = $4,
                     wallet = CASE WHEN NOT $5::boolean THEN wallet ELSE jsonb_build_object(
                       'country', COALESCE($6::text, wallet->>'country'),
                       'payer_email', COALESCE($7::text, wallet->>'payer_email'),
                       'payer_id', COALESCE($8::text, wallet->>'payer_id')) END
                   WHERE id = $1 AND account_id = $2 AND livemode = $3 AND customer_id IS NULL AND ${applied} RETURNING id`,
            values: [paymentMethod.id, scope.accountId, scope.livemode, intent.customer_id, wallet !== null, wallet?.country ?? null, wallet?.payer_email ?? null, wallet?.payer_id ?? null],
          },
        });
        sideEvents.push({ guard: 'EXISTS (SELECT 1 FROM attached)', events: [{ type: 'payment_method.attached', object: renderPaymentMethod({ ...paymentMethod, customer_id: intent.customer_id }) }] });
      }
      break;
    }
    case 'declined': {
      const reason: Decline = output.decline;
      decline = declineToError(reason, charge.id, paymentMethod, options.authenticated === false);
      intentChanges = { status: 'requires_payment_method', payment_method_id: null, amount_capturable: 0, next_action: null, last_payment_error: decline };
      chargeChanges = {
        ...attribution,
        status: 'failed',
        failure_code: reason.code,
        failure_message: reason.message,
        processor_reference: output.processorReference,
        payment_method_details: detailsWith(reason.code === 'incorrect_cvc' ? 'fail' : null),
        outcome: {
          network_status: reason.networkStatus,
          reason: reason.declineCode,
          risk_level: reason.blocked ? 'highest' : 'normal',
          risk_score: output.riskScore,
          seller_message: reason.blocked ? 'Payrail blocked this payment as too risky.' : 'The bank did not return any further details with this decline.',
          type: reason.blocked ? 'blocked' : 'issuer_declined',
        },
      };
      events.push(
        { type: 'charge.failed', object: renderCharge({ ...charge, ...chargeChanges }) },
        { type: 'payment_intent.payment_failed', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
      );
      break;
    }
    case 'requires_authentication': {
      chargeChanges = { ...attribution, processor_reference: output.processorReference ?? null };
      if (output.nextAction) {
        // The provider's own page (its 3-D Secure challenge, a wallet's approval). A form POST goes through Payrail's
        // redirect page, which posts the provider's fields for the customer.
        const url = output.nextAction.method === 'GET' ? output.nextAction.url : `${deps.publicUrl}/payrail/redirect/${source.id}`;
        intentChanges = { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url } } };
        events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
        break;
      }
      const challengeId = newId('auth');
      intentChanges = {
        status: 'requires_action',
        next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url: `${deps.publicUrl}/3ds/${challengeId}` } },
      };
      sideWrites.push({
        name: 'challenge',
        statement: {
          text: `INSERT INTO authentication_challenges (id, account_id, livemode, payment_intent_id, charge_id, status, return_url, created)
                 SELECT $1::text, $2::text, $3::boolean, $4::text, $5::text, 'pending', $6::text, $7::bigint WHERE ${applied}`,
          values: [challengeId, scope.accountId, scope.livemode, intent.id, charge.id, intent.return_url, nowSeconds()],
        },
      });
      events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
      break;
    }
  }

  const compareAndSet = intentUpdateStatement(intent, intentChanges, { status: 'processing', latestChargeId: charge.id });
  compareAndSet.values.push(charge.id);
  compareAndSet.text = compareAndSet.text.replace(
    ' RETURNING *',
    ` AND EXISTS (SELECT 1 FROM charges WHERE id = $${compareAndSet.values.length} AND status = 'pending') RETURNING *`,
  );
  const parts: { name: string; statement: Statement }[] = [{ name: 'intent', statement: compareAndSet }];
  if (chargeChanges) parts.push({ name: 'charge_update', statement: chargeUpdateStatement(charge, chargeChanges, 'pending', applied) });
  parts.push({ name: 'attempt_update', statement: attemptUpdateStatement(source.id, attemptChanges, ['pending', 'unknown', 'requires_action'], applied) });
  parts.push(...sideWrites);
  parts.push({ name: 'new_events', statement: eventsInsertStatement(scope, work, events, applied) });
  sideEvents.forEach((side, index) => parts.push({ name: `side_events_${index}`, statement: eventsInsertStatement(scope, work, side.events, side.guard) }));
  const rows = await run<PaymentIntentRow>(client, combine(parts, 'SELECT * FROM intent'));
  if (rows.length === 0) return unchanged();
  return decline ? { intent: rows[0], decline, applied: true } : { intent: rows[0], applied: true };
}

/** The routing summary with one attempt's new status (the attempt that answered). */
function withAttemptStatus(routing: ChargeRouting, attemptId: string, changes: AttemptChanges): ChargeRouting {
  return {
    ...routing,
    attempts: routing.attempts.map((summary) => summary.id !== attemptId ? summary : {
      ...summary,
      status: changes.status,
      decline_code: changes.decline_code !== undefined ? changes.decline_code : summary.decline_code,
      failure_code: changes.failure_code !== undefined ? changes.failure_code : summary.failure_code,
      latency_ms: changes.latency_ms !== undefined ? changes.latency_ms : summary.latency_ms,
    }),
  };
}

export interface ChallengeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  payment_intent_id: string;
  charge_id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'abandoned';
  return_url: string | null;
  created: number;
}

/**
 * A challenge of the built-in test processor's 3-D Secure page. Live challenges are never answered: the test page
 * completes authentication for anyone who posts to it, so it must not touch a live payment even if one was somehow
 * sent there.
 */
export async function findChallenge(db: Queryable, id: string): Promise<ChallengeRow | undefined> {
  const result = await db.query<ChallengeRow>('SELECT * FROM authentication_challenges WHERE id = $1 AND NOT livemode', [id]);
  return result.rows[0];
}

/**
 * The customer finished (or failed) the 3-D Secure challenge: the intent goes back to `processing` and the
 * provider is asked again with the authentication result. Returns the intent and where to send the customer.
 */
export async function completeChallenge(deps: Dependencies, challengeId: string, succeeded: boolean): Promise<{ intent: PaymentIntentRow; challenge: ChallengeRow } | undefined> {
  const challenge = await findChallenge(deps.db, challengeId);
  if (!challenge) return undefined;
  const status = succeeded ? ('succeeded' as const) : ('failed' as const);
  const result = await continueAttempt(deps, { accountId: challenge.account_id, livemode: challenge.livemode }, { chargeId: challenge.charge_id, authentication: { status } }, async (client) => {
    const locked = (await client.query<ChallengeRow>('SELECT * FROM authentication_challenges WHERE id = $1 AND NOT livemode FOR UPDATE', [challengeId])).rows[0];
    if (!locked || locked.status !== 'pending') return false;
    await client.query('UPDATE authentication_challenges SET status = $2 WHERE id = $1', [challengeId, status]);
    return true;
  });
  return { intent: result.intent, challenge: result.continued ? { ...challenge, status } : (await findChallenge(deps.db, challengeId)) ?? challenge };
}

/**
 * The customer came back from a provider's redirect (Adyen's 3-D Secure, PayPal's approval) to Payrail's return page
 * of an attempt: the provider is asked to finish with what the redirect brought back (`details`, as the provider
 * names them), and the customer is sent on to the intent's `return_url`. Undefined for an unknown attempt.
 */
export async function completeRedirect(deps: Dependencies, attemptId: string, authentication: NonNullable<AuthorizeInput['authentication']>): Promise<{ intent: PaymentIntentRow } | undefined> {
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
  deps: Dependencies,
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
  const input: AuthorizeInput = { ...authorizeInput(deps, begun.intent, paymentMethod, target.authentication), ...attemptReference(deps, row) };
  const started = performance.now();
  let output: AuthorizeOutput;
  try {
    output = await connector.authorize(input);
  } catch {
    output = { status: 'pending' };
  }
  const source: AttemptSource = { id: row.id, connector: row.connector, configurationId: row.connector_configuration_id, changes: attemptChangesOf(deps, output, row, Math.round(performance.now() - started)), routing: await routingOf(deps.db, charge) };
  // A return from a provider's redirect cannot tell how the customer's authentication went; the provider's answer
  // can: a decline for want of authentication means the challenge failed, not that an authenticated payment was refused.
  const authenticated = target.authentication.status === 'succeeded' && !(output.status === 'declined' && output.decline.declineCode === 'authentication_required');
  const result = await new UnitOfWork(deps.db).finalTransaction((client) =>
    applyAuthorization(client, undefined, deps, scope, { intent: begun.intent, charge, paymentMethod }, output, { offSession: false, authenticated, source }),
    { singleStatement: true },
  );
  return { intent: result.intent, continued: true };
}

/**
 * The routing summary of a charge: as its confirmation recorded it, or, when the answer is applied by someone else
 * before that (a webhook or the janitor, after the confirming process died), rebuilt from its attempt records (the
 * decision's strategy and rule are then unknown).
 */
async function routingOf(db: Queryable, charge: ChargeRow): Promise<ChargeRouting> {
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
function attemptReference(deps: Dependencies, attempt: AttemptRow): Pick<AuthorizeInput, 'attemptId' | 'returnUrl' | 'processorReference'> {
  return { attemptId: attempt.id, returnUrl: attemptReturnUrl(deps.publicUrl, attempt.id), processorReference: attempt.processor_reference };
}

/** What to record on an attempt for a provider's answer outside the cascade (a continuation, the janitor). */
function attemptChangesOf(deps: Dependencies, output: AuthorizeOutput, attempt: AttemptRow, latencyMs: number | null): AttemptChanges {
  switch (output.status) {
    case 'authorized':
      return { status: 'authorized', processor_reference: output.processorReference, latency_ms: latencyMs, next_sync_in_seconds: null };
    case 'declined':
      return { status: 'declined', processor_reference: output.processorReference ?? attempt.processor_reference, decline_code: output.decline.declineCode, failure_code: output.decline.code, latency_ms: latencyMs, next_sync_in_seconds: null };
    case 'requires_authentication':
      return { status: 'requires_action', processor_reference: output.processorReference ?? attempt.processor_reference, redirect: output.nextAction ?? null, latency_ms: latencyMs, next_sync_in_seconds: null };
    case 'pending':
      return { status: 'unknown', next_sync_in_seconds: janitorDelaySeconds(deps.orchestration, attempt.sync_count), detail: 'No definite answer from the provider yet: the janitor asks again.' };
  }
}

export interface CaptureInput {
  amount_to_capture?: number;
  metadata?: MetadataUpdate;
}

/**
 * Captures an authorization in three steps, so no database connection or row lock is held while the provider works:
 * 1. under the intent's lock, checks the request and reserves the capture on the charge (`capture_status` pending,
 *    with the amount): from then on a cancel is refused and a capture of another amount too, so two different
 *    captures can never both reach the provider;
 * 2. asks the provider (the idempotency key derives from the attempt, so a repeated or concurrent capture of the
 *    same amount is the same capture at the provider);
 * 3. under the lock again, posts the capture. Of concurrent identical captures one posts it and the others find the
 *    intent succeeded and get Stripe's `payment_intent_unexpected_state`; a capture the provider's webhook posted
 *    while the request waited is answered as done.
 * An ambiguous answer leaves the reservation: the capture is in doubt until a retry or the provider's webhook settles
 * it. A refusal releases it.
 */
export async function capturePaymentIntent(work: UnitOfWork, deps: Dependencies, scope: Scope, id: string, input: CaptureInput): Promise<IntentResult> {
  const reserved = await work.transaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    assertTransition('capture', intent.status, { payment_intent: renderPaymentIntent(intent) });
    const charge = await findCharge(client, scope, intent.latest_charge_id ?? '');
    assert(charge && charge.status === 'succeeded' && !charge.captured && charge.processor_reference, `intent ${id} in requires_capture has an authorized charge`);
    const inDoubt = charge.capture_status === 'pending' && charge.capture_requested_amount !== null ? charge.capture_requested_amount : null;
    const amount = input.amount_to_capture ?? inDoubt ?? intent.amount_capturable;
    if (inDoubt !== null && amount !== inDoubt) {
      // The provider may already have captured that amount: asking for another could capture twice.
      throw new ApiError('payment_intent_unexpected_state', `A capture of ${inDoubt} is in progress or may have reached the processor and is not settled yet. Retry the capture with that amount (or without amount_to_capture).`, { param: 'amount_to_capture', extra: { payment_intent: renderPaymentIntent(intent) } });
    }
    if (amount > intent.amount_capturable) {
      throw new ApiError('amount_too_large', `The amount to capture (${amount}) must be less than or equal to the PaymentIntent's amount_capturable (${intent.amount_capturable}).`, { param: 'amount_to_capture' });
    }
    if (amount <= 0) throw new ApiError('amount_too_small', 'The amount to capture must be a positive integer.', { param: 'amount_to_capture' });
    if (inDoubt === null) await updateCharge(client, charge, { capture_status: 'pending', capture_requested_amount: amount });
    return { intent, charge, amount, connector: await connectorFor(client, deps, scope, charge.connector_configuration_id) };
  });
  const { charge, amount } = reserved;
  let output: SimpleOutput;
  try {
    output = await reserved.connector.capture({ attemptId: charge.attempt_id ?? charge.id, processorReference: charge.processor_reference ?? '', amount, currency: charge.currency });
  } catch {
    output = { status: 'pending' };
  }
  if (output.status === 'pending') {
    throw new ApiError('processing_error', 'The processor did not confirm the capture. Retry the capture: the retry is safe and cannot capture twice.', { extra: { payment_intent: renderPaymentIntent(reserved.intent) } });
  }
  if (output.status !== 'succeeded') {
    // Refused: nothing was captured, so the reservation goes (if it is still this capture's).
    await deps.db.query(`UPDATE charges SET capture_status = NULL, capture_requested_amount = NULL WHERE id = $1 AND NOT captured AND capture_status = 'pending' AND capture_requested_amount = $2`, [charge.id, amount]);
    throw new ApiError('processing_error', 'The capture could not be completed by the processor. Try again in a little bit.', { extra: { payment_intent: renderPaymentIntent(reserved.intent) } });
  }
  return work.finalTransaction(async (client) => {
    const intent = await lockIntent(client, scope, id);
    const current = await findCharge(client, scope, charge.id);
    assert(current, `charge ${charge.id} exists`);
    // The provider's CAPTURE webhook posted this very capture while the request waited for the provider's answer.
    if (current.captured && current.capture_status === 'succeeded' && current.amount_captured === amount) return { intent };
    assertTransition('capture', intent.status, { payment_intent: renderPaymentIntent(intent) });
    const updated = await applyCapture(client, work, deps, scope, intent, current, amount, { metadata: input.metadata, captureStatus: null });
    return { intent: updated };
  });
}

/**
 * Posts a capture the provider made: one ledger entry posts the capture and voids the whole hold, so a partial
 * capture releases the rest (charges authorized before the ledger existed have no hold to void); then the charge,
 * the intent and their events. The caller holds the intent's lock.
 */
async function applyCapture(
  client: pg.PoolClient,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  deps: Dependencies,
  scope: Scope,
  intent: PaymentIntentRow,
  charge: ChargeRow,
  amount: number,
  options: { metadata?: MetadataUpdate; captureStatus: ChargeRow['capture_status'] },
): Promise<PaymentIntentRow> {
  const settlement = await captureSettlement(deps, client, scope, charge, amount);
  const hold = charge.hold_entry_id ? { entryId: charge.hold_entry_id } : null;
  const movement = captureMovement(scope, charge, settlement, hold, deps.clock.nowSeconds());
  await writeMovement(client, movement);
  const updatedCharge = await updateCharge(client, charge, {
    captured: true,
    amount_captured: amount,
    released: amount < charge.amount,
    balance_transaction_id: movement.balanceTransactions[0].id,
    settlement_currency: settlement.settlementCurrency,
    exchange_rate: settlement.exchangeRate,
    capture_status: options.captureStatus,
    capture_requested_amount: null,
  });
  const updated = await updatePaymentIntent(client, intent, {
    status: 'succeeded',
    amount_received: amount,
    amount_capturable: 0,
    metadata: mergeMetadata(intent.metadata, options.metadata),
  });
  await recordEvent(client, scope, work, 'charge.captured', renderCharge(updatedCharge), { captured: false, amount_captured: 0 });
  await recordEvent(client, scope, work, 'payment_intent.succeeded', renderPaymentIntent(updated));
  return updated;
}

/**
 * A provider's report of a capture (a webhook) of an authorized attempt. A capture Payrail made is confirmed (or
 * marked failed) on the charge; a capture whose answer was ambiguous is posted (or released for a retry or cancel)
 * as the provider reports it. Read under the intent's lock: Payrail's own capture holds it while it asks the
 * provider, and a provider that notifies at once must not see the charge before that capture commits.
 */
export async function applyProviderCapture(deps: Dependencies, attempt: AttemptRow, status: 'succeeded' | 'failed'): Promise<boolean> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  return new UnitOfWork(deps.db).transaction(async (client) => {
    const intent = await lockIntent(client, scope, attempt.payment_intent_id);
    const charge = await findCharge(client, scope, attempt.charge_id);
    if (!charge || charge.attempt_id !== attempt.id) return false;
    if (charge.captured) {
      if (charge.capture_status === status) return false;
      // A failed capture (rare: Adyen's CAPTURE_FAILED) is recorded on the charge for the merchant to act on; the
      // ledger is not reversed automatically (docs/connectors.md).
      await updateCharge(client, charge, { capture_status: status });
      return true;
    }
    if (intent.status !== 'requires_capture' || charge.capture_status !== 'pending' || charge.capture_requested_amount === null) return false;
    if (status === 'failed') {
      await updateCharge(client, charge, { capture_status: 'failed', capture_requested_amount: null });
      return true;
    }
    await applyCapture(client, undefined, deps, scope, intent, charge, charge.capture_requested_amount, { captureStatus: 'succeeded' });
    return true;
  });
}

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
      await client.query(`UPDATE authentication_challenges SET status = 'abandoned' WHERE payment_intent_id = $1 AND status = 'pending'`, [intent.id]);
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

/**
 * The janitor: attempts without a definite answer (the provider's answer was ambiguous even after asking again, or
 * the process died between recording the attempt and applying the answer) are resolved by asking the provider with
 * `sync`, never by authorizing again, on a backoff schedule (`OrchestrationSettings.janitorScheduleSeconds`). With
 * `startedSecondsAgo`, every attempt started at least that long ago is asked now, whatever its schedule.
 */
export async function resolveStuckAttempts(deps: Dependencies, startedSecondsAgo: number | null = null): Promise<number> {
  const due = await findDueAttempts(deps.db, deps.orchestration.janitorBatchMax, startedSecondsAgo);
  let resolved = 0;
  for (const attempt of due) {
    // Counted only when this sweep applied the outcome (another sweep may have got there first).
    if ((await resolveAttempt(deps, attempt))?.applied) resolved += 1;
  }
  return resolved;
}

/** Asks the connector about an unresolved attempt and applies the answer; undefined if it cannot tell yet. */
async function resolveAttempt(deps: Dependencies, attempt: AttemptRow): Promise<IntentResult | undefined> {
  const scope: Scope = { accountId: attempt.account_id, livemode: attempt.livemode };
  const [intent, charge] = await Promise.all([findPaymentIntent(deps.db, scope, attempt.payment_intent_id), findCharge(deps.db, scope, attempt.charge_id)]);
  const paymentMethod = charge ? await findPaymentMethod(deps.db, scope, charge.payment_method_id) : undefined;
  if (!intent || !charge || !paymentMethod) return undefined;
  // The attempt again, read after its intent and charge: its answer may have been applied since it was found due (by
  // the request still running it, a webhook or another janitor), and then the intent read above can show the charge
  // ended by that very answer, which is not an orphan: voiding it would release an authorization Payrail still holds.
  const fresh = await findAttempt(deps.db, attempt.id);
  if (!fresh || (fresh.status !== 'pending' && fresh.status !== 'unknown')) return undefined;
  const challenge = (await deps.db.query<{ status: string }>(
    `SELECT status FROM authentication_challenges WHERE charge_id = $1 AND status IN ('succeeded', 'failed')`,
    [charge.id],
  )).rows[0];
  const authentication = challenge ? { status: challenge.status as 'succeeded' | 'failed' } : undefined;
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
    output = await connector.sync({ ...authorizeInput(deps, intent, paymentMethod, authentication), ...attemptReference(deps, attempt) });
  } catch {
    output = { status: 'pending' };
  }
  const changes = { ...attemptChangesOf(deps, output, attempt, null), synced: true };
  const current = intent.status === 'processing' && intent.latest_charge_id === charge.id && charge.status === 'pending';
  if (!current) {
    await recordLateAnswer(deps, scope, attempt, charge, output, changes);
    return undefined;
  }
  const source: AttemptSource = { id: attempt.id, connector: attempt.connector, configurationId: attempt.connector_configuration_id, changes, routing: await routingOf(deps.db, charge) };
  return new UnitOfWork(deps.db).finalTransaction((client) =>
    applyAuthorization(client, undefined, deps, scope, { intent, charge, paymentMethod }, output, { offSession: false, authenticated: authentication ? authentication.status === 'succeeded' : undefined, source }),
    { singleStatement: true },
  );
}

/**
 * Applies a provider's own report of an attempt's authorization (a webhook): as the janitor would apply a `sync`
 * answer. An intent waiting for the customer (`requires_action`) whose provider reports the outcome moves on too.
 * Reports about attempts that no longer decide their charge are kept on the attempt, and an authorization there is
 * voided. Returns whether the report changed the payment.
 */
export async function applyProviderOutcome(deps: Dependencies, attempt: AttemptRow, output: Exclude<AuthorizeOutput, { status: 'pending' | 'requires_authentication' }>): Promise<boolean> {
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
    }
    return false;
  }
  const paymentMethod = await findPaymentMethod(deps.db, scope, begun.charge.payment_method_id);
  assert(paymentMethod, 'an attempt has a payment method');
  const source: AttemptSource = { id: attempt.id, connector: attempt.connector, configurationId: attempt.connector_configuration_id, changes: attemptChangesOf(deps, output, begun.current, null), routing: await routingOf(deps.db, begun.charge) };
  const result = await new UnitOfWork(deps.db).finalTransaction((client) =>
    applyAuthorization(client, undefined, deps, scope, { intent: begun.intent, charge: begun.charge, paymentMethod }, output, { offSession: false, source }),
    { singleStatement: true },
  );
  return result.applied === true;
}

/**
 * Keeps the provider's answer for an attempt whose charge ended without it (its process died mid-cascade, and the
 * janitor or a webhook learned the answer later), and voids an authorization there: nobody will ever capture it.
 */
async function recordLateAnswer(deps: Dependencies, scope: Scope, attempt: AttemptRow, charge: ChargeRow, output: AuthorizeOutput, changes: AttemptChanges): Promise<void> {
  if (output.status === 'authorized') {
    const connector = await connectorFor(deps.db, deps, scope, attempt.connector_configuration_id);
    await connector.void({ attemptId: attempt.id, processorReference: output.processorReference, amount: charge.amount, currency: charge.currency });
    changes = { ...changes, detail: 'Authorized after its charge had ended: the authorization was voided.' };
  } else if (output.status !== 'pending') {
    changes = { ...changes, detail: 'Answered by the provider after its charge had ended.' };
  }
  await updateAttempt(deps.db, attempt.id, changes, ['pending', 'unknown']);
}

/**
 * Finishes a create-and-confirm or confirm request whose first step committed before its process died (found
 * through the idempotency key's recovery point): resolves the attempt if it is still in flight, then answers with
 * the intent as it is, as the original request would have.
 */
export async function resumeConfirmation(work: UnitOfWork, deps: Dependencies, scope: Scope, intentId: string): Promise<IntentResult> {
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
