import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import type { Dependencies } from '../../dependencies.ts';
import { findAttempt } from '../../orchestration/attempts-repository.ts';
import { findPaymentIntent } from '../../payments/repository.ts';
import { escapeHtml, page } from '../html.ts';

/**
 * The QR code images of a Pix waiting to be paid through a provider connector (Mercado Pago):
 * `/payrail/pix/:attempt/qr.png` and `qr.svg`, drawn by the `qrcode` package from the BR Code the provider returned
 * (`next_action.pix_display_qr_code.data`), so `image_url_png` and `image_url_svg` are links as at Stripe (a provider's
 * inline base64 PNG would not fit Stripe's 5000-character URL fields). Only while the intent waits on that code; the
 * test processor's attempts have their own pages (test-display-page.ts).
 */

const attemptIdPattern = /^pa_[0-9A-Za-z]{24}$/;
/** Side of the PNG, in pixels. */
const pngWidthPixels = 300;

function notFound(reply: FastifyReply) {
  return reply.status(404).type('text/html').send(page('Not found', `<h1>${escapeHtml('QR code not found')}</h1><p>This Pix code is not waiting to be paid.</p>`));
}

export function registerPixQrImages(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string; format: string } }>('/payrail/pix/:id/qr.:format', async (request, reply) => {
    const { id, format } = request.params;
    if (!attemptIdPattern.test(id) || (format !== 'png' && format !== 'svg')) return notFound(reply);
    const attempt = await findAttempt(deps.db, id);
    if (!attempt || attempt.connector === 'test_processor') return notFound(reply);
    const intent = await findPaymentIntent(deps.db, { accountId: attempt.account_id, livemode: attempt.livemode }, attempt.payment_intent_id);
    const action = intent?.next_action as { type?: string; pix_display_qr_code?: { data?: unknown } } | null | undefined;
    const data = intent?.status === 'requires_action' && intent.latest_charge_id === attempt.charge_id && action?.type === 'pix_display_qr_code' ? action.pix_display_qr_code?.data : undefined;
    if (typeof data !== 'string') return notFound(reply);
    reply.header('Cache-Control', 'no-store');
    if (format === 'png') return reply.type('image/png').send(await QRCode.toBuffer(data, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: pngWidthPixels }));
    return reply.type('image/svg+xml').send(await QRCode.toString(data, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  });
}
