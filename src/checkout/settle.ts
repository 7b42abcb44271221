import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../payments/repository.ts';
import { renderCheckoutSession } from './render.ts';
import { endSession, findCheckoutSession, type CheckoutSessionRow } from './repository.ts';

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
    return completed;
  });
}
