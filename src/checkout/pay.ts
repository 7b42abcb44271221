import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { cancelPaymentIntent } from '../payments/cancel.ts';
import { confirmPaymentIntent } from '../payments/confirm.ts';
import { createPaymentIntent } from '../payments/intents.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../payments/repository.ts';
import type { ConfirmInput } from '../payments/types.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { createPaymentMethod } from '../payment-methods/service.ts';
import { checkoutReturnUrl, type PayOutcome } from './pay-outcome.ts';
import { findCheckoutSession, setSessionPaymentIntent, type CheckoutSessionRow } from './repository.ts';
import { returnToSetupSession, setUpCheckoutSession } from './pay-setup.ts';
import { connectInputOf } from './session-connect.ts';
import { settleSession } from './settle.ts';
import { recordShopperDetails, scopeOf, type CheckoutForm } from './shopper-details.ts';

export type { CheckoutForm } from './shopper-details.ts';
export type { PayOutcome } from './pay-outcome.ts';
export { checkoutReturnUrl } from './pay-outcome.ts';

export type PayDependencies = Dependencies;

/**
 * The session's one PaymentIntent, made on the first payment attempt with the session's amount, currency, customer
 * and payment_intent_data. Two first attempts at once (a double submit, two tabs) may each make one: the first to
 * record it on the session wins, and the other is canceled (`duplicate`) unused, so a session never has two
 * PaymentIntents that could both be paid. Also records what the shopper entered (recordShopperDetails).
 */
async function sessionIntent(deps: PayDependencies, session: CheckoutSessionRow, form: CheckoutForm): Promise<string | CheckoutSessionRow> {
  const scope = scopeOf(session);
  const prepared = await recordShopperDetails(deps, session, form);
  if (prepared.status !== 'open' || prepared.expires_at <= nowSeconds()) return prepared;
  if (prepared.payment_intent_id !== null) return prepared.payment_intent_id;
  const data = prepared.payment_intent_data;
  const work = UnitOfWork.alone(deps.db, deps.commits);
  const created = await createPaymentIntent(work, deps, scope, {
    amount: prepared.amount_total!,
    currency: prepared.currency!,
    customer: prepared.customer_id,
    payment_method_types: prepared.payment_method_types,
    capture_method: data.capture_method,
    description: data.description,
    metadata: data.metadata,
    setup_future_usage: data.setup_future_usage,
    statement_descriptor: data.statement_descriptor,
    statement_descriptor_suffix: data.statement_descriptor_suffix,
    receipt_email: data.receipt_email ?? form.email,
    shipping: form.shipping === null ? undefined : { name: form.shipping.name, address: form.shipping.address },
    // A destination (or direct) charge, as the session was created: checked again now, as the intent is made.
    ...connectInputOf(data),
    ...(data.platform_account_id ? { platformAccountId: data.platform_account_id } : {}),
  }, undefined);
  await setSessionPaymentIntent(deps.db, prepared.id, created.intent.id);
  const after = await findCheckoutSession(deps.db, scope, prepared.id);
  if (after?.payment_intent_id === created.intent.id) return created.intent.id;
  // Not recorded: another attempt's intent was (a double submit), or the session ended meanwhile (expired, or its
  // Payment Link reached its limit). This one is canceled unused, and the shopper pays through the other or not at all.
  const open = after?.status === 'open' && after.payment_intent_id !== null;
  await cancelPaymentIntent(work, deps, scope, created.intent.id, open ? 'duplicate' : 'abandoned');
  return open ? after.payment_intent_id! : (after ?? prepared);
}

/** The page's answer for an intent as it now is. */
async function outcomeOf(deps: PayDependencies, session: CheckoutSessionRow, intent: PaymentIntentRow, decline?: { message?: string; code?: string; decline_code?: string }): Promise<PayOutcome> {
  const scope = scopeOf(session);
  const nextAction = intent.next_action as { type?: string; redirect_to_url?: { url?: string } } | null;
  const voucher = intent.status === 'requires_action' && nextAction?.type === 'boleto_display_details';
  if (intent.status === 'succeeded' || intent.status === 'requires_capture' || intent.status === 'processing' || voucher) {
    // Processing completes the session when the method's outcome comes later (PayPal's pending capture, a SEPA debit,
    // BLIK, UPI), as an issued boleto does; a card's stays open, and the page says the payment is in progress.
    const settled = await settleSession(deps, scope, session.id);
    if (settled?.status === 'complete') {
      if (settled.async_payment !== 'pending' || intent.payment_method_id === null) return { kind: 'complete', session: settled };
      const method = await findPaymentMethod(deps.db, scope, intent.payment_method_id);
      const current = (await findPaymentIntent(deps.db, scope, intent.id)) ?? intent;
      return { kind: 'complete', session: settled, pending: { type: method?.type ?? 'card', nextAction: current.next_action } };
    }
    if (intent.status !== 'processing' && !voucher) return { kind: 'closed', session: settled ?? session };
  }
  const redirect = nextAction?.redirect_to_url?.url;
  if (intent.status === 'requires_action' && redirect) return { kind: 'redirect', url: redirect };
  if (intent.status === 'requires_action' && nextAction?.type === 'pix_display_qr_code') return { kind: 'display', session, nextAction: intent.next_action! };
  if (intent.status === 'processing') return { kind: 'processing', session: (await findCheckoutSession(deps.db, scope, session.id)) ?? session };
  const error = decline ?? (intent.last_payment_error as { message?: string; code?: string; decline_code?: string } | null) ?? {};
  return { kind: 'declined', message: error.message ?? 'Your payment was not completed. Please try again or use another card.', code: error.code, declineCode: error.decline_code };
}

/**
 * One payment attempt on the hosted page: the card becomes a PaymentMethod, the session's PaymentIntent is
 * confirmed with it (returning here after 3-D Secure), and a success completes the session. A concurrent attempt
 * that already paid (the other tab) is found through the intent, whose state machine lets one confirmation through.
 */
export async function payCheckoutSession(deps: PayDependencies, session: CheckoutSessionRow, form: CheckoutForm): Promise<PayOutcome> {
  if (session.mode === 'setup') return setUpCheckoutSession(deps, session, form);
  const scope = scopeOf(session);
  let intentId: Awaited<ReturnType<typeof sessionIntent>>;
  try {
    intentId = await sessionIntent(deps, session, form);
  } catch (error) {
    // The session's Connect parameters no longer hold (its destination lost a capability since): no intent is made.
    if (error instanceof ApiError && error.status < 500) return { kind: 'declined', message: error.message, code: error.code, declineCode: error.declineCode };
    throw error;
  }
  if (typeof intentId !== 'string') return { kind: 'closed', session: intentId };
  const work = UnitOfWork.alone(deps.db, deps.commits);
  const billing = { name: form.name, email: form.email, phone: form.phone, address: form.address };
  const returnUrl = checkoutReturnUrl(deps.publicUrl, session.id);
  let confirmation: ConfirmInput;
  if (form.method === 'paypal') {
    // A PayPal PaymentMethod made for the payment; the shopper approves on PayPal and comes back through the return page.
    confirmation = { payment_method_data: { type: 'paypal', billing_details: billing }, return_url: returnUrl };
  } else if (form.local) {
    // A local method: its PaymentMethod made from what the page asked (local-method-fields.ts); a redirect method's bank
    // page comes back through the return page; SEPA's mandate is accepted online by confirming on the page, which
    // showed its text; BLIK's code is a one-time option of this confirmation.
    confirmation = { payment_method_data: form.local.data, return_url: returnUrl };
    if (form.local.options) confirmation.payment_method_options = form.local.options;
    if (form.local.data.type === 'sepa_debit') {
      confirmation.mandate_data = { customer_acceptance: { type: 'online', online: { ip_address: form.client?.ipAddress ?? '', user_agent: form.client?.userAgent ?? '' } } };
    }
  } else {
    try {
      const method = await createPaymentMethod(work, deps, scope, { type: 'card', card: form.card!, billing_details: billing });
      confirmation = { payment_method: method.id, return_url: returnUrl };
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return { kind: 'declined', message: error.message, code: error.code, declineCode: error.declineCode };
      throw error;
    }
  }
  try {
    const result = await confirmPaymentIntent(work, deps, scope, intentId, confirmation);
    return await outcomeOf(deps, session, result.intent, result.decline as { message?: string; code?: string; decline_code?: string } | undefined);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    // Confirmed meanwhile by another attempt (or canceled by the session's expiry): the intent says how it ended.
    const intent = await findPaymentIntent(deps.db, scope, intentId);
    if (!intent) throw error;
    if (intent.status === 'canceled') {
      const current = await findCheckoutSession(deps.db, scope, session.id);
      return { kind: 'closed', session: current ?? session };
    }
    if (error.code === 'payment_intent_unexpected_state') return outcomeOf(deps, session, intent);
    return { kind: 'declined', message: error.message, code: error.code, declineCode: error.declineCode };
  }
}

/** The shopper is back from 3-D Secure (or a wallet): settle the session by its intent. */
export async function returnToCheckoutSession(deps: PayDependencies, session: CheckoutSessionRow): Promise<PayOutcome> {
  if (session.mode === 'setup') return returnToSetupSession(deps, session);
  if (session.status !== 'open' || session.payment_intent_id === null) return { kind: 'closed', session };
  const intent = await findPaymentIntent(deps.db, scopeOf(session), session.payment_intent_id);
  if (!intent) return { kind: 'closed', session };
  return outcomeOf(deps, session, intent);
}
