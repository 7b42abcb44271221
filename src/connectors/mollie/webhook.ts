// Mollie's webhook (docs.mollie.com, "Webhooks"): a POST of `application/x-www-form-urlencoded` carrying only the id
// of the payment that changed (`id=tr_...`), unsigned. Nothing in it is believed: the connector fetches the payment
// from Mollie with the configuration's API key, and what Mollie answers is the notification. Fetching is the
// verification: a forged call can only make Payrail ask Mollie about a payment, and an id that is not this API key's
// payment is a 404 there.

/** Mollie payment ids: `tr_` and a short token. */
const paymentIdPattern = /^tr_[A-Za-z0-9]{1,60}$/;
/** Largest body taken: Mollie's is a few dozen bytes. */
export const webhookBodyBytesMax = 1024;

export class MollieWebhookError extends Error {
  constructor(
    readonly reason: 'body_invalid' | 'payment_unknown' | 'mollie_unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** The payment id a Mollie webhook names; throws `MollieWebhookError('body_invalid')` for anything else. */
export function webhookPaymentId(body: Buffer): string {
  if (body.byteLength > webhookBodyBytesMax) throw new MollieWebhookError('body_invalid', 'the webhook body is too large');
  const id = new URLSearchParams(body.toString('utf8')).get('id');
  if (id === null || !paymentIdPattern.test(id)) throw new MollieWebhookError('body_invalid', 'the webhook names no Mollie payment id');
  return id;
}
