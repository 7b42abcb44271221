import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { brandImageOf, type BrandImage } from '../../accounts/branding.ts';
import { findAccount } from '../../accounts/repository.ts';
import { findAccountSettings } from '../../accounts/settings-repository.ts';
import { checkoutPagePath } from '../../checkout/render.ts';
import { findCheckoutSessionById } from '../../checkout/repository.ts';
import type { Dependencies } from '../../dependencies.ts';
import { paymentLinkPath } from '../../payment-links/render.ts';
import { findPaymentLinkById, type PaymentLinkRow } from '../../payment-links/repository.ts';
import { paymentLinkItems } from '../../payment-links/service.ts';
import { PaymentLinkUnavailable, scopeOfLink, startLinkSession } from '../../payment-links/visit.ts';
import { ApiError } from '../../platform/errors.ts';
import { formatAmount } from '../../platform/money.ts';
import { escapeHtml, page, pageContentSecurityPolicy } from '../html.ts';
import { brandMarkHtml, brandMarkStyle } from './branding-images.ts';

/**
 * A Payment Link's public pages. `/pl/<id>` (the link's `url`) makes a Checkout Session from the link at each visit
 * and sends the shopper on to its hosted page (303); a link with adjustable quantities first shows a small form to
 * choose them. `/pl/<id>/share` shows the URL and its QR code (`/pl/<id>/qr.svg`); `/pl/<id>/complete` is the
 * hosted confirmation after a purchase. A link that does not sell any more shows so, and makes nothing.
 */

const linkIdPattern = /^plink_[0-9A-Za-z]{24}$/;
const sessionIdPattern = /^cs_[0-9A-Za-z]{24}$/;
/** The QR code's error correction (M: 15% of the code may be unreadable) and quiet zone, in modules. */
export const qrErrorCorrectionLevel = 'M';
export const qrMarginModules = 4;

function linkUrl(deps: Dependencies, link: PaymentLinkRow): string {
  return `${deps.publicUrl}${paymentLinkPath(link.id)}`;
}

/** Whom the link's buyer pays: the account's name, and its logo or icon (null when it has neither). */
async function merchantOf(deps: Dependencies, link: PaymentLinkRow): Promise<{ name: string; image: BrandImage | null }> {
  const [account, settings] = await Promise.all([findAccount(deps.db, link.account_id), findAccountSettings(deps.db, link.account_id)]);
  return { name: account?.name ?? 'Payrail merchant', image: brandImageOf(settings) };
}

/** The account's logo or icon above a page's heading (nothing without one: the page names the account in its text). */
function brandBanner(merchant: { name: string; image: BrandImage | null }): string {
  return merchant.image === null ? '' : `<style>${brandMarkStyle}</style><p>${brandMarkHtml(merchant.name, merchant.image)}</p>`;
}

/** The pages' policy, with images from Payrail itself (the QR code, the account's logo or icon). */
function setLinkPageHeaders(reply: FastifyReply): void {
  reply.header('Content-Security-Policy', pageContentSecurityPolicy.replace("default-src 'none';", "default-src 'none'; img-src 'self';"));
}

function unavailablePage(link: PaymentLinkRow): string {
  const message = link.inactive_message ?? 'This payment link is no longer available. Contact the seller for another way to pay.';
  return page('Link no longer available', `<h1>Link no longer available</h1><p role="status">${escapeHtml(message)}</p>`);
}

async function chooserPage(deps: Dependencies, link: PaymentLinkRow, error?: { item: string; message: string }): Promise<string> {
  const items = await paymentLinkItems(deps.db, scopeOfLink(link), link);
  const merchant = await merchantOf(deps, link);
  const { name } = merchant;
  const rows = items.map(({ row, price, description, currency }) => {
    const unit = price.currency === currency ? price.unit_amount : price.currency_options[currency]?.unit_amount ?? 0;
    const label = `${description} (${formatAmount(unit, currency)} each)`;
    if (!row.adjustable_enabled) return `<p>${escapeHtml(description)} × ${row.quantity}: ${escapeHtml(formatAmount(unit * row.quantity, currency))}</p>`;
    const field = `quantity_${row.id}`;
    const failed = error?.item === row.id;
    return `<p><label for="${field}">${escapeHtml(label)}</label><br><input id="${field}" name="${field}" type="number" inputmode="numeric" min="${row.adjustable_minimum ?? 0}" max="${row.adjustable_maximum ?? row.quantity}" value="${row.quantity}"${failed ? ` aria-invalid="true" aria-describedby="${field}-error"` : ''}>${failed ? `<br><span id="${field}-error">${escapeHtml(error.message)}</span>` : ''}</p>`;
  }).join('');
  const alert = error && !items.some((item) => item.row.id === error.item) ? `<p role="alert">${escapeHtml(error.message)}</p>` : error ? '<p role="alert">Please correct the quantity below.</p>' : '';
  return page(`Buy from ${name}`, `<style>${brandMarkStyle}</style><h1>${brandMarkHtml(name, merchant.image)}</h1>${alert}<form method="post" action="${escapeHtml(paymentLinkPath(link.id))}">${rows}<button type="submit" class="complete">Continue to payment</button></form>
<p><a href="${escapeHtml(paymentLinkPath(link.id))}/share">Share this link (QR code)</a></p>`);
}

export function registerPaymentLinkPages(app: FastifyInstance, deps: Dependencies): void {
  // Every page here may show Payrail's own images (set after the common page headers, which the pages' onRequest sets).
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/pl/')) setLinkPageHeaders(reply);
  });
  const load = async (id: string) => (linkIdPattern.test(id) ? findPaymentLinkById(deps.db, id) : undefined);
  const notFound = (reply: FastifyReply) => reply.status(404).type('text/html').send(page('Not found', '<h1>Not found</h1><p>This payment link is not valid.</p>'));

  /** A new session from the link, and on to its page; or why not (the link stopped selling, a quantity out of range). */
  const start = async (reply: FastifyReply, link: PaymentLinkRow, choices: Record<string, string | undefined>) => {
    try {
      const session = await startLinkSession(deps, link, choices);
      return reply.redirect(`${deps.publicUrl}${checkoutPagePath(session.id)}`, 303);
    } catch (error) {
      if (error instanceof PaymentLinkUnavailable) return reply.type('text/html').send(unavailablePage(error.link));
      if (error instanceof ApiError && error.status < 500) {
        if (error.param?.startsWith('li_') || error.param === 'line_items') {
          return reply.status(400).type('text/html').send(await chooserPage(deps, link, { item: error.param, message: error.message }));
        }
        // What the link sells cannot be sold now (a price or product archived since the link was made).
        return reply.status(409).type('text/html').send(page('Link unavailable', `<h1>This link cannot be used right now</h1><p role="status">${escapeHtml(error.message)}</p>`));
      }
      throw error;
    }
  };

  app.get<{ Params: { id: string } }>('/pl/:id', async (request, reply) => {
    const link = await load(request.params.id);
    if (!link) return notFound(reply);
    if (!link.active) return reply.type('text/html').send(unavailablePage(link));
    const items = await paymentLinkItems(deps.db, scopeOfLink(link), link);
    if (items.some((item) => item.row.adjustable_enabled)) return reply.type('text/html').send(await chooserPage(deps, link));
    return start(reply, link, {});
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/pl/:id', async (request, reply) => {
    const link = await load(request.params.id);
    if (!link) return notFound(reply);
    const choices: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.body ?? {})) {
      if (name.startsWith('quantity_') && typeof value === 'string') choices[name.slice('quantity_'.length)] = value;
    }
    return start(reply, link, choices);
  });

  app.get<{ Params: { id: string } }>('/pl/:id/qr.svg', async (request, reply) => {
    const link = await load(request.params.id);
    if (!link) return notFound(reply);
    const svg = await QRCode.toString(linkUrl(deps, link), { type: 'svg', errorCorrectionLevel: qrErrorCorrectionLevel, margin: qrMarginModules });
    return reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=300').send(svg);
  });

  app.get<{ Params: { id: string } }>('/pl/:id/share', async (request, reply) => {
    const link = await load(request.params.id);
    if (!link) return notFound(reply);
    const url = linkUrl(deps, link);
    const merchant = await merchantOf(deps, link);
    return reply.type('text/html').send(page(`Pay ${merchant.name}`, `${brandBanner(merchant)}<h1>Scan to pay</h1>
<p><img src="${escapeHtml(paymentLinkPath(link.id))}/qr.svg" width="240" height="240" alt="QR code of ${escapeHtml(url)}"></p>
<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>${link.active ? '' : '<p role="status">This link is not active at the moment.</p>'}`));
  });

  app.get<{ Params: { id: string }; Querystring: { session_id?: string } }>('/pl/:id/complete', async (request, reply) => {
    const link = await load(request.params.id);
    if (!link) return notFound(reply);
    const sessionId = request.query.session_id;
    const session = typeof sessionId === 'string' && sessionIdPattern.test(sessionId) ? await findCheckoutSessionById(deps.db, sessionId) : undefined;
    if (!session || session.payment_link_id !== link.id) return notFound(reply);
    if (session.status !== 'complete') {
      return reply.type('text/html').send(page('Payment not complete', '<h1>Payment not complete</h1><p role="status">This payment has not completed. If you paid, the seller will be told once it does.</p>'));
    }
    const custom = link.after_completion.type === 'hosted_confirmation' ? link.after_completion.hosted_confirmation.custom_message : null;
    const merchant = await merchantOf(deps, link);
    return reply.type('text/html').send(page('Thanks for your payment', `${brandBanner(merchant)}<h1>Thanks for your payment</h1><p role="status">${escapeHtml(custom ?? `Your payment to ${merchant.name} is complete.`)}</p>`));
  });
}
