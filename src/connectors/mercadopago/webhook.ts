import { createHmac, timingSafeEqual } from 'node:crypto';

// Mercado Pago's webhook (mercadopago.com.br developers, "Webhooks"): a JSON POST `{type: "payment", action,
// data: {id}}` with the headers `x-request-id` and `x-signature: ts=<unix seconds>,v1=<hex>`, where v1 is the
// HMAC-SHA256, under the application's secret signature, of the manifest `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`
// (an alphanumeric data.id lower-cased). A verified notification is still only a pointer: the connector fetches the
// payment with the configuration's access token, and what Mercado Pago answers is the notification.

/** Largest body taken: Mercado Pago's is a few hundred bytes. */
export const webhookBodyBytesMax = 8192;
/** How far a signature's `ts` may lie from now: a captured delivery cannot be replayed later than this. */
export const signatureToleranceSeconds = 600;
const paymentIdPattern = /^\d{1,19}$/;

export class MercadoPagoWebhookError extends Error {
  constructor(
    readonly reason: 'signature_invalid' | 'body_invalid' | 'payment_unknown' | 'mercadopago_unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** The manifest Mercado Pago signs for one delivery. */
export function signatureManifest(dataId: string, requestId: string, timestamp: string): string {
  const id = /^[a-z0-9]+$/i.test(dataId) ? dataId.toLowerCase() : dataId;
  return `id:${id};request-id:${requestId};ts:${timestamp};`;
}

function parseSignature(header: string): { ts: string; v1: string } | null {
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index > 0) parts.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  const ts = parts.get('ts');
  const v1 = parts.get('v1');
  return ts !== undefined && /^\d{1,13}$/.test(ts) && v1 !== undefined && /^[0-9a-f]{64}$/i.test(v1) ? { ts, v1: v1.toLowerCase() } : null;
}

/**
 * Verifies a Mercado Pago webhook and returns the payment id it names (`data.id` of a `payment` notification), or null
 * for a notification of another topic (acknowledged, nothing to do). Throws `MercadoPagoWebhookError` for a body or
 * signature that does not verify, or a `ts` further than `signatureToleranceSeconds` from `nowSeconds`.
 */
export function verifiedPaymentId(headers: Record<string, string>, body: Buffer, secret: string, nowSeconds: number): string | null {
  if (body.byteLength > webhookBodyBytesMax) throw new MercadoPagoWebhookError('body_invalid', 'the webhook body is too large');
  let parsed: { type?: unknown; data?: { id?: unknown } };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    throw new MercadoPagoWebhookError('body_invalid', 'the webhook body is not JSON');
  }
  const dataId = typeof parsed?.data?.id === 'string' || typeof parsed?.data?.id === 'number' ? String(parsed.data.id) : null;
  if (dataId === null) throw new MercadoPagoWebhookError('body_invalid', 'the webhook names no data.id');
  const signature = parseSignature(headers['x-signature'] ?? '');
  const requestId = headers['x-request-id'] ?? '';
  if (signature === null || requestId === '') throw new MercadoPagoWebhookError('signature_invalid', 'the webhook carries no x-signature or x-request-id');
  // Mercado Pago's ts is in seconds; a value in milliseconds is read as such.
  const ts = Number(signature.ts);
  const tsSeconds = ts > 1e11 ? Math.floor(ts / 1000) : ts;
  if (Math.abs(nowSeconds - tsSeconds) > signatureToleranceSeconds) throw new MercadoPagoWebhookError('signature_invalid', 'the webhook signature is too old');
  const expected = createHmac('sha256', secret).update(signatureManifest(dataId, requestId, signature.ts), 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature.v1, 'hex'))) throw new MercadoPagoWebhookError('signature_invalid', 'the webhook signature does not verify');
  if (parsed.type !== 'payment') return null;
  if (!paymentIdPattern.test(dataId)) throw new MercadoPagoWebhookError('body_invalid', 'the webhook names no Mercado Pago payment id');
  return dataId;
}
