import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { formatAmount } from '../../platform/money.ts';
import { escapeHtml, page, pageContentSecurityPolicy } from '../html.ts';
import { sendToMerchant } from '../merchant-return.ts';
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
    // The form's answer is a 303 to the merchant's return_url, and browsers apply form-action to a form's redirects
    // too: without the return_url's origin, Chromium blocks the way back and the shopper is stuck on this page.
    const returnOrigin = challenge.return_url ? new URL(challenge.return_url) : undefined;
    if (returnOrigin && (returnOrigin.protocol === 'https:' || returnOrigin.protocol === 'http:')) {
      reply.header('Content-Security-Policy', pageContentSecurityPolicy.replace("form-action 'self'", `form-action 'self' ${returnOrigin.origin}`));
    }
    return reply.type('text/html').send(page('3D Secure authentication', `<h1>3D Secure test authentication</h1>
<p>Payrail test mode: authenticate a payment of <strong>${escapeHtml(amount)}</strong>.</p>
<form method="post" action="/3ds/${escapeHtml(challenge.id)}">
<input type="hidden" name="${challengeTokenField}" value="${escapeHtml(challengeToken(deps, challenge.id))}">
<button class="complete" type="submit" name="action" value="complete">Complete authentication</button>
<button class="fail" type="submit" name="action" value="fail">Fail authentication</button>
</form>`));
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
    return sendToMerchant(reply, result.challenge.return_url, result.intent);
  });

  // A SetupIntent's 3-D Secure page and provider returns (setup-intent-pages.ts).
  registerSetupIntentPages(app, deps);
}
