import type { AutomaticPaymentMethods, CardPaymentMethodOptions, PaymentIntentRow, PaymentMethodOptions } from './repository.ts';
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
}

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
    card: { installments: null, mandate_options: null, network: null, request_three_d_secure: card.request_three_d_secure ?? 'automatic', ...withoutThreeDSecure(card) },
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
