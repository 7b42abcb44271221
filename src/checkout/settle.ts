import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type pg from 'pg';
import { inTransaction, type Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import type { PaymentCancelDependencies } from '../payments/cancel.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../payments/repository.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { findSetupIntent } from '../setup-intents/repository.ts';
import { renderPaymentLink } from '../payment-links/render.ts';
import { countCompletedSession, findPaymentLink } from '../payment-links/repository.ts';
import { cancelUnpaidIntent } from './cancel-unpaid-intent.ts';
import { completesOnDisplay, isDelayedNotification } from './delayed-notification.ts';
import { renderCheckoutSession } from './render.ts';
import { endAsyncPayment, endSession, expireUnpaidSessionsOfLink, findCheckoutSession, openPayingSessionsOfLink, type CheckoutSessionRow } from './repository.ts';

export type SettleDependencies = Pick<Dependencies, 'db' | 'publicUrl' | 'commits'> & PaymentCancelDependencies;

/** How a session completes: its payment_status, and whether a delayed payment is still to end (async_payment). */
export interface Completion {
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  asyncPayment: 'pending' | null;
}

/**
 * What a PaymentIntent's status means for its session: succeeded pays it; authorized for a manual capture completes
 * it unpaid (Stripe's payment_status stays `unpaid` until the capture); processing with a delayed-notification method
 * completes it unpaid with the payment's outcome to come (async_payment `pending`); anything else leaves it open.
 */
export async function completionOf(db: Queryable, scope: Scope, intent: Pick<PaymentIntentRow, 'status' | 'payment_method_id' | 'next_action'>): Promise<Completion | undefined> {
  if (intent.status === 'succeeded') return { paymentStatus: 'paid', asyncPayment: null };
  if (intent.status === 'requires_capture') return { paymentStatus: 'unpaid', asyncPayment: null };
  const displayed = intent.status === 'requires_action' && (intent.next_action as { type?: string } | null)?.type === 'boleto_display_details';
  if ((intent.status !== 'processing' && !displayed) || intent.payment_method_id === null) return undefined;
  const method = await findPaymentMethod(db, scope, intent.payment_method_id);
  if (!method || !isDelayedNotification(method.type)) return undefined;
  // A voucher completes the session once issued; other delayed methods once processing.
  return displayed === completesOnDisplay(method.type) ? { paymentStatus: 'unpaid', asyncPayment: 'pending' } : undefined;
}

/** How an open session completes now, by its PaymentIntent (payment mode) or SetupIntent (setup mode), if it does. */
async function sessionCompletion(db: Queryable, scope: Scope, session: CheckoutSessionRow): Promise<Completion | undefined> {
  if (session.setup_intent_id !== null) {
    const setup = await findSetupIntent(db, scope, session.setup_intent_id);
    return setup?.status === 'succeeded' ? { paymentStatus: 'no_payment_required', asyncPayment: null } : undefined;
  }
  if (session.payment_intent_id === null) return undefined;
  const intent = await findPaymentIntent(db, scope, session.payment_intent_id);
  return intent && completionOf(db, scope, intent);
}

/**
 * Completes an open session whose PaymentIntent has succeeded (or is authorized, or is processing with a
 * delayed-notification method), or, in setup mode, whose SetupIntent has succeeded, with `checkout.session.completed` in the same transaction. Whoever notices first
 * completes it: the page after its confirmation, the return from 3-D Secure or a wallet, the sweep after a crash;
 * the compare-and-set on `open` makes it happen once. Then, for a session awaiting a delayed payment, records how
 * that payment ended, if it has (settleAsyncPayment). Answers the session as it is afterwards.
 */
export async function settleSession(deps: SettleDependencies, scope: Scope, sessionId: string): Promise<CheckoutSessionRow | undefined> {
  let linkClosed: string | undefined;
  const settled = await inTransaction(deps.db, async (client) => {
    linkClosed = undefined;
    const session = await findCheckoutSession(client, scope, sessionId, { forUpdate: true });
    if (!session || session.status !== 'open') return session;
    const completion = await sessionCompletion(client, scope, session);
    if (!completion) return session;
    const completed = await endSession(client, session.id, 'complete', completion.paymentStatus, completion.asyncPayment);
    if (!completed) return session;
    await recordEvent(client, scope, undefined, 'checkout.session.completed', renderCheckoutSession(completed, deps.publicUrl));
    if (completed.payment_link_id !== null && (await countLinkCompletion(client, deps, scope, completed.payment_link_id))) linkClosed = completed.payment_link_id;
    return completed;
  });
  if (linkClosed !== undefined) await closePayingSessionsOfLink(deps, scope, linkClosed);
  return settled?.async_payment === 'pending' ? ((await settleAsyncPayment(deps, scope, sessionId)) ?? settled) : settled;
}

/**
 * A completed session awaiting a delayed payment (async_payment `pending`), once its PaymentIntent is no longer
 * processing: succeeded (or authorized, for a manual capture) sends `checkout.session.async_payment_succeeded`
 * (payment_status `paid` when the funds are captured), a payment that failed or was canceled sends
 * `checkout.session.async_payment_failed`; in one transaction with the session's change, once (compare-and-set on
 * `pending`). The PaymentIntent's own events (payment_intent.succeeded / .payment_failed) were sent with its change.
 * A session whose payment is still processing is answered as it is.
 */
export async function settleAsyncPayment(deps: SettleDependencies, scope: Scope, sessionId: string): Promise<CheckoutSessionRow | undefined> {
  return inTransaction(deps.db, async (client) => {
    const session = await findCheckoutSession(client, scope, sessionId, { forUpdate: true });
    if (!session || session.async_payment !== 'pending' || session.payment_intent_id === null) return session;
    const intent = await findPaymentIntent(client, scope, session.payment_intent_id);
    if (!intent) throw new Error(`invariant violated: a session's payment intent ${session.payment_intent_id} is missing`);
    const ended = asyncOutcomeOf(intent.status);
    if (!ended) return session;
    const after = await endAsyncPayment(client, session.id, ended.outcome, ended.paymentStatus);
    if (!after) return session;
    await recordEvent(client, scope, undefined, `checkout.session.async_payment_${ended.outcome}`, renderCheckoutSession(after, deps.publicUrl));
    return after;
  });
}

function asyncOutcomeOf(status: PaymentIntentRow['status']): { outcome: 'succeeded' | 'failed'; paymentStatus: 'paid' | 'unpaid' } | undefined {
  switch (status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentStatus: 'paid' };
    case 'requires_capture':
      return { outcome: 'succeeded', paymentStatus: 'unpaid' };
    case 'requires_payment_method':
    case 'canceled':
      return { outcome: 'failed', paymentStatus: 'unpaid' };
    default:
      // processing still, a voucher not yet paid (requires_action), or an authentication or confirmation the shopper has left: the payment has not ended.
      return undefined;
  }
}

/**
 * A session of a Payment Link completed: the link counts it (restrictions.completed_sessions.count), in the same
 * transaction. When the count reaches the link's limit the link is deactivated (`payment_link.updated`), and its
 * other open sessions on which no payment has started are expired (`checkout.session.expired`), so nobody can start
 * paying past the limit (answers true then: the sessions where a payment had started are closed after the commit). The link is locked, so completions of one link are counted one at a time, and a visit making a
 * new session (which takes a share lock) either sees the link deactivated or has its session expired here.
 */
async function countLinkCompletion(client: pg.PoolClient, deps: SettleDependencies, scope: Scope, linkId: string): Promise<boolean> {
  const before = await findPaymentLink(client, scope, linkId, { lock: 'update' });
  if (!before) throw new Error(`invariant violated: a session's payment link ${linkId} is missing`);
  const after = await countCompletedSession(client, linkId);
  if (!before.active || after.active) return false;
  const rendered = renderPaymentLink(after, deps.publicUrl);
  await recordEvent(client, scope, undefined, 'payment_link.updated', rendered, changedAttributes(renderPaymentLink(before, deps.publicUrl), rendered));
  for (const expired of await expireUnpaidSessionsOfLink(client, linkId)) {
    await recordEvent(client, scope, undefined, 'checkout.session.expired', renderCheckoutSession(expired, deps.publicUrl));
  }
  return true;
}

/**
 * After the completion that took a link's last slot: its open sessions where a payment had started are closed too,
 * as an expiry closes a session (docs/checkout.md): the PaymentIntent is canceled first (reason `abandoned`), so its
 * state machine decides the race with a confirmation under way; a session whose intent was canceled is expired
 * (`checkout.session.expired`), one whose payment is processing or went through is left to complete. A shopper
 * whose card was declined before the limit was reached cannot retry past it.
 */
async function closePayingSessionsOfLink(deps: SettleDependencies, scope: Scope, linkId: string): Promise<void> {
  for (const session of await openPayingSessionsOfLink(deps.db, linkId)) {
    // Not canceled (paid, processing, or the shopper's confirmation won the race): the payment decides, and the
    // session completes if it succeeds.
    if (!(await cancelUnpaidIntent(deps, scope, session.payment_intent_id!))) continue;
    await inTransaction(deps.db, async (client) => {
      const locked = await findCheckoutSession(client, scope, session.id, { forUpdate: true });
      if (locked?.status !== 'open') return;
      const expired = await endSession(client, locked.id, 'expired', 'unpaid');
      if (expired) await recordEvent(client, scope, undefined, 'checkout.session.expired', renderCheckoutSession(expired, deps.publicUrl));
    });
  }
}
