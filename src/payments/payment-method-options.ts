import type { AutomaticPaymentMethods, CardPaymentMethodOptions, InstallmentPlan, PaymentIntentRow, PaymentMethodOptions } from './repository.ts';
import { isLocalMethodType } from '../payment-methods/method-types.ts';
import { ApiError } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import { checkDebitTargetDate } from '../mandates/debit-date.ts';

/**
 * Stripe's per-type `payment_method_options` and `automatic_payment_methods` of a PaymentIntent: how
 * they are merged on update, what they mean for a payment, and how they render. Payrail takes the `card` options
 * that change what happens to a card payment (see docs/api.md).
 */

/** What a request gives for `payment_method_options[card]`: `null` (sent as '') unsets a field or the whole hash. */
export interface CardOptionsInput {
  request_three_d_secure?: CardPaymentMethodOptions['request_three_d_secure'];
  capture_method?: 'manual' | null;
  setup_future_usage?: CardPaymentMethodOptions['setup_future_usage'] | null;
  request_incremental_authorization?: CardPaymentMethodOptions['request_incremental_authorization'];
  installments?: { enabled?: boolean; plan?: { count?: number; interval?: 'month'; type?: 'fixed_count' } | null } | null;
}

/**
 * Where installments are offered: Stripe offers them in Mexico (MXN); Mercado Pago's cards in Brazil (BRL). The plans
 * are of 2 to 12 monthly installments (Stripe's fixed_count plans, Mercado Pago's `installments` up to 12).
 */
export const installmentCurrencies: readonly string[] = ['brl', 'mxn'];
export const installmentCountMin = 2;
export const installmentCountMax = 12;
const enabledParam = 'payment_method_options[card][installments][enabled]';
const planParam = 'payment_method_options[card][installments][plan]';

export interface PaymentMethodOptionsInput {
  card?: CardOptionsInput | null;
  blik?: { code?: string } | null;
  klarna?: { capture_method?: 'manual' | null; preferred_locale?: string | null } | null;
  boleto?: { expires_after_days?: number | null } | null;
  pix?: { expires_after_seconds?: number | null } | null;
  upi?: { flow?: 'collect' | 'intent' | null } | null;
  sepa_debit?: { target_date?: string | null } | null;
}

/** Stripe's defaults: a boleto voucher is payable for 3 calendar days, a Pix QR code for 24 hours. */
export const boletoExpiresAfterDaysDefault = 3;
export const pixExpiresAfterSecondsDefault = 86_400;

/** The option hashes merged field by field (a field given replaces, '' removes, absent keeps). */
const optionTypes = ['card', 'blik', 'klarna', 'boleto', 'pix', 'upi', 'sepa_debit'] as const;

/** BLIK's code is for one confirmation (Stripe: "can only be set on confirmation"); elsewhere it is refused. */
export function refuseCodeOutsideConfirmation(input: PaymentMethodOptionsInput | null | undefined): void {
  // Stripe: the installment plan "can only be provided during confirmation", like BLIK's code.
  if (input?.card?.installments?.plan !== undefined && input.card.installments.plan !== null) {
    throw new ApiError('payment_intent_invalid_parameter', `${planParam} can only be set when confirming a PaymentIntent.`, { param: planParam });
  }
  if (input?.blik?.code !== undefined) {
    throw new ApiError('payment_intent_invalid_parameter', 'payment_method_options[blik][code] can only be set when confirming a PaymentIntent.', { param: 'payment_method_options[blik][code]' });
  }
}

/** Merges an update into the stored options, as Stripe does: a field given replaces, '' removes, absent keeps. */
export function mergePaymentMethodOptions(current: PaymentMethodOptions, input: PaymentMethodOptionsInput | null | undefined, now: number = nowSeconds()): PaymentMethodOptions {
  if (input === undefined) return current;
  if (input === null) return {};
  // A SEPA debit's target date is checked when given (create, update, confirm), against today (mandates/debit-date.ts).
  const targetDate = input.sepa_debit?.target_date;
  if (typeof targetDate === 'string') checkDebitTargetDate(targetDate, now, 'payment_method_options[sepa_debit][target_date]');
  const next: Record<string, unknown> = { ...current };
  for (const type of optionTypes) {
    const given = input[type];
    if (given === null) delete next[type];
    else if (given !== undefined) {
      const merged: Record<string, unknown> = { ...((current[type] as Record<string, unknown> | undefined) ?? {}) };
      for (const [key, value] of Object.entries(given)) {
        if (value === undefined) continue;
        if (value === null) delete merged[key];
        // The installments hash is merged a level deeper: a plan chosen at confirmation keeps `enabled`.
        else if (type === 'card' && key === 'installments') merged[key] = mergeInstallments(merged[key] as Record<string, unknown> | undefined, value as Record<string, unknown>);
        else merged[key] = value;
      }
      next[type] = merged;
    }
  }
  return next as PaymentMethodOptions;
}

/** Since API 2023-08-16 an intent created without `payment_method_types` has automatic payment methods enabled. */
export function automaticPaymentMethodsAtCreation(input: { enabled: boolean; allow_redirects?: 'always' | 'never' } | undefined, typesGiven: boolean): AutomaticPaymentMethods | null {
  if (input !== undefined) return input.enabled ? { enabled: true, allow_redirects: input.allow_redirects ?? 'always' } : null;
  return typesGiven ? null : { enabled: true, allow_redirects: 'always' };
}

/** `payment_method_options[card][capture_method]=manual` makes card payments of the intent manual-capture. */
export function captureIsManual(intent: Pick<PaymentIntentRow, 'capture_method' | 'payment_method_options'>, paymentMethodType: string): boolean {
  if (intent.capture_method === 'manual') return true;
  if (paymentMethodType === 'klarna') return intent.payment_method_options.klarna?.capture_method === 'manual';
  return paymentMethodType === 'card' && intent.payment_method_options.card?.capture_method === 'manual';
}

/** The card's own `setup_future_usage` overrides the intent's (`none` turns it off for cards). */
export function effectiveSetupFutureUsage(intent: Pick<PaymentIntentRow, 'setup_future_usage' | 'payment_method_options'>, paymentMethodType: string): 'on_session' | 'off_session' | null {
  const card = paymentMethodType === 'card' ? intent.payment_method_options.card?.setup_future_usage : undefined;
  if (card === undefined) return intent.setup_future_usage;
  return card === 'none' ? null : card;
}

/** Whether the merchant asked that a card authorization be incrementable (and the capture is manual). */
export function incrementalAuthorizationRequested(intent: Pick<PaymentIntentRow, 'capture_method' | 'payment_method_options'>, paymentMethodType: string): boolean {
  return paymentMethodType === 'card' && intent.payment_method_options.card?.request_incremental_authorization === 'if_available' && captureIsManual(intent, paymentMethodType);
}

/** Stripe's rendered `payment_method_options`: each type of the intent, with the options given. */
export function renderPaymentMethodOptions(intent: Pick<PaymentIntentRow, 'payment_method_options' | 'payment_method_types'>): Record<string, unknown> {
  const card = intent.payment_method_options.card ?? {};
  const rendered: Record<string, unknown> = {
    card: { mandate_options: null, network: null, request_three_d_secure: card.request_three_d_secure ?? 'automatic', ...withoutThreeDSecure(card), installments: renderInstallments(card) },
  };
  // A local type of the intent shows its options; BLIK's code is write-only, as at Stripe.
  for (const type of intent.payment_method_types) {
    if (type === 'blik') rendered.blik = {};
    else if (type === 'klarna') rendered.klarna = { preferred_locale: intent.payment_method_options.klarna?.preferred_locale ?? null, ...(intent.payment_method_options.klarna?.capture_method ? { capture_method: 'manual' } : {}) };
    else if (type === 'boleto') rendered.boleto = { expires_after_days: intent.payment_method_options.boleto?.expires_after_days ?? boletoExpiresAfterDaysDefault };
    else if (type === 'pix') rendered.pix = { expires_after_seconds: intent.payment_method_options.pix?.expires_after_seconds ?? pixExpiresAfterSecondsDefault, expires_at: null };
    else if (type === 'sepa_debit') rendered.sepa_debit = intent.payment_method_options.sepa_debit?.target_date ? { target_date: intent.payment_method_options.sepa_debit.target_date } : {};
    else if (type === 'upi') rendered.upi = intent.payment_method_options.upi?.flow ? { flow: intent.payment_method_options.upi.flow } : {};
    else if (isLocalMethodType(type)) rendered[type] = {};
  }
  return rendered;
}

function withoutThreeDSecure(card: CardPaymentMethodOptions): Omit<CardPaymentMethodOptions, 'request_three_d_secure'> {
  const { request_three_d_secure: _ignored, ...rest } = card;
  return rest;
}

function mergeInstallments(current: Record<string, unknown> | undefined, given: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * Installments may be enabled only for a currency where they are offered (`installmentCurrencies`), as Stripe refuses
 * them outside Mexico; checked when an intent's options or currency are set.
 */
export function checkInstallmentsEnabled(options: PaymentMethodOptions, currency: string): void {
  if (options.card?.installments?.enabled !== true) return;
  if (!installmentCurrencies.includes(currency)) {
    throw new ApiError('payment_intent_invalid_parameter', `Installments are not available for payments in ${currency.toUpperCase()}: they are offered in ${installmentCurrencies.map((code) => code.toUpperCase()).join(' and ')} only.`, { param: enabledParam });
  }
}

/**
 * At confirmation: a plan needs installments enabled on the intent (or in the same request), a card, a currency where
 * they are offered, and Stripe's fixed_count plan of 2 to 12 monthly installments.
 */
export function checkInstallmentPlan(intent: Pick<PaymentIntentRow, 'payment_method_options' | 'currency'>, paymentMethodType: string): void {
  const installments = intent.payment_method_options.card?.installments;
  checkInstallmentsEnabled(intent.payment_method_options, intent.currency);
  const plan = installments?.plan as Partial<InstallmentPlan> | undefined;
  if (plan === undefined) return;
  if (installments?.enabled !== true) {
    throw new ApiError('payment_intent_invalid_parameter', `An installment plan needs installments enabled on the PaymentIntent: set ${enabledParam}=true.`, { param: planParam });
  }
  if (paymentMethodType !== 'card') {
    throw new ApiError('payment_intent_invalid_parameter', `Installment plans are for card payments, not ${paymentMethodType}.`, { param: planParam });
  }
  if (plan.type === undefined) throw new ApiError('parameter_missing', `Missing required param: ${planParam}[type].`, { param: `${planParam}[type]` });
  if (plan.interval === undefined) throw new ApiError('parameter_missing', `Missing required param: ${planParam}[interval]. A fixed_count plan is paid monthly (interval=month).`, { param: `${planParam}[interval]` });
  if (plan.count === undefined) throw new ApiError('parameter_missing', `Missing required param: ${planParam}[count].`, { param: `${planParam}[count]` });
  if (!Number.isInteger(plan.count) || plan.count < installmentCountMin || plan.count > installmentCountMax) {
    throw new ApiError('payment_intent_invalid_parameter', `The installment plan's count must be from ${installmentCountMin} to ${installmentCountMax} monthly installments.`, { param: `${planParam}[count]` });
  }
}

/** The plan a card payment of the intent is made in, or null for one payment. */
export function installmentPlanOf(intent: Pick<PaymentIntentRow, 'payment_method_options'>, paymentMethodType: string): InstallmentPlan | null {
  if (paymentMethodType !== 'card') return null;
  const installments = intent.payment_method_options.card?.installments;
  return installments?.enabled === true && installments.plan ? installments.plan : null;
}

/** Stripe's rendered `payment_method_options.card.installments`: null unless enabled on the intent. */
function renderInstallments(card: CardPaymentMethodOptions): Record<string, unknown> | null {
  const installments = card.installments;
  if (installments?.enabled === undefined && installments?.plan === undefined) return null;
  return {
    enabled: installments.enabled === true,
    // Payrail does not list plans per card (Stripe lists them once a card is attached): null, as Stripe's nullable field allows.
    available_plans: null,
    plan: installments.plan ?? null,
  };
}
