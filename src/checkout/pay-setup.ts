import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import { nowSeconds } from '../platform/ids.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { createPaymentMethod } from '../payment-methods/service.ts';
import { cancelSetupIntent, createSetupIntent } from '../setup-intents/intents.ts';
import { confirmSetupIntent } from '../setup-intents/confirm.ts';
import { findSetupIntent } from '../setup-intents/repository.ts';
import type { SetupIntentRow } from '../setup-intents/types.ts';
import { checkoutReturnUrl, type PayOutcome } from './pay-outcome.ts';
import { findCheckoutSession, setSessionSetupIntent, type CheckoutSessionRow } from './repository.ts';
import { settleSession } from './settle.ts';
import { recordShopperDetails, scopeOf, type CheckoutForm } from './shopper-details.ts';

/**
 * Setup mode: the page saves the shopper's card through the session's one SetupIntent (usage off_session, as Stripe's
 * Checkout makes it, so the merchant can charge the card later without the shopper), and the session completes when it
 * succeeds (payment_status no_payment_required). With a customer (given, or made by customer_creation=always) the
 * card is attached to it; otherwise the merchant finds it on the SetupIntent (`payment_method`).
 */

/**
 * The session's one SetupIntent, made on the first attempt. Two first attempts at once may each make one: the first
 * to record it on the session wins and the other is canceled (`duplicate`) unused.
 */
async function sessionSetupIntent(deps: Dependencies, session: CheckoutSessionRow, form: CheckoutForm): Promise<string | CheckoutSessionRow> {
  const scope = scopeOf(session);
  const prepared = await recordShopperDetails(deps, session, form);
  if (prepared.status !== 'open' || prepared.expires_at <= nowSeconds()) return prepared;
  if (prepared.setup_intent_id !== null) return prepared.setup_intent_id;
  const data = prepared.setup_intent_data ?? {};
  const work = UnitOfWork.alone(deps.db, deps.commits);
  const created = await createSetupIntent(work, deps, scope, {
    customer: prepared.customer_id,
    payment_method_types: prepared.payment_method_types,
    usage: 'off_session',
    description: data.description ?? null,
    metadata: data.metadata,
  });
  await setSessionSetupIntent(deps.db, prepared.id, created.intent.id);
  const after = await findCheckoutSession(deps.db, scope, prepared.id);
  if (after?.setup_intent_id === created.intent.id) return created.intent.id;
  const open = after?.status === 'open' && after.setup_intent_id !== null;
  await cancelSetupIntent(work, scope, created.intent.id, open ? 'duplicate' : 'abandoned');
  return open ? after.setup_intent_id! : (after ?? prepared);
}

/** The page's answer for a SetupIntent as it now is. */
async function setupOutcomeOf(deps: Dependencies, session: CheckoutSessionRow, intent: SetupIntentRow): Promise<PayOutcome> {
  if (intent.status === 'succeeded') {
    const settled = await settleSession(deps, scopeOf(session), session.id);
    return settled?.status === 'complete' ? { kind: 'complete', session: settled } : { kind: 'closed', session: settled ?? session };
  }
  const redirect = (intent.next_action as { redirect_to_url?: { url?: string } } | null)?.redirect_to_url?.url;
  if (intent.status === 'requires_action' && redirect) return { kind: 'redirect', url: redirect };
  if (intent.status === 'processing') return { kind: 'processing', session };
  if (intent.status === 'canceled') return { kind: 'closed', session: (await findCheckoutSession(deps.db, scopeOf(session), session.id)) ?? session };
  const error = intent.last_setup_error;
  return { kind: 'declined', message: error?.message ?? 'Your card could not be saved. Please try again or use another card.', code: error?.code, declineCode: error?.decline_code };
}

/** One attempt on a setup-mode page: the card becomes a PaymentMethod and the session's SetupIntent is confirmed with it. */
export async function setUpCheckoutSession(deps: Dependencies, session: CheckoutSessionRow, form: CheckoutForm): Promise<PayOutcome> {
  const scope = scopeOf(session);
  if (form.method !== 'card' || form.card === null) {
    return { kind: 'declined', message: 'Only a card can be saved here.', code: 'payment_method_not_available' };
  }
  const setupIntentId = await sessionSetupIntent(deps, session, form);
  if (typeof setupIntentId !== 'string') return { kind: 'closed', session: setupIntentId };
  const work = UnitOfWork.alone(deps.db, deps.commits);
  const billing = { name: form.name, email: form.email, phone: form.phone, address: form.address };
  try {
    const method = await createPaymentMethod(work, deps, scope, { type: 'card', card: form.card, billing_details: billing });
    const result = await confirmSetupIntent(work, deps, scope, setupIntentId, { payment_method: method.id, return_url: checkoutReturnUrl(deps.publicUrl, session.id) });
    return await setupOutcomeOf(deps, session, result.intent);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    // Confirmed meanwhile by another attempt (the other tab), or canceled by the session's expiry: the intent says how it ended.
    const intent = await findSetupIntent(deps.db, scope, setupIntentId);
    if (intent && error.code === 'setup_intent_unexpected_state') return setupOutcomeOf(deps, session, intent);
    return { kind: 'declined', message: error.message, code: error.code, declineCode: error.declineCode };
  }
}

/** The shopper is back from 3-D Secure: settle the session by its SetupIntent. */
export async function returnToSetupSession(deps: Dependencies, session: CheckoutSessionRow): Promise<PayOutcome> {
  if (session.status !== 'open' || session.setup_intent_id === null) return { kind: 'closed', session };
  const intent = await findSetupIntent(deps.db, scopeOf(session), session.setup_intent_id);
  if (!intent) return { kind: 'closed', session };
  return setupOutcomeOf(deps, session, intent);
}
