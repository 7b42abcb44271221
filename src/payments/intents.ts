import { automaticPaymentMethodTypes, type AutomaticTypesDependencies } from '../payment-method-configurations/automatic.ts';
import { planRoute, type OrchestratorDependencies } from '../orchestration/orchestrator.ts';
import { attemptInsertStatement } from '../orchestration/attempts-repository.ts';
import type { Dependencies } from '../dependencies.ts';
import { eventsInsertStatement } from '../events/repository.ts';
import { recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { combine, rowsOf, type Statement } from '../platform/statements.ts';
import type { Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { newId, nowSeconds, randomBase62 } from '../platform/ids.ts';
import { mergeMetadata } from '../platform/metadata.ts';
import { checkChargeAmount, parseCurrency } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PaymentMethodRow } from '../payment-methods/repository.ts';
import { insertPaymentMethod, paymentMethodInsertStatement } from '../payment-methods/repository.ts';
import { lookupPaymentMethod, paymentMethodFromData, refuseTestCardInLiveMode, resolvePaymentMethod, type PaymentMethodDependencies } from '../payment-methods/service.ts';
import { renderPaymentIntent } from './render.ts';
import { chargeInsertStatement, insertPaymentIntent, intentInsertStatement, listPaymentIntents, updatePaymentIntent, type PaymentIntentRow } from './repository.ts';
import { assertTransition } from './state.ts';
import { fullShipping } from '../customers/address.ts';
import { automaticPaymentMethodsAtCreation, checkInstallmentsEnabled, mergePaymentMethodOptions, refuseCodeOutsideConfirmation } from './payment-method-options.ts';
import { checkCustomer, checkPaymentMethodOwner, checkPaymentMethodType, lockIntent, validateTypes } from './checks.ts';
import { finishAttempt, type ConfirmDependencies } from './confirm.ts';
import { planMandate } from '../mandates/plan.ts';
import { mandateInsertStatement } from '../mandates/repository.ts';
import { confirmationAuthorizeInput, mandatePayment, paymentFacts, planAttempt, storedReferencesOf, withMandate, withScaDecision, type PlanAttemptDependencies } from './plan-attempt.ts';
import { decideForPayment } from './sca/facts.ts';
import type { ConfirmInput, IntentResult, PaymentIntentInput } from './types.ts';
import { hasConnectInput, resolveConnect } from './connect-input.ts';
import { checkChargeCapabilities } from './connect-capabilities.ts';
import type { IntentConnect } from './connect-charge.ts';

// The intent's own operations: create (and create-and-confirm), list and update (retrieve is in checks.ts, which
// confirm shares: confirm.ts cannot import this file, which imports it).

function clientSecret(id: string): string {
  return `${id}_secret_${randomBase62(25)}`;
}

/**
 * What creating and updating PaymentIntents uses: the database and the janitor's first delay, and what looking up
 * the payment method, building the attempt's input, routing and finishing a confirmation need.
 */
export type PaymentIntentDependencies = Pick<Dependencies, 'db' | 'orchestration'> & AutomaticTypesDependencies & PaymentMethodDependencies & PlanAttemptDependencies & OrchestratorDependencies & ConfirmDependencies;

/**
 * Creates a PaymentIntent; with `confirm` it also confirms it, all under one request. `checkedConnect` is Connect
 * parameters the caller has already resolved (resolveConnect): a legacy charge checks them before it uses up its token.
 */
export async function createPaymentIntent(
  work: UnitOfWork,
  deps: PaymentIntentDependencies,
  scope: Scope,
  input: PaymentIntentInput & { amount: number; currency: string; checkedConnect?: IntentConnect | null },
  confirm: ConfirmInput | undefined,
): Promise<IntentResult> {
  const currency = parseCurrency(input.currency);
  checkChargeAmount(input.amount, currency);
  if (confirm === undefined) refuseCodeOutsideConfirmation(input.payment_method_options);
  const automatic = automaticPaymentMethodsAtCreation(input.automatic_payment_methods, input.payment_method_types !== undefined);
  let types: string[];
  if (automatic) {
    const picked = await automaticPaymentMethodTypes(deps, scope, { configuration: input.payment_method_configuration, currency, allowRedirects: automatic.allow_redirects });
    types = picked.types;
    automatic.configuration = picked.configurationId;
  } else {
    types = validateTypes(input.payment_method_types, currency);
  }
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
    automatic_payment_methods: automatic,
    shipping: input.shipping ? fullShipping(input.shipping) : null,
    payment_method_options: mergePaymentMethodOptions({}, input.payment_method_options),
  };
  checkInstallmentsEnabled(base.payment_method_options, currency);

  const prepare = async (db: Queryable): Promise<{ intent: PaymentIntentRow; paymentMethod: { row: PaymentMethodRow; isNew: boolean } | undefined }> => {
    await checkCustomer(db, scope, base.customer_id);
    let paymentMethod: { row: PaymentMethodRow; isNew: boolean } | undefined;
    if (input.payment_method || input.payment_method_data) {
      paymentMethod = input.payment_method_data
        ? paymentMethodFromData(deps, scope, input.payment_method_data)
        : await lookupPaymentMethod(db, deps, scope, input.payment_method ?? '', 'payment_method');
      checkPaymentMethodOwner(paymentMethod.row, base.customer_id);
      checkPaymentMethodType(paymentMethod.row, types);
    }
    // Connect parameters are read and checked only when given: an ordinary payment costs no query here.
    const connect = input.checkedConnect !== undefined ? input.checkedConnect : hasConnectInput(input) ? await resolveConnect(db, deps, scope, input.platformAccountId, input, null, base.amount, currency) : null;
    // Confirming at creation makes a charge: a direct charge needs the connected account's card_payments (a
    // destination's capabilities were just checked with its parameters).
    if (confirm !== undefined) await checkChargeCapabilities(db, deps, scope, input.platformAccountId, null);
    const intent: PaymentIntentRow = {
      ...base,
      ...(connect ? { connect } : {}),
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
  const planned = planAttempt(scope, intent, confirm, paymentMethod.row);
  const decision = await decideForPayment(deps, deps.db, scope, planned.intent, planned.paymentMethod, planned.merchantInitiated);
  const mandate = await planMandate(deps.db, scope, mandatePayment(planned), confirm.mandate_data, confirm.mandate);
  const plan = { ...planned, charge: withMandate(withScaDecision(planned.charge, decision), mandate.mandate?.id ?? null, planned.intent.payment_method_options.sepa_debit?.target_date) };
  const authorize = await storedReferencesOf(deps.db, scope, confirmationAuthorizeInput(deps, plan, decision), plan.paymentMethod.id);
  // A test card stored before live mode refused them (or by any other path) still never reaches a live connector.
  if (authorize.card) refuseTestCardInLiveMode(scope, authorize.card.number, 'payment_method');
  const route = await planRoute(deps.db, deps, scope, { intentId: intent.id, chargeId: plan.charge.id, facts: paymentFacts(plan.intent, plan.paymentMethod, authorize), merchantInitiated: plan.merchantInitiated });
  // With an idempotency key, its recovery point (the intent) is a part of the same statement, and every other part
  // writes only when the request still held the key.
  const checkpoint = work.checkpointPart(intent.id);
  const gate = checkpoint?.gate ?? {};
  const parts: { name: string; statement: Statement }[] = checkpoint ? [checkpoint.part] : [];
  if (paymentMethod.isNew) parts.push({ name: 'new_payment_method', statement: paymentMethodInsertStatement(scope, paymentMethod.row, gate) });
  if (mandate.isNew && mandate.mandate) parts.push({ name: 'new_mandate', statement: mandateInsertStatement(mandate.mandate, gate) });
  parts.push(
    { name: 'intent', statement: intentInsertStatement(scope, plan.intent, { ...gate, returning: true }) },
    { name: 'new_charge', statement: chargeInsertStatement(plan.charge, gate) },
    { name: 'new_attempt', statement: attemptInsertStatement(scope, route.first, deps.orchestration.janitorScheduleSeconds[0], gate) },
    // Its creation event shows the intent as created, before confirmation.
    { name: 'new_events', statement: eventsInsertStatement(scope, work, [{ type: 'payment_intent.created', object: renderPaymentIntent(intent) }], gate) },
  );
  // Every part is a JSON rows statement: the group commit may merge this one with other requests' (by the intent's id).
  const [inserted] = await work.write<PaymentIntentRow>({ ...combine(parts, rowsOf('intent')), merge: { key: intent.id } }, checkpoint ? undefined : intent.id, intent.id);
  if (!inserted && checkpoint) throw checkpoint.lost();
  return finishAttempt(work, deps, scope, { ...plan, intent: inserted, route, authorize });
}

export async function listPaymentIntentPage(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string }): Promise<Page<PaymentIntentRow>> {
  return listPaymentIntents(db, scope, page, filters);
}

export async function updatePaymentIntentFields(work: UnitOfWork, deps: PaymentIntentDependencies, scope: Scope, id: string, input: PaymentIntentInput): Promise<IntentResult> {
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
    if (hasConnectInput(input) || (intent.connect && changes.amount !== undefined)) {
      changes.connect = await resolveConnect(client, deps, scope, input.platformAccountId, input, intent.connect ?? null, amount, currency);
    }
    if (input.customer !== undefined) {
      await checkCustomer(client, scope, input.customer);
      changes.customer_id = input.customer;
    }
    if (input.payment_method_types !== undefined) {
      changes.payment_method_types = validateTypes(input.payment_method_types, changes.currency ?? intent.currency);
      // Naming the types replaces the automatic choice, as at Stripe.
      changes.automatic_payment_methods = null;
    }
    if (input.shipping !== undefined) changes.shipping = input.shipping === null ? null : fullShipping(input.shipping);
    if (input.payment_method_options !== undefined) {
      refuseCodeOutsideConfirmation(input.payment_method_options);
      changes.payment_method_options = mergePaymentMethodOptions(intent.payment_method_options, input.payment_method_options);
    }
    checkInstallmentsEnabled(changes.payment_method_options ?? intent.payment_method_options, changes.currency ?? intent.currency);
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
