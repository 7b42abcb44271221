import type { OrderRecord, PaymentRecord } from './store.ts';
import { upiFailures } from './processor.ts';

/**
 * The sandbox's HTML pages for the payer: the hosted checkout (a card form whose test bank approves or declines, as
 * Razorpay's test-mode bank page does) and the payer's UPI app (approve or decline a collect request or an intent).
 * Plain server-rendered forms with labelled fields and named buttons, so a browser test finds them by role and name.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function amountText(amount: number, currency: string): string {
  return `${currency} ${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} (Payrail Razorpay sandbox)</title></head>
<body>
${body}
</body></html>`;
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

export interface CheckoutOptions {
  keyId: string;
  callbackUrl?: string;
  merchantName?: string;
  description?: string;
  email?: string;
  contact?: string;
}

/** The hosted checkout's card form for one order. */
export function checkoutPage(order: OrderRecord, options: CheckoutOptions): string {
  const hidden = (name: string, value: string | undefined) => (value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`);
  const merchant = options.merchantName ?? 'the merchant';
  return layout(
    'Razorpay Checkout',
    `<h1>Pay ${escapeHtml(merchant)}</h1>
<p>Order ${escapeHtml(order.id)}: ${escapeHtml(amountText(order.amount - order.amountPaid, order.currency))}${options.description ? ` for ${escapeHtml(options.description)}` : ''}.</p>
<form method="post" action="/sandbox/razorpay/checkout/${encodeURIComponent(order.id)}/pay">
${hidden('key_id', options.keyId)}${hidden('callback_url', options.callbackUrl)}
<p><label>Card number <input name="card_number" autocomplete="cc-number" required></label></p>
<p><label>Expiry month <input name="expiry_month" placeholder="MM" required></label>
<label>Expiry year <input name="expiry_year" placeholder="YY" required></label>
<label>CVV <input name="cvv" required></label></p>
<p><label>Name on card <input name="name" value="Sandbox Payer"></label></p>
<p><label>Email <input name="email" type="email" value="${escapeHtml(options.email ?? '')}" required></label>
<label>Phone <input name="contact" value="${escapeHtml(options.contact ?? '')}" required></label></p>
<p>The test bank asks how to answer:</p>
<button type="submit" name="outcome" value="success">Pay, bank approves</button>
<button type="submit" name="outcome" value="failure">Pay, bank declines</button>
</form>`,
  );
}

/**
 * What Razorpay's checkout does after a payment: POSTs the result to the callback URL (the browser submits this form
 * at once). The fields are Razorpay's callback fields: razorpay_payment_id, razorpay_order_id and razorpay_signature,
 * or error[code], error[description], error[source], error[step], error[reason] and error[metadata] (JSON).
 */
export function callbackPage(callbackUrl: string | undefined, fields: Record<string, string>, succeeded: boolean): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const title = succeeded ? 'Payment successful' : 'Payment failed';
  if (callbackUrl === undefined) {
    const rows = Object.entries(fields)
      .map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd><output name="${escapeHtml(name)}">${escapeHtml(value)}</output></dd>`)
      .join('\n');
    return layout(title, `<h1>${title}</h1>\n<p>No callback_url was given; these are the fields Razorpay would POST to it.</p>\n<dl>\n${rows}\n</dl>`);
  }
  return layout(
    title,
    `<h1>${title}</h1>
<form id="callback" method="post" action="${escapeHtml(callbackUrl)}">
${inputs}
<button type="submit">Return to the merchant</button>
</form>
<script>document.getElementById('callback').submit();</script>`,
  );
}

/** The payer's UPI app showing a pending request (collect) or a scanned intent. */
export function upiAppPage(payment: PaymentRecord): string {
  const action = `/sandbox/razorpay/upi/${encodeURIComponent(payment.id)}`;
  const reasons = Object.keys(upiFailures)
    .map((reason) => `<option value="${reason}">${reason}</option>`)
    .join('');
  return layout(
    'UPI app',
    `<h1>UPI payment request</h1>
<p>${escapeHtml(amountText(payment.amount, payment.currency))} to Payrail Sandbox (payment ${escapeHtml(payment.id)}, ${payment.upiFlow === 'intent' ? 'intent' : `collect from ${escapeHtml(payment.vpa ?? '')}`}).</p>
<form method="post" action="${action}"><input type="hidden" name="action" value="approve"><button type="submit">Approve and enter UPI PIN</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="decline">
<label>Failure reason <select name="reason">${reasons}</select></label>
<button type="submit">Decline</button></form>`,
  );
}
