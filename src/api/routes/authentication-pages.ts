import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { formatAmount } from '../../platform/money.ts';
import { escapeHtml, page } from '../html.ts';
import { sendToMerchant } from '../merchant-return.ts';
import { challengePagePolicy, challengeReturnTarget, registerChallengeCompletePage } from './challenge-complete-page.ts';
import { completeChallenge } from '../../payments/authentication.ts';
import { findChallenge } from '../../payments/challenges-repository.ts';
import { findPaymentIntent } from '../../payments/repository.ts';
import { registerSetupIntentPages } from './setup-intent-pages.ts';

/**
 * The 3-D Secure challenge page of the test processor: the customer is sent here by `next_action.redirect_to_url`,
 * completes or fails the challenge, and is then redirected to the merchant's `return_url` with Stripe's query
 * parameters (`payment_intent`, `payment_intent_client_secret`, `redirect_status`).
 *
 * The page's form carries a token bound to the challenge (a keyed digest of its id), and a POST without it is refused
 * with 403: another site can post a form here, but cannot read the page to learn the token, so it cannot complete or
 * fail a customer's challenge (cross-site request forgery). The security headers (no framing, no referrer) are set
 * for every page by the app.
 *
 * One page may be framed: the challenge of an intent that payrail.js confirmed to come back to Payrail's completion
 * page (challenge-complete-page.ts), by the merchant page's origin that return_url names, and by no other, so that
 * payrail.js can show it in a dialog over that page, as banks' 3-D Secure pages are shown (3-D Secure 2 requires the
 * challenge to work in a frame). The form token stays what protects the answer: the framing page is of another origin
 * and cannot read the frame's document, so it learns no token, and a POST without one is still refused.
 */

const challengeIdPattern = /^auth_[0-9A-Za-z]{24}$/;
/** Name of the form field that carries the challenge's token. */
export const challengeTokenField = 'csrf_token';

function challengeToken(deps: Dependencies, challengeId: string): string {
  return deps.secretBox.digest('3ds-challenge-form', challengeId);
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerAuthenticationPages(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/3ds/:id', async (request, reply) => {
    const challenge = challengeIdPattern.test(request.params.id) ? await findChallenge(deps.db, request.params.id) : undefined;
    if (!challenge) return reply.status(404).type('text/html').send(page('Not found', '<h1>Authentication not found</h1><p>This link is not valid.</p>'));
    const intent = await findPaymentIntent(deps.db, { accountId: challenge.account_id, livemode: challenge.livemode }, challenge.payment_intent_id);
    if (challenge.status !== 'pending' || !intent) {
      return reply.type('text/html').send(page('Authentication finished', `<h1>Authentication finished</h1><p>This authentication is ${escapeHtml(challenge.status)}.</p>`));
    }
    const amount = formatAmount(intent.amount, intent.currency);
    // The answer's way back, and in payrail.js's dialog the framing origin and Escape (challenge-complete-page.ts).
    const { policy, framed, script } = challengePagePolicy(challenge.return_url, deps.publicUrl);
    if (framed) reply.removeHeader('X-Frame-Options');
    reply.header('Content-Security-Policy', policy);
    return reply.type('text/html').send(page('3D Secure authentication', `<h1>3D Secure test authentication</h1>
<p>Payrail test mode: authenticate a payment of <strong>${escapeHtml(amount)}</strong>.</p>
<form method="post" action="/3ds/${escapeHtml(challenge.id)}">
<input type="hidden" name="${challengeTokenField}" value="${escapeHtml(challengeToken(deps, challenge.id))}">
<button class="complete" type="submit" name="action" value="complete">Complete authentication</button>
<button class="fail" type="submit" name="action" value="fail">Fail authentication</button>
</form>${script}`));
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/3ds/:id', async (request, reply) => {
    const action = request.body?.action;
    if (!challengeIdPattern.test(request.params.id) || (action !== 'complete' && action !== 'fail')) {
      return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>Choose to complete or fail the authentication.</p>'));
    }
    if (!tokenMatches(challengeToken(deps, request.params.id), request.body?.[challengeTokenField])) {
      return reply.status(403).type('text/html').send(page('Forbidden', '<h1>This form has expired</h1><p>Open the authentication page again and answer there.</p>'));
    }
    const result = await completeChallenge(deps, request.params.id, action === 'complete');
    if (!result) return reply.status(404).type('text/html').send(page('Not found', '<h1>Authentication not found</h1>'));
    // The challenge keeps the return_url the payment had when it was challenged.
    return sendToMerchant(reply, challengeReturnTarget(result.challenge.return_url, deps.publicUrl, request.headers['sec-fetch-dest']), result.intent);
  });

  registerChallengeCompletePage(app);
  // A SetupIntent's 3-D Secure page and provider returns (setup-intent-pages.ts).
  registerSetupIntentPages(app, deps);
}
