import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { PaymentCancelDependencies } from '../payments/cancel.ts';
import { findPaymentIntent } from '../payments/repository.ts';
import { findSetupIntent } from '../setup-intents/repository.ts';
import { cancelUnfinishedSetupIntent, cancelUnpaidIntent } from './cancel-unpaid-intent.ts';
import { renderCheckoutSession } from './render.ts';
import { endSession, findCheckoutSession, type CheckoutSessionRow } from './repository.ts';
import { completionOf, settleSession, type SettleDependencies } from './settle.ts';

export type ExpireDependencies = SettleDependencies & PaymentCancelDependencies & Pick<Dependencies, 'commits'>;

/**
 * Expires an open session (the API's `expire`, or the sweep once `expires_at` has passed), with
 * `checkout.session.expired`. Its PaymentIntent, if the page made one, is canceled first (reason `abandoned`), so the
 * shopper can no longer pay through it: the intent's own state machine decides the race with a confirmation under
 * way. A session whose intent has succeeded (or is authorized, or is processing with a delayed-notification method)
 * completes instead, and one whose card payment is processing stays open; either way the API answers 400 `checkout_session_unexpected_state`, the sweep tries again later.
 */
export async function expireSession(deps: ExpireDependencies, scope: Scope, sessionId: string): Promise<CheckoutSessionRow> {
  const session = await findCheckoutSession(deps.db, scope, sessionId);
  if (!session) throw missing('checkout.session', sessionId);
  if (session.status !== 'open') throw notOpen(session);
  // If the intent moved on meanwhile (the shopper's confirmation won), what it became decides below.
  if (session.payment_intent_id !== null) await cancelUnpaidIntent(deps, scope, session.payment_intent_id);
  if (session.setup_intent_id !== null) await cancelUnfinishedSetupIntent(deps, scope, session.setup_intent_id);
  const outcome = await inTransaction(deps.db, async (client): Promise<CheckoutSessionRow | 'paid'> => {
    const locked = await findCheckoutSession(client, scope, sessionId, { forUpdate: true });
    if (!locked) throw missing('checkout.session', sessionId);
    if (locked.status !== 'open') throw notOpen(locked);
    if (locked.setup_intent_id !== null) {
      const setup = await findSetupIntent(client, scope, locked.setup_intent_id);
      if (setup?.status === 'succeeded') return 'paid';
      if (setup && setup.status !== 'canceled') {
        throw new ApiError('checkout_session_unexpected_state', `This Checkout Session has a card being saved (${setup.status}) and cannot be expired now.`);
      }
    }
    if (locked.payment_intent_id !== null) {
      const intent = await findPaymentIntent(client, scope, locked.payment_intent_id);
      if (intent && (await completionOf(client, scope, intent))) return 'paid';
      if (intent && intent.status !== 'canceled') {
        throw new ApiError('checkout_session_unexpected_state', `This Checkout Session has a payment under way (${intent.status}) and cannot be expired now.`);
      }
    }
    const expired = await endSession(client, locked.id, 'expired', 'unpaid');
    if (!expired) throw notOpen(locked);
    await recordEvent(client, scope, undefined, 'checkout.session.expired', renderCheckoutSession(expired, deps.publicUrl));
    return expired;
  });
  if (outcome !== 'paid') return outcome;
  // Paid (or the card saved) after all: it completes (if nobody completed it yet), and the expiry is refused.
  await settleSession(deps, scope, sessionId);
  throw new ApiError('checkout_session_unexpected_state', 'This Checkout Session has been paid and cannot be expired.');
}

function notOpen(session: CheckoutSessionRow): ApiError {
  return new ApiError('checkout_session_unexpected_state', `Only Checkout Sessions with a status of open can be expired; this one is ${session.status}.`);
}
