import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import type { Dependencies } from '../../dependencies.ts';
import { formatAmount } from '../../platform/money.ts';
import { findAttempt } from '../../orchestration/attempts-repository.ts';
import { completeRedirect } from '../../payments/authentication.ts';
import { findPaymentIntent, type PaymentIntentRow } from '../../payments/repository.ts';
import { escapeHtml, page, pageContentSecurityPolicy } from '../html.ts';

/**
 * The test processor's pages of a payment waiting on a voucher or QR code, as Stripe's test mode has them: the boleto
 * voucher (`hosted_voucher_url`, `/payrail/test_voucher/:attempt`, and its `pdf`) and the Pix instructions
 * (`hosted_instructions_url`, `/payrail/test_pix/:attempt`, with the QR code as PNG and SVG made by the `qrcode`
 * package from the BR Code). Each page has a "Mark as paid" button for the tester (a token bound to the attempt, as on
 * the test payment page): the attempt completes through the redirect path (the connector is asked again and answers
 * authorized). Past `expires_at` the button expires the payment instead. Only test-mode attempts of the built-in test
 * processor have pages.
 */

const attemptIdPattern = /^pa_[0-9A-Za-z]{24}$/;
const tokenField = 'csrf_token';
type Kind = 'boleto_display_details' | 'pix_display_qr_code';

function formToken(deps: Dependencies, attemptId: string): string {
  return deps.secretBox.digest('test-display-form', attemptId);
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The attempt's intent and its displayed details, while it waits on them. */
async function waiting(deps: Dependencies, id: string, kind: Kind): Promise<{ attemptId: string; intent: PaymentIntentRow; details: Record<string, unknown> | undefined } | undefined> {
  const attempt = attemptIdPattern.test(id) ? await findAttempt(deps.db, id) : undefined;
  if (!attempt || attempt.livemode || attempt.connector !== 'test_processor') return undefined;
  const intent = await findPaymentIntent(deps.db, { accountId: attempt.account_id, livemode: attempt.livemode }, attempt.payment_intent_id);
  if (!intent) return undefined;
  const action = intent.next_action as Record<string, unknown> | null;
  const details = intent.status === 'requires_action' && action?.type === kind ? action[kind] as Record<string, unknown> : undefined;
  return { attemptId: attempt.id, intent, details };
}

function notFound(reply: FastifyReply) {
  return reply.status(404).type('text/html').send(page('Not found', '<h1>Payment not found</h1><p>This link is not valid.</p>'));
}

function finished(reply: FastifyReply, intent: PaymentIntentRow) {
  const paid = intent.status === 'succeeded';
  return reply.type('text/html').send(page(paid ? 'Paid' : 'Not payable', paid ? '<h1>Paid</h1><p>This test payment has been paid.</p>' : '<h1>Not payable</h1><p>This test payment can no longer be paid (expired or replaced).</p>'));
}

function dateOf(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '';
}

/** A one-page PDF with the voucher's lines (Helvetica; the text is ASCII). */
export function voucherPdf(lines: readonly string[]): Buffer {
  const text = lines.map((line, index) => `BT /F1 12 Tf 50 ${780 - index * 20} Td (${line.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1')}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function markPaidForm(deps: Dependencies, path: string, attemptId: string): string {
  return `<form method="post" action="${escapeHtml(path)}">
<input type="hidden" name="${tokenField}" value="${escapeHtml(formToken(deps, attemptId))}">
<button class="complete" type="submit" name="action" value="pay">Mark as paid</button>
</form>`;
}

export function registerTestDisplayPages(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string } }>('/payrail/test_voucher/:id', async (request, reply) => {
    const found = await waiting(deps, request.params.id, 'boleto_display_details');
    if (!found) return notFound(reply);
    if (!found.details) return finished(reply, found.intent);
    const { intent, details } = found;
    reply.header('Content-Security-Policy', pageContentSecurityPolicy);
    return reply.type('text/html').send(page('Boleto test voucher', `<h1>Boleto test voucher</h1>
<p>Payrail test mode: a boleto of <strong>${escapeHtml(formatAmount(intent.amount, intent.currency))}</strong>, payable until ${escapeHtml(dateOf(details.expires_at))}.</p>
<p>Digitable line: <code class="number">${escapeHtml(String(details.number))}</code></p>
<p><a href="/payrail/test_voucher/${escapeHtml(found.attemptId)}/pdf">Voucher (PDF)</a></p>
${markPaidForm(deps, `/payrail/test_voucher/${found.attemptId}`, found.attemptId)}`));
  });

  app.get<{ Params: { id: string } }>('/payrail/test_voucher/:id/pdf', async (request, reply) => {
    const found = await waiting(deps, request.params.id, 'boleto_display_details');
    if (!found?.details) return notFound(reply);
    const pdf = voucherPdf(['Payrail test boleto (not payable)', `Amount: ${formatAmount(found.intent.amount, found.intent.currency)}`, `Due: ${dateOf(found.details.expires_at)}`, `Digitable line: ${String(found.details.number)}`]);
    return reply.type('application/pdf').header('Cache-Control', 'no-store').send(pdf);
  });

  app.get<{ Params: { id: string } }>('/payrail/test_pix/:id', async (request, reply) => {
    const found = await waiting(deps, request.params.id, 'pix_display_qr_code');
    if (!found) return notFound(reply);
    if (!found.details) return finished(reply, found.intent);
    const { intent, details } = found;
    reply.header('Content-Security-Policy', pageContentSecurityPolicy.replace("default-src 'none'", "default-src 'none'; img-src 'self'"));
    return reply.type('text/html').send(page('Pix test payment', `<h1>Pix test payment</h1>
<p>Payrail test mode: scan the QR code or copy the code to pay <strong>${escapeHtml(formatAmount(intent.amount, intent.currency))}</strong> before ${escapeHtml(dateOf(details.expires_at))}.</p>
<p><img alt="Pix QR code" width="240" height="240" src="/payrail/test_pix/${escapeHtml(found.attemptId)}/qr.svg"></p>
<p>Pix copia e cola: <code class="data">${escapeHtml(String(details.data))}</code></p>
${markPaidForm(deps, `/payrail/test_pix/${found.attemptId}`, found.attemptId)}`));
  });

  app.get<{ Params: { id: string; format: string } }>('/payrail/test_pix/:id/qr.:format', async (request, reply) => {
    const found = await waiting(deps, request.params.id, 'pix_display_qr_code');
    if (!found?.details || (request.params.format !== 'png' && request.params.format !== 'svg')) return notFound(reply);
    const data = String(found.details.data);
    reply.header('Cache-Control', 'no-store');
    if (request.params.format === 'png') return reply.type('image/png').send(await QRCode.toBuffer(data, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 300 }));
    return reply.type('image/svg+xml').send(await QRCode.toString(data, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  });

  for (const [path, kind] of [['/payrail/test_voucher/:id', 'boleto_display_details'], ['/payrail/test_pix/:id', 'pix_display_qr_code']] as const) {
    app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>(path, async (request, reply) => {
      const found = await waiting(deps, request.params.id, kind);
      if (!found) return notFound(reply);
      if (!tokenMatches(formToken(deps, found.attemptId), request.body?.[tokenField])) {
        return reply.status(403).type('text/html').send(page('Forbidden', '<h1>This form has expired</h1><p>Open the page again and answer there.</p>'));
      }
      if (!found.details) return finished(reply, found.intent);
      // Past its expiry the voucher or code cannot be paid: the attempt ends as expired.
      const expired = typeof found.details.expires_at === 'number' && found.details.expires_at <= deps.clock.nowSeconds();
      const result = await completeRedirect(deps, found.attemptId, { status: expired ? 'failed' : 'succeeded' });
      if (!result) return notFound(reply);
      return finished(reply, result.intent);
    });
  }
}
