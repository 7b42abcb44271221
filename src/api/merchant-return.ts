import type { FastifyReply } from 'fastify';
import type { PaymentIntentRow } from '../payments/repository.ts';
import { page } from './html.ts';

/**
 * Ends a customer's redirect (3-D Secure, a wallet's approval): sends them to the merchant's `return_url` with Stripe's
 * query parameters (`payment_intent`, `payment_intent_client_secret`, `redirect_status`), or, without one, shows a
 * page saying how it ended.
 */
export function sendToMerchant(reply: FastifyReply, returnUrl: string | null, intent: PaymentIntentRow): FastifyReply {
  const redirectStatus = intent.status === 'succeeded' || intent.status === 'requires_capture' || intent.status === 'processing' ? 'succeeded' : 'failed';
  if (returnUrl) {
    const target = new URL(returnUrl);
    target.searchParams.set('payment_intent', intent.id);
    target.searchParams.set('payment_intent_client_secret', intent.client_secret);
    target.searchParams.set('redirect_status', redirectStatus);
    return reply.redirect(target.toString(), 303);
  }
  return reply.type('text/html').send(page('Payment', `<h1>Payment ${redirectStatus === 'succeeded' ? 'complete' : 'failed'}</h1><p>You can close this window.</p>`));
}
