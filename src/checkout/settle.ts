import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../payments/repository.ts';
import { renderPaymentLink } from '../payment-links/render.ts';
import { countCompletedSession, findPaymentLink } from '../payment-links/repository.ts';
import type pg from 'pg';
import { renderCheckoutSession } from './render.ts';
import { endSession, expireUnpaidSessionsOfLink, findCheckoutSession, type CheckoutSessionRow } from './repository.ts';

export type SettleDependencies = Pick<Dependencies, 'db' | 'publicUrl'>;

/**
 * What a PaymentIntent's status means for its session: succeeded pays it; authorized for a manual capture completes
 * it unpaid (Stripe's payment_status stays `unpaid` until the capture); anything else leaves it open.
 */
export function paymentStatusOf(intent: Pick<PaymentIntentRow, 'status'>): 'paid' | 'unpaid' | undefined {
  if (intent.status === 'succeeded') return 'paid';
  if (intent.status === 'requires_capture') return 'unpaid';
  return undefined;
}

/**
 * Completes an open session whose PaymentIntent has succeeded (or is authorized), with `checkout.session.completed`
 * in the same transaction. Whoever notices first completes it: the page after its confirmation, the return from 3-D
 * Secure or a wallet, the sweep after a crash; the compare-and-set on `open` makes it happen once. Answers the
 * session as it is afterwards.
 */
export async function settleSession(deps: SettleDependencies, scope: Scope, sessionId: string): Promise<CheckoutSessionRow | undefined> {
  return inTransaction(deps.db, async (client) => {
    const session = await findCheckoutSession(client, scope, sessionId, { forUpdate: true });
    if (!session || session.status !== 'open' || session.payment_intent_id === null) return session;
    const intent = await findPaymentIntent(client, scope, session.payment_intent_id);
    const paymentStatus = intent && paymentStatusOf(intent);
    if (!paymentStatus) return session;
    const completed = await endSession(client, session.id, 'complete', paymentStatus);
    if (!completed) return session;
    await recordEvent(client, scope, undefined, 'checkout.session.completed', renderCheckoutSession(completed, deps.publicUrl));
    if (completed.payment_link_id !== null) await countLinkCompletion(client, deps, scope, completed.payment_link_id);
    return completed;
  });
}

/**
 * A session of a Payment Link completed: the link counts it (restrictions.completed_sessions.count), in the same
 * transaction. When the count reaches the link's limit the link is deactivated (`payment_link.updated`), and its
 * other open sessions on which no payment has started are expired (`checkout.session.expired`), so nobody can start
 * paying past the limit. Sessions whose shopper had already started paying may still complete (see
 * docs/checkout.md). The link is locked, so completions of one link are counted one at a time, and a visit making a
 * new session (which takes a share lock) either sees the link deactivated or has its session expired here.
 */
async function countLinkCompletion(client: pg.PoolClient, deps: SettleDependencies, scope: Scope, linkId: string): Promise<void> {
  const before = await findPaymentLink(client, scope, linkId, { lock: 'update' });
  if (!before) throw new Error(`invariant violated: a session's payment link ${linkId} is missing`);
  const after = await countCompletedSession(client, linkId);
  if (!before.active || after.active) return;
  const rendered = renderPaymentLink(after, deps.publicUrl);
  await recordEvent(client, scope, undefined, 'payment_link.updated', rendered, changedAttributes(renderPaymentLink(before, deps.publicUrl), rendered));
  for (const expired of await expireUnpaidSessionsOfLink(client, linkId)) {
    await recordEvent(client, scope, undefined, 'checkout.session.expired', renderCheckoutSession(expired, deps.publicUrl));
  }
}
