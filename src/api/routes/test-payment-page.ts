import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { formatAmount } from '../../platform/money.ts';
import { findAttempt } from '../../orchestration/attempts-repository.ts';
import { completeRedirect } from '../../payments/authentication.ts';
import { findPaymentIntent } from '../../payments/repository.ts';
import { methodTypeOf } from '../../payment-methods/method-types.ts';
import { findPaymentMethod } from '../../payment-methods/repository.ts';
import { escapeHtml, page, pageContentSecurityPolicy } from '../html.ts';
import { sendToMerchant } from '../merchant-return.ts';
import { challengeReturnTarget } from './challenge-complete-page.ts';

/**
 * The test processor's "bank page" for a local payment method's redirect (iDEAL, Bancontact, EPS, P24, Klarna), as
 * Stripe's test mode shows one: `/payrail/test_payment/:attempt` offers "Authorize test payment" and "Fail test payment";
 * the answer completes the attempt through the same path as any provider's redirect return (completeRedirect), and the
 * customer is sent to the intent's `return_url` with `payment_intent`, `payment_intent_client_secret` and
 * `redirect_status`. Only a test-mode attempt of the built-in test processor that waits for the customer has a page.
 * The form carries a token bound to the attempt (as the 3-D Secure page does), so another site cannot answer for the
 * customer.
 */

const attemptIdPattern = /^pa_[0-9A-Za-z]{24}$/;
/** Name of the form field that carries the attempt's token. */
export const testPaymentTokenField = 'csrf_token';

function formToken(deps: Dependencies, attemptId: string): string {
  return deps.secretBox.digest('test-payment-form', attemptId);
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The attempt a test payment page serves: a test-mode test processor attempt waiting for the customer. */
async function waitingAttempt(deps: Dependencies, id: string) {
  const attempt = attemptIdPattern.test(id) ? await findAttempt(deps.db, id) : undefined;
  if (!attempt || attempt.livemode || attempt.connector !== 'test_processor') return undefined;
  return attempt;
}

export function registerTestPaymentPage(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/payrail/test_payment/:id', async (request, reply) => {
    const attempt = await waitingAttempt(deps, request.params.id);
    const intent = attempt ? await findPaymentIntent(deps.db, { accountId: attempt.account_id, livemode: attempt.livemode }, attempt.payment_intent_id) : undefined;
    if (!attempt || !intent) return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1><p>This link is not valid.</p>'));
    if (attempt.status !== 'requires_action') {
      return reply.type('text/html').send(page('Payment finished', '<h1>Payment finished</h1><p>This test payment has already been answered.</p>'));
    }
    const paymentMethod = intent.payment_method_id ? await findPaymentMethod(deps.db, { accountId: attempt.account_id, livemode: attempt.livemode }, intent.payment_method_id) : undefined;
    const type = paymentMethod?.type ?? 'payment';
    const label = methodTypeOf(type)?.label ?? type;
    // The answer is a 303 to the merchant's return_url: form-action must allow its origin, or Chromium blocks the way back.
    const target = challengeReturnTarget(intent.return_url, deps.publicUrl, 'document');
    const origin = target ? new URL(target).origin : undefined;
    reply.header('Content-Security-Policy', origin ? pageContentSecurityPolicy.replace("form-action 'self'", `form-action 'self' ${origin}`) : pageContentSecurityPolicy);
    return reply.type('text/html').send(page(`${label} test payment`, `<h1>${escapeHtml(label)} test payment</h1>
<p>Payrail test mode: authorize or fail a ${escapeHtml(label)} payment of <strong>${escapeHtml(formatAmount(intent.amount, intent.currency))}</strong>.</p>
<p>No real bank is involved.</p>
<form method="post" action="/payrail/test_payment/${escapeHtml(attempt.id)}">
<input type="hidden" name="${testPaymentTokenField}" value="${escapeHtml(formToken(deps, attempt.id))}">
<button class="complete" type="submit" name="action" value="authorize">Authorize test payment</button>
<button class="fail" type="submit" name="action" value="fail">Fail test payment</button>
</form>`));
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/payrail/test_payment/:id', async (request, reply) => {
    const action = request.body?.action;
    if (action !== 'authorize' && action !== 'fail') {
      return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>Choose to authorize or fail the test payment.</p>'));
    }
    const attempt = await waitingAttempt(deps, request.params.id);
    if (!attempt) return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1>'));
    if (!tokenMatches(formToken(deps, attempt.id), request.body?.[testPaymentTokenField])) {
      return reply.status(403).type('text/html').send(page('Forbidden', '<h1>This form has expired</h1><p>Open the test payment page again and answer there.</p>'));
    }
    const result = await completeRedirect(deps, attempt.id, { status: action === 'authorize' ? 'succeeded' : 'failed' });
    if (!result) return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1>'));
    return sendToMerchant(reply, challengeReturnTarget(result.intent.return_url, deps.publicUrl, request.headers['sec-fetch-dest']), result.intent);
  });
}
