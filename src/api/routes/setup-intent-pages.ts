import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { completeSetupChallenge, completeSetupRedirect, findSetupChallengeForPage } from '../../setup-intents/confirm.ts';
import { findSetupAttempt } from '../../setup-intents/repository.ts';
import type { SetupIntentRow } from '../../setup-intents/types.ts';
import { escapeHtml, page } from '../html.ts';
import { isStorableText } from '../text.ts';
import { challengePagePolicy, challengeReturnTarget } from './challenge-complete-page.ts';

/**
 * The customer-facing pages of a SetupIntent's card verification, beside the payments' ones:
 * - `/3ds/setup/:id`: the test processor's 3-D Secure challenge of a setup attempt, the same page as a payment's
 *   (`/3ds/:id`, authentication-pages.ts): Complete or Fail, a form token bound to the challenge (a POST without it is
 *   refused with 403, so another site cannot answer a customer's challenge), then a 303 to the SetupIntent's
 *   `return_url` with Stripe's `setup_intent`, `setup_intent_client_secret` and `redirect_status`; like a payment's, it
 *   may be framed by the merchant page's origin when payrail.js confirmed the SetupIntent to come back to Payrail's
 *   completion page (confirmCardSetup's dialog, challenge-complete-page.ts), and by no other;
 * - `/payrail/setup_return/:attempt`: where a provider's own 3-D Secure page (Adyen's) sends the customer back; the
 *   provider is asked to finish with what the redirect brought (nothing it brings is believed otherwise);
 * - `/payrail/setup_redirect/:attempt`: posts the provider's form when its redirect must be a POST.
 */

const challengeIdPattern = /^auth_[0-9A-Za-z]{24}$/;
const attemptIdPattern = /^setatt_[0-9A-Za-z]{24}$/;
/** The form field of the challenge's token (the same name as the payments' page, so one client drives both). */
const challengeTokenField = 'csrf_token';
/** Bounds on what a provider's return may carry (it sends one to three short fields). */
const returnDetailsMax = 20;
const returnDetailLengthMax = 8192;

function challengeToken(deps: Dependencies, challengeId: string): string {
  return deps.secretBox.digest('3ds-setup-challenge-form', challengeId);
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.status(404).type('text/html').send(page('Not found', '<h1>Authentication not found</h1><p>This link is not valid.</p>'));
}

/** The customer's way back to the merchant, with Stripe's query parameters for a SetupIntent; a page without return_url. */
function sendToMerchant(reply: FastifyReply, returnUrl: string | null, intent: SetupIntentRow): FastifyReply {
  const redirectStatus = intent.status === 'succeeded' || intent.status === 'processing' ? 'succeeded' : 'failed';
  if (returnUrl) {
    const target = new URL(returnUrl);
    target.searchParams.set('setup_intent', intent.id);
    target.searchParams.set('setup_intent_client_secret', intent.client_secret);
    target.searchParams.set('redirect_status', redirectStatus);
    return reply.redirect(target.toString(), 303);
  }
  return reply.type('text/html').send(page('Card setup', `<h1>Card ${redirectStatus === 'succeeded' ? 'saved' : 'not saved'}</h1><p>You can close this window.</p>`));
}

function returnDetails(...sources: unknown[]): Record<string, string> | undefined {
  const details: Record<string, string> = {};
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [key, value] of Object.entries(source)) {
      if (typeof value !== 'string' || key.length > 100 || value.length > returnDetailLengthMax) return undefined;
      if (!isStorableText(key) || !isStorableText(value)) return undefined;
      details[key] = value;
      if (Object.keys(details).length > returnDetailsMax) return undefined;
    }
  }
  return details;
}

export function registerSetupIntentPages(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/3ds/setup/:id', async (request, reply) => {
    const challenge = challengeIdPattern.test(request.params.id) ? await findSetupChallengeForPage(deps.db, request.params.id) : undefined;
    if (!challenge) return notFound(reply);
    if (challenge.status !== 'pending') {
      return reply.type('text/html').send(page('Authentication finished', `<h1>Authentication finished</h1><p>This authentication is ${escapeHtml(challenge.status)}.</p>`));
    }
    // The answer's way back, and in payrail.js's dialog the framing origin and Escape (challenge-complete-page.ts).
    const { policy, framed, script } = challengePagePolicy(challenge.returnUrl, deps.publicUrl);
    if (framed) reply.removeHeader('X-Frame-Options');
    reply.header('Content-Security-Policy', policy);
    return reply.type('text/html').send(page('3D Secure authentication', `<h1>3D Secure test authentication</h1>
<p>Payrail test mode: authenticate your card to save it for later payments. No money is taken.</p>
<form method="post" action="/3ds/setup/${escapeHtml(request.params.id)}">
<input type="hidden" name="${challengeTokenField}" value="${escapeHtml(challengeToken(deps, request.params.id))}">
<button class="complete" type="submit" name="action" value="complete">Complete authentication</button>
<button class="fail" type="submit" name="action" value="fail">Fail authentication</button>
</form>${script}`));
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/3ds/setup/:id', async (request, reply) => {
    const action = request.body?.action;
    if (!challengeIdPattern.test(request.params.id) || (action !== 'complete' && action !== 'fail')) {
      return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>Choose to complete or fail the authentication.</p>'));
    }
    if (!tokenMatches(challengeToken(deps, request.params.id), request.body?.[challengeTokenField])) {
      return reply.status(403).type('text/html').send(page('Forbidden', '<h1>This form has expired</h1><p>Open the authentication page again and answer there.</p>'));
    }
    const result = await completeSetupChallenge(deps, request.params.id, action === 'complete');
    if (!result) return notFound(reply);
    return sendToMerchant(reply, challengeReturnTarget(result.returnUrl, deps.publicUrl, request.headers['sec-fetch-dest']), result.intent);
  });

  const onReturn = async (id: string, details: Record<string, string> | undefined, request: FastifyRequest, reply: FastifyReply) => {
    if (!attemptIdPattern.test(id)) return notFound(reply);
    if (!details) return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>The return carried unexpected fields.</p>'));
    const intent = await completeSetupRedirect(deps, id, details);
    if (!intent) return notFound(reply);
    // A provider's page takes the whole window: Payrail's completion page there leads on to the merchant's return_url.
    return sendToMerchant(reply, challengeReturnTarget(intent.return_url, deps.publicUrl, request.headers['sec-fetch-dest']), intent);
  };
  app.get<{ Params: { id: string } }>('/payrail/setup_return/:id', async (request, reply) => onReturn(request.params.id, returnDetails(request.query), request, reply));
  app.post<{ Params: { id: string } }>('/payrail/setup_return/:id', async (request, reply) => onReturn(request.params.id, returnDetails(request.query, request.body), request, reply));

  app.get<{ Params: { id: string } }>('/payrail/setup_redirect/:id', async (request, reply) => {
    const attempt = attemptIdPattern.test(request.params.id) ? await findSetupAttempt(deps.db, request.params.id) : undefined;
    if (!attempt || attempt.status !== 'requires_action' || !attempt.redirect) return notFound(reply);
    const redirect = attempt.redirect;
    const nonce = randomBytes(16).toString('base64');
    const target = new URL(redirect.url);
    reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action ${target.origin}; frame-ancestors 'none'; base-uri 'none'`);
    const fields = Object.entries(redirect.data).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    return reply.type('text/html').send(page('Redirecting', `<h1>Redirecting to your bank</h1>
<form id="redirect" method="post" action="${escapeHtml(redirect.url)}">${fields}<button type="submit">Continue</button></form>
<script nonce="${nonce}">document.getElementById('redirect').submit();</script>`));
  });
}
