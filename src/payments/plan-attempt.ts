import { debitDateFor } from '../mandates/debit-date.ts';
import type { AuthorizeInput, LocalMethodData, StoredCardReference, StoredCredential } from '../connectors/connector.ts';
import type { BaseAuthorizeInput, RoutePlan } from '../orchestration/orchestrator.ts';
import type { PaymentFacts } from '../routing/types.ts';
import type { Scope } from '../platform/scope.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { renderPayPalPaymentDetails } from '../payment-methods/render.ts';
import { checkLocalPayment, localChargeDetails, localMethod } from '../payment-methods/local-methods.ts';
import { ApiError } from '../platform/errors.ts';
import type { LocalPaymentMethodRow, PaymentMethodRow } from '../payment-methods/repository.ts';
import { revealBankAccount, revealCardNumber, revealSecurityCode, type PaymentMethodDependencies } from '../payment-methods/service.ts';
import type { ChargeRow, InstallmentPlan, PaymentIntentRow, PaymentMethodOptions } from './repository.ts';
import { checkPaymentMethodOwner, checkPaymentMethodType } from './checks.ts';
import { fullShipping } from '../customers/address.ts';
import { listProviderReferences } from '../payment-methods/provider-references-repository.ts';
import type { Queryable } from '../platform/db.ts';
import { captureIsManual, checkInstallmentPlan, effectiveSetupFutureUsage, incrementalAuthorizationRequested, installmentPlanOf, mergePaymentMethodOptions } from './payment-method-options.ts';
import type { ConfirmInput } from './types.ts';
import { decisionKey } from './sca/three-d-secure.ts';
import type { ScaDecision } from './sca/types.ts';

// Builders of an attempt, without writing anything: its charge, the intent's move to `processing`, the provider input.

/** What building an attempt's provider input uses: revealing the card number. */
export type PlanAttemptDependencies = PaymentMethodDependencies;

/** The charge's `payment_method_details` before the provider answers: the card as stored, or PayPal's payer as far as known. */
function paymentMethodDetails(paymentMethod: PaymentMethodRow, amount: number, installmentPlan: InstallmentPlan | null): Record<string, unknown> {
  if (paymentMethod.type === 'paypal') {
    return { billing_details: paymentMethod.billing_details, type: 'paypal', paypal: renderPayPalPaymentDetails(paymentMethod.wallet, undefined) };
  }
  if (paymentMethod.type !== 'card') {
    return { billing_details: paymentMethod.billing_details, type: paymentMethod.type, [paymentMethod.type]: localChargeDetails(paymentMethod, undefined) };
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
      // The plan the customer pays in (Stripe's payment_method_details.card.installments), null for one payment.
      installments: installmentPlan ? { plan: installmentPlan } : null,
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

export interface Attempt {
  intent: PaymentIntentRow;
  charge: ChargeRow;
  paymentMethod: PaymentMethodRow;
  /** The connectors to try, in order, and the first attempt (recorded with the charge). */
  route: RoutePlan;
  authorize: BaseAuthorizeInput;
  /** The payment cannot ask the customer to authenticate (off_session, or error_on_requires_action). */
  offSession: boolean;
  /** The merchant starts it without the customer (off_session=true): a merchant-initiated transaction. */
  merchantInitiated: boolean;
}

/**
 * Plans the first half of a confirmation: checks the state and builds the attempt (a pending charge) and the
 * intent's move to `processing`. Nothing is written here; the provider is only called after these rows commit.
 */
export function planAttempt(scope: Scope, intent: PaymentIntentRow, input: ConfirmInput, paymentMethod: PaymentMethodRow): Omit<Attempt, 'authorize' | 'route'> & { changes: Partial<PaymentIntentRow>; attemptOptions: Record<string, unknown> } {
  // Options good for this confirmation only (BLIK's code): checked and sent to the connector, never stored.
  const { stored: options, attemptOnly: attemptOptions } = splitAttemptOptions(mergePaymentMethodOptions(intent.payment_method_options, input.payment_method_options));
  checkPaymentMethodOwner(paymentMethod, intent.customer_id);
  checkPaymentMethodType(paymentMethod, intent.payment_method_types);
  if (paymentMethod.type !== 'card' && paymentMethod.type !== 'paypal') checkLocalPayment(paymentMethod, intent);
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
    shipping: input.shipping === undefined ? intent.shipping : input.shipping === null ? null : fullShipping(input.shipping),
    payment_method_options: options,
  };
  const planned = { ...intent, ...changes };
  if (paymentMethod.type !== 'card' && paymentMethod.type !== 'paypal') checkLocalOptions(planned, paymentMethod.type, attemptOptions);
  checkInstallmentPlan(planned, paymentMethod.type);
  const installmentPlan = installmentPlanOf(planned, paymentMethod.type);
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
    payment_method_details: paymentMethodDetails(paymentMethod, intent.amount, installmentPlan),
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
    transfer_group: input.charge?.transfer_group ?? intent.connect?.transfer_group ?? null,
    incremental_authorization_attempts: 0,
  };
  // Only a Connect intent's charge carries the key (an ordinary payment's insert stays as it was).
  if (intent.connect) charge.connect = { ...intent.connect, transfer: null, application_fee: null, application_fee_collected: null };
  return {
    intent: planned,
    attemptOptions,
    changes,
    charge,
    paymentMethod,
    // Off-session payments cannot ask the customer to authenticate, and error_on_requires_action asks to fail instead.
    offSession: input.off_session === true || input.error_on_requires_action === true,
    merchantInitiated: input.off_session === true,
  };
}

/** Splits BLIK's one-time code (set at confirmation, valid two minutes) off the options the intent keeps. */
function splitAttemptOptions(options: PaymentMethodOptions): { stored: PaymentMethodOptions; attemptOnly: Record<string, unknown> } {
  if (options.blik?.code === undefined) return { stored: options, attemptOnly: {} };
  const { code, ...blik } = options.blik;
  return { stored: { ...options, blik }, attemptOnly: { code } };
}

/**
 * The provider input of a confirmation's attempt: authorizeInput, with the options good for this confirmation only
 * (`attemptOptions`, BLIK's code) added to the local method's options.
 */
export function confirmationAuthorizeInput(
  deps: PlanAttemptDependencies, plan: Pick<Attempt, 'intent' | 'paymentMethod' | 'merchantInitiated'> & { attemptOptions: Record<string, unknown> }, decision: ScaDecision | null = null,
): BaseAuthorizeInput {
  const base = authorizeInput(deps, plan.intent, plan.paymentMethod, undefined, plan.merchantInitiated, decision);
  return base.localMethod ? { ...base, localMethod: { ...base.localMethod, options: { ...base.localMethod.options, ...plan.attemptOptions } } } : base;
}

/** A BLIK payment needs the customer's 6-digit code; a method that cannot hold funds refuses manual capture. */
function checkLocalOptions(intent: PaymentIntentRow, type: LocalPaymentMethodRow['type'], attemptOptions: Record<string, unknown>): void {
  if (type === 'blik') {
    const code = attemptOptions.code as string | undefined;
    const param = 'payment_method_options[blik][code]';
    if (code === undefined) throw new ApiError('parameter_missing', `Missing required param: ${param}. A BLIK payment is confirmed with the 6-digit code from the customer's banking app.`, { param });
    if (!/^\d{6}$/.test(code)) throw new ApiError('payment_method_invalid_parameter', 'The BLIK code must be 6 digits.', { param });
  }
  // The customer leaves for the bank's page and must be sent somewhere afterwards, as Stripe insists.
  if (localMethod(type).nextAction === 'redirect_to_url' && !intent.return_url) {
    throw new ApiError('parameter_missing', `A return_url is required to confirm a PaymentIntent with a PaymentMethod of type ${type}: the customer is redirected to authorize the payment and comes back to it.`, { param: 'return_url' });
  }
  if (captureIsManual(intent, type) && !localMethod(type).manualCapture) {
    throw new ApiError('payment_intent_invalid_parameter', `PaymentMethods of type ${type} do not support manual capture: use capture_method=automatic.`, { param: 'capture_method' });
  }
}

/**
 * The charge with the mandate it debits under (`payment_method_details.sepa_debit.mandate`), when there is one, and
 * Payrail's `payrail_expected_debit_date`: the day the debit is expected on the customer's account, which the SEPA
 * pre-notification announces (mandates/debit-date.ts): the intent's `payment_method_options[sepa_debit][target_date]`
 * when given and still ahead of the earliest possible day.
 */
export function withMandate(charge: ChargeRow, mandateId: string | null, targetDate?: string): ChargeRow {
  if (mandateId === null) return charge;
  const details = charge.payment_method_details as Record<string, Record<string, unknown> | undefined> & { type?: string };
  const type = details.type ?? '';
  const hash = details[type];
  if (!hash) return charge;
  return {
    ...charge,
    payment_method_details: { ...charge.payment_method_details, [type]: { ...hash, mandate: mandateId, payrail_expected_debit_date: debitDateFor(Number(charge.created), targetDate) } },
  };
}

/** What planMandate is told of a planned confirmation. */
export function mandatePayment(plan: Pick<Attempt, 'intent' | 'paymentMethod' | 'merchantInitiated'>): { paymentMethodId: string; paymentMethodType: string; amount: number; currency: string; setupFutureUsage: string | null; offSession: boolean } {
  return {
    paymentMethodId: plan.paymentMethod.id, paymentMethodType: plan.paymentMethod.type, amount: plan.intent.amount, currency: plan.intent.currency,
    setupFutureUsage: plan.intent.setup_future_usage ?? null, offSession: plan.merchantInitiated,
  };
}

/**
 * What routing decides from: the payment and its card (the BIN is read from the number in memory, never stored). A
 * wallet (PayPal) has no brand or BIN; its country is the payer's once PayPal told it, else the billing country.
 */
export function paymentFacts(intent: PaymentIntentRow, paymentMethod: PaymentMethodRow, authorize: BaseAuthorizeInput): PaymentFacts {
  const card = paymentMethod.type === 'card' ? paymentMethod.card : null;
  const country = card ? card.country : paymentMethod.type === 'paypal' ? paymentMethod.wallet?.country ?? null : null;
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
    installments: authorize.installments !== undefined,
  };
}

/**
 * A card's stored-credential context for the provider: merchant-initiated (off_session=true), and/or to be saved for
 * later (setup_future_usage, filed under the customer, else the PaymentMethod, as a SetupIntent files it). Undefined for
 * a one-off payment the customer makes.
 */
function storedCredentialOf(intent: PaymentIntentRow, paymentMethod: PaymentMethodRow, merchantInitiated: boolean): StoredCredential | undefined {
  if (paymentMethod.type !== 'card') return undefined;
  const usage = effectiveSetupFutureUsage(intent, paymentMethod.type);
  if (!merchantInitiated && usage === null) return undefined;
  return {
    initiator: merchantInitiated ? 'merchant' : 'customer',
    ...(usage !== null ? { save: { usage, shopperReference: intent.customer_id ?? paymentMethod.id } } : {}),
  };
}

/**
 * What the providers kept of a card's setup, per connector configuration ('' for the built-in test processor), for a
 * merchant-initiated payment: each attempt sends its own configuration's (`attemptAuthorizeInput`). Read only for
 * such payments, so a payment the customer makes costs no query.
 */
export async function storedReferencesOf(db: Queryable, scope: Scope, base: BaseAuthorizeInput, paymentMethodId: string): Promise<BaseAuthorizeInput> {
  if (base.storedCredential?.initiator !== 'merchant') return base;
  const references = new Map<string, StoredCardReference>();
  for (const row of await listProviderReferences(db, scope, paymentMethodId)) {
    const key = row.connector_configuration_id ?? '';
    // Newest first: the first row of a configuration is the one to use.
    if (!references.has(key)) references.set(key, { providerToken: row.provider_token, shopperReference: row.shopper_reference, networkTransactionId: row.network_transaction_id });
  }
  return { ...base, storedReferences: references };
}

/**
 * The charge with Payrail's strong customer authentication decision kept in its card details (rendered as the
 * `payrail_strong_customer_authentication` extension), where every later ask of the provider reads it again.
 */
export function withScaDecision(charge: ChargeRow, decision: ScaDecision | null): ChargeRow {
  if (decision === null) return charge;
  const details = charge.payment_method_details as { card?: Record<string, unknown> };
  if (!details.card) return charge;
  return { ...charge, payment_method_details: { ...charge.payment_method_details, card: { ...details.card, [decisionKey]: decision } } };
}

/**
 * The provider input of a payment. `decision` is the charge's strong customer authentication decision (sca/): the
 * same on every ask of the attempt (first call, the janitor's sync, the return from a challenge), as a replay must be.
 */
export function authorizeInput(deps: PlanAttemptDependencies, intent: PaymentIntentRow, paymentMethod: PaymentMethodRow, authentication?: AuthorizeInput['authentication'], merchantInitiated = false, decision: ScaDecision | null = null): BaseAuthorizeInput {
  const storedCredential = storedCredentialOf(intent, paymentMethod, merchantInitiated);
  return {
    amount: intent.amount,
    currency: intent.currency,
    capture: !captureIsManual(intent, paymentMethod.type),
    // A wallet (PayPal) has no card: the buyer pays on the provider's page.
    ...(paymentMethod.type === 'card'
      ? {
        card: {
          number: revealCardNumber(deps, paymentMethod), expMonth: paymentMethod.card.exp_month, expYear: paymentMethod.card.exp_year, brand: paymentMethod.card.brand,
          holderName: paymentMethod.billing_details.name, holderEmail: paymentMethod.billing_details.email, securityCode: revealSecurityCode(deps, paymentMethod),
        },
      }
      : {}),
    ...(installmentPlanOf(intent, paymentMethod.type) ? { installments: { count: installmentPlanOf(intent, paymentMethod.type)!.count } } : {}),
    authentication,
    ...(paymentMethod.type === 'card'
      ? { requestThreeDSecure: intent.payment_method_options.card?.request_three_d_secure ?? 'automatic', requestIncrementalAuthorization: incrementalAuthorizationRequested(intent, paymentMethod.type) }
      : {}),
    ...(storedCredential ? { storedCredential } : {}),
    ...(decision ? { strongCustomerAuthentication: { authenticate: decision.action === 'authenticate', exemption: decision.exemption } } : {}),
    ...(paymentMethod.type !== 'card' && paymentMethod.type !== 'paypal' ? { localMethod: localMethodData(deps, intent, paymentMethod) } : {}),
  };
}

/** What a connector is told of a local PaymentMethod and the intent's options of its type (connector.ts LocalMethodData). */
function localMethodData(deps: PlanAttemptDependencies, intent: PaymentIntentRow, paymentMethod: LocalPaymentMethodRow): LocalMethodData {
  const billing = paymentMethod.billing_details;
  const options = (intent.payment_method_options as Record<string, Record<string, unknown> | undefined>)[paymentMethod.type] ?? {};
  const iban = paymentMethod.type === 'sepa_debit' ? revealBankAccount(deps, paymentMethod) : null;
  return {
    type: paymentMethod.type,
    details: paymentMethod.wallet,
    ...(iban !== null ? { bankAccount: { iban } } : {}),
    billingDetails: {
      email: billing.email, name: billing.name, phone: billing.phone, country: billing.address?.country ?? null,
      address: billing.address
        ? { line1: billing.address.line1 ?? null, line2: billing.address.line2 ?? null, city: billing.address.city ?? null, state: billing.address.state ?? null, postalCode: billing.address.postal_code ?? null, country: billing.address.country ?? null }
        : null,
    },
    options,
  };
}
