import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { setupTexts } from '../../checkout/setup-texts.ts';
import { readCheckoutForm, type RawForm } from '../../checkout/form.ts';
import { localMethodTexts } from '../../checkout/local-method-texts.ts';
import { pixDisplayHtml } from './checkout-method-views.ts';
import { declineText } from '../../checkout/page-texts.ts';
import { checkoutPageView, type CheckoutPageView } from '../../checkout/page-view.ts';
import { payCheckoutSession, type PayOutcome } from '../../checkout/pay.ts';
import { constantTimeEqual } from '../../platform/crypto.ts';
import { escapeHtml, setPageHeaders } from '../html.ts';
import { closedPage, document, formPage, formTokenMatches, notFoundPage, returnTarget, speechOf, type Speech } from './checkout-page.ts';

/**
 * Embedded Checkout (`ui_mode=embedded`): the payment form of checkout-page.ts, framed by the merchant's page through
 * payrail.js (`payrail.initEmbeddedCheckout({ clientSecret })`), at `/c/embed/<session id>?client_secret=<its client
 * secret>&origin=<the page's
 * origin>`. The client secret is what opens it (compared in constant time; anything else is the same 404). The page
 * may be framed by that origin only (`frame-ancestors`, which the browser enforces against the real parent), and its
 * one script (allowed by nonce) tells that origin, by postMessage, the page's height and where the shopper must go
 * next: 3-D Secure or PayPal (which cannot run in a frame) and, once paid, the session's return_url; payrail.js then
 * navigates the merchant's page. Without payrail.js the same page still offers a link that opens the next step.
 */

const clientSecretPattern = /^(cs_[0-9A-Za-z]{24})_secret_[0-9A-Za-z]{24}$/;
/** What payrail.js's messages from the frame are tagged with. */
export const embeddedCheckoutMessageType = 'payrail:embedded-checkout';

/** The parent page's origin from the query: an http(s) origin and nothing else, or undefined. */
function parentOriginOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 300) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function setEmbedHeaders(reply: FastifyReply, parentOrigin: string, nonce: string): void {
  setPageHeaders(reply);
  // Framed by the merchant's page, and by it only; the form posts to Payrail only (every next step is a navigation of
  // the merchant's page that payrail.js makes, or a link). Images come from Payrail only: the account's logo or icon.
  reply.removeHeader('X-Frame-Options');
  reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors ${parentOrigin}; base-uri 'none'`);
}

/** The frame's script: reports its height as it changes, and, when `next` is set, where the merchant's page must go. */
function frameScript(nonce: string, parentOrigin: string, next?: { event: 'redirect' | 'complete'; url: string | null }): string {
  const message = JSON.stringify({ type: embeddedCheckoutMessageType, parentOrigin, next: next ?? null }).replace(/</g, '\\u003c');
  return `<script nonce="${nonce}">(function(){var m=${message};var o=m.parentOrigin;function h(){parent.postMessage({type:m.type,event:'height',height:Math.ceil(document.body.getBoundingClientRect().height)},o);}
if(window.ResizeObserver){new ResizeObserver(h).observe(document.body);}h();if(m.next){parent.postMessage({type:m.type,event:m.next.event,url:m.next.url},o);}})();</script>`;
}

/** A message in the frame, with a link that opens the next step in the merchant's page when there is one. */
function stepPage(speech: Speech, title: string, text: string, link: { href: string; label: string } | null, script: string): string {
  const anchor = link ? `<p><a href="${escapeHtml(link.href)}" target="_top">${escapeHtml(link.label)}</a></p>` : '';
  return document(speech, title, `<div class="message" role="status"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${anchor}</div>`, undefined, script);
}

export function registerEmbeddedCheckoutPages(app: FastifyInstance, deps: Dependencies): void {
  /**
   * The session the client secret opens, if it is an embedded one and the secret is its own. The secret travels in the
   * query, never the path: request logs write paths (src/api/app.ts), never query strings.
   */
  const load = async (id: string, secret: unknown): Promise<CheckoutPageView | undefined> => {
    if (typeof secret !== 'string' || clientSecretPattern.exec(secret)?.[1] !== id) return undefined;
    const view = await checkoutPageView(deps.db, id);
    const stored = view?.session.client_secret;
    if (!view || view.session.ui_mode !== 'embedded' || !stored || !constantTimeEqual(Buffer.from(stored), Buffer.from(secret))) return undefined;
    return view;
  };
  const notFound = (reply: FastifyReply) => {
    setPageHeaders(reply);
    return reply.status(404).type('text/html').send(notFoundPage());
  };

  const answer = (reply: FastifyReply, speech: Speech, view: CheckoutPageView, outcome: PayOutcome, nonce: string, parentOrigin: string, action: string, raw: RawForm) => {
    const { t } = speech;
    switch (outcome.kind) {
      case 'complete': {
        const target = view.session.redirect_on_completion === 'never' ? null : returnTarget(outcome.session);
        const setup = outcome.session.mode === 'setup' ? setupTexts(speech.locale) : null;
        return reply.type('text/html').send(stepPage(speech, setup ? setup.savedTitle : t.paymentComplete, target ? t.backToMerchantText : setup ? setup.savedText : t.paidText, target ? { href: target, label: t.continue } : null,
          frameScript(nonce, parentOrigin, { event: target ? 'redirect' : 'complete', url: target })));
      }
      case 'redirect':
        return reply.type('text/html').send(stepPage(speech, t.continue, t.toPayPalText, { href: outcome.url, label: t.continue }, frameScript(nonce, parentOrigin, { event: 'redirect', url: outcome.url })));
      case 'declined':
        return reply.status(402).type('text/html').send(formPage(deps, speech, view, { message: declineText(speech.t, outcome.code, outcome.declineCode, outcome.message), raw, action, script: frameScript(nonce, parentOrigin) }));
      case 'display':
        // Pix in the frame: the QR code; the shopper reloads (or the merchant's page remounts) once paid.
        return reply.type('text/html').send(document(speech, localMethodTexts(speech.locale).pixTitle, pixDisplayHtml(outcome.nextAction, localMethodTexts(speech.locale), speech.locale), view.branding, frameScript(nonce, parentOrigin)));
      case 'processing':
      case 'closed':
        return reply.type('text/html').send(closedPage(speech, outcome.session, frameScript(nonce, parentOrigin)));
    }
  };

  /** The embedded page's session, parent origin, nonce (its headers set) and language; undefined after answering 404. */
  const open = async (request: FastifyRequest<{ Params: { id: string }; Querystring: { origin?: string; client_secret?: string } }>, reply: FastifyReply) => {
    const parentOrigin = parentOriginOf(request.query.origin);
    const view = parentOrigin ? await load(request.params.id, request.query.client_secret) : undefined;
    if (!view || !parentOrigin) {
      await notFound(reply);
      return undefined;
    }
    const nonce = randomBytes(16).toString('base64');
    setEmbedHeaders(reply, parentOrigin, nonce);
    const action = `/c/embed/${view.session.id}?client_secret=${encodeURIComponent(view.session.client_secret!)}&origin=${encodeURIComponent(parentOrigin)}`;
    return { view, parentOrigin, nonce, action, speech: speechOf(view, request.headers['accept-language']), script: frameScript(nonce, parentOrigin) };
  };

  app.get<{ Params: { id: string }; Querystring: { origin?: string; client_secret?: string } }>('/c/embed/:id', async (request, reply) => {
    const page = await open(request, reply);
    if (!page) return reply;
    const { view, speech, action, script } = page;
    if (view.session.status !== 'open' || view.session.expires_at <= Math.floor(Date.now() / 1000)) {
      return reply.type('text/html').send(closedPage(speech, view.session, script));
    }
    return reply.type('text/html').send(formPage(deps, speech, view, { action, script }));
  });

  app.post<{ Params: { id: string }; Querystring: { origin?: string; client_secret?: string }; Body: RawForm | undefined }>('/c/embed/:id', async (request, reply) => {
    const page = await open(request, reply);
    if (!page) return reply;
    const { view, speech, action, script, nonce, parentOrigin } = page;
    const raw = request.body ?? {};
    if (!formTokenMatches(deps, view.session.id, raw)) {
      return reply.status(403).type('text/html').send(stepPage(speech, 'Forbidden', 'This form could not be verified. Reload the page and try again.', null, script));
    }
    if (view.session.status !== 'open') return reply.type('text/html').send(closedPage(speech, view.session, script));
    const read = readCheckoutForm(view.session, raw, speech.t, localMethodTexts(speech.locale));
    if ('errors' in read) return reply.status(400).type('text/html').send(formPage(deps, speech, view, { errors: read.errors, raw, action, script }));
    read.form.client = { ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? '' };
    return answer(reply, speech, view, await payCheckoutSession(deps, view.session, read.form), nonce, parentOrigin, action, raw);
  });
}
