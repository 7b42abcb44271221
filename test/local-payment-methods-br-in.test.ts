import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { crc16Ccitt, modulo10, modulo11 } from '../src/connectors/test-processor/display-details.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { expireDisplayedPayments } from '../src/payments/display-expiry.ts';
import { payDueTestDisplays } from '../src/payments/display-test-payment.ts';
import { secondsPerDay, startOfDay } from '../src/platform/clock.ts';
import { launchChromium } from './helpers/browser.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Boleto, Pix (Brazil) and UPI (India) through the stripe SDK and the test processor
 * (docs/payment-methods.md): tax id and VPA validation, the voucher and QR code next actions and their test pages
 * (plain HTTP; the Pix page once in Chromium), expiry, UPI's processing then the janitor's answer, settlement, refunds.
 */

async function invalid(promise: Promise<unknown>, code: string, param: string): Promise<void> {
  const error = await stripeErrorOf(promise);
  assert.equal(error.statusCode, 400, `${error.code}: ${error.message}`);
  assert.equal(error.code, code);
  assert.equal(error.param, param);
}

/** A test page's "Mark as paid", over plain HTTP as the page's form posts it (a forged post without the token is refused). */
async function markPaid(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  assert.match(html, /Mark as paid/);
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.equal((await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'pay' }) })).status, 403);
  const answer = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'pay', csrf_token: token }) });
  assert.equal(answer.status, 200);
  return answer.text();
}

const brazilian = {
  name: 'Maria Silva', email: 'maria@example.com',
  address: { line1: 'Av. Paulista, 1000', city: 'São Paulo', state: 'SP', postal_code: '01310-100', country: 'BR' },
};

describe('boleto, Pix and UPI through the stripe SDK and the test processor', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });
  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);
  const createMethod = (params: Record<string, unknown>) => stripe.paymentMethods.create(params as unknown as Stripe.PaymentMethodCreateParams);

  it('validates the CPF/CNPJ, the billing details of a boleto and the VPA of UPI, naming the param', async () => {
    const cpf = await createMethod({ type: 'boleto', boleto: { tax_id: '529.982.247-25' }, billing_details: brazilian });
    assert.deepEqual(cpf.boleto, { tax_id: '52998224725' });
    const cnpj = await createMethod({ type: 'boleto', boleto: { tax_id: '11.222.333/0001-81' }, billing_details: brazilian });
    assert.deepEqual(cnpj.boleto, { tax_id: '11222333000181' });
    await invalid(createMethod({ type: 'boleto', billing_details: brazilian }), 'parameter_missing', 'boleto[tax_id]');
    await invalid(createMethod({ type: 'boleto', boleto: { tax_id: '529.982.247-26' }, billing_details: brazilian }), 'invalid_value', 'boleto[tax_id]');
    await invalid(createMethod({ type: 'boleto', boleto: { tax_id: '1122233300018' }, billing_details: brazilian }), 'invalid_value', 'boleto[tax_id]');
    await invalid(createMethod({ type: 'boleto', boleto: { tax_id: '52998224725' }, billing_details: { ...brazilian, address: { ...brazilian.address, line1: undefined } } }), 'parameter_missing', 'billing_details[address][line1]');
    await invalid(createMethod({ type: 'boleto', boleto: { tax_id: '52998224725' }, billing_details: { ...brazilian, email: undefined } }), 'parameter_missing', 'billing_details[email]');

    const upi = await createMethod({ type: 'upi', upi: { vpa: 'Success@razorpay' } });
    assert.deepEqual((upi as unknown as { upi: unknown }).upi, { vpa: 'success@razorpay' });
    await invalid(createMethod({ type: 'upi', upi: { vpa: 'no-at-sign' } }), 'invalid_value', 'upi[vpa]');
    await invalid(createMethod({ type: 'upi' }), 'parameter_missing', 'upi[vpa]');
    await invalid(createIntent({ amount: 1000, currency: 'usd', payment_method_types: ['pix'] }), 'payment_intent_invalid_parameter', 'payment_method_types');
  });

  it('boleto: a voucher to pay (digitable line, PDF, test page); marked paid it succeeds; no refunds, as at Stripe', async () => {
    const intent = await createIntent({
      amount: 12_345, currency: 'brl', payment_method_types: ['boleto'], confirm: true,
      payment_method_data: { type: 'boleto', boleto: { tax_id: '000.000.000-00' }, billing_details: brazilian },
    });
    assert.equal(intent.status, 'requires_action');
    assert.equal(intent.next_action?.type, 'boleto_display_details');
    const voucher = intent.next_action?.boleto_display_details;
    const number = voucher?.number ?? '';
    assert.match(number, /^\d{47}$/);
    // FEBRABAN's check digits: one per field of the free part, and the barcode's general digit.
    assert.equal(Number(number[9]), modulo10(number.slice(0, 9)));
    assert.equal(Number(number[20]), modulo10(number.slice(10, 20)));
    assert.equal(Number(number[31]), modulo10(number.slice(21, 31)));
    assert.equal(Number(number[32]), modulo11(number.slice(0, 4) + number.slice(33) + number.slice(4, 9) + number.slice(10, 20) + number.slice(21, 31)));
    assert.equal(number.slice(-10), '0000012345');
    // 3 calendar days by default, ending 23:59:59 in São Paulo (UTC-3).
    assert.equal(((voucher?.expires_at ?? 0) + 1 - 3 * 3600) % secondsPerDay, 0);
    assert.ok((voucher?.expires_at ?? 0) > server.clock.nowSeconds() + 3 * secondsPerDay - secondsPerDay);
    assert.equal(intent.payment_method_options?.boleto?.expires_after_days, 3);
    const pdf = await fetch(voucher?.pdf ?? '');
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');

    assert.match(await markPaid(voucher?.hosted_voucher_url ?? ''), /<h1>Paid<\/h1>/);
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(paid.status, 'succeeded');
    assert.equal(paid.next_action, null);
    const charge = paid.latest_charge as Stripe.Charge;
    assert.deepEqual(charge.payment_method_details?.boleto, { tax_id: '00000000000' });
    assert.equal((charge.balance_transaction as Stripe.BalanceTransaction).available_on, startOfDay(server.clock.nowSeconds()) + 2 * secondsPerDay);
    await invalid(stripe.refunds.create({ payment_intent: intent.id }), 'charge_not_refundable', 'payment_intent');
    for (const type of ['payment_intent.requires_action', 'charge.succeeded', 'payment_intent.succeeded'] as const) {
      const events = await stripe.events.list({ type });
      assert.equal(events.data.filter((event) => [intent.id, charge.id].includes((event.data.object as { id: string }).id)).length, 1, type);
    }
  });

  it('Pix: a BR Code with its CRC, QR images, paid in Chromium on the instructions page; refunds in part', async () => {
    const intent = await createIntent({
      amount: 990, currency: 'brl', payment_method_types: ['pix'], confirm: true, payment_method_options: { pix: { expires_after_seconds: 3600 } },
      payment_method_data: { type: 'pix' },
    });
    assert.equal(intent.status, 'requires_action');
    const qr = intent.next_action?.pix_display_qr_code;
    const data = qr?.data ?? '';
    assert.match(data, /^000201010212.*br\.gov\.bcb\.pix.*5303986540[0-9]9\.905802BR.*6304[0-9A-F]{4}$/);
    assert.equal(data.slice(-4), crc16Ccitt(data.slice(0, -4)));
    assert.equal(crc16Ccitt('123456789'), '29B1', 'CRC-16/CCITT-FALSE check value');
    assert.ok(Math.abs((qr?.expires_at ?? 0) - (server.clock.nowSeconds() + 3600)) <= 5);
    const png = await fetch(qr?.image_url_png ?? '');
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(await (await fetch(qr?.image_url_svg ?? '')).text(), /^<svg/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(qr?.hosted_instructions_url ?? '');
      await page.getByRole('heading', { name: 'Pix test payment' }).waitFor();
      const image = page.getByRole('img', { name: 'Pix QR code' });
      await image.waitFor();
      const loaded = await image.evaluate((element) => {
        const img = element as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });
      assert.ok(loaded, 'the QR code image loads under the page\'s CSP');
      await page.getByRole('button', { name: 'Mark as paid' }).click();
      await page.getByRole('heading', { name: 'Paid' }).waitFor();
    } finally {
      await browser.close();
    }
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(paid.status, 'succeeded');
    assert.match((paid.latest_charge as Stripe.Charge).payment_method_details?.pix?.bank_transaction_id ?? '', /^E[0-9A-F]{24}$/);
    assert.equal((await stripe.refunds.create({ payment_intent: intent.id, amount: 300 })).status, 'succeeded');
    assert.equal((await fetch(qr?.image_url_png ?? '')).status, 404, 'no QR code once paid');
  });

  it('UPI: processing until the janitor asks; Razorpay\'s test VPAs decide; refunds in part and in full', async () => {
    const pay = (vpa: string) => createIntent({ amount: 50_000, currency: 'inr', payment_method_types: ['upi'], confirm: true, payment_method_data: { type: 'upi', upi: { vpa } } });
    const good = await pay('success@razorpay');
    const bad = await pay('failure@razorpay');
    assert.equal(good.status, 'processing');
    assert.equal(good.next_action, null);
    assert.equal(bad.status, 'processing');
    await resolveStuckAttempts(server.deps, 0);
    const succeeded = await stripe.paymentIntents.retrieve(good.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(succeeded.status, 'succeeded');
    const charge = succeeded.latest_charge as Stripe.Charge;
    assert.deepEqual((charge.payment_method_details as unknown as { upi: unknown }).upi, { vpa: 'success@razorpay' });
    assert.equal((charge.balance_transaction as Stripe.BalanceTransaction).available_on, startOfDay(server.clock.nowSeconds()) + 3 * secondsPerDay);
    const processing = await stripe.events.list({ type: 'payment_intent.processing' });
    assert.equal(processing.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === good.id).length, 1);
    const failed = await stripe.paymentIntents.retrieve(bad.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    await stripe.refunds.create({ payment_intent: good.id, amount: 10_000 });
    await stripe.refunds.create({ payment_intent: good.id });
    assert.equal((await stripe.charges.retrieve(charge.id)).amount_refunded, 50_000);
  });

  it('UPI intent (payment_method_options[upi][flow]=intent): Payrail\'s page with the upi:// link and QR code; approved in Chromium, failed, expired', async () => {
    const pay = (amount: number) => createIntent({
      amount, currency: 'inr', payment_method_types: ['upi'], confirm: true, payment_method_options: { upi: { flow: 'intent' } },
      payment_method_data: { type: 'upi', upi: { vpa: 'asha@okhdfcbank' } },
    });
    type UpiAction = { hosted_instructions_url: string; expires_at: number; qr_code: { expires_at: number; image_url_png: string; image_url_svg: string } };
    const actionOf = (intent: Stripe.PaymentIntent) => (intent.next_action as unknown as { type: string; upi_handle_redirect_or_display_qr_code: UpiAction });
    const approved = await pay(50_000);
    assert.equal(approved.status, 'requires_action');
    assert.equal(actionOf(approved).type, 'upi_handle_redirect_or_display_qr_code');
    const action = actionOf(approved).upi_handle_redirect_or_display_qr_code;
    const pageUrl = new URL(action.hosted_instructions_url);
    assert.equal(pageUrl.origin, server.baseUrl, 'a Payrail page, not the upi:// link');
    assert.match(pageUrl.pathname, /^\/payrail\/upi\/pa_[0-9A-Za-z]{24}$/);
    assert.ok(Math.abs(action.qr_code.expires_at - (server.clock.nowSeconds() + 720)) <= 5, 'payable for 12 minutes, as Razorpay\'s intent');
    assert.equal(action.expires_at, action.qr_code.expires_at);
    const png = await fetch(action.qr_code.image_url_png);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(await (await fetch(action.qr_code.image_url_svg)).text(), /^<svg/);
    // The page's link opens the payer's UPI app: NPCI's upi://pay with the amount in rupees.
    const html = await (await fetch(action.hosted_instructions_url)).text();
    const link = new URL((/href="(upi:\/\/pay[^"]+)"/.exec(html)?.[1] ?? '').replaceAll('&amp;', '&'));
    assert.equal(link.protocol, 'upi:');
    assert.equal(link.searchParams.get('am'), '500.00');
    assert.equal(link.searchParams.get('cu'), 'INR');
    // A forged answer without the page's token is refused.
    assert.equal((await fetch(action.hosted_instructions_url, { method: 'POST', body: new URLSearchParams({ action: 'approve' }) })).status, 403);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(action.hosted_instructions_url);
      await page.getByRole('heading', { name: 'UPI test payment' }).waitFor();
      const image = page.getByRole('img', { name: 'UPI QR code' });
      await image.waitFor();
      const loaded = await image.evaluate((element) => {
        const img = element as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });
      assert.ok(loaded, 'the QR code image loads under the page\'s CSP');
      assert.match(await page.getByRole('link', { name: 'Open your UPI app' }).getAttribute('href') ?? '', /^upi:\/\/pay\?/);
      await page.getByRole('button', { name: 'Approve test payment' }).click();
      await page.getByRole('heading', { name: 'Paid' }).waitFor();
    } finally {
      await browser.close();
    }
    const paid = await stripe.paymentIntents.retrieve(approved.id, { expand: ['latest_charge'] });
    assert.equal(paid.status, 'succeeded');
    assert.equal(paid.next_action, null);
    assert.deepEqual(((paid.latest_charge as Stripe.Charge).payment_method_details as unknown as { upi: unknown }).upi, { vpa: 'asha@okhdfcbank' });
    assert.equal((await fetch(action.qr_code.image_url_png)).status, 404, 'no QR code once paid');

    // "Fail test payment": declined as the payer's refusal.
    const failing = await pay(1000);
    const failUrl = actionOf(failing).upi_handle_redirect_or_display_qr_code.hosted_instructions_url;
    const token = /name="csrf_token" value="([^"]+)"/.exec(await (await fetch(failUrl)).text())?.[1] ?? '';
    assert.equal((await fetch(failUrl, { method: 'POST', body: new URLSearchParams({ action: 'fail', csrf_token: token }) })).status, 200);
    const failed = await stripe.paymentIntents.retrieve(failing.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'customer_declined');

    // Unanswered for 12 minutes: the expiry sweep ends it.
    const unanswered = await pay(2000);
    server.clock.advance(721);
    assert.ok(await expireDisplayedPayments(server.deps) >= 1);
    assert.equal((await stripe.paymentIntents.retrieve(unanswered.id)).status, 'requires_payment_method');
  });

  it('boleto follows Stripe\'s test e-mails: paid within seconds or after about 3 minutes, expired now or in 3 minutes, never paid', async () => {
    const pay = (email: string, options: Record<string, unknown> = {}) => createIntent({
      amount: 7000, currency: 'brl', payment_method_types: ['boleto'], confirm: true, payment_method_options: { boleto: options },
      payment_method_data: { type: 'boleto', boleto: { tax_id: '00.000.000/0000-00' }, billing_details: { ...brazilian, email } },
    });
    const now = server.clock.nowSeconds();
    const immediately = await pay('succeed_immediately@example.com');
    const later = await pay('fulaninho@example.com');
    const expiresNow = await pay('maria.expire_immediately@example.com', { expires_after_days: 10 });
    const expiresLater = await pay('expire_with_delay@example.com', { expires_after_days: 10 });
    const never = await pay('fill_never@example.com', { expires_after_days: 2 });
    for (const intent of [immediately, later, expiresNow, expiresLater, never]) {
      assert.equal(intent.status, 'requires_action', intent.id);
      assert.equal(intent.next_action?.type, 'boleto_display_details');
    }
    assert.deepEqual((await stripe.paymentMethods.retrieve(String(later.payment_method))).boleto, { tax_id: '00000000000000' }, 'Stripe\'s test CNPJ passes as it is');
    // expires_at: now for expire_immediately, 3 minutes ahead for expire_with_delay, whatever expires_after_days says.
    assert.ok(Math.abs((expiresNow.next_action?.boleto_display_details?.expires_at ?? 0) - now) <= 5);
    assert.ok(Math.abs((expiresLater.next_action?.boleto_display_details?.expires_at ?? 0) - (now + 180)) <= 5);
    assert.ok((never.next_action?.boleto_display_details?.expires_at ?? 0) > now + 2 * secondsPerDay);

    // The janitor's round: succeed_immediately is due at once; the others are not paid (yet).
    assert.equal(await expireDisplayedPayments(server.deps), 1, 'expire_immediately expires on the first round');
    assert.equal(await payDueTestDisplays(server.deps), 1);
    const status = async (intent: Stripe.PaymentIntent) => (await stripe.paymentIntents.retrieve(intent.id)).status;
    assert.equal(await status(immediately), 'succeeded');
    assert.equal(await status(expiresNow), 'requires_payment_method');
    assert.equal((await stripe.paymentIntents.retrieve(expiresNow.id)).last_payment_error?.code, 'payment_intent_payment_attempt_expired');
    assert.equal(await status(later), 'requires_action', 'any other e-mail pays only after about 3 minutes');

    // About 3 minutes later (the sweep told to take every voucher shown since, as the janitor's startedSecondsAgo):
    // the default e-mail's voucher is paid; expire_with_delay's expires; fill_never's is still waiting, never paid.
    server.clock.advance(181);
    assert.equal(await expireDisplayedPayments(server.deps), 1);
    assert.equal(await payDueTestDisplays(server.deps, { shownSecondsAgo: 0 }), 1);
    assert.equal(await status(later), 'succeeded');
    assert.equal(await status(expiresLater), 'requires_payment_method');
    assert.equal(await status(never), 'requires_action');
    const charge = await stripe.charges.retrieve(String((await stripe.paymentIntents.retrieve(later.id)).latest_charge));
    assert.deepEqual(charge.payment_method_details?.boleto, { tax_id: '00000000000000' });
    for (const [type, ids] of [['payment_intent.succeeded', [immediately.id, later.id]], ['payment_intent.payment_failed', [expiresNow.id, expiresLater.id]]] as const) {
      const events = await stripe.events.list({ type, limit: 100 });
      for (const id of ids) assert.equal(events.data.filter((event) => (event.data.object as { id: string }).id === id).length, 1, `${type} ${id}`);
    }
    // fill_never expires as its options say; its page no longer takes a payment.
    server.clock.advance(3 * secondsPerDay);
    assert.equal(await payDueTestDisplays(server.deps, { shownSecondsAgo: 0 }), 0, 'never paid');
    assert.equal(await expireDisplayedPayments(server.deps), 1);
    assert.equal(await status(never), 'requires_payment_method');
    assert.match(await (await fetch(never.next_action?.boleto_display_details?.hosted_voucher_url ?? '')).text(), /Not payable/);
  });

  it('Pix follows Stripe\'s test e-mails when one is given; without one the tester decides', async () => {
    const pay = (email?: string) => createIntent({
      amount: 1200, currency: 'brl', payment_method_types: ['pix'], confirm: true,
      payment_method_data: { type: 'pix', ...(email ? { billing_details: { email } } : {}) },
    });
    const now = server.clock.nowSeconds();
    const immediately = await pay('succeed_immediately@test.com');
    const later = await pay('anything@test.com');
    const expiresLater = await pay('expire_with_delay@test.com');
    const noEmail = await pay();
    assert.ok(Math.abs((expiresLater.next_action?.pix_display_qr_code?.expires_at ?? 0) - (now + 180)) <= 5);
    assert.equal(await payDueTestDisplays(server.deps), 1);
    const status = async (intent: Stripe.PaymentIntent) => (await stripe.paymentIntents.retrieve(intent.id)).status;
    assert.equal(await status(immediately), 'succeeded');
    assert.equal(await status(later), 'requires_action');
    server.clock.advance(181);
    assert.ok(await expireDisplayedPayments(server.deps) >= 1);
    assert.equal(await payDueTestDisplays(server.deps, { shownSecondsAgo: 0 }), 1);
    assert.equal(await status(later), 'succeeded');
    assert.equal(await status(expiresLater), 'requires_payment_method');
    assert.equal(await status(noEmail), 'requires_action', 'no e-mail: only Mark as paid or the expiry ends it');
    await markPaid(noEmail.next_action?.pix_display_qr_code?.hosted_instructions_url ?? '');
    assert.equal(await status(noEmail), 'succeeded');
  });

  it('an unpaid boleto or Pix code expires: requires_payment_method, payment_intent.payment_failed', async () => {
    const boleto = await createIntent({
      amount: 5000, currency: 'brl', payment_method_types: ['boleto'], confirm: true, payment_method_options: { boleto: { expires_after_days: 1 } },
      payment_method_data: { type: 'boleto', boleto: { tax_id: '11222333000181' }, billing_details: { ...brazilian, email: 'maria.fill_never@example.com' } },
    });
    const pix = await createIntent({ amount: 700, currency: 'brl', payment_method_types: ['pix'], confirm: true, payment_method_data: { type: 'pix' } });
    assert.equal(await expireDisplayedPayments(server.deps), 0, 'nothing has expired yet');
    server.clock.advance(2 * secondsPerDay + 1);
    assert.equal(await expireDisplayedPayments(server.deps), 2);
    for (const id of [boleto.id, pix.id]) {
      const expired = await stripe.paymentIntents.retrieve(id);
      assert.equal(expired.status, 'requires_payment_method');
      assert.equal(expired.last_payment_error?.code, 'payment_intent_payment_attempt_expired');
      const events = await stripe.events.list({ type: 'payment_intent.payment_failed' });
      assert.equal(events.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === id).length, 1);
    }
    // The voucher's page no longer takes a payment.
    assert.match(await (await fetch(boleto.next_action?.boleto_display_details?.hosted_voucher_url ?? '')).text(), /Not payable/);
  });
});
