import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { findAttempt, findAttemptByReference } from '../../orchestration/attempts-repository.ts';
import { completeRedirect } from '../../payments/authentication.ts';
import { escapeHtml, page } from '../html.ts';
import { sendToMerchant } from '../merchant-return.ts';
import { isStorableText } from '../text.ts';
import { challengeReturnTarget } from './challenge-complete-page.ts';

/**
 * The pages a customer passes through on a provider redirect (Adyen's 3-D Secure, PayPal's approval):
 * - `/payrail/redirect/:attempt`: posts the provider's form for a redirect that must be a POST;
 * - `/payrail/return/:attempt`: where the provider sends the customer back; Payrail asks the provider to finish with
 *   what the redirect brought (Adyen's `redirectResult`, PayPal's `token` and `PayerID`), then sends the customer on
 *   to the intent's `return_url` with Stripe's query parameters;
 * - `/payrail/cancel/:configuration`: PayPal's cancel URL (with the order id as `token`); the payment fails.
 *
 * The return and cancel pages carry no form token: the provider's page sends the customer there (Adyen's by POST),
 * and nothing they bring is believed: Payrail asks the provider for the outcome. Everything they bring is checked
 * for shape before it gets near the database.
 */

const attemptIdPattern = /^pa_[0-9A-Za-z]{24}$/;
const configurationIdPattern = /^pcc_[0-9A-Za-z]{24}$/;
/** A provider's order reference (PayPal's order id in `token`): printable ASCII. */
const providerReferencePattern = /^[\x21-\x7e]{1,200}$/;
/** Bounds on what a return may carry: providers send one to three short fields. */
export const returnDetailsMax = 20;
export const returnDetailLengthMax = 8192;

function returnDetails(...sources: unknown[]): Record<string, string> | undefined {
  const details: Record<string, string> = {};
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    // A bracketed form field (Razorpay's checkout posts `error[code]`, `error[reason]`, ...) arrives parsed into an
    // object: one level of it is kept under its bracketed name.
    const entries = Object.entries(source).flatMap(([key, value]): [string, unknown][] =>
      (typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value).map(([inner, innerValue]): [string, unknown] => [`${key}[${inner}]`, innerValue]) : [[key, value]]));
    for (const [key, value] of entries) {
      if (typeof value !== 'string' || key.length > 100 || value.length > returnDetailLengthMax) return undefined;
      if (!isStorableText(key) || !isStorableText(value)) return undefined;
      details[key] = value;
      if (Object.keys(details).length > returnDetailsMax) return undefined;
    }
  }
  return details;
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1><p>This link is not valid.</p>'));
}

export function registerRedirectPages(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/payrail/redirect/:id', async (request, reply) => {
    const attempt = attemptIdPattern.test(request.params.id) ? await findAttempt(deps.db, request.params.id) : undefined;
    // Only a form POST is carried by this page (a GET redirect is linked directly; a UPI intent's link has its own page).
    if (!attempt || attempt.status !== 'requires_action' || !attempt.redirect || attempt.redirect.method !== 'POST') return notFound(reply);
    const redirect = attempt.redirect;
    const nonce = randomBytes(16).toString('base64');
    const target = new URL(redirect.url);
    reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action ${target.origin}; frame-ancestors 'none'; base-uri 'none'`);
    const fields = Object.entries(redirect.data).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    return reply.type('text/html').send(page('Redirecting', `<h1>Redirecting to your bank</h1>
<form id="redirect" method="post" action="${escapeHtml(redirect.url)}">${fields}<button type="submit">Continue</button></form>
<script nonce="${nonce}">document.getElementById('redirect').submit();</script>`));
  });

  // An intent payrail.js confirmed returns to Payrail's completion page; a provider's page, never framed, brings the
  // shopper back in the whole window, so on to the merchant's own return_url (challenge-complete-page.ts).
  const returnTarget = (returnUrl: string | null, request: FastifyRequest) => challengeReturnTarget(returnUrl, deps.publicUrl, request.headers['sec-fetch-dest']);

  const onReturn = async (id: string, details: Record<string, string> | undefined, request: FastifyRequest, reply: FastifyReply) => {
    if (!attemptIdPattern.test(id)) return notFound(reply);
    if (!details) return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>The return carried unexpected fields.</p>'));
    const result = await completeRedirect(deps, id, { status: 'succeeded', details });
    if (!result) return notFound(reply);
    return sendToMerchant(reply, returnTarget(result.intent.return_url, request), result.intent);
  };
  app.get<{ Params: { id: string } }>('/payrail/return/:id', async (request, reply) => onReturn(request.params.id, returnDetails(request.query), request, reply));
  app.post<{ Params: { id: string } }>('/payrail/return/:id', async (request, reply) => onReturn(request.params.id, returnDetails(request.query, request.body), request, reply));

  app.get<{ Params: { id: string }; Querystring: { token?: unknown } }>('/payrail/cancel/:id', async (request, reply) => {
    const token = request.query.token;
    if (!configurationIdPattern.test(request.params.id)) return notFound(reply);
    if (typeof token !== 'string' || !providerReferencePattern.test(token)) {
      return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>The cancellation carried no valid order reference.</p>'));
    }
    const attempt = await findAttemptByReference(deps.db, request.params.id, token);
    if (!attempt) return notFound(reply);
    const result = await completeRedirect(deps, attempt.id, { status: 'failed', details: { token } });
    if (!result) return notFound(reply);
    return sendToMerchant(reply, returnTarget(result.intent.return_url, request), result.intent);
  });
}
