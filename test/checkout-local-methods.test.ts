import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { sweepCheckoutSessions } from '../src/checkout/sweep.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { expireDisplayedPayments } from '../src/payments/display-expiry.ts';
import { secondsPerDay } from '../src/platform/clock.ts';
import { browserTestTimeoutMs, launchChromium, startMerchantSite, within, type MerchantSite } from './helpers/browser.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The local payment methods on the hosted Checkout page, in Chromium, through the built-in test processor: for each of
 * the ten (iDEAL, Bancontact, EPS, P24, Klarna, SEPA Direct Debit, BLIK, UPI, boleto, Pix) a session completes, one
 * way of failing shows, and a refund goes through the stripe SDK where the method refunds. Redirect methods answer on
 * the test payment page; SEPA, BLIK and UPI end through the janitor's sync and the sessions' sweep
 * (checkout.session.async_payment_succeeded / _failed); boleto's voucher and Pix's QR code are paid on their test
 * pages, or expire.
 */

const thanks = 'Thanks for your order';
const require = createRequire(import.meta.url);

describe('Checkout with local payment methods (Chromium, test processor)', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    merchant = await startMerchantSite({ heading: () => thanks });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.close();
  });

  const createSession = (currency: string, amount: number, types?: string[]) => stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price_data: { currency, unit_amount: amount, product_data: { name: 'Travel mug' } }, quantity: 1 }],
    success_url: `${merchant.url}/thanks?session_id={CHECKOUT_SESSION_ID}`,
    ...(types ? { payment_method_types: types } : {}),
  } as Stripe.Checkout.SessionCreateParams);

  /** Opens a session's page and fills the shopper's email. */
  async function open(session: Stripe.Checkout.Session, email = 'shopper@example.com'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Email').fill(email);
    return page;
  }

  async function landsOnThanks(page: Page, session: Stripe.Checkout.Session): Promise<void> {
    await page.getByRole('heading', { name: thanks }).waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).searchParams.get('session_id'), session.id);
  }

  async function sessionEvents(sessionId: string): Promise<string[]> {
    const events = await stripe.events.list({ limit: 100 });
    return events.data.filter((event) => (event.data.object as { id?: string }).id === sessionId && event.type.startsWith('checkout.session.')).map((event) => event.type).reverse();
  }

  /** The janitor asks the processor about payments still processing; the sweep records how delayed ones ended. */
  async function bankAnswers(): Promise<void> {
    await resolveStuckAttempts(server.deps, 0);
    await sweepCheckoutSessions(server.deps);
  }

  it('refuses methods the session\'s currency or amount does not allow, naming the param; offers what the configuration has on', async () => {
    const refused = async (promise: Promise<unknown>, param: string) => {
      const error = await stripeErrorOf(promise);
      assert.equal(error.statusCode, 400, error.message);
      assert.equal(error.code, 'invalid_value');
      assert.equal(error.param, param);
    };
    await refused(createSession('usd', 2000, ['card', 'ideal']), 'payment_method_types[1]');
    await refused(createSession('brl', 300, ['boleto']), 'payment_method_types[0]');
    await refused(createSession('eur', 2000, ['upi']), 'payment_method_types[0]');
    const setup = await stripeErrorOf(stripe.checkout.sessions.create({ mode: 'setup', currency: 'eur', payment_method_types: ['sepa_debit'], success_url: `${merchant.url}/thanks` } as Stripe.Checkout.SessionCreateParams));
    assert.equal(setup.param, 'payment_method_types');

    // Without payment_method_types: the account's default Payment Method Configuration, for the session's currency.
    assert.deepEqual((await createSession('eur', 2000)).payment_method_types, ['card']);
    const [configuration] = (await stripe.paymentMethodConfigurations.list()).data;
    await stripe.paymentMethodConfigurations.update(configuration.id, {
      ideal: { display_preference: { preference: 'on' } }, sepa_debit: { display_preference: { preference: 'on' } }, blik: { display_preference: { preference: 'on' } },
    } as Stripe.PaymentMethodConfigurationUpdateParams);
    const euro = await createSession('eur', 2000);
    assert.deepEqual([...euro.payment_method_types].sort(), ['card', 'ideal', 'sepa_debit']);
    assert.deepEqual((await createSession('pln', 2000)).payment_method_types, ['card', 'blik']);
    assert.deepEqual((await createSession('usd', 2000)).payment_method_types, ['card']);

    // The page offers each, and shows the chosen one's fields only.
    const page = await open(euro);
    try {
      await page.getByRole('group', { name: 'Payment method' }).waitFor();
      for (const name of ['Card', 'iDEAL', 'SEPA Direct Debit']) await page.getByRole('radio', { name }).waitFor();
      assert.equal(await page.getByRole('radio', { name: 'Card' }).isChecked(), true);
      await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
      const audit = (await page.evaluate('axe.run(document).then((r) => ({ passes: r.passes.map((p) => p.id), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact })) }))')) as { passes: string[]; violations: { id: string; impact: string }[] };
      assert.ok(audit.passes.includes('label'), 'axe checked the labels');
      assert.deepEqual(audit.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), []);
      // The choice by keyboard: the arrow keys move through the radio group, and the chosen method's fields show.
      await page.getByRole('radio', { name: 'Card' }).focus();
      await within('pressing ArrowDown', page.keyboard.press('ArrowDown'));
      assert.equal(await page.getByRole('radio', { name: 'iDEAL' }).isChecked(), true);
      await page.getByLabel('Bank (optional)').waitFor({ state: 'visible' });
      assert.equal(await page.getByLabel('IBAN').isVisible(), false, await page.content());
      await page.getByRole('radio', { name: 'SEPA Direct Debit' }).check();
      await page.getByLabel('IBAN').waitFor({ state: 'visible' });
      assert.equal(await page.getByLabel('Card number').isVisible(), false, 'the card\'s fields are hidden');
      // A bad IBAN is shown by its field, and never written back into the page.
      await page.getByLabel('Full name').fill('Jenny Rosen');
      await page.getByLabel('IBAN').fill('DE89370400440532013009');
      await page.getByRole('button', { name: /^Pay/ }).click();
      await page.getByText('Enter a valid IBAN.').waitFor();
      assert.equal(await page.getByRole('radio', { name: 'SEPA Direct Debit' }).isChecked(), true, 'the choice is kept');
      assert.equal((await page.content()).includes('0532013009'), false, 'the IBAN is not written back');
      assert.equal((await stripe.checkout.sessions.retrieve(euro.id)).status, 'open');
    } finally {
      await page.close();
    }
  });

  it('redirect methods (iDEAL, Bancontact, EPS, P24, Klarna): authorized on the bank\'s page they complete and refund; failed they show the error', async () => {
    const methods: { type: string; label: string; currency: string; fill: (page: Page) => Promise<void> }[] = [
      { type: 'ideal', label: 'iDEAL', currency: 'eur', fill: async (page) => { await page.getByLabel('Bank (optional)').selectOption('ing'); } },
      { type: 'bancontact', label: 'Bancontact', currency: 'eur', fill: (page) => page.getByLabel('Full name').fill('Jan Peeters') },
      { type: 'eps', label: 'EPS', currency: 'eur', fill: async (page) => { await page.getByLabel('Full name').fill('Anna Huber'); } },
      { type: 'p24', label: 'Przelewy24', currency: 'pln', fill: async (page) => { await page.getByLabel('Bank (optional)').selectOption('ing'); } },
      { type: 'klarna', label: 'Klarna', currency: 'eur', fill: async (page) => { await page.getByLabel('Country', { exact: true }).selectOption('DE'); } },
    ];
    await Promise.all(methods.map(async (method) => {
      for (const answer of ['Authorize', 'Fail'] as const) {
        const session = await createSession(method.currency, 4200, [method.type]);
        const page = await open(session);
        try {
          await method.fill(page);
          await page.getByRole('button', { name: /^Pay/ }).click();
          await page.getByRole('heading', { name: `${method.label} test payment` }).waitFor({ timeout: 60_000 });
          await page.getByRole('button', { name: `${answer} test payment` }).click();
          if (answer === 'Fail') {
            // Back on the session's page with the failure; the session stays open for another try.
            await page.getByRole('alert').waitFor({ timeout: 60_000 });
            assert.match(await page.getByRole('alert').innerText(), /authenticate/i, method.type);
            const failed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
            assert.equal(failed.status, 'open');
            assert.equal((failed.payment_intent as Stripe.PaymentIntent).status, 'requires_payment_method');
            if (method.type !== 'ideal') continue;
            // The shopper tries again on the same PaymentIntent, and pays.
            await method.fill(page);
            await page.getByRole('button', { name: /^Pay/ }).click();
            await page.getByRole('button', { name: 'Authorize test payment' }).click({ timeout: 60_000 });
            await landsOnThanks(page, session);
            const retried = await stripe.checkout.sessions.retrieve(session.id);
            assert.equal(retried.payment_status, 'paid');
            assert.equal(retried.payment_intent, failed.payment_intent && (failed.payment_intent as Stripe.PaymentIntent).id);
            continue;
          }
          await landsOnThanks(page, session);
          const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
          assert.equal(done.status, 'complete', method.type);
          assert.equal(done.payment_status, 'paid');
          const intent = done.payment_intent as Stripe.PaymentIntent;
          assert.equal((intent.latest_charge as Stripe.Charge).payment_method_details?.type, method.type);
          const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
          assert.equal(refund.status, 'succeeded');
        } finally {
          await within(`closing the ${method.type} page`, page.close());
        }
      }
    }));
  });

  it('SEPA Direct Debit: the mandate accepted on the page, processing, then async_payment_succeeded (refunded) or _failed', async () => {
    const pay = async (iban: string) => {
      const session = await createSession('eur', 5000, ['sepa_debit']);
      const page = await open(session, 'jenny@example.com');
      try {
        await page.getByText(/you authorise Payrail merchant|you authorise .* and Payrail/).waitFor();
        await page.getByLabel('Full name').fill('Jenny Rosen');
        await page.getByLabel('IBAN').fill(iban);
        await page.getByRole('button', { name: /^Pay/ }).click();
        await page.getByRole('heading', { name: 'Payment in progress' }).waitFor({ timeout: 60_000 });
        await page.getByRole('link', { name: 'Return to the merchant' }).click();
        await landsOnThanks(page, session);
      } finally {
        await page.close();
      }
      const completed = await stripe.checkout.sessions.retrieve(session.id);
      assert.equal(completed.status, 'complete');
      assert.equal(completed.payment_status, 'unpaid');
      return session;
    };
    const [good, bad] = await Promise.all([pay('AT61 1904 3002 3457 3201'), pay('DE62370400440532013001')]);
    await bankAnswers();
    const paid = await stripe.checkout.sessions.retrieve(good.id, { expand: ['payment_intent.latest_charge'] });
    assert.equal(paid.payment_status, 'paid');
    assert.deepEqual(await sessionEvents(good.id), ['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
    const charge = (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    const mandate = await stripe.mandates.retrieve(charge.payment_method_details?.sepa_debit?.mandate ?? '');
    assert.equal(mandate.customer_acceptance.type, 'online');
    assert.match(mandate.customer_acceptance.online?.user_agent ?? '', /Chrome/);
    assert.equal((await stripe.refunds.create({ payment_intent: (paid.payment_intent as Stripe.PaymentIntent).id })).status, 'succeeded');
    assert.deepEqual(await sessionEvents(bad.id), ['checkout.session.completed', 'checkout.session.async_payment_failed']);
    assert.equal((await stripe.checkout.sessions.retrieve(bad.id)).payment_status, 'unpaid');
  });

  it('BLIK and UPI: approved in the app they succeed (refunded); declined they fail; a bad code or VPA is caught on the page', async () => {
    const pay = async (type: 'blik' | 'upi', email: string, value: string, expect: 'processing' | 'declined') => {
      const session = await createSession(type === 'blik' ? 'pln' : 'inr', type === 'blik' ? 3000 : 50_000, [type]);
      const page = await open(session, email);
      try {
        const field = page.getByLabel(type === 'blik' ? 'BLIK code (6 digits)' : 'UPI ID (VPA)');
        await field.fill(type === 'blik' ? '12345' : 'no-at-sign');
        await page.getByRole('button', { name: /^Pay/ }).click();
        await page.getByText(type === 'blik' ? 'Enter the 6-digit code from your banking app.' : 'Enter a UPI ID such as name@bank.').waitFor();
        await page.getByLabel(type === 'blik' ? 'BLIK code (6 digits)' : 'UPI ID (VPA)').fill(value);
        await page.getByRole('button', { name: /^Pay/ }).click();
        if (expect === 'declined') {
          await page.getByRole('alert').waitFor({ timeout: 60_000 });
          assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
        } else {
          await page.getByRole('heading', { name: 'Payment in progress' }).waitFor({ timeout: 60_000 });
        }
      } finally {
        await page.close();
      }
      return session;
    };
    const [blikPaid, blikDeclined, blikInvalid, upiPaid, upiFailed] = await Promise.all([
      pay('blik', 'buyer@example.com', '777123', 'processing'),
      pay('blik', 'insufficient_funds@example.com', '777123', 'processing'),
      pay('blik', 'invalid_code@example.com', '777123', 'declined'),
      pay('upi', 'buyer@example.com', 'success@razorpay', 'processing'),
      pay('upi', 'buyer@example.com', 'failure@razorpay', 'processing'),
    ]);
    await bankAnswers();
    for (const session of [blikPaid, upiPaid]) {
      const paid = await stripe.checkout.sessions.retrieve(session.id);
      assert.equal(paid.payment_status, 'paid');
      assert.deepEqual(await sessionEvents(session.id), ['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
      assert.equal((await stripe.refunds.create({ payment_intent: String(paid.payment_intent), amount: 1000 })).status, 'succeeded');
    }
    for (const session of [blikDeclined, upiFailed]) {
      assert.deepEqual(await sessionEvents(session.id), ['checkout.session.completed', 'checkout.session.async_payment_failed']);
    }
    assert.deepEqual(await sessionEvents(blikInvalid.id), []);
  });

  it('boleto and Pix: the voucher and the QR code are shown, paid on their pages (Pix refunded, boleto not refundable), or expire', async () => {
    const boletoSession = async () => {
      const session = await createSession('brl', 12_345, ['boleto']);
      const page = await open(session, 'maria@example.com');
      await page.getByLabel('Full name').fill('Maria Silva');
      await page.getByLabel('CPF or CNPJ').fill('529.982.247-26');
      await page.getByLabel('Address').fill('Av. Paulista, 1000');
      await page.getByLabel('City').fill('São Paulo');
      await page.getByLabel('State').fill('SP');
      await page.getByLabel('Postal code').fill('01310-100');
      await page.getByRole('button', { name: /^Pay/ }).click();
      await page.getByText('Enter a valid CPF (11 digits) or CNPJ (14 digits).').waitFor();
      await page.getByLabel('CPF or CNPJ').fill('529.982.247-25');
      await page.getByRole('button', { name: /^Pay/ }).click();
      await page.getByRole('heading', { name: 'Your boleto' }).waitFor({ timeout: 60_000 });
      assert.match(await page.getByLabel('Boleto number').inputValue(), /^\d{47}$/);
      const completed = await stripe.checkout.sessions.retrieve(session.id);
      assert.equal(completed.status, 'complete');
      assert.equal(completed.payment_status, 'unpaid');
      return { session, page };
    };
    const pixSession = async () => {
      const session = await createSession('brl', 990, ['pix']);
      const page = await open(session);
      await page.getByRole('button', { name: /^Pay/ }).click();
      await page.getByRole('heading', { name: 'Pay with Pix' }).waitFor({ timeout: 60_000 });
      const image = page.getByRole('img', { name: 'Pix QR code' });
      await image.waitFor();
      assert.ok(await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth > 0), 'the QR code loads under the page\'s policy');
      assert.match(await page.getByLabel('Pix code (copia e cola)').inputValue(), /^000201/);
      assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
      return { session, page };
    };

    // Paid: the voucher's and the QR code's test pages, opened from the links the shopper has.
    const [boleto, pix] = await Promise.all([boletoSession(), pixSession()]);
    for (const [shown, link] of [[boleto, 'View the boleto'], [pix, 'Open the payment instructions']] as const) {
      const href = await shown.page.getByRole('link', { name: link }).getAttribute('href');
      const testPage = await browser.newPage();
      await testPage.goto(href!);
      await testPage.getByRole('button', { name: 'Mark as paid' }).click();
      await testPage.getByRole('heading', { name: 'Paid' }).waitFor();
      await testPage.close();
    }
    // The Pix page looks again by itself and moves on to the merchant once paid.
    await landsOnThanks(pix.page, pix.session);
    await Promise.all([boleto.page.close(), pix.page.close()]);
    await sweepCheckoutSessions(server.deps);
    assert.deepEqual(await sessionEvents(boleto.session.id), ['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
    const boletoPaid = await stripe.checkout.sessions.retrieve(boleto.session.id);
    assert.equal(boletoPaid.payment_status, 'paid');
    const notRefundable = await stripeErrorOf(stripe.refunds.create({ payment_intent: String(boletoPaid.payment_intent) }));
    assert.equal(notRefundable.code, 'charge_not_refundable');
    const pixPaid = await stripe.checkout.sessions.retrieve(pix.session.id);
    assert.equal(pixPaid.status, 'complete');
    assert.equal(pixPaid.payment_status, 'paid');
    assert.equal((await stripe.refunds.create({ payment_intent: String(pixPaid.payment_intent), amount: 300 })).status, 'succeeded');

    // Not paid in time: both expire (the test clock moves past their due dates; the display expiry job runs).
    const [lateBoleto, latePix] = await Promise.all([boletoSession(), pixSession()]);
    await lateBoleto.page.close();
    server.clock.advance(4 * secondsPerDay);
    assert.equal(await expireDisplayedPayments(server.deps), 2);
    await sweepCheckoutSessions(server.deps);
    assert.deepEqual(await sessionEvents(lateBoleto.session.id), ['checkout.session.completed', 'checkout.session.async_payment_failed']);
    // The Pix page, on its next look, shows the expiry and lets the shopper try again.
    await latePix.page.getByRole('alert').waitFor({ timeout: 60_000 });
    await latePix.page.getByRole('button', { name: /^Pay/ }).waitFor();
    const retry = await stripe.checkout.sessions.retrieve(latePix.session.id, { expand: ['payment_intent'] });
    assert.equal(retry.status, 'open');
    assert.equal((retry.payment_intent as Stripe.PaymentIntent).last_payment_error?.code, 'payment_intent_payment_attempt_expired');
    // Trying again shows a new code for the same PaymentIntent.
    await latePix.page.getByRole('button', { name: /^Pay/ }).click();
    await latePix.page.getByRole('heading', { name: 'Pay with Pix' }).waitFor({ timeout: 60_000 });
    assert.equal((await stripe.paymentIntents.retrieve(String(retry.payment_intent && (retry.payment_intent as Stripe.PaymentIntent).id))).status, 'requires_action');
    await latePix.page.close();
  });
});
