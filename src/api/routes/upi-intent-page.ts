import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import type { Dependencies } from '../../dependencies.ts';
import { formatAmount } from '../../platform/money.ts';
import { findAttempt, type AttemptRow } from '../../orchestration/attempts-repository.ts';
import { completeRedirect } from '../../payments/authentication.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../../payments/repository.ts';
import { escapeHtml, page, pageContentSecurityPolicy } from '../html.ts';

/**
 * Payrail's page of a UPI intent waiting for the payer (`next_action.upi_handle_redirect_or_display_qr_code
 * .hosted_instructions_url`, `/payrail/upi/:attempt`), for the Razorpay connector and the test processor alike: the QR
 * code to scan with a UPI app (`qr_code.image_url_png` / `image_url_svg`, `/payrail/upi/:attempt/qr.png|svg`, drawn
 * by the `qrcode` package from the `upi://pay` link) and the link itself, which opens the payer's UPI app on a phone.
 * The link is the attempt's redirect (src/connectors/shared/upi-intent.ts). On a test-mode attempt of the built-in test
 * processor the page also has "Approve test payment" and "Fail test payment" (a form token bound to the attempt, as on
 * the test payment page), which complete the attempt through the redirect path; a real provider's payer approves in
 * the UPI app, and the provider's webhook settles it. Only while the intent waits on that attempt.
 */

const attemptIdPattern = /^pa_[0-9A-Za-z]{24}$/;
const tokenField = 'csrf_token';
const kind = 'upi_handle_redirect_or_display_qr_code';
/** Side of the PNG, in pixels. */
const pngWidthPixels = 300;

function formToken(deps: Dependencies, attemptId: string): string {
  return deps.secretBox.digest('upi-intent-form', attemptId);
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Waiting {
  attempt: AttemptRow;
  intent: PaymentIntentRow;
  /** The `upi://pay` link while the intent waits on this attempt's UPI intent; undefined once it does not. */
  link: string | undefined;
  expiresAt: number | undefined;
}

async function waiting(deps: Dependencies, id: string): Promise<Waiting | undefined> {
  const attempt = attemptIdPattern.test(id) ? await findAttempt(deps.db, id) : undefined;
  if (!attempt) return undefined;
  const intent = await findPaymentIntent(deps.db, { accountId: attempt.account_id, livemode: attempt.livemode }, attempt.payment_intent_id);
  if (!intent) return undefined;
  const action = intent.next_action as Record<string, unknown> | null;
  const current = intent.status === 'requires_action' && intent.latest_charge_id === attempt.charge_id && action?.type === kind && attempt.status === 'requires_action';
  const url = attempt.redirect?.url;
  const details = current ? action[kind] as { expires_at?: unknown } : undefined;
  return { attempt, intent, link: current && typeof url === 'string' && url.startsWith('upi://') ? url : undefined, expiresAt: typeof details?.expires_at === 'number' ? details.expires_at : undefined };
}

function notFound(reply: FastifyReply) {
  return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1><p>This link is not valid.</p>'));
}

function finished(reply: FastifyReply, intent: PaymentIntentRow) {
  const paid = intent.status === 'succeeded' || intent.status === 'requires_capture';
  return reply.type('text/html').send(page(paid ? 'Paid' : 'Not payable', paid ? '<h1>Paid</h1><p>This UPI payment has been paid.</p>' : '<h1>Not payable</h1><p>This UPI payment can no longer be paid (declined, expired or replaced).</p>'));
}

function isTestProcessor(attempt: AttemptRow): boolean {
  return !attempt.livemode && attempt.connector === 'test_processor';
}

function dateOf(seconds: number | undefined): string {
  return seconds === undefined ? '' : new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function registerUpiIntentPage(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/payrail/upi/:id', async (request, reply) => {
    const found = await waiting(deps, request.params.id);
    if (!found) return notFound(reply);
    if (!found.link) return finished(reply, found.intent);
    const { attempt, intent, link } = found;
    const test = isTestProcessor(attempt);
    reply.header('Content-Security-Policy', pageContentSecurityPolicy.replace("default-src 'none'", "default-src 'none'; img-src 'self'"));
    const buttons = test
      ? `<form method="post" action="/payrail/upi/${escapeHtml(attempt.id)}">
<input type="hidden" name="${tokenField}" value="${escapeHtml(formToken(deps, attempt.id))}">
<button class="complete" type="submit" name="action" value="approve">Approve test payment</button>
<button class="fail" type="submit" name="action" value="fail">Fail test payment</button>
</form>`
      : '';
    return reply.type('text/html').send(page(test ? 'UPI test payment' : 'Pay with UPI', `<h1>${test ? 'UPI test payment' : 'Pay with UPI'}</h1>
<p>${test ? 'Payrail test mode: s' : 'S'}can the QR code with a UPI app, or open the link on your phone, to pay <strong>${escapeHtml(formatAmount(intent.amount, intent.currency))}</strong> before ${escapeHtml(dateOf(found.expiresAt))}.</p>
<p><img alt="UPI QR code" width="240" height="240" src="/payrail/upi/${escapeHtml(attempt.id)}/qr.svg"></p>
<p><a class="upi-link" href="${escapeHtml(link)}">Open your UPI app</a></p>
${buttons}`));
  });

  app.get<{ Params: { id: string; format: string } }>('/payrail/upi/:id/qr.:format', async (request, reply) => {
    const found = await waiting(deps, request.params.id);
    if (!found?.link || (request.params.format !== 'png' && request.params.format !== 'svg')) return notFound(reply);
    reply.header('Cache-Control', 'no-store');
    if (request.params.format === 'png') return reply.type('image/png').send(await QRCode.toBuffer(found.link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: pngWidthPixels }));
    return reply.type('image/svg+xml').send(await QRCode.toString(found.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/payrail/upi/:id', async (request, reply) => {
    const action = request.body?.action;
    if (action !== 'approve' && action !== 'fail') {
      return reply.status(400).type('text/html').send(page('Bad request', '<h1>Bad request</h1><p>Choose to approve or fail the test payment.</p>'));
    }
    const found = await waiting(deps, request.params.id);
    // Only the test processor's payments are answered here: a real payer approves in the UPI app.
    if (!found || !isTestProcessor(found.attempt)) return notFound(reply);
    if (!tokenMatches(formToken(deps, found.attempt.id), request.body?.[tokenField])) {
      return reply.status(403).type('text/html').send(page('Forbidden', '<h1>This form has expired</h1><p>Open the page again and answer there.</p>'));
    }
    if (!found.link) return finished(reply, found.intent);
    // Past its expiry the link cannot be paid: the attempt ends as not approved.
    const expired = found.expiresAt !== undefined && found.expiresAt <= deps.clock.nowSeconds();
    const result = await completeRedirect(deps, found.attempt.id, { status: action === 'approve' && !expired ? 'succeeded' : 'failed' });
    if (!result) return notFound(reply);
    return finished(reply, result.intent);
  });
}
