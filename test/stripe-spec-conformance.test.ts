import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { isTargetBusinessDay } from '../src/mandates/debit-date.ts';
import { allRoutes } from '../src/api/routes/index.ts';
import { payingCard, submitCheckoutPage } from './helpers/checkout-page.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { reviewDueAccounts } from '../src/connect/review.ts';
import { openDueDisputes } from '../src/disputes/open.ts';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { advancePayouts } from '../src/payouts/jobs.ts';
import { resolvePendingRefunds } from '../src/refunds/service.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startPayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { startRazorpaySandbox } from '../src/sandbox/razorpay/server.ts';
import { formatViolations, startTestServer, type TestServer } from './helpers/server.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { allowedExtraFields, payrailOnlyOperations, renderedFieldsJson, stripeSpec, stripeViolations } from './helpers/stripe-conformance.ts';

/**
 * Every answer Payrail gives to the official SDK matches Stripe's OpenAPI description (API 2024-04-10), closed:
 * no field Stripe does not document (beyond the justified allowlist in helpers/stripe-conformance.ts), no required
 * field missing, events' data.object checked against the object's own schema. The test server checks each answer as
 * it is sent (startTestServer({ stripeConformance: true })), so the scenarios below only have to call every operation,
 * in the states that render differently (declined, 3-D Secure, refunded, failed payouts, deleted objects, expanded
 * fields). A new route fails the last test until a scenario here calls it.
 */

const renderedFieldsFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/api/openapi/rendered-fields.json');
const typesDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node_modules/stripe/esm/resources');
/** A GET path with query parameters (the SDK's rawRequest sends parameters on POST only). */
const withQuery = (path: string, params: Record<string, string | string[]>) =>
  `${path}?${new URLSearchParams(Object.entries(params).flatMap(([name, value]) => (Array.isArray(value) ? value.map((item): [string, string] => [`${name}[]`, item]) : [[name, value] as [string, string]]))).toString()}`;
const card = (number: string) => ({ type: 'card' as const, card: { number, exp_month: 12, exp_year: 2034, cvc: '123' } });

describe("Stripe's OpenAPI description, closed", () => {
  it('rejects an invented field, a missing required field, and an error type Stripe does not have', () => {
    const customer = { id: 'cus_1', object: 'customer', address: null, balance: 0, created: 1, default_source: null, description: null, email: null, invoice_prefix: 'ABC', invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null }, livemode: false, metadata: {}, name: null, next_invoice_sequence: 1, phone: null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null };
    assert.deepEqual(stripeViolations('GET', '/v1/customers/cus_1', 200, customer), []);
    assert.match(stripeViolations('GET', '/v1/customers/cus_1', 200, { ...customer, invented: 1 }).join('\n'), /additionalProperty":"invented"/);
    const { created: _created, ...withoutCreated } = customer;
    assert.match(stripeViolations('GET', '/v1/customers/cus_1', 200, withoutCreated).join('\n'), /required property 'created'/);
    assert.match(stripeViolations('GET', '/v1/customers', 401, { error: { type: 'authentication_error', message: 'No key' } }).join('\n'), /\/error\/type/);
    assert.match(stripeViolations('GET', '/v1/customers/cus_1/sources/x/y', 200, {}).join('\n'), /Stripe has no operation/);
  });

  it('allows only newer fields the stripe package declares, or prefixed Payrail extensions', () => {
    for (const [component, fields] of Object.entries(allowedExtraFields)) {
      assert.ok(stripeSpec().hasComponent(component), `${component} is a Stripe component`);
      for (const [field, allowance] of Object.entries(fields)) {
        if ('payrailExtension' in allowance) {
          assert.match(field, /^payrail_/, `${component}.${field}: Payrail extensions are prefixed`);
        } else {
          const [file, name] = allowance.newerStripeField.split('#');
          const declarations = fs.readFileSync(path.join(typesDirectory, file), 'utf8');
          // The interface's own members: from `interface Name {` to the next interface declaration.
          const bodies = declarations.split(new RegExp(`interface ${name} \\{`)).slice(1).map((rest) => rest.split(/\binterface \w+ \{/)[0]);
          assert.ok(bodies.some((body) => new RegExp(`\\n\\s+${field}\\??: `).test(body)), `${component}.${field} is declared in ${allowance.newerStripeField}`);
        }
      }
    }
  });
});

describe('every answer of every operation matches Stripe', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer({ stripeConformance: true });
    stripe = server.account.stripe;
  });
  afterEach(() => {
    const violations = server.conformance!.take();
    assert.equal(violations.length, 0, `answers that do not match Stripe's OpenAPI document:\n${formatViolations(violations)}`);
  });
  after(async () => {
    await server?.close();
  });

  const expandIntent = ['latest_charge', 'customer', 'payment_method', 'latest_charge.balance_transaction', 'latest_charge.customer', 'latest_charge.payment_intent'];

  it('customers: create, retrieve, update, list, list payment methods, delete (and a deleted one expanded)', async () => {
    const customer = await stripe.customers.create({ email: 'a@example.com', name: 'Ada', metadata: { k: 'v' }, address: { line1: '1 Main St', city: 'Springfield', country: 'US' }, shipping: { name: 'Ada', address: { line1: '1 Main St' } } });
    await stripe.customers.retrieve(customer.id);
    await stripe.customers.update(customer.id, { description: 'updated', phone: '+15555550100', shipping: { name: 'Ada', phone: '+15555550101', address: { line1: '2 Main St', country: 'US' } } });
    await stripe.customers.update(customer.id, { address: { line2: 'Apt 3' } });
    await stripe.customers.list({ limit: 2 });
    const method = await stripe.paymentMethods.create(card('4242424242424242'));
    await stripe.paymentMethods.attach(method.id, { customer: customer.id });
    await stripe.customers.listPaymentMethods(customer.id, { expand: ['data.customer'] });
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: method.id, confirm: true });
    await stripe.customers.del(customer.id);
    await stripe.customers.retrieve(customer.id);
    await stripe.paymentIntents.retrieve(intent.id, { expand: ['customer'] });
  });

  it('payment methods: card and PayPal, create, retrieve, update, attach, detach, list, expanded customer', async () => {
    const customer = await stripe.customers.create({});
    const method = await stripe.paymentMethods.create({ ...card('5555555555554444'), billing_details: { name: 'Ada', email: 'a@example.com', address: { country: 'US', postal_code: '12345' } }, metadata: { k: 'v' } });
    await stripe.paymentMethods.retrieve(method.id);
    await stripe.paymentMethods.update(method.id, { metadata: { k: 'w' }, billing_details: { phone: '+15555550100' } });
    await stripe.paymentMethods.attach(method.id, { customer: customer.id, expand: ['customer'] });
    await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    await stripe.paymentMethods.detach(method.id);
    const paypal = await stripe.paymentMethods.create({ type: 'paypal' });
    await stripe.paymentMethods.retrieve(paypal.id);
    // A publishable key may create PaymentMethods (tokenization).
    await server.stripeFor(server.account.publishableKey).paymentMethods.create(card('4000056655665556'));
  });

  it('payment intents: every state, every operation, expanded fields', async () => {
    const customer = await stripe.customers.create({});
    const created = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, description: 'order 1', metadata: { order: '1' }, capture_method: 'manual', receipt_email: 'r@example.com' });
    await stripe.paymentIntents.update(created.id, { amount: 2100, payment_method: 'pm_card_visa' });
    const authorized = await stripe.paymentIntents.confirm(created.id, { expand: expandIntent });
    assert.equal(authorized.status, 'requires_capture');
    await stripe.paymentIntents.capture(created.id, { amount_to_capture: 1500, expand: expandIntent });
    await stripe.paymentIntents.retrieve(created.id, { expand: expandIntent });
    const canceled = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
    await stripe.paymentIntents.cancel(canceled.id, { cancellation_reason: 'requested_by_customer', expand: ['latest_charge'] });
    await stripe.paymentIntents.cancel((await stripe.paymentIntents.create({ amount: 700, currency: 'usd' })).id);
    await stripe.paymentIntents.create({ amount: 900, currency: 'gbp', payment_method: 'pm_card_amex', confirm: true, statement_descriptor_suffix: 'ORDER' });
    // A decline: the 402 error carries the PaymentIntent with last_payment_error.
    await assert.rejects(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true }), Stripe.errors.StripeCardError);
    await assert.rejects(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_radarBlock', confirm: true }), Stripe.errors.StripeCardError);
    // 3-D Secure: requires_action with next_action, then completed through the challenge page.
    const challenged = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://example.com/return' });
    assert.equal(challenged.status, 'requires_action');
    const page = new URL(challenged.next_action!.redirect_to_url!.url!);
    await server.request('POST', page.pathname, { body: 'action=complete', contentType: 'application/x-www-form-urlencoded' });
    await stripe.paymentIntents.retrieve(challenged.id, { expand: expandIntent });
    await stripe.paymentIntents.list({ limit: 100, expand: ['data.latest_charge'] });
    await stripe.paymentIntents.list({ customer: customer.id });
  });

  it('charges: retrieve and list, with every expandable field', async () => {
    const customer = await stripe.customers.create({});
    const intent = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', customer: customer.id, payment_method: 'pm_card_mastercard', confirm: true });
    const expand = ['customer', 'payment_intent', 'balance_transaction', 'failure_balance_transaction'];
    await stripe.charges.retrieve(intent.latest_charge as string, { expand });
    await stripe.charges.list({ limit: 100, expand: expand.map((field) => `data.${field}`) });
    await stripe.charges.list({ payment_intent: intent.id });
  });

  it('refunds: succeeded, partial, pending then failed; retrieve, update, list, expanded fields', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000, reason: 'requested_by_customer', metadata: { k: 'v' } });
    await stripe.refunds.create({ charge: intent.latest_charge as string, expand: ['charge', 'payment_intent', 'balance_transaction'] });
    await stripe.refunds.retrieve(partial.id, { expand: ['charge', 'payment_intent', 'balance_transaction'] });
    await stripe.refunds.update(partial.id, { metadata: { k: 'w' } });
    const failing = await stripe.paymentMethods.create(card('4000000000005126'));
    const failingIntent = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: failing.id, confirm: true });
    const pending = await stripe.refunds.create({ payment_intent: failingIntent.id });
    assert.equal(pending.status, 'pending');
    await resolvePendingRefunds(server.deps);
    const failed = await stripe.refunds.retrieve(pending.id, { expand: ['failure_balance_transaction', 'charge'] });
    assert.equal(failed.status, 'failed');
    await stripe.refunds.list({ limit: 100 });
    await stripe.refunds.list({ payment_intent: intent.id, expand: ['data.charge'] });
    await stripe.charges.retrieve(intent.latest_charge as string);
  });

  it('PayPal: a payment through the PayPal connector and sandbox (payment_method_details.paypal), refunded', async () => {
    const sandbox = await startPayPalSandbox({ clientId: 'conformance-client', clientSecret: 'conformance-secret', webhookId: 'WHCONFORMANCE', webhookRetryDelaysMs: [] });
    try {
      // Another account, so the PayPal configuration routes none of the other scenarios' payments.
      const merchant = await server.createAccount('paypal');
      await merchant.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
        connector: 'paypal', credentials: { client_id: 'conformance-client', client_secret: 'conformance-secret', webhook_id: 'WHCONFORMANCE' }, settings: { base_url: sandbox.url },
      });
      const method = await merchant.stripe.paymentMethods.create({ type: 'paypal' });
      // payment_method_types: Payrail takes it as Stripe's API versions before 2026-09-30 did; the SDK's types no longer list it.
      const intent = await merchant.stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: method.id, payment_method_types: ['paypal'] } as Stripe.PaymentIntentCreateParams);
      const confirmed = await merchant.stripe.paymentIntents.confirm(intent.id, { return_url: 'https://shop.example.com/return' });
      assert.equal(confirmed.status, 'requires_action');
      // The buyer approves on PayPal's page and comes back through Payrail's return page.
      const approval = confirmed.next_action!.redirect_to_url!.url!;
      const approved = await fetch(approval, { method: 'POST', body: new URLSearchParams({ action: 'approve' }), redirect: 'manual' });
      await fetch(approved.headers.get('location')!, { redirect: 'manual' });
      const paid = await merchant.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge', 'payment_method'] });
      assert.equal(paid.status, 'succeeded');
      await merchant.stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
      await merchant.stripe.charges.list({ payment_intent: intent.id });
      await merchant.stripe.events.list({ limit: 100 });
    } finally {
      await sandbox.close();
    }
  });

  it('Razorpay: a UPI intent payment (next_action upi_handle_redirect_or_display_qr_code) through the Razorpay connector and sandbox', async () => {
    const sandbox = await startRazorpaySandbox({ keyId: 'rzp_test_Conformance001', keySecret: 'conformance-secret', webhookSecret: 'conformance-webhook', webhookRetryDelaysMs: [200, 1000] });
    try {
      // Another account, so the Razorpay configuration routes none of the other scenarios' UPI payments.
      const merchant = await server.createAccount('razorpay');
      const configuration = await merchant.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
        connector: 'razorpay', credentials: { key_id: 'rzp_test_Conformance001', key_secret: 'conformance-secret', webhook_secret: 'conformance-webhook' }, settings: { base_url: sandbox.url },
      });
      sandbox.setWebhookUrl(`${server.baseUrl}/payrail/webhooks/${configuration.id as string}`);
      const intent = await merchant.stripe.paymentIntents.create({
        amount: 2000, currency: 'inr', payment_method_types: ['upi'], payment_method_data: { type: 'upi', upi: { vpa: 'payer@okaxis' } }, payment_method_options: { upi: { flow: 'intent' } }, confirm: true,
      } as unknown as Stripe.PaymentIntentCreateParams);
      assert.equal(intent.status, 'requires_action');
      const payment = sandbox.records().payments.at(-1)!;
      await fetch(`${sandbox.url}/sandbox/razorpay/upi/${payment.id}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve' });
      const deadline = Date.now() + 30_000;
      while ((await merchant.stripe.paymentIntents.retrieve(intent.id)).status !== 'succeeded') {
        assert.ok(Date.now() < deadline, 'Razorpay\'s webhook settles the payment');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await merchant.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    } finally {
      await sandbox.close();
    }
  });

  it('local payment methods: each type\'s PaymentMethod, a redirect payment (charge details) and a BLIK payment', async () => {
    const methods = [
      { type: 'ideal', ideal: { bank: 'ing' } },
      { type: 'bancontact', billing_details: { name: 'Jenny Rosen' } },
      { type: 'eps', eps: { bank: 'bank_austria' }, billing_details: { name: 'Jenny Rosen' } },
      { type: 'p24', p24: { bank: 'ing' }, billing_details: { email: 'p@example.com' } },
      { type: 'blik' },
      { type: 'klarna', klarna: { dob: { day: 1, month: 1, year: 1990 } }, billing_details: { email: 'k@example.com', address: { country: 'DE' } } },
      { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' }, billing_details: { name: 'Jenny Rosen', email: 'j@example.com' } },
    ];
    for (const params of methods) await stripe.paymentMethods.retrieve((await stripe.paymentMethods.create(params as Stripe.PaymentMethodCreateParams)).id);
    for (const [type, data] of [['ideal', { type: 'ideal', ideal: { bank: 'ing' } }], ['bancontact', { type: 'bancontact', billing_details: { name: 'J R' } }], ['eps', { type: 'eps', billing_details: { name: 'J R' } }], ['p24', methods[3]]] as const) {
      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: type === 'p24' ? 'pln' : 'eur', payment_method_types: [type], payment_method_data: data, confirm: true, return_url: 'https://shop.example/return' } as unknown as Stripe.PaymentIntentCreateParams);
      const url = intent.next_action!.redirect_to_url!.url!;
      const token = /name="csrf_token" value="([^"]+)"/.exec(await (await fetch(url)).text())![1];
      await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'authorize', csrf_token: token }), redirect: 'manual' });
      await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge', 'payment_method'] });
    }
    const klarna = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method_types: ['klarna'], payment_method_options: { klarna: { preferred_locale: 'de-DE' } }, payment_method_data: methods[5], confirm: true, return_url: 'https://shop.example/return' } as unknown as Stripe.PaymentIntentCreateParams);
    const url = klarna.next_action!.redirect_to_url!.url!;
    const token = /name="csrf_token" value="([^"]+)"/.exec(await (await fetch(url)).text())![1];
    await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'fail', csrf_token: token }), redirect: 'manual' });
    await stripe.paymentIntents.retrieve(klarna.id, { expand: ['latest_charge'] });
    const blik = await stripe.paymentIntents.create({ amount: 2000, currency: 'pln', payment_method_types: ['blik', 'p24'], payment_method_data: { type: 'blik' }, payment_method_options: { blik: { code: '777123' } }, confirm: true } as unknown as Stripe.PaymentIntentCreateParams);
    assert.equal(blik.status, 'processing');
    await resolveStuckAttempts(server.deps, 0);
    assert.equal((await stripe.paymentIntents.retrieve(blik.id, { expand: ['latest_charge'] })).status, 'succeeded');
    // Boleto and Pix: a voucher and a QR code to display (requires_action), then marked paid on the test pages.
    const brazilian = { name: 'Maria Silva', email: 'm@example.com', address: { line1: 'Av. Paulista, 1000', city: 'São Paulo', state: 'SP', postal_code: '01310-100', country: 'BR' } };
    for (const data of [{ type: 'boleto', boleto: { tax_id: '52998224725' }, billing_details: brazilian }, { type: 'pix' }]) {
      await stripe.paymentMethods.retrieve((await stripe.paymentMethods.create(data as Stripe.PaymentMethodCreateParams)).id);
      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'brl', payment_method_types: [data.type], payment_method_data: data, confirm: true } as unknown as Stripe.PaymentIntentCreateParams);
      const page = intent.next_action?.boleto_display_details?.hosted_voucher_url ?? intent.next_action?.pix_display_qr_code?.hosted_instructions_url ?? '';
      const pageToken = /name="csrf_token" value="([^"]+)"/.exec(await (await fetch(page)).text())![1];
      await fetch(page, { method: 'POST', body: new URLSearchParams({ action: 'pay', csrf_token: pageToken }) });
      assert.equal((await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] })).status, 'succeeded');
    }
    // UPI (a type newer than 2024-04-10): processing, then the janitor's answer.
    const upiData = { type: 'upi', upi: { vpa: 'success@razorpay' } };
    await stripe.paymentMethods.retrieve((await stripe.paymentMethods.create(upiData as unknown as Stripe.PaymentMethodCreateParams)).id);
    const upi = await stripe.paymentIntents.create({ amount: 2000, currency: 'inr', payment_method_types: ['upi'], payment_method_data: upiData, confirm: true } as unknown as Stripe.PaymentIntentCreateParams);
    assert.equal(upi.status, 'processing');
    await resolveStuckAttempts(server.deps, 0);
    assert.equal((await stripe.paymentIntents.retrieve(upi.id, { expand: ['latest_charge'] })).status, 'succeeded');
    // A UPI intent on the test processor (next_action.upi_handle_redirect_or_display_qr_code), approved on its page.
    const upiIntent = await stripe.paymentIntents.create({ amount: 2000, currency: 'inr', payment_method_types: ['upi'], payment_method_data: upiData, payment_method_options: { upi: { flow: 'intent' } }, confirm: true } as unknown as Stripe.PaymentIntentCreateParams);
    const upiPage = (upiIntent.next_action as unknown as { upi_handle_redirect_or_display_qr_code: { hosted_instructions_url: string } }).upi_handle_redirect_or_display_qr_code.hosted_instructions_url;
    const upiToken = /name="csrf_token" value="([^"]+)"/.exec(await (await fetch(upiPage)).text())![1];
    await fetch(upiPage, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf_token: upiToken }) });
    assert.equal((await stripe.paymentIntents.retrieve(upiIntent.id, { expand: ['latest_charge'] })).status, 'succeeded');
    // A SEPA debit's target date (Stripe's newer payment_method_options[sepa_debit][target_date]), rendered back.
    let targetDay = 5;
    while (!isTargetBusinessDay(new Date(Date.now() + targetDay * 86_400_000))) targetDay += 1;
    await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method_types: ['sepa_debit'], payment_method_options: { sepa_debit: { target_date: new Date(Date.now() + targetDay * 86_400_000).toISOString().slice(0, 10) } } } as unknown as Stripe.PaymentIntentCreateParams);
    // SEPA Direct Debit: the mandate given at confirmation, processing, then the bank's answer; the Mandate object.
    const sepa = await stripe.paymentIntents.create({
      amount: 2000, currency: 'eur', payment_method_types: ['sepa_debit'], payment_method_data: methods[6], confirm: true,
      mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } } },
    } as unknown as Stripe.PaymentIntentCreateParams);
    assert.equal(sepa.status, 'processing');
    await resolveStuckAttempts(server.deps, 0);
    const sepaPaid = await stripe.paymentIntents.retrieve(sepa.id, { expand: ['latest_charge'] });
    assert.equal(sepaPaid.status, 'succeeded');
    await stripe.mandates.retrieve((sepaPaid.latest_charge as Stripe.Charge).payment_method_details!.sepa_debit!.mandate!);
    const reusable = await stripe.paymentIntents.create({
      amount: 2000, currency: 'eur', payment_method_types: ['sepa_debit'], payment_method_data: methods[6], confirm: true, setup_future_usage: 'off_session',
      mandate_data: { customer_acceptance: { type: 'offline' } }, expand: ['latest_charge'],
    } as unknown as Stripe.PaymentIntentCreateParams);
    await stripe.mandates.retrieve((reusable.latest_charge as Stripe.Charge).payment_method_details!.sepa_debit!.mandate!);
  });

  it('balance, balance transactions (with every source type expanded), account and its settings', async () => {
    await stripe.balance.retrieve();
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge.balance_transaction'] });
    const transaction = (intent.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    server.clock.advance(transaction.available_on - server.clock.nowSeconds() + 1);
    await releaseAvailableFunds(server.deps);
    await stripe.balance.retrieve();
    await stripe.balanceTransactions.retrieve(transaction.id, { expand: ['source'] });
    const account = await stripe.accounts.retrieveCurrent();
    await stripe.accounts.retrieve(account.id);
    await stripe.accounts.update(account.id, { settings: { payouts: { schedule: { interval: 'weekly', weekly_anchor: 'friday' }, debit_negative_balances: true } } });
    await stripe.accounts.update(account.id, { settings: { payouts: { schedule: { interval: 'monthly', monthly_anchor: 15 } } } });
    await stripe.accounts.update(account.id, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    // External accounts and payouts: paid, failed (with a failure balance transaction) and canceled.
    const bank = await stripe.accounts.createExternalAccount(account.id, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000', account_holder_name: 'Ada', account_holder_type: 'individual' } as unknown as string });
    const failing = await stripe.accounts.createExternalAccount(account.id, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000111111116', routing_number: '110000000' } as unknown as string });
    await stripe.accounts.retrieveExternalAccount(account.id, bank.id);
    await stripe.accounts.updateExternalAccount(account.id, failing.id, { metadata: { k: 'v' }, account_holder_name: 'Bob' });
    await stripe.accounts.listExternalAccounts(account.id, { object: 'bank_account' });
    const paid = await stripe.payouts.create({ amount: 1000, currency: 'usd', destination: bank.id, metadata: { k: 'v' }, statement_descriptor: 'PAYRAIL' });
    const willFail = await stripe.payouts.create({ amount: 500, currency: 'usd', destination: failing.id });
    const canceled = await stripe.payouts.create({ amount: 300, currency: 'usd', destination: bank.id });
    await stripe.payouts.cancel(canceled.id);
    await stripe.payouts.update(paid.id, { metadata: { k: 'w' } });
    await advancePayouts(server.deps);
    server.clock.advance(3 * 24 * 60 * 60);
    await advancePayouts(server.deps);
    const expand = ['balance_transaction', 'failure_balance_transaction', 'destination'];
    await stripe.payouts.retrieve(paid.id, { expand });
    const failedPayout = await stripe.payouts.retrieve(willFail.id, { expand });
    assert.equal(failedPayout.status, 'failed');
    // A paid payout reversed: the reversal names its original, the original its reversal.
    const reversal = await stripe.payouts.reverse(paid.id, { metadata: { ticket: 'R-1' }, expand: ['original_payout', 'balance_transaction'] });
    await stripe.payouts.retrieve(paid.id, { expand: [...expand, 'reversed_by'] });
    await stripe.payouts.retrieve(reversal.id, { expand: ['original_payout', 'destination'] });
    await stripe.payouts.list({ limit: 100, expand: expand.map((field) => `data.${field}`) });
    await stripe.balanceTransactions.list({ limit: 100, expand: ['data.source'] });
    // /v1/balance/history is the older path of the same list and object (the SDK only speaks /v1/balance_transactions).
    const history = await stripe.rawRequest('GET', withQuery('/v1/balance/history', { limit: '100', expand: ['data.source'] })) as unknown as Stripe.ApiList<Stripe.BalanceTransaction>;
    await stripe.rawRequest('GET', withQuery(`/v1/balance/history/${history.data[0].id}`, { expand: ['source'] }));
    await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    await stripe.balanceTransactions.list({ limit: 100, expand: ['data.source'] });
    await stripe.balance.retrieve();
    await stripe.accounts.deleteExternalAccount(account.id, failing.id);
  });

  it('payment intents: automatic payment methods, shipping, payment method options, incremental authorization, search', async () => {
    const shipping = { name: 'Jenny Rosen', phone: '+15555550100', carrier: 'UPS', tracking_number: '1Z999', address: { line1: '1 Main St', city: 'Springfield', postal_code: '12345', state: 'IL', country: 'US' } };
    const automatic = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: true, allow_redirects: 'never' }, shipping, metadata: { search: 'conformance' } });
    await stripe.paymentIntents.update(automatic.id, { shipping: { ...shipping, carrier: 'FedEx' } });
    await stripe.paymentIntents.confirm(automatic.id, { payment_method: 'pm_card_visa' });
    const incrementable = await stripe.paymentIntents.create({
      amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual', shipping,
      payment_method_options: { card: { request_incremental_authorization: 'if_available', request_three_d_secure: 'automatic' } }, expand: ['latest_charge'],
    });
    await stripe.paymentIntents.incrementAuthorization(incrementable.id, { amount: 1500, metadata: { reason: 'minibar' }, expand: expandIntent });
    // A declined increment: 402 with the PaymentIntent in the error.
    const declinedIncrement = await expectStripeError(stripe.paymentIntents.incrementAuthorization(incrementable.id, { amount: 2005 }), { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 });
    assert.equal((declinedIncrement.raw as { payment_intent?: { id: string } }).payment_intent?.id, incrementable.id);
    await stripe.paymentIntents.capture(incrementable.id, { expand: ['latest_charge'] });
    await stripe.paymentIntents.search({ query: 'metadata["search"]:"conformance"', expand: ['total_count', 'data.latest_charge', 'data.customer', 'data.payment_method'] });
    await stripe.paymentIntents.search({ query: 'status:"succeeded"', limit: 1 });
    // A charge with three_d_secure: request_three_d_secure=any on the frictionless test card (docs/sca.md).
    await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_threeDSecureOptional', confirm: true, payment_method_options: { card: { request_three_d_secure: 'any' } }, expand: ['latest_charge'] });
    // Installments (docs/api.md): enabled on the intent, a plan at confirmation, on the charge.
    const installments = await stripe.paymentIntents.create({ amount: 300000, currency: 'mxn', payment_method_types: ['card'], payment_method: 'pm_card_visa', payment_method_options: { card: { installments: { enabled: true } } } } as unknown as Stripe.PaymentIntentCreateParams);
    await stripe.paymentIntents.confirm(installments.id, { payment_method_options: { card: { installments: { plan: { count: 3, interval: 'month', type: 'fixed_count' } } } }, expand: ['latest_charge'] });
  });

  it('customers: search, payment_method and invoice_settings, retrieve a payment method, payment methods without customer', async () => {
    const method = await stripe.paymentMethods.create(card('4242424242424242'));
    const customer = await stripe.customers.create({ email: 'search@example.com', name: 'Search Ltd', payment_method: method.id, invoice_settings: { default_payment_method: method.id }, metadata: { search: 'conformance' } });
    await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id }, expand: ['invoice_settings.default_payment_method'] });
    await stripe.customers.retrievePaymentMethod(customer.id, method.id, { expand: ['customer'] });
    await stripe.paymentMethods.list({ type: 'card', limit: 100, expand: ['data.customer'] });
    await stripe.customers.search({ query: 'metadata["search"]:"conformance"', expand: ['total_count', 'data.default_source', 'data.sources', 'data.invoice_settings.default_payment_method'] });
    await stripe.customers.search({ query: 'email:"search@example.com"', limit: 1 });
  });

  const nextYear = new Date().getUTCFullYear() + 1;
  const cardToken = (number: string, client = stripe) =>
    client.tokens.create({ card: { number, exp_month: '12', exp_year: String(nextYear), cvc: '123', name: 'Ada Lovelace', address_line1: '1 Main St', address_zip: '94107', address_country: 'US' } as Stripe.TokenCreateParams.Card });
  const expandCharge = ['customer', 'payment_intent', 'balance_transaction', 'failure_balance_transaction', 'refunds'];

  it('legacy API: tokens, charges with a source (captured, authorized then captured, updated, declined), charge refunds, search', async () => {
    const token = await cardToken('4242424242424242');
    await stripe.tokens.retrieve(token.id);
    // A publishable key may create tokens (tokenization in the browser).
    await cardToken('5555555555554444', server.stripeFor(server.account.publishableKey));
    // A token refused at creation: 402 card_error naming the parameter.
    await expectStripeError(cardToken('4242424242424241'), { class: Stripe.errors.StripeCardError, code: 'incorrect_number', param: 'card[number]', statusCode: 402 });
    const captured = await stripe.charges.create({ amount: 2000, currency: 'usd', source: token.id, description: 'legacy order', metadata: { search: 'conformance' }, expand: expandCharge });
    await stripe.tokens.retrieve(token.id);
    const authorized = await stripe.charges.create({ amount: 3000, currency: 'usd', source: 'tok_mastercard', capture: false, statement_descriptor_suffix: 'ORDER' });
    await stripe.charges.capture(authorized.id, { amount: 2500, expand: expandCharge });
    await stripe.charges.update(captured.id, { description: 'updated', metadata: { k: 'v' }, receipt_email: 'r@example.com', shipping: { name: 'Ada', address: { line1: '1 Main St', country: 'US' } }, fraud_details: { user_report: 'safe' }, expand: expandCharge });
    // A decline: 402 card_error naming the failed charge, kept as failed.
    const declined = await expectStripeError(stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_chargeDeclinedInsufficientFunds' }), { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 });
    assert.match(String((declined as Stripe.errors.StripeCardError).charge), /^ch_/);
    await stripe.charges.retrieve(String((declined as Stripe.errors.StripeCardError).charge), { expand: expandCharge });
    // Refunds through the charge (the SDK no longer has these methods).
    const refund = await stripe.rawRequest('POST', `/v1/charges/${captured.id}/refunds`, { amount: 500, metadata: { k: 'v' }, expand: ['charge', 'balance_transaction'] }) as unknown as Stripe.Refund;
    await stripe.rawRequest('GET', withQuery(`/v1/charges/${captured.id}/refunds`, { limit: '10', expand: ['data.charge', 'data.balance_transaction'] }));
    await stripe.rawRequest('GET', withQuery(`/v1/charges/${captured.id}/refunds/${refund.id}`, { expand: ['charge', 'payment_intent', 'balance_transaction'] }));
    await stripe.rawRequest('POST', `/v1/charges/${captured.id}/refund`, { expand: ['refunds', 'balance_transaction'] });
    await stripe.charges.retrieve(captured.id, { expand: expandCharge });
    await stripe.charges.list({ limit: 100, expand: expandCharge.map((field) => `data.${field}`) });
    await stripe.charges.search({ query: 'metadata["search"]:"conformance"', expand: ['total_count', ...expandCharge.map((field) => `data.${field}`)] });
    await stripe.charges.search({ query: 'status:"failed"', limit: 1 });
  });

  it('legacy API: customer card sources, default_source, sources expanded, charging a customer', async () => {
    const customer = await stripe.customers.create({ email: 'sources@example.com', source: (await cardToken('4242424242424242')).id });
    await stripe.customers.create({ source: 'tok_visa', expand: ['default_source', 'sources'] });
    const added = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard', metadata: { slot: 'b' } }) as Stripe.Card;
    await stripe.customers.listSources(customer.id, { object: 'card', expand: ['data.customer'] });
    await stripe.customers.retrieveSource(customer.id, added.id, { expand: ['customer'] });
    await stripe.customers.updateSource(customer.id, added.id, { exp_month: '3', exp_year: String(nextYear + 2), name: 'Jane Roe', address_line1: '5 Elm St', address_zip: '10001', metadata: { slot: '' } });
    await stripe.customers.update(customer.id, { default_source: added.id, expand: ['default_source', 'sources'] });
    await stripe.customers.retrieve(customer.id, { expand: ['default_source', 'sources', 'default_source.customer'] });
    await stripe.customers.list({ email: 'sources@example.com', expand: ['data.sources', 'data.default_source'] });
    await stripe.charges.create({ amount: 4200, currency: 'usd', customer: customer.id, expand: expandCharge });
    await stripe.charges.create({ amount: 4300, currency: 'usd', customer: customer.id, source: customer.default_source as string });
    await stripe.customers.deleteSource(customer.id, added.id, { expand: ['customer'] });
    await stripe.customers.update(customer.id, { source: 'tok_amex' });
    await stripe.customers.del(customer.id);
    await stripe.customers.retrieve(customer.id, { expand: ['sources'] });
  });

  it('refunds: cancel one in requires_action', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    // No Payrail connector answers a card refund with requires_action (only payment methods that need the customer
    // do), so the state is set here as such a connector would leave it (as test/stripe-operations.test.ts does).
    await server.db.query("UPDATE refunds SET status = 'requires_action' WHERE id = $1", [refund.id]);
    await stripe.refunds.retrieve(refund.id);
    await stripe.refunds.cancel(refund.id, { expand: ['charge', 'payment_intent', 'balance_transaction', 'failure_balance_transaction'] });
  });

  it('API keys (Payrail extension, checked against Payrail\'s own document) and a restricted key refused with 403', async () => {
    const other = (await server.createAccount('keys')).stripe;
    const keys = '/v1/payrail/api_keys';
    const secret = await other.rawRequest('POST', keys, { type: 'secret', name: 'backend' }) as unknown as { id: string };
    const restricted = await other.rawRequest('POST', keys, { type: 'restricted', name: 'reporting', permissions: { customer: 'read', charge: 'write' } }) as unknown as { id: string; secret: string };
    await other.rawRequest('POST', keys, { type: 'publishable' });
    await other.rawRequest('GET', `${keys}/${restricted.id}`);
    await other.rawRequest('GET', withQuery(keys, { limit: '100' }));
    await other.rawRequest('POST', `${keys}/${secret.id}/roll`, { expires_in: 3600 });
    const limited = server.stripeFor(restricted.secret);
    await limited.customers.list({ limit: 1 });
    await expectStripeError(limited.customers.create({ name: 'refused' }), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    await expectStripeError(limited.refunds.list(), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    // Key management needs a secret key.
    await expectStripeError(limited.rawRequest('POST', keys, { type: 'secret' }), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    await other.rawRequest('POST', `${keys}/${restricted.id}/revoke`);
  });

  it('products and prices: create, retrieve, update, list, search, delete, with every expandable field', async () => {
    const product = await stripe.products.create({
      name: 'Conformance shirt', description: 'Soft', images: ['https://example.com/shirt.png'], marketing_features: [{ name: 'Organic' }], metadata: { search: 'conformance' },
      url: 'https://example.com/shirt', statement_descriptor: 'PAYRAIL SHIRT', unit_label: 'shirt', shippable: true, tax_code: 'txcd_99999999',
      default_price_data: { currency: 'usd', unit_amount: 2000, currency_options: { eur: { unit_amount: 1800, tax_behavior: 'inclusive' } } }, expand: ['default_price'],
    });
    await stripe.products.retrieve(product.id, { expand: ['default_price.currency_options', 'default_price.product'] });
    const price = await stripe.prices.create({
      product: product.id, currency: 'eur', unit_amount: 1500, lookup_key: 'conformance', nickname: 'launch', metadata: { search: 'conformance' }, tax_behavior: 'exclusive',
      expand: ['product', 'currency_options'],
    });
    await stripe.prices.create({ currency: 'usd', unit_amount_decimal: '700' as unknown as Stripe.Decimal, product_data: { name: 'Made with its price', metadata: { k: 'v' } }, lookup_key: 'conformance', transfer_lookup_key: true });
    await stripe.prices.retrieve(price.id, { expand: ['product.default_price', 'currency_options'] });
    await stripe.prices.update(price.id, { nickname: 'later', currency_options: { gbp: { unit_amount: 1300 } }, expand: ['currency_options'] });
    await stripe.products.update(product.id, { default_price: price.id, name: 'Conformance shirt, renamed', expand: ['default_price'] });
    await stripe.prices.list({ limit: 100, expand: ['data.product', 'data.currency_options'] });
    await stripe.prices.list({ product: product.id, lookup_keys: ['conformance'], active: true, currency: 'eur', type: 'one_time' });
    await stripe.prices.search({ query: 'metadata["search"]:"conformance"', expand: ['total_count', 'data.product', 'data.currency_options'] });
    await stripe.products.list({ limit: 100, expand: ['data.default_price'] });
    await stripe.products.search({ query: 'metadata["search"]:"conformance"', expand: ['total_count', 'data.default_price'] });
    const lone = await stripe.products.create({ name: 'Deleted at once' });
    await stripe.products.del(lone.id);
    await expectStripeError(stripe.products.del(product.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'product_has_prices', statusCode: 400 });
  });

  it('checkout sessions: create, retrieve, list, line items, pay through the page, expire', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Checkout conformance' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment', line_items: [{ price: price.id, quantity: 2 }, { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Wrap' } }, quantity: 1 }],
      success_url: 'https://example.com/ok?session={CHECKOUT_SESSION_ID}', cancel_url: 'https://example.com/cart', client_reference_id: 'ref-1', customer_creation: 'always',
      billing_address_collection: 'required', shipping_address_collection: { allowed_countries: ['US', 'CA'] }, phone_number_collection: { enabled: true },
      payment_intent_data: { description: 'conformance', metadata: { k: 'v' } }, metadata: { k: 'v' }, submit_type: 'pay', locale: 'en', expand: ['customer', 'payment_intent'],
    });
    await stripe.checkout.sessions.listLineItems(session.id, { expand: ['data.price.product'] });
    await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    await stripe.checkout.sessions.retrieve(session.id);
    const address = { line1: '1 Market St', city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' };
    const paid = await submitCheckoutPage(session.url!, {
      ...payingCard, email: 'jenny@example.com', phone: '+1 415 555 0100',
      ...Object.fromEntries(Object.entries(address).flatMap(([key, value]) => [[`billing_${key}`, value], [`shipping_${key}`, value]])), shipping_name: 'Jenny Rosen',
    });
    assert.equal(paid.status, 303, paid.text.slice(0, 500));
    await stripe.checkout.sessions.retrieve(session.id, { expand: ['customer', 'payment_intent', 'payment_intent.latest_charge'] });
    await stripe.checkout.sessions.list({ limit: 100, status: 'complete', expand: ['data.customer', 'data.payment_intent'] });
    const embedded = await stripe.checkout.sessions.create({ mode: 'payment', ui_mode: 'embedded', line_items: [{ price: price.id, quantity: 1 }], return_url: 'https://example.com/r?s={CHECKOUT_SESSION_ID}', redirect_on_completion: 'if_required' });
    await stripe.checkout.sessions.retrieve(embedded.id);
    const open = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], customer_email: 'a@example.com' });
    await stripe.checkout.sessions.expire(open.id);
    // Setup mode: no amounts; the page saves a card through a SetupIntent.
    const setup = await stripe.checkout.sessions.create({ mode: 'setup', currency: 'usd', success_url: 'https://example.com/saved', setup_intent_data: { description: 'Saved card' } });
    assert.equal((await submitCheckoutPage(setup.url!, { ...payingCard, email: 'save@example.com' })).status, 303);
    await stripe.checkout.sessions.retrieve(setup.id, { expand: ['setup_intent'] });
    await stripe.checkout.sessions.retrieve(setup.id);
  });

  it('payment links: create, retrieve, update, list, line items, a visit paid through its session, the limit reached', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Link conformance' } });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1, adjustable_quantity: { enabled: true, minimum: 1, maximum: 3 } }],
      after_completion: { type: 'redirect', redirect: { url: 'https://example.com/ok?session={CHECKOUT_SESSION_ID}' } }, restrictions: { completed_sessions: { limit: 1 } },
      billing_address_collection: 'auto', phone_number_collection: { enabled: false }, shipping_address_collection: { allowed_countries: ['US'] }, customer_creation: 'if_required',
      payment_intent_data: { description: 'conformance', metadata: { k: 'v' }, capture_method: 'automatic', setup_future_usage: 'off_session', statement_descriptor_suffix: 'LINK' },
      payment_method_types: ['card'], submit_type: 'pay', inactive_message: 'Sold out', metadata: { k: 'v' },
    });
    await stripe.paymentLinks.retrieve(link.id);
    const items = await stripe.paymentLinks.listLineItems(link.id, { expand: ['data.price.product'] });
    await stripe.paymentLinks.update(link.id, { metadata: { k: 'w' }, line_items: [{ id: items.data[0].id, quantity: 2 }], payment_intent_data: { description: '' } });
    await stripe.paymentLinks.list({ limit: 100, active: true });
    const visit = await fetch(link.url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `quantity_${items.data[0].id}=1` });
    assert.equal(visit.status, 303, await visit.text());
    const address = { line1: '1 Market St', city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' };
    const paid = await submitCheckoutPage(visit.headers.get('location')!, {
      ...payingCard, email: 'jenny@example.com', ...Object.fromEntries(Object.entries(address).map(([key, value]) => [`shipping_${key}`, value])), shipping_name: 'Jenny Rosen',
    });
    assert.equal(paid.status, 303, paid.text.slice(0, 500));
    await stripe.checkout.sessions.list({ payment_link: link.id });
    assert.equal((await stripe.paymentLinks.retrieve(link.id)).active, false);
    await stripe.paymentLinks.update(link.id, { restrictions: '', active: true, after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Thanks' } } });
  });

  it('payment method configurations: list (the default made), create, retrieve, update; an intent with automatic payment methods names its configuration', async () => {
    const [defaults] = (await stripe.paymentMethodConfigurations.list({ limit: 3 })).data;
    const created = await stripe.paymentMethodConfigurations.create({ name: 'Conformance', paypal: { display_preference: { preference: 'on' } } });
    await stripe.paymentMethodConfigurations.retrieve(created.id);
    await stripe.paymentMethodConfigurations.update(created.id, { name: 'Conformance 2', active: false, card: { display_preference: { preference: 'off' } } });
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_configuration: defaults.id });
    assert.equal(intent.payment_method_configuration_details?.id, defaults.id);
  });

  it('files: upload (icon, logo, an identity document without url), retrieve, list; the account wears the icon and logo', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
    const icon = await stripe.files.create({ file: { data: png, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    const logo = await stripe.files.create({ file: { data: png, name: 'logo.png', type: 'image/png' }, purpose: 'business_logo' });
    await stripe.files.create({ file: { data: Buffer.from('%PDF-1.4\n%%EOF\n'), name: 'id.pdf', type: 'application/pdf' }, purpose: 'identity_document' });
    await stripe.files.retrieve(icon.id);
    await stripe.files.list({ purpose: 'business_logo', limit: 3 });
    const account = await stripe.accounts.retrieveCurrent();
    await stripe.accounts.update(account.id, { settings: { branding: { icon: icon.id, logo: logo.id } } });
    await stripe.accounts.update(account.id, { settings: { branding: { icon: '', logo: '' } } });
  });

  it('setup intents and setup attempts: every state, every operation, expanded fields, a publishable key with the client secret', async () => {
    const customer = await stripe.customers.create({});
    const expandSetup = ['customer', 'payment_method', 'latest_attempt', 'latest_attempt.setup_intent', 'latest_attempt.payment_method'];
    const created = await stripe.setupIntents.create({ customer: customer.id, description: 'save', metadata: { k: 'v' }, usage: 'on_session', payment_method_options: { card: { request_three_d_secure: 'automatic' } } });
    await stripe.setupIntents.update(created.id, { payment_method: 'pm_card_visa', metadata: { k: 'w' } });
    await stripe.setupIntents.confirm(created.id, { expand: expandSetup });
    await stripe.setupIntents.retrieve(created.id, { expand: expandSetup });
    await stripe.setupIntents.create({ payment_method: 'pm_card_mastercard', confirm: true, attach_to_self: true, mandate_data: { customer_acceptance: { type: 'offline', offline: {} } } });
    // A decline: the 402 error carries the SetupIntent with last_setup_error.
    await assert.rejects(stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }), Stripe.errors.StripeCardError);
    // 3-D Secure: requires_action with next_action, then completed through the challenge page.
    const challenged = await stripe.setupIntents.create({ payment_method: 'pm_card_authenticationRequiredOnSetup', confirm: true, return_url: 'https://example.com/return' });
    assert.equal(challenged.status, 'requires_action');
    await submitChallengePage(challenged.next_action!.redirect_to_url!.url!, 'complete');
    await stripe.setupIntents.retrieve(challenged.id, { expand: expandSetup });
    const failing = await stripe.setupIntents.create({ payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://example.com/return' });
    await submitChallengePage(failing.next_action!.redirect_to_url!.url!, 'fail');
    await stripe.setupIntents.retrieve(failing.id);
    await stripe.setupIntents.cancel((await stripe.setupIntents.create({})).id, { cancellation_reason: 'abandoned' });
    // sepa_debit: succeeded with its mandate; an off-session debit names it; a closed account makes it inactive.
    const sepaSetup = await stripe.setupIntents.create({
      customer: customer.id, payment_method_types: ['sepa_debit'], confirm: true, expand: expandSetup,
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'DE47370400440000444444' }, billing_details: { name: 'Jenny Rosen', email: 'j@example.com' } },
      mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } } },
    } as unknown as Stripe.SetupIntentCreateParams);
    assert.equal(sepaSetup.status, 'succeeded');
    await stripe.setupAttempts.list({ setup_intent: sepaSetup.id });
    const sepaDebit = await stripe.paymentIntents.create({
      amount: 1000, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true, customer: customer.id,
      payment_method: (sepaSetup.payment_method as Stripe.PaymentMethod).id, mandate: String(sepaSetup.mandate),
    } as unknown as Stripe.PaymentIntentCreateParams);
    await resolveStuckAttempts(server.deps, 0);
    assert.equal((await stripe.paymentIntents.retrieve(sepaDebit.id)).status, 'requires_payment_method');
    assert.equal((await stripe.mandates.retrieve(String(sepaSetup.mandate))).status, 'inactive');
    await stripe.events.list({ type: 'mandate.updated' });
    await assert.rejects(stripe.paymentIntents.create({
      amount: 1000, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true, customer: customer.id,
      payment_method: (sepaSetup.payment_method as Stripe.PaymentMethod).id, mandate: String(sepaSetup.mandate),
    } as unknown as Stripe.PaymentIntentCreateParams), Stripe.errors.StripeInvalidRequestError);
    await stripe.setupIntents.list({ limit: 100, expand: ['data.latest_attempt', 'data.customer'] });
    await stripe.setupIntents.list({ customer: customer.id });
    await stripe.setupAttempts.list({ setup_intent: created.id, expand: ['data.setup_intent', 'data.payment_method', 'data.customer'] });
    await stripe.setupAttempts.list({ setup_intent: failing.id });
    const publishable = server.stripeFor(server.account.publishableKey);
    const browser = await stripe.setupIntents.create({});
    await publishable.setupIntents.retrieve(browser.id, { client_secret: browser.client_secret! });
    await publishable.setupIntents.confirm(browser.id, { payment_method: 'pm_card_visa', client_secret: browser.client_secret! } as Stripe.SetupIntentConfirmParams);
    await assert.rejects(stripe.setupIntents.confirm(browser.id), Stripe.errors.StripeInvalidRequestError);
  });

  it('connected accounts: create (individual, company, standard), retrieve, update, list, act as one, verify, account links, reject, delete', async () => {
    const seller = await stripe.accounts.create({
      type: 'custom', country: 'US', email: 'seller@example.com', capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      business_type: 'individual', business_profile: { mcc: '5734', url: 'https://seller.example.com' },
      individual: { first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 1, year: 1901 }, id_number: '000000000', address: { line1: 'address_full_match', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' } },
      tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' },
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } as Stripe.AccountCreateParams['external_account'],
    });
    await server.db.query('UPDATE connected_accounts SET next_review_at = now() WHERE id = $1', [seller.id]);
    await reviewDueAccounts(server.deps);
    await stripe.accounts.retrieve(seller.id);
    await stripe.accounts.retrieveCurrent({}, { stripeAccount: seller.id });
    await stripe.accounts.update(seller.id, { metadata: { tier: 'gold' }, settings: { payouts: { schedule: { interval: 'weekly', weekly_anchor: 'monday' } } } });
    await stripe.accounts.listExternalAccounts(seller.id);
    const company = await stripe.accounts.create({ controller: { stripe_dashboard: { type: 'none' } }, country: 'GB', business_type: 'company', company: { name: 'Seller Ltd', structure: 'private_company', tax_id: '000000000', address: { line1: '1 High St', city: 'London', postal_code: 'EC1A 1AA' } }, capabilities: { transfers: { requested: true } } });
    await stripe.accounts.create({ type: 'standard', country: 'FR' });
    await stripe.accounts.list({ limit: 10 });
    // A platform's balance shows its Connect reserve (connect_reserved).
    await stripe.balance.retrieve();
    await stripe.customers.create({ email: 'buyer@example.com' }, { stripeAccount: seller.id });
    await stripe.accountLinks.create({ account: company.id, type: 'account_onboarding', refresh_url: 'https://platform.example.com/reauth', return_url: 'https://platform.example.com/return' });
    await stripe.accounts.update(seller.id, { individual: { email: 'jenny@example.com', phone: '+15555550100' } });
    await stripe.accountLinks.create({ account: seller.id, type: 'account_update', refresh_url: 'https://platform.example.com/reauth', return_url: 'https://platform.example.com/return', collection_options: { fields: 'eventually_due' } });
    // Persons of a connected account, under both of Stripe's paths (persons and its alias people).
    const person = await stripe.accounts.createPerson(company.id, { first_name: 'Jane', last_name: 'Doe', dob: { day: 1, month: 1, year: 1902 }, id_number: '000000000', relationship: { representative: true, director: true, title: 'CEO', percent_ownership: 50 }, metadata: { k: 'v' } });
    await stripe.accounts.retrievePerson(company.id, person.id);
    await stripe.accounts.updatePerson(company.id, person.id, { email: 'jane@example.com', address: { line1: '1 High St', city: 'London', postal_code: 'EC1A 1AA' } });
    await stripe.accounts.listPersons(company.id, { relationship: { director: true }, limit: 5 });
    const peoplePath = `/v1/accounts/${company.id}/people`;
    const alias = await stripe.rawRequest('POST', peoplePath, { first_name: 'Alias', relationship: { owner: true } });
    await stripe.rawRequest('GET', `${peoplePath}/${alias.id as string}`, {});
    await stripe.rawRequest('POST', `${peoplePath}/${alias.id as string}`, { last_name: 'Person' });
    await stripe.rawRequest('GET', peoplePath, {});
    await stripe.rawRequest('DELETE', `${peoplePath}/${alias.id as string}`, {});
    await stripe.accounts.deletePerson(company.id, person.id);
    await stripe.accounts.reject(company.id, { reason: 'terms_of_service' });
    await stripe.accounts.del(company.id);
  });

  it('Connect transfers: create (from the balance and from a charge), retrieve, update, list, reversals (create, list, retrieve, update), expanded fields', async () => {
    const seller = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } }, business_type: 'individual',
      business_profile: { mcc: '5734', url: 'https://seller.example.com' }, tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' },
      individual: { first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '+15555550100', dob: { day: 1, month: 1, year: 1902 }, id_number: '222222222', address: { line1: 'address_full_match', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' } },
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } as Stripe.AccountCreateParams['external_account'],
    });
    const funding = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const charge = funding.latest_charge as string;
    const fromCharge = await stripe.transfers.create({ amount: 2_000, currency: 'usd', destination: seller.id, source_transaction: charge, transfer_group: 'ORDER_9' });
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    const transfer = await stripe.transfers.create({ amount: 1_000, currency: 'usd', destination: seller.id, description: 'payout share', metadata: { k: 'v' } });
    await stripe.transfers.retrieve(fromCharge.id, { expand: ['balance_transaction', 'source_transaction'] });
    await stripe.transfers.update(transfer.id, { description: 'share', metadata: { k: 'w' } });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 400, metadata: { k: 'v' } });
    await stripe.transfers.createReversal(transfer.id, { expand: ['balance_transaction', 'transfer'] });
    await stripe.transfers.retrieveReversal(transfer.id, reversal.id);
    await stripe.transfers.updateReversal(transfer.id, reversal.id, { metadata: { k: 'w' } });
    await stripe.transfers.listReversals(transfer.id, { limit: 10 });
    await stripe.transfers.list({ limit: 10, destination: seller.id });
    await stripe.transfers.list({ transfer_group: 'ORDER_9', expand: ['data.balance_transaction'] });
    await stripe.balanceTransactions.list({ limit: 100, expand: ['data.source'] });
    await stripe.balanceTransactions.list({ limit: 100 }, { stripeAccount: seller.id });
  });

  it('Connect charges: destination charges (application_fee_amount, transfer_data[amount], on_behalf_of, transfer_group), a direct charge with a fee', async () => {
    const seller = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } }, business_type: 'individual',
      business_profile: { mcc: '5734', url: 'https://seller.example.com' }, tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' },
      individual: { first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '+15555550100', dob: { day: 1, month: 1, year: 1902 }, id_number: '222222222', address: { line1: 'address_full_match', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' } },
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } as Stripe.AccountCreateParams['external_account'],
    });
    const destination = await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 500, on_behalf_of: seller.id, transfer_group: 'ORDER_10' });
    const destinationCharge = await stripe.charges.retrieve(destination.latest_charge as string);
    const feeId = destinationCharge.application_fee as string;
    await stripe.applicationFees.list({ limit: 10, charge: destinationCharge.id });
    await stripe.applicationFees.retrieve(feeId, { expand: ['balance_transaction', 'charge'] });
    const feeRefund = await stripe.applicationFees.createRefund(feeId, { amount: 100, metadata: { k: 'v' } });
    await stripe.applicationFees.listRefunds(feeId, { limit: 10 });
    await stripe.applicationFees.retrieveRefund(feeId, feeRefund.id, { expand: ['fee'] });
    await stripe.applicationFees.updateRefund(feeId, feeRefund.id, { metadata: { k: 'w' } });
    await stripe.refunds.create({ charge: destinationCharge.id, amount: 1_000, reverse_transfer: true, refund_application_fee: true, expand: ['transfer_reversal'] });
    await stripe.transfers.createReversal(destinationCharge.transfer as string, { amount: 500, refund_application_fee: true });
    const manual = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', capture_method: 'manual', transfer_data: { destination: seller.id, amount: 2_500 } });
    await stripe.paymentIntents.update(manual.id, { transfer_data: { amount: 2_000 } });
    await stripe.paymentIntents.confirm(manual.id, { payment_method: 'pm_card_visa' });
    await stripe.paymentIntents.capture(manual.id, { transfer_data: { amount: 1_500 } });
    const direct = await stripe.paymentIntents.create({ amount: 4_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 300 }, { stripeAccount: seller.id });
    await stripe.charges.retrieve(direct.latest_charge as string, {}, { stripeAccount: seller.id });
    // Legacy charges (POST /v1/charges) with the same Connect parameters, the deprecated destination, and a capture's.
    await stripe.charges.create({ amount: 2_000, currency: 'usd', source: 'tok_visa', transfer_data: { destination: seller.id }, application_fee_amount: 200, on_behalf_of: seller.id, transfer_group: 'ORDER_11' });
    await stripe.charges.create({ amount: 1_500, currency: 'usd', source: 'tok_visa', destination: { account: seller.id, amount: 1_200 } });
    await stripe.charges.create({ amount: 1_000, currency: 'usd', source: 'tok_visa', destination: seller.id } as unknown as Stripe.ChargeCreateParams);
    const legacyManual = await stripe.charges.create({ amount: 3_000, currency: 'usd', source: 'tok_visa', capture: false, transfer_data: { destination: seller.id, amount: 2_000 } });
    await stripe.charges.capture(legacyManual.id, { amount: 2_500, transfer_data: { amount: 1_800 } });
    const legacyFee = await stripe.charges.create({ amount: 3_000, currency: 'usd', source: 'tok_visa', capture: false, transfer_data: { destination: seller.id } });
    await stripe.charges.capture(legacyFee.id, { application_fee_amount: 250 });
    await stripe.charges.create({ amount: 2_500, currency: 'usd', source: 'tok_visa', application_fee_amount: 100 }, { stripeAccount: seller.id });
    await stripe.balanceTransactions.list({ limit: 100, expand: ['data.source'] });
    await stripe.balanceTransactions.list({ limit: 100 }, { stripeAccount: seller.id });
    await stripe.events.list({ limit: 100 });
  });

  it('Connect through Checkout and Payment Links: destination charges with a fee or a transfer amount, on_behalf_of, transfer_group, direct charges with a fee', async () => {
    const seller = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } }, business_type: 'individual',
      business_profile: { mcc: '5734', url: 'https://seller.example.com' }, tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' },
      individual: { first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '+15555550100', dob: { day: 1, month: 1, year: 1902 }, id_number: '222222222', address: { line1: 'address_full_match', city: 'SF', state: 'CA', postal_code: '94111', country: 'US' } },
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } as Stripe.AccountCreateParams['external_account'],
    });
    const asSeller = { stripeAccount: seller.id };
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2_000, product_data: { name: 'Marketplace item' } });
    const sellerPrice = await stripe.prices.create({ currency: 'usd', unit_amount: 2_000, product_data: { name: 'Seller item' } }, asSeller);
    const withFee = await stripe.checkout.sessions.create({
      mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://example.com/ok',
      payment_intent_data: { application_fee_amount: 200, transfer_data: { destination: seller.id }, on_behalf_of: seller.id, transfer_group: 'ORDER_CS' },
    });
    assert.equal((await submitCheckoutPage(withFee.url!, { ...payingCard, email: 'jenny@example.com' })).status, 303);
    await stripe.checkout.sessions.retrieve(withFee.id, { expand: ['payment_intent', 'payment_intent.latest_charge'] });
    await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], payment_intent_data: { transfer_data: { destination: seller.id, amount: 1_500 } } });
    const direct = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: sellerPrice.id, quantity: 1 }], success_url: 'https://example.com/ok', payment_intent_data: { application_fee_amount: 100 } }, asSeller);
    assert.equal((await submitCheckoutPage(direct.url!, { ...payingCard, email: 'jenny@example.com' })).status, 303);
    await stripe.checkout.sessions.retrieve(direct.id, { expand: ['payment_intent'] }, asSeller);
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }], application_fee_amount: 200, transfer_data: { destination: seller.id }, on_behalf_of: seller.id,
      payment_intent_data: { transfer_group: 'ORDER_PL' },
    });
    await stripe.paymentLinks.update(link.id, { payment_intent_data: { transfer_group: 'ORDER_PL2' } });
    await stripe.paymentLinks.retrieve(link.id);
    await stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }], transfer_data: { destination: seller.id, amount: 1_500 } });
    await stripe.paymentLinks.create({ line_items: [{ price: sellerPrice.id, quantity: 1 }], application_fee_amount: 100 }, asSeller);
    const visit = await fetch(link.url, { redirect: 'manual' });
    assert.equal(visit.status, 303, await visit.text());
    assert.equal((await submitCheckoutPage(visit.headers.get('location')!, { ...payingCard, email: 'jenny@example.com' })).status, 303);
    // Stripe's application_fee_percent is for links selling a recurring price; Payrail's prices are one-time.
    await expectStripeError(stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }], application_fee_percent: 10 }), { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', statusCode: 400 });
  });

  it('disputes and early fraud warnings: opened by the test cards, list (charge, payment_intent, created), retrieve, update (staged, submitted), close, expanded fields', async () => {
    const won = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    const accepted = await stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_createDisputeProductNotReceived', confirm: true });
    const inquiry = await stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_createDisputeInquiry', confirm: true });
    assert.equal(await openDueDisputes(server.deps), 3);
    const [wonDispute] = (await stripe.disputes.list({ payment_intent: won.id })).data;
    const [acceptedDispute] = (await stripe.disputes.list({ charge: accepted.latest_charge as string, expand: ['data.charge'] })).data;
    const [inquiryDispute] = (await stripe.disputes.list({ payment_intent: inquiry.id })).data;
    await stripe.disputes.list({ limit: 10, created: { gte: wonDispute.created } });
    await stripe.disputes.retrieve(wonDispute.id, { expand: ['charge', 'payment_intent'] });
    await stripe.charges.retrieve(won.latest_charge as string);
    await stripe.disputes.update(wonDispute.id, { evidence: { product_description: 'A mug', customer_name: 'Jenny Rosen' }, metadata: { k: 'v' }, submit: false });
    await stripe.disputes.update(wonDispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    await stripe.disputes.close(acceptedDispute.id);
    await stripe.disputes.update(inquiryDispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    await expectStripeError(stripe.disputes.close(acceptedDispute.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'dispute_closed', statusCode: 400 });
    const warned = await stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_createIssuerFraudRecord', confirm: true });
    assert.equal(await openDueDisputes(server.deps), 1);
    const [warning] = (await stripe.radar.earlyFraudWarnings.list({ payment_intent: warned.id, expand: ['data.charge'] })).data;
    await stripe.radar.earlyFraudWarnings.retrieve(warning.id, { expand: ['payment_intent'] });
    await stripe.radar.earlyFraudWarnings.list({ charge: warned.latest_charge as string, created: { gte: warning.created }, limit: 10 });
  });

  it('webhook endpoints: create, retrieve, update, disable, list, delete', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['payment_intent.succeeded', 'charge.refunded'], description: 'orders', metadata: { k: 'v' } });
    await stripe.webhookEndpoints.retrieve(endpoint.id);
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: false, enabled_events: ['*'] });
    await stripe.webhookEndpoints.list({ limit: 10 });
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('events: every event so far, retrieved and listed, with data.object checked against its own schema', async () => {
    const all: Stripe.Event[] = [];
    for await (const event of stripe.events.list({ limit: 100 })) all.push(event);
    assert.ok(all.length > 20, `events were emitted (${all.length})`);
    const seen = new Set<string>();
    for (const event of all) {
      if (seen.has(event.type)) continue;
      seen.add(event.type);
      await stripe.events.retrieve(event.id);
    }
    await stripe.events.list({ type: 'charge.refunded' });
  });

  it('errors: a missing, a wrong and a publishable key, unknown objects and URLs, bad parameters, idempotency conflicts', async () => {
    await assert.rejects(server.stripeFor('sk_test_wrong').customers.list(), Stripe.errors.StripeAuthenticationError);
    const missing = await server.request('GET', '/v1/customers');
    assert.equal(missing.status, 401);
    await assert.rejects(server.stripeFor(server.account.publishableKey).customers.list(), Stripe.errors.StripeAuthenticationError);
    await assert.rejects(stripe.customers.retrieve('cus_missing'), Stripe.errors.StripeInvalidRequestError);
    await assert.rejects(stripe.paymentIntents.create({ amount: -1, currency: 'usd' }), Stripe.errors.StripeInvalidRequestError);
    await assert.rejects(stripe.customers.create({ unknown: 1 } as Stripe.CustomerCreateParams), Stripe.errors.StripeInvalidRequestError);
    await stripe.customers.create({ name: 'a' }, { idempotencyKey: 'conformance-key' });
    await assert.rejects(stripe.customers.create({ name: 'b' }, { idempotencyKey: 'conformance-key' }), Stripe.errors.StripeIdempotencyError);
    assert.equal((await server.request('GET', '/v1/nothing_here', { key: server.account.secretKey })).status, 404);
    assert.equal((await server.request('GET', '/v1/customers?expand[]=nothing', { key: server.account.secretKey })).status, 400);
    assert.equal((await server.request('GET', '/v1/accounts/acct_someone_else', { key: server.account.secretKey })).status, 403);
    assert.equal((await server.request('POST', '/v1/customers', { key: server.account.secretKey, body: 'name=a', contentType: 'text/plain' })).status, 415);
    assert.equal((await server.request('POST', '/v1/customers', { key: server.account.secretKey, body: `description=${'x'.repeat(300_000)}`, contentType: 'application/x-www-form-urlencoded' })).status, 413);
    assert.equal((await server.request('POST', '/v1/customers', { key: server.account.secretKey, body: '{"name":', contentType: 'application/json' })).status, 400);
  });

  it('Payrail extensions (checked against Payrail\'s own document): connector configurations, routing profile, secret roll, attempts, re-sends', async () => {
    // Another account, so its connector configuration routes none of the other scenarios' payments.
    const other = (await server.createAccount('extensions')).stripe;
    const configurations = '/v1/payrail/connector_configurations';
    const created = await other.rawRequest('POST', configurations, { connector: 'adyen', credentials: { api_key: 'test_key_conformance', hmac_key: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056' }, settings: { merchant_account: 'PayrailECOM' } }) as unknown as { id: string };
    await other.rawRequest('GET', `${configurations}/${created.id}`);
    await other.rawRequest('POST', `${configurations}/${created.id}`, { priority: 2, metadata: { k: 'v' } });
    await other.rawRequest('GET', configurations);
    await other.rawRequest('DELETE', `${configurations}/${created.id}`);
    await other.rawRequest('GET', '/v1/payrail/routing_profile');
    await other.rawRequest('POST', '/v1/payrail/routing_profile', { strategy: 'lowest_cost' });
    const endpoint = await other.webhookEndpoints.create({ url: 'https://example.com/extensions', enabled_events: ['customer.created'] });
    await other.rawRequest('POST', `/v1/webhook_endpoints/${endpoint.id}/roll_secret`, { expires_in: 3600 });
    await other.customers.create({ name: 'for an event' });
    const [event] = (await other.events.list({ type: 'customer.created', limit: 1 })).data;
    await other.rawRequest('POST', `/v1/events/${event.id}/resend`, { webhook_endpoint: endpoint.id });
    await other.rawRequest('GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`);
  });

  it('called every operation Payrail serves (add a scenario above for a new route)', () => {
    const spec = stripeSpec();
    const missing = allRoutes().map((route) => `${route.method} ${route.path}`).filter((key) => !server.conformance!.exercised.has(key));
    assert.deepEqual(missing, []);
    // Every operation is either Stripe's or a listed Payrail extension.
    for (const route of allRoutes()) {
      const concrete = route.path.replace(/:([a-z_]+)/g, 'x_$1');
      const extension = payrailOnlyOperations.some(({ pattern }) => pattern.test(`${route.method} ${concrete}`));
      assert.equal(spec.has(route.method, concrete), !extension, `${route.method} ${route.path}: ${extension ? 'a Payrail extension Stripe also has' : 'not in Stripe\'s document'}`);
    }
  });

  it('rendered exactly the fields src/api/openapi/rendered-fields.json lists (the OpenAPI document is generated from it)', () => {
    const seen = renderedFieldsJson(server.conformance!.fields);
    if (process.env.PAYRAIL_RECORD_FIELDS === '1') fs.writeFileSync(renderedFieldsFile, `${JSON.stringify(seen, null, 2)}\n`);
    const listed = JSON.parse(fs.readFileSync(renderedFieldsFile, 'utf8')) as Record<string, string[]>;
    assert.deepEqual(seen, listed, 'Payrail renders other fields than the OpenAPI document says: run `PAYRAIL_RECORD_FIELDS=1 npm test -- stripe-spec-conformance`, then `node --import tsx scripts/generate-openapi-schemas.ts`, and commit both files');
  });
});
