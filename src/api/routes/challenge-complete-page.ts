import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { page, pageContentSecurityPolicy } from '../html.ts';

/**
 * Where 3-D Secure ends when payrail.js shows the challenge in its dialog over the merchant's page (Stripe's
 * hooks.stripe.com/3d_secure/complete). payrail.js confirms with a `return_url` here:
 * `/payrail/3ds/complete?origin=<merchant page's origin>&return_url=<the merchant's own return_url, if any>`.
 *
 * - The challenge page (authentication-pages.ts) of an intent that returns here may be framed by that origin, and by
 *   no other: the origin was set by whoever confirmed with the client secret, as any return_url is.
 * - Answered in the dialog's frame (the browser says `Sec-Fetch-Dest: iframe`), the challenge's form redirects here
 *   with Stripe's query parameters; this page, framed by that origin only (`frame-ancestors`), posts
 *   `{ type: 'challenge_complete', paymentIntent }` (a SetupIntent's challenge, which comes back with Stripe's
 *   `setup_intent` parameter: `{ type: 'challenge_complete', setupIntent }`) to its parent with that origin as the
 *   target: no other window can frame it or hear it. It carries the intent's id only; payrail.js then retrieves the
 *   intent for the outcome.
 * - Answered in the whole window (a provider's page that cannot be framed), the shopper goes on to the merchant's own
 *   return_url from the stored return_url (never one from this request's address: no open redirect), or, without
 *   one, to a page saying the authentication is finished.
 */
export const challengeCompletePath = '/payrail/3ds/complete';

const intentIdPattern = /^pi_[0-9A-Za-z]{1,64}$/;
const setupIntentIdPattern = /^seti_[0-9A-Za-z]{1,64}$/;
/** What payrail.js posts and listens for (client/payrail-js/protocol.ts). */
const protocolTag = 'payrail.v1';

function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 300) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The merchant page's origin named by a return_url that is Payrail's completion page (on Payrail's public origin),
 * or undefined for any other return_url: the one origin that may frame the intent's challenge.
 */
export function dialogOrigin(returnUrl: string | null, publicUrl: string): string | undefined {
  if (!returnUrl) return undefined;
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(publicUrl).origin || !url.pathname.endsWith(challengeCompletePath)) return undefined;
  const origin = url.searchParams.get('origin');
  return isOrigin(origin) ? origin : undefined;
}

/**
 * Where a finished challenge or provider redirect sends the shopper. An ordinary return_url as it is. Payrail's
 * completion page only when the request comes from a frame (payrail.js's dialog, `Sec-Fetch-Dest: iframe`); in the
 * whole window, the merchant's own return_url that payrail.js put into it, or null (a page saying it is finished).
 */
export function challengeReturnTarget(returnUrl: string | null, publicUrl: string, fetchDestination: unknown): string | null {
  if (!returnUrl || dialogOrigin(returnUrl, publicUrl) === undefined) return returnUrl;
  if (fetchDestination === 'iframe') return returnUrl;
  const merchant = new URL(returnUrl).searchParams.get('return_url');
  return merchant && isHttpUrl(merchant) ? merchant : null;
}

/**
 * The Content-Security-Policy of a test processor's challenge page (a payment's, authentication-pages.ts, or a
 * SetupIntent's, setup-intent-pages.ts), and the script it needs in payrail.js's dialog. Its form's answer is a 303 to
 * the return_url (in the whole window, the merchant's; in the dialog, Payrail's completion page), and browsers apply
 * form-action to a form's redirects too: without those origins Chromium blocks the way back. An intent that returns
 * to the completion page for an origin may be framed by that origin only, and Escape inside the challenge asks that
 * page to close the dialog (a key pressed in a frame of another origin never reaches the page's own listeners).
 */
export function challengePagePolicy(returnUrl: string | null, publicUrl: string): { policy: string; framed: boolean; script: string } {
  const formTargets = new Set<string>();
  for (const destination of ['document', 'iframe']) {
    const target = challengeReturnTarget(returnUrl, publicUrl, destination);
    const url = target ? new URL(target) : undefined;
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) formTargets.add(url.origin);
  }
  const policy = pageContentSecurityPolicy.replace("form-action 'self'", ["form-action 'self'", ...formTargets].join(' '));
  const framingOrigin = dialogOrigin(returnUrl, publicUrl);
  if (!framingOrigin) return { policy, framed: false, script: '' };
  const nonce = randomBytes(16).toString('base64');
  const message = JSON.stringify({ tag: protocolTag, type: 'challenge_escape' });
  return {
    policy: policy.replace("frame-ancestors 'none'", `frame-ancestors ${framingOrigin}; script-src 'nonce-${nonce}'`),
    framed: true,
    script: `\n<script nonce="${nonce}">document.addEventListener('keydown', (event) => { if (event.key === 'Escape' && window.parent !== window) window.parent.postMessage(${message}, ${scriptJson(framingOrigin)}); });</script>`,
  };
}

/** JSON for an inline script: `<` escaped, so no value can close the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function registerChallengeCompletePage(app: FastifyInstance): void {
  app.get<{ Querystring: Record<string, unknown> }>(challengeCompletePath, async (request, reply) => {
    const origin = request.query.origin;
    const paymentIntentId = request.query.payment_intent;
    const setupIntentId = request.query.setup_intent;
    const intent = typeof paymentIntentId === 'string' && intentIdPattern.test(paymentIntentId) ? { paymentIntent: paymentIntentId }
      : typeof setupIntentId === 'string' && setupIntentIdPattern.test(setupIntentId) ? { setupIntent: setupIntentId } : undefined;
    const finished = page('Authentication finished', '<h1>Authentication finished</h1><p>You can close this window and return to the shop.</p>');
    // Only in a frame is there a window to tell; opened on its own, the page says so and goes nowhere.
    if (!isOrigin(origin) || !intent || request.headers['sec-fetch-dest'] !== 'iframe') {
      return reply.type('text/html').send(finished);
    }
    const nonce = randomBytes(16).toString('base64');
    reply.removeHeader('X-Frame-Options');
    reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors ${origin}; base-uri 'none'`);
    const message = { tag: protocolTag, type: 'challenge_complete', ...intent };
    return reply.type('text/html').send(finished.replace('</body>', `<script nonce="${nonce}">window.parent.postMessage(${scriptJson(message)}, ${scriptJson(origin)});</script></body>`));
  });
}
