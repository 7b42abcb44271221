import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { chosenMethod, pageMethodChoices, readCheckoutForm, type FieldError, type RawForm } from '../../checkout/form.ts';
import { isSecretField } from '../../checkout/local-method-fields.ts';
import { localMethodTexts } from '../../checkout/local-method-texts.ts';
import { methodChoiceStyle, methodSectionsHtml, pendingHtml, pixDisplayHtml } from './checkout-method-views.ts';
import { checkoutPagePath } from '../../checkout/render.ts';
import { checkoutLocaleOf, checkoutTexts, declineText, displayAmount, type CheckoutLocale, type CheckoutTexts } from '../../checkout/page-texts.ts';
import { checkoutPageView, type CheckoutPageView } from '../../checkout/page-view.ts';
import { setupTexts } from '../../checkout/setup-texts.ts';
import { payCheckoutSession, returnToCheckoutSession, type PayOutcome } from '../../checkout/pay.ts';
import type { CheckoutSessionRow } from '../../checkout/repository.ts';
import { constantTimeEqual } from '../../platform/crypto.ts';
import { exponentOf } from '../../platform/money.ts';
import { escapeHtml, setPageHeaders } from '../html.ts';
import { brandMarkHtml, brandMarkStyle } from './branding-images.ts';

/**
 * The hosted Checkout page (`/c/pay/<session id>`, the session's `url`): the order, the shopper's details and card
 * fields, and a pay button. It works without JavaScript (a plain form posted to Payrail, whose origin it is), so it
 * is usable by keyboard and screen readers as it stands. Card numbers reach Payrail only, and are never written back
 * into a page. The form carries a token bound to the session (a keyed digest), so another site cannot post it.
 */

const sessionIdPattern = /^cs_[0-9A-Za-z]{24}$/;
/** How often the page showing Pix's QR code looks whether the payment has arrived. */
const displayRefreshSeconds = 3;
const checkoutTokenField = 'csrf_token';

function sessionToken(deps: Dependencies, sessionId: string): string {
  return deps.secretBox.digest('checkout-session-form', sessionId);
}

/** Whether a posted form carries the session's token (compared in constant time). */
export function formTokenMatches(deps: Dependencies, sessionId: string, raw: RawForm): boolean {
  const token = raw[checkoutTokenField];
  return typeof token === 'string' && constantTimeEqual(Buffer.from(token), Buffer.from(sessionToken(deps, sessionId)));
}

/** Stripe's template: `{CHECKOUT_SESSION_ID}` in a merchant's URL (written as is or percent-encoded) becomes the session's id. */
function withSessionId(url: string | null, sessionId: string): string | null {
  return url === null ? null : url.replaceAll('{CHECKOUT_SESSION_ID}', sessionId).replaceAll('%7BCHECKOUT_SESSION_ID%7D', sessionId);
}

/** Where a paid hosted session sends the shopper: its success_url. */
export function successTarget(session: CheckoutSessionRow): string | null {
  return withSessionId(session.success_url, session.id);
}

function originOf(url: string | null): string {
  if (url === null) return '';
  try {
    return ` ${new URL(url).origin}`;
  } catch {
    return '';
  }
}

/**
 * The page's policy: the common one, with the merchant's success origin as a form target (the POST's redirect goes
 * there), and images from Payrail itself (the account's logo or icon, /c/branding/<file id>).
 */
function setCheckoutHeaders(reply: FastifyReply, session: CheckoutSessionRow | undefined): void {
  setPageHeaders(reply);
  reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'${originOf(session ? successTarget(session) : null)}; frame-ancestors 'none'; base-uri 'none'`);
}

const styles = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1a1f36;background:var(--secondary)}
main{display:grid;grid-template-columns:1fr 1fr;gap:3rem;max-width:60rem;margin:0 auto;padding:3rem 1.5rem}
@media (max-width:760px){main{grid-template-columns:1fr;gap:1.5rem;padding:1.25rem}}
h1{font-size:1.1rem;margin:0 0 .25rem}.total{font-size:2rem;font-weight:600;margin:.25rem 0 1.5rem}
.badge{display:inline-block;background:#ffde92;color:#663c00;border-radius:4px;padding:.1rem .4rem;font-size:.75rem;font-weight:600}
table{width:100%;border-collapse:collapse}td{padding:.5rem 0;border-bottom:1px solid #e3e8ee;vertical-align:top}td.amount{text-align:right;white-space:nowrap}
.quantity{color:#697386;font-size:.85rem}form{background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 2px 6px rgba(50,50,93,.12)}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:600;margin-bottom:.5rem}label{display:block;font-size:.85rem;margin:.6rem 0 .25rem;color:#3c4257}
input,select{width:100%;font-size:1rem;padding:.6rem .7rem;border:1px solid #cfd7df;border-radius:6px;background:#fff;color:#1a1f36}
input:focus,select:focus,button:focus,a:focus{outline:3px solid var(--primary);outline-offset:1px}.row{display:grid;grid-template-columns:1fr 1fr;gap:.75rem}
[aria-invalid=true]{border-color:#df1b41}.field-error{color:#c0123c;font-size:.85rem;margin:.25rem 0 0}
.alert{background:#fde8ec;color:#8a0c2b;border-radius:6px;padding:.75rem;margin-bottom:1rem}
button{width:100%;margin-top:1rem;font-size:1.05rem;font-weight:600;padding:.8rem;border:0;border-radius:6px;background:var(--primary);color:var(--on-primary);cursor:pointer}
a{color:var(--primary)}.or{text-align:center;color:#697386;margin:.75rem 0 0}button.paypal{background:#ffc439;color:#111;margin-top:.5rem}.hint{color:#697386;font-size:.8rem;margin-top:.75rem}.message{max-width:32rem;margin:4rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 2px 6px rgba(50,50,93,.12)}`;

/** The language a page speaks, and its words. */
export interface Speech {
  locale: CheckoutLocale;
  t: CheckoutTexts;
}

const english: Speech = { locale: 'en', t: checkoutTexts('en') };

/** Payrail's own colours, used where the account has not set its branding. */
const defaultBranding = { primary: '#5469d4', secondary: '#f6f9fc' };

/** Dark text on a light colour, white on a dark one (relative luminance, WCAG's formula), so the button stays readable. */
export function textColorOn(hex: string): string {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.35 ? '#1a1f36' : '#ffffff';
}

/** The page's colours as CSS variables: validated `#rrggbb` values (the API checks them), never free text. */
function brandingStyle(branding: CheckoutPageView['branding'] | undefined): string {
  const primary = branding?.primaryColor ?? defaultBranding.primary;
  const secondary = branding?.secondaryColor ?? defaultBranding.secondary;
  const safe = (hex: string, fallback: string) => (/^#[0-9a-f]{6}$/i.test(hex) ? hex : fallback);
  return `:root{--primary:${safe(primary, defaultBranding.primary)};--on-primary:${textColorOn(safe(primary, defaultBranding.primary))};--secondary:${safe(secondary, defaultBranding.secondary)}}`;
}

/** A page; `script` is a script element of the caller's (an embedded page's, allowed by its nonce), placed last. */
export function document(speech: Speech, title: string, body: string, branding?: CheckoutPageView['branding'], script = ''): string {
  return `<!doctype html><html lang="${speech.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${brandingStyle(branding)}${styles}${brandMarkStyle}</style></head><body>${body}${script}</body></html>`;
}

export function messagePage(speech: Speech, title: string, text: string, link?: { href: string; label: string }, script?: string): string {
  return document(speech, title, `<div class="message" role="status"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ''}</div>`, undefined, script);
}

function submitLabel(t: CheckoutTexts, submitType: CheckoutSessionRow['submit_type']): string {
  return submitType === 'book' ? t.book : submitType === 'donate' ? t.donate : t.pay;
}

/** The values the shopper typed (never the card's), to fill the form again after an error. */
function keptValues(raw: RawForm | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  if (!raw) return kept;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string' && !name.startsWith('card_') && !isSecretField(name) && name !== checkoutTokenField) kept[name] = value.slice(0, 200);
  }
  return kept;
}

/** The payment form. `action` is where it posts (the embedded page's own address); `script` goes at the end of the page. */
export function formPage(deps: Dependencies, speech: Speech, view: CheckoutPageView, options: { errors?: FieldError[]; message?: string; raw?: RawForm; action?: string; script?: string } = {}): string {
  const { session, items, merchantName } = view;
  const { t } = speech;
  const money = (amount: number, currency: string) => displayAmount(amount, currency, speech.locale, exponentOf(currency));
  const errors = options.errors ?? [];
  const values = keptValues(options.raw);
  // Back from a bank's page (or 3-D Secure) with a failure, the form starts from what the shopper gave before.
  const email = session.customer_email ?? session.customer_details?.email;
  if (values.email === undefined && email) values.email = email;
  const errorOf = (field: string) => errors.find((error) => error.field === field);
  const input = (name: string, label: string, attributes: string) => {
    const error = errorOf(name);
    const value = values[name] !== undefined ? ` value="${escapeHtml(values[name])}"` : '';
    return `<label for="${name}">${escapeHtml(label)}</label><input id="${name}" name="${name}"${value} ${attributes}${error ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}>${error ? `<p class="field-error" id="${name}-error">${escapeHtml(error.message)}</p>` : ''}`;
  };
  const address = (prefix: string, legend: string, countries: string[] | null) => `<fieldset><legend>${escapeHtml(legend)}</legend>
${input(`${prefix}_line1`, t.line1, `autocomplete="${prefix} address-line1" required`)}
${input(`${prefix}_line2`, t.line2, `autocomplete="${prefix} address-line2"`)}
<div class="row"><div>${input(`${prefix}_city`, t.city, `autocomplete="${prefix} address-level2" required`)}</div><div>${input(`${prefix}_postal_code`, t.postalCode, `autocomplete="${prefix} postal-code" required`)}</div></div>
${input(`${prefix}_state`, t.state, `autocomplete="${prefix} address-level1"`)}
${countries ? `<label for="${prefix}_country">${escapeHtml(t.country)}</label><select id="${prefix}_country" name="${prefix}_country" autocomplete="${prefix} country" required>${countries.map((code) => `<option value="${escapeHtml(code)}"${values[`${prefix}_country`] === code ? ' selected' : ''}>${escapeHtml(code)}</option>`).join('')}</select>${errorOf(`${prefix}_country`) ? `<p class="field-error">${escapeHtml(errorOf(`${prefix}_country`)!.message)}</p>` : ''}` : input(`${prefix}_country`, t.countryCode, `autocomplete="${prefix} country" maxlength="2" required`)}
</fieldset>`;
  const select = (name: string, label: string, choices: readonly { value: string; label: string }[], required: boolean) => {
    const error = errorOf(name);
    return `<label for="${name}">${escapeHtml(label)}</label><select id="${name}" name="${name}"${required ? ' required' : ''}${error ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}>${choices.map((choice) => `<option value="${escapeHtml(choice.value)}"${values[name] === choice.value ? ' selected' : ''}>${escapeHtml(choice.label)}</option>`).join('')}</select>${error ? `<p class="field-error" id="${name}-error">${escapeHtml(error.message)}</p>` : ''}`;
  };
  const setup = session.mode === 'setup' ? setupTexts(speech.locale) : null;
  // The methods to choose from (PayPal has its own button); a session of cards alone shows the card form as it always did.
  const choices = setup ? ['card'] : pageMethodChoices(session);
  const chosen = setup ? 'card' : chosenMethod(session, options.raw ?? {});
  const cardOnly = choices.length === 1 && choices[0] === 'card';
  const localTexts = localMethodTexts(speech.locale);
  const cardFields = `<fieldset><legend>${escapeHtml(t.cardInformation)}</legend>
${input('card_number', t.cardNumber, 'inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" maxlength="23" required')}
<div class="row"><div>${input('card_expiry', t.expiry, `inputmode="numeric" autocomplete="cc-exp" placeholder="${escapeHtml(t.expiryPlaceholder)}" maxlength="9" required`)}</div><div>${input('card_cvc', t.cvc, 'inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" maxlength="4" required')}</div></div>
${input('name', t.nameOnCard, 'autocomplete="cc-name" required')}
</fieldset>
${session.billing_address_collection === 'required' ? '' : `<div class="row"><div>${input('billing_country', t.countryCode, 'autocomplete="country" maxlength="2"')}</div><div>${input('billing_postal_code', t.postalCode, 'autocomplete="postal-code"')}</div></div>`}`;
  const total = session.amount_total === null || session.currency === null ? '' : money(session.amount_total, session.currency);
  const rows = items.map((item) => `<tr><td>${escapeHtml(item.description)}${item.quantity > 1 ? `<div class="quantity">${escapeHtml(t.quantity)} ${item.quantity} × ${escapeHtml(money(item.unit_amount, item.currency))}</div>` : ''}</td><td class="amount">${escapeHtml(money(item.amount_total, item.currency))}</td></tr>`).join('');
  const alert = options.message ?? (errors.length > 0 ? t.correctFields : undefined);
  // Setup mode sells nothing: the summary says what saving the card means instead of an order and a total.
  const summary = setup
    ? `<p class="total">${escapeHtml(setup.title)}</p><p>${escapeHtml(setup.intro.replace('{merchant}', merchantName))}</p>`
    : `<p class="total" aria-label="Total ${escapeHtml(total)}">${escapeHtml(total)}</p>
<table aria-label="${escapeHtml(t.orderSummary)}"><tbody>${rows}<tr><td><strong>${escapeHtml(t.totalDue)}</strong></td><td class="amount"><strong>${escapeHtml(total)}</strong></td></tr></tbody></table>`;
  return document(speech, `${setup ? setup.title : t.pay} ${merchantName}`, `<main>
<section aria-labelledby="summary-title">
<h1 id="summary-title">${brandMarkHtml(merchantName, view.branding.image)} ${session.livemode ? '' : `<span class="badge">${escapeHtml(t.testMode)}</span>`}</h1>
${summary}
${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">← ${escapeHtml(t.backTo)} ${escapeHtml(merchantName)}</a></p>` : ''}
</section>
<form method="post" action="${escapeHtml(options.action ?? `/c/pay/${session.id}`)}" novalidate aria-labelledby="pay-title">
<h1 id="pay-title">${escapeHtml(setup ? t.cardInformation : cardOnly ? t.payWithCard : choices.length > 1 ? t.pay : localTexts.paymentMethod)}</h1>${cardOnly ? '' : `<style>${methodChoiceStyle(choices)}</style>`}
${alert ? `<div class="alert" role="alert">${escapeHtml(alert)}</div>` : ''}
<input type="hidden" name="${checkoutTokenField}" value="${escapeHtml(sessionToken(deps, session.id))}">
${session.customer_id === null ? input('email', t.email, 'type="email" autocomplete="email" required') : ''}
${cardOnly ? cardFields : methodSectionsHtml({ session, choices, chosen, cardFields: `${cardFields}${session.livemode ? '' : `<p class="hint">${escapeHtml(t.testHint)}</p>`}`, cardLabel: localTexts.card, merchantName, t: localTexts, render: { input, select } })}
${session.billing_address_collection === 'required' ? address('billing', t.billingAddress, null) : ''}
${session.phone_number_collection ? input('phone', t.phone, 'type="tel" autocomplete="tel" required') : ''}
${session.shipping_allowed_countries ? `${input('shipping_name', t.shippingName, 'autocomplete="shipping name"')}${address('shipping', t.shippingAddress, session.shipping_allowed_countries)}` : ''}
<button type="submit" name="method" value="card">${escapeHtml(setup ? setup.save : `${submitLabel(t, session.submit_type)} ${total}`)}</button>
${session.payment_method_types.includes('paypal') && !setup ? `<p class="or">${escapeHtml(t.or)}</p><button type="submit" name="method" value="paypal" class="paypal">${escapeHtml(t.payWithPayPal)}</button><p class="hint">${escapeHtml(t.paypalHint)}</p>` : ''}
${session.livemode || !cardOnly ? '' : `<p class="hint">${escapeHtml(t.testHint)}</p>`}
</form>
</main>`, view.branding, options.script);
}

/**
 * On to another site at once, by a refresh (and a link for a browser that does not follow it): a new navigation, not
 * a redirect of a form's submission, which Chromium would check against the submitting page's form-action.
 */
export function continuePage(speech: Speech, target: string, title: string, text: string): string {
  return document(speech, title, `<div class="message" role="status"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<p><a href="${escapeHtml(target)}">${escapeHtml(speech.t.continue)}</a></p></div>`).replace('<title>', `<meta http-equiv="refresh" content="0;url=${escapeHtml(target)}"><title>`);
}

/** A session that no longer takes payments: paid, or expired. */
/** `script`: an embedded page's script (checkout-embed-page.ts). */
export function closedPage(speech: Speech, session: CheckoutSessionRow, script?: string): string {
  const { t } = speech;
  const setup = session.mode === 'setup' ? setupTexts(speech.locale) : null;
  if (session.status === 'complete' && session.async_payment === 'pending') {
    const target = successTarget(session);
    return messagePage(speech, t.processingTitle, t.processingText, target ? { href: target, label: t.returnToMerchant } : undefined, script);
  }
  if (session.status === 'complete') {
    const target = successTarget(session);
    return messagePage(speech, setup ? setup.savedTitle : t.paymentComplete, setup ? setup.savedText : t.paidText, target ? { href: target, label: t.returnToMerchant } : undefined, script);
  }
  if (session.status === 'expired' || session.expires_at <= Math.floor(Date.now() / 1000)) {
    return messagePage(speech, t.expiredTitle, t.expiredText, session.cancel_url ? { href: session.cancel_url, label: t.returnToMerchant } : undefined, script);
  }
  // A payment still in flight (the other tab's, or a slow provider): the hosted page looks again in a few seconds (an
  // embedded session has no page at that address; payrail.js's frame shows this until the shopper reloads).
  const processing = messagePage(speech, setup ? setup.processingTitle : t.processingTitle, setup ? setup.processingText : t.processingText, undefined, script);
  if (session.ui_mode !== 'hosted') return processing;
  return processing.replace('<title>', `<meta http-equiv="refresh" content="3;url=${escapeHtml(checkoutPagePath(session.id))}"><title>`);
}

/** What a completed session's page is titled: the payment is complete, or (setup mode) the card saved. */
function completeTitle(speech: Speech, session: CheckoutSessionRow): string {
  return session.mode === 'setup' ? setupTexts(speech.locale).savedTitle : speech.t.paymentComplete;
}

/** The page's language for a session and the browser's Accept-Language. */
export function speechOf(view: CheckoutPageView, acceptLanguage: string | undefined): Speech {
  const locale = checkoutLocaleOf(view.session.locale, acceptLanguage);
  return { locale, t: checkoutTexts(locale) };
}

export const notFoundPage = () => messagePage(english, 'Not found', 'This checkout link is not valid.');

/** An embedded session's return_url with its id (the merchant's page checks the session there). */
export function returnTarget(session: CheckoutSessionRow): string | null {
  return withSessionId(session.return_url, session.id);
}

export function registerCheckoutPages(app: FastifyInstance, deps: Dependencies): void {
  // An embedded session has no page of its own: payrail.js mounts /c/embed/<id>?client_secret=... (checkout-embed-page.ts).
  const load = async (id: string) => {
    const view = sessionIdPattern.test(id) ? await checkoutPageView(deps.db, id) : undefined;
    return view?.session.ui_mode === 'hosted' ? view : undefined;
  };
  const notFound = (reply: FastifyReply) => reply.status(404).type('text/html').send(notFoundPage());

  /**
   * Answers the outcome of a payment attempt (`via: 'form'`) or of a return from 3-D Secure or a wallet. The page's
   * own form may redirect to the merchant (its policy names the success origin); a return arrives at the end of the
   * challenge page's form submission, whose policy allows Payrail only, so it continues by a page that refreshes to
   * the merchant (a new navigation) instead of a redirect Chromium would block.
   */
  const answer = async (reply: FastifyReply, speech: Speech, view: CheckoutPageView, outcome: PayOutcome, via: 'form' | 'return', raw?: RawForm) => {
    switch (outcome.kind) {
      case 'complete': {
        const target = successTarget(outcome.session);
        // A local method's payment still to end (a boleto to pay, a debit or app approval in progress): the page says
        // what happens next, with the way back to the merchant.
        if (outcome.pending && outcome.pending.type !== 'paypal') {
          return reply.type('text/html').send(document(speech, localMethodTexts(speech.locale).processingTitle, pendingHtml(outcome.pending.type, outcome.pending.nextAction, localMethodTexts(speech.locale), target), view.branding));
        }
        if (!target) return reply.type('text/html').send(closedPage(speech, outcome.session));
        if (via === 'form') return reply.redirect(target, 303);
        return reply.type('text/html').send(continuePage(speech, target, completeTitle(speech, outcome.session), speech.t.backToMerchantText));
      }
      case 'redirect':
        // 3-D Secure is Payrail's own page; a wallet's approval page (PayPal) is another site.
        if (new URL(outcome.url).origin === new URL(deps.publicUrl).origin) return reply.redirect(outcome.url, 303);
        return reply.type('text/html').send(continuePage(speech, outcome.url, speech.t.toPayPalTitle, speech.t.toPayPalText));
      case 'declined':
        return reply.status(402).type('text/html').send(formPage(deps, speech, view, { message: declineText(speech.t, outcome.code, outcome.declineCode, outcome.message), raw }));
      case 'display':
        // Pix: the QR code, and a look again every few seconds through the return page, which moves on once paid.
        return reply.type('text/html').send(document(speech, localMethodTexts(speech.locale).pixTitle, pixDisplayHtml(outcome.nextAction, localMethodTexts(speech.locale), speech.locale), view.branding)
          .replace('<title>', `<meta http-equiv="refresh" content="${displayRefreshSeconds};url=${escapeHtml(`${checkoutPagePath(view.session.id)}/return`)}"><title>`));
      case 'processing':
      case 'closed':
        return reply.type('text/html').send(closedPage(speech, outcome.session));
    }
  };

  app.get<{ Params: { id: string } }>('/c/pay/:id', async (request, reply) => {
    const view = await load(request.params.id);
    setCheckoutHeaders(reply, view?.session);
    if (!view) return notFound(reply);
    const speech = speechOf(view, request.headers['accept-language']);
    if (view.session.status !== 'open' || view.session.expires_at <= Math.floor(Date.now() / 1000)) return reply.type('text/html').send(closedPage(speech, view.session));
    return reply.type('text/html').send(formPage(deps, speech, view));
  });

  app.post<{ Params: { id: string }; Body: RawForm | undefined }>('/c/pay/:id', async (request, reply) => {
    const view = await load(request.params.id);
    setCheckoutHeaders(reply, view?.session);
    if (!view) return notFound(reply);
    const speech = speechOf(view, request.headers['accept-language']);
    const raw = request.body ?? {};
    if (!formTokenMatches(deps, view.session.id, raw)) {
      return reply.status(403).type('text/html').send(messagePage(speech, 'Forbidden', 'This form could not be verified. Reload the page and try again.'));
    }
    if (view.session.status !== 'open') return reply.type('text/html').send(closedPage(speech, view.session));
    const read = readCheckoutForm(view.session, raw, speech.t, localMethodTexts(speech.locale));
    if ('errors' in read) return reply.status(400).type('text/html').send(formPage(deps, speech, view, { errors: read.errors, raw }));
    read.form.client = { ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? '' };
    return answer(reply, speech, view, await payCheckoutSession(deps, view.session, read.form), 'form', raw);
  });

  app.get<{ Params: { id: string } }>('/c/pay/:id/return', async (request, reply) => {
    const view = sessionIdPattern.test(request.params.id) ? await checkoutPageView(deps.db, request.params.id) : undefined;
    setCheckoutHeaders(reply, view?.session);
    if (!view) return notFound(reply);
    const speech = speechOf(view, request.headers['accept-language']);
    const outcome = await returnToCheckoutSession(deps, view.session);
    const target = view.session.ui_mode === 'embedded' ? returnTarget(view.session) : null;
    // An embedded session's shopper left the merchant's page for 3-D Secure or PayPal: back to its return_url, paid or
    // not (as at Stripe: the merchant's page checks the session, and mounts Checkout again while it is open).
    if (target) return reply.type('text/html').send(continuePage(speech, target, outcome.kind === 'complete' ? completeTitle(speech, outcome.session) : speech.t.continue, speech.t.backToMerchantText));
    if (view.session.ui_mode === 'embedded') return reply.type('text/html').send(closedPage(speech, outcome.kind === 'closed' || outcome.kind === 'complete' || outcome.kind === 'processing' ? outcome.session : view.session));
    return answer(reply, speech, view, outcome, 'return');
  });
}
