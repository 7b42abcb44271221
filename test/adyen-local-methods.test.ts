import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startAdyenSandbox, type AdyenSandbox } from '../src/sandbox/adyen/server.ts';
import { startMollieSandbox, type MollieSandbox } from '../src/sandbox/mollie/server.ts';
import { sandboxFetch, selfSignedCertificate } from './helpers/mollie-sdk.ts';
import { OpenApiSpec } from './helpers/openapi-spec.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * iDEAL and SEPA Direct Debit through Adyen, end to end: the official stripe SDK against Payrail with an `adyen`
 * connector configuration carrying ideal and sepa_debit (the Adyen sandbox in-process, its webhooks delivered to
 * Payrail), and a `mollie` one carrying ideal, so routing can choose between two providers for the same method:
 * - iDEAL via Adyen: the redirect to the bank page, authorised or failed there, back through Payrail's return page;
 * - SEPA via Adyen: `processing`, then succeeded or failed by Adyen's AUTHORISATION webhook (test IBANs);
 * - refunds of both, settled by Adyen's REFUND webhook;
 * - the routing profile's rules choosing Adyen or Mollie for iDEAL, and failover to Mollie when Adyen is down
 *   (connection refused, or 5xx before the shopper is redirected), never charging twice.
 * Every Checkout API request the connector sends is checked against Adyen's published v71 spec.
 */

const adyenApiKey = 'AQE_adyen_local_methods_key';
const hmacKeyHex = '5A'.repeat(32);
const merchantAccount = 'PayrailLocalECOM';
const mollieApiKey = 'test_PayrailAdyenLocalMethods000000';
const merchantReturnUrl = 'https://shop.example.com/return?order=16';
const configurationsPath = '/v1/payrail/connector_configurations';
const routingProfilePath = '/v1/payrail/routing_profile';
const billing = { name: 'Jenny Rosen', email: 'jenny@example.com' };
const online = { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } };
/** Adyen's documented SEPA example account (succeeds) and Stripe's failing test IBAN (the sandbox returns its debit). */
const succeedingIban = 'DE87123456781234567890';
const failingIban = 'DE62370400440532013001';

const checkoutSpec = OpenApiSpec.load('adyen/CheckoutService-v71.json');
const realFetch = globalThis.fetch;
const adyenRequests: { path: string; body: Record<string, unknown> }[] = [];

/** A port nothing listens on: connections to it are refused (a dead Adyen host). */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

type RoutedCharge = Stripe.Charge & { payrail_routing?: { connector: string; connector_configuration: string | null; attempts: { connector: string; status: string; failure_code: string | null }[] } };

describe('iDEAL and SEPA Direct Debit through Adyen, routed beside Mollie (stripe SDK)', () => {
  let server: TestServer;
  let adyen: AdyenSandbox;
  let mollie: MollieSandbox;
  let mollieGet: ReturnType<typeof sandboxFetch>;
  let tlsCertificate: string;
  let merchant: TestAccount;
  let adyenConfiguration: string;
  let mollieConfiguration: string;

  before(async () => {
    server = await startTestServer();
    const tls = selfSignedCertificate();
    tlsCertificate = tls.cert;
    mollieGet = sandboxFetch(tls.cert);
    adyen = await startAdyenSandbox({ apiKey: adyenApiKey, hmacKeyHex, merchantAccounts: [merchantAccount], webhookRetryDelaysMs: [100, 500] });
    mollie = await startMollieSandbox({ apiKeys: [mollieApiKey], tls, webhookRetryDelaysMs: [] });
    globalThis.fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith(`${adyen.url}/v71/`)) {
        const path = new URL(url).pathname;
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        checkoutSpec.assertRequest(checkoutSpec.operationFor(init?.method ?? 'GET', path), body);
        adyenRequests.push({ path, body });
      }
      return realFetch(input, init);
    };
    merchant = await server.createAccount('adyen-local');
    adyenConfiguration = await configureAdyen(merchant, adyen.url, 1);
    mollieConfiguration = await configureMollie(merchant, 2);
    await merchant.stripe.rawRequest('POST', routingProfilePath, { strategy: 'priority', exploration_bps: 0 });
    server.deps.routing.forget({ accountId: merchant.accountId, livemode: false });
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await adyen?.close();
    await mollie?.close();
    await server?.close();
  });

  async function configureAdyen(account: TestAccount, baseUrl: string, priority: number): Promise<string> {
    const created = await account.stripe.rawRequest('POST', configurationsPath, {
      connector: 'adyen',
      credentials: { api_key: adyenApiKey, hmac_key: hmacKeyHex },
      settings: { merchant_account: merchantAccount, base_url: baseUrl },
      payment_method_types: ['card', 'ideal', 'sepa_debit'],
      priority,
    });
    assert.deepEqual(created.payment_method_types, ['card', 'ideal', 'sepa_debit']);
    return created.id as string;
  }

  async function configureMollie(account: TestAccount, priority: number): Promise<string> {
    const created = await account.stripe.rawRequest('POST', configurationsPath, {
      connector: 'mollie', credentials: { api_key: mollieApiKey }, settings: { base_url: mollie.url, ca_certificate: tlsCertificate }, priority,
    });
    return created.id as string;
  }

  const createIntent = (account: TestAccount, params: Record<string, unknown>) => account.stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  async function confirmIdeal(account: TestAccount, amount: number, metadata: Record<string, string> = {}): Promise<Stripe.PaymentIntent> {
    const intent = await createIntent(account, { amount, currency: 'eur', payment_method_types: ['ideal'], metadata });
    const confirmed = await account.stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'ideal', ideal: { bank: 'ing' }, billing_details: { name: 'Jan de Vries' } }, return_url: merchantReturnUrl });
    assert.equal(confirmed.status, 'requires_action');
    assert.equal(confirmed.next_action?.type, 'redirect_to_url');
    return confirmed;
  }

  /** The shopper on the Adyen iDEAL bank page, then back through Payrail's return page to the merchant. */
  async function payAtAdyen(intent: Stripe.PaymentIntent, outcome: 'authorised' | 'failed'): Promise<void> {
    const url = intent.next_action!.redirect_to_url!.url!;
    assert.ok(url.startsWith(`${adyen.url}/sandbox/ideal/`), url);
    assert.match(await (await realFetch(url)).text(), /iDEAL test bank/);
    const bank = await realFetch(url, { method: 'POST', body: new URLSearchParams({ outcome }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    assert.equal(bank.status, 302);
    const back = new URL(bank.headers.get('location')!);
    assert.match(back.pathname, /^\/payrail\/return\/pa_/);
    assert.ok(back.searchParams.get('redirectResult'));
    await arrive(back, intent, outcome === 'authorised' ? 'succeeded' : 'failed');
  }

  /** The shopper on Mollie's checkout, then back through Payrail's return page. */
  async function payAtMollie(intent: Stripe.PaymentIntent): Promise<void> {
    const url = intent.next_action!.redirect_to_url!.url!;
    assert.ok(url.startsWith(`${mollie.url}/sandbox/mollie/checkout/tr_`), url);
    const answer = await mollieGet(url, { method: 'POST', body: new URLSearchParams({ outcome: 'paid' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    assert.equal(answer.status, 303);
    await arrive(new URL(answer.headers.get('location')!), intent, 'succeeded');
  }

  async function arrive(back: URL, intent: Stripe.PaymentIntent, redirectStatus: 'succeeded' | 'failed'): Promise<void> {
    const response = await realFetch(back, { redirect: 'manual' });
    assert.equal(response.status, 303, await response.text());
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://shop.example.com/return');
    assert.equal(location.searchParams.get('payment_intent'), intent.id);
    assert.equal(location.searchParams.get('redirect_status'), redirectStatus);
  }

  async function chargeOf(account: TestAccount, intentId: string): Promise<{ intent: Stripe.PaymentIntent; charge: RoutedCharge }> {
    const intent = await account.stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    return { intent, charge: intent.latest_charge as RoutedCharge };
  }

  /**
   * Delivers the notifications Adyen has queued to Payrail's webhook endpoint and stops delivering again: the sandbox
   * queues them while no target is set, so a test decides when Adyen's asynchronous report arrives instead of racing
   * Payrail's own handling of the answer (as orchestration-adyen.test.ts does).
   */
  async function deliverWebhooks(): Promise<void> {
    adyen.setWebhookTarget({ url: `${server.baseUrl}/payrail/webhooks/${adyenConfiguration}` });
    await adyen.webhooksIdle();
    adyen.setWebhookTarget(undefined);
    assert.deepEqual(adyen.records().notifications.filter((notification) => notification.attempts > 0 && !notification.delivered).map((notification) => notification.eventCode), [], 'Payrail accepted every notification');
  }

  /** Waits (bounded) until the intent reaches one of `statuses`, delivering Adyen's webhooks meanwhile. */
  async function settled(account: TestAccount, intentId: string, statuses: string[]): Promise<Stripe.PaymentIntent> {
    for (let round = 0; round < 200; round += 1) {
      await deliverWebhooks();
      const intent = await account.stripe.paymentIntents.retrieve(intentId);
      if (statuses.includes(intent.status)) return intent;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`intent ${intentId} did not reach ${statuses.join(' or ')}`);
  }

  it('iDEAL via Adyen authorized at the bank: redirect, return, succeeded and captured once; refunded in part by webhook', async () => {
    const intent = await confirmIdeal(merchant, 2599);
    const sent = adyenRequests.at(-1)!;
    assert.equal(sent.path, '/v71/payments');
    assert.deepEqual(sent.body.paymentMethod, { type: 'ideal' });
    assert.deepEqual(sent.body.amount, { currency: 'EUR', value: 2599 });
    assert.equal(sent.body.captureDelayHours, 0);
    await payAtAdyen(intent, 'authorised');
    assert.equal(adyenRequests.at(-1)!.path, '/v71/payments/details');
    const { intent: done, charge } = await chargeOf(merchant, intent.id);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.amount_received, 2599);
    assert.equal(charge.payrail_routing?.connector, 'adyen');
    assert.equal(charge.payment_method_details?.type, 'ideal');
    const atAdyen = adyen.records().payments.filter((payment) => payment.merchantReference === adyenRequests.at(-2)!.body.reference);
    assert.deepEqual(atAdyen.map((payment) => [payment.status, payment.capturedValue]), [['authorised', 2599]]);
    assert.equal(charge.id !== undefined && charge.captured, true);

    const refund = await merchant.stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    assert.equal(refund.status, 'pending');
    await deliverWebhooks();
    assert.equal((await merchant.stripe.refunds.retrieve(refund.id)).status, 'succeeded');
    assert.equal(atAdyen.length, 1);
    assert.equal(adyen.records().payments.find((payment) => payment.pspReference === atAdyen[0].pspReference)!.refundedValue, 1000);
  });

  it('iDEAL via Adyen failed at the bank: requires_payment_method with payment_intent_authentication_failure', async () => {
    const intent = await confirmIdeal(merchant, 1200);
    await payAtAdyen(intent, 'failed');
    const failed = await merchant.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
  });

  it('SEPA via Adyen: processing, then succeeded or failed by the AUTHORISATION webhook; the IBAN only in the request to Adyen; refunds', async () => {
    const debit = (iban: string, amount: number) => createIntent(merchant, {
      amount, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true,
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban }, billing_details: billing }, mandate_data: { customer_acceptance: online },
    });
    const paying = await debit(succeedingIban, 5000);
    assert.equal(paying.status, 'processing');
    const sent = adyenRequests.at(-1)!;
    assert.deepEqual(sent.body.paymentMethod, { type: 'sepadirectdebit', iban: succeedingIban, ownerName: 'Jenny Rosen' });
    const returned = await debit(failingIban, 3000);
    assert.equal(returned.status, 'processing');

    // The janitor asks the connector, which knows Adyen accepted the debits (their pspReference) and has no lookup:
    // nothing is sent (a replay could only debit again once Adyen forgot the key), and only the webhook ends them.
    const paymentsBefore = adyen.records().payments.length;
    const requestsBefore = adyenRequests.length;
    await resolveStuckAttempts(server.deps, 0);
    assert.equal(adyenRequests.length, requestsBefore, 'nothing was sent to Adyen');
    assert.equal(adyen.records().payments.length, paymentsBefore, 'no second debit');
    assert.equal((await merchant.stripe.paymentIntents.retrieve(paying.id)).status, 'processing');

    const done = await settled(merchant, paying.id, ['succeeded']);
    assert.equal(done.amount_received, 5000);
    const { charge } = await chargeOf(merchant, paying.id);
    assert.equal(charge.payrail_routing?.connector, 'adyen');
    assert.equal(charge.payment_method_details?.sepa_debit?.last4, '7890');
    assert.match(charge.payment_method_details?.sepa_debit?.mandate ?? '', /^mandate_/);

    const failed = await settled(merchant, returned.id, ['requires_payment_method']);
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'insufficient_funds');

    // The IBAN went to Adyen in the request body only: nowhere in Payrail's attempts, charges or events.
    for (const iban of [succeedingIban, failingIban]) {
      const leaked = await server.db.query(
        `SELECT (SELECT count(*) FROM payment_attempts a WHERE row_to_json(a)::text LIKE $1) + (SELECT count(*) FROM charges c WHERE row_to_json(c)::text LIKE $1)
           + (SELECT count(*) FROM events e WHERE row_to_json(e)::text LIKE $1) AS count`, [`%${iban.slice(4)}%`],
      );
      assert.equal(Number(leaked.rows[0].count), 0, 'the IBAN is in no attempt, charge or event');
    }

    const refund = await merchant.stripe.refunds.create({ payment_intent: paying.id });
    assert.equal(refund.status, 'pending');
    await deliverWebhooks();
    assert.equal((await merchant.stripe.refunds.retrieve(refund.id)).status, 'succeeded');
    assert.equal((await merchant.stripe.charges.retrieve(charge.id)).refunded, true);
  });

  it('routing chooses between Adyen and Mollie for iDEAL by the profile: priority, then a rule preferring Mollie', async () => {
    const byPriority = await confirmIdeal(merchant, 1500);
    assert.ok(byPriority.next_action!.redirect_to_url!.url!.startsWith(`${adyen.url}/sandbox/ideal/`), 'priority 1: Adyen');
    await merchant.stripe.paymentIntents.cancel(byPriority.id);

    await merchant.stripe.rawRequest('POST', routingProfilePath, {
      rules: [{ id: 'ideal_web_to_mollie', conditions: { payment_method_types: ['ideal'], metadata: { channel: 'web' } }, action: { type: 'prefer', configurations: [mollieConfiguration] } }],
    });
    server.deps.routing.forget({ accountId: merchant.accountId, livemode: false });
    try {
      const byRule = await confirmIdeal(merchant, 1700, { channel: 'web' });
      await payAtMollie(byRule);
      const { intent, charge } = await chargeOf(merchant, byRule.id);
      assert.equal(intent.status, 'succeeded');
      assert.equal(charge.payrail_routing?.connector, 'mollie');
      assert.equal(charge.payrail_routing?.connector_configuration, mollieConfiguration);
      // The rule names iDEAL and the channel: another iDEAL payment still goes by priority, to Adyen.
      const other = await confirmIdeal(merchant, 1800, { channel: 'app' });
      assert.ok(other.next_action!.redirect_to_url!.url!.startsWith(`${adyen.url}/sandbox/ideal/`));
      await merchant.stripe.paymentIntents.cancel(other.id);
    } finally {
      await merchant.stripe.rawRequest('POST', routingProfilePath, { rules: '' });
      server.deps.routing.forget({ accountId: merchant.accountId, livemode: false });
    }
  });

  it('iDEAL fails over from a dead Adyen (connection refused) to Mollie, and from an Adyen answering 5xx, with one payment made', async () => {
    const account = await server.createAccount('adyen-local-failover');
    const dead = await configureAdyen(account, `http://127.0.0.1:${await closedPort()}`, 0);
    const mollieFallback = await configureMollie(account, 1);
    await account.stripe.rawRequest('POST', routingProfilePath, { strategy: 'priority', exploration_bps: 0 });
    server.deps.routing.forget({ accountId: account.accountId, livemode: false });

    const intent = await confirmIdeal(account, 2100);
    await payAtMollie(intent);
    const { intent: done, charge } = await chargeOf(account, intent.id);
    assert.equal(done.status, 'succeeded');
    assert.equal(charge.payrail_routing?.connector_configuration, mollieFallback);
    assert.deepEqual(charge.payrail_routing?.attempts.map((attempt) => [attempt.connector, attempt.status, attempt.failure_code]), [['adyen', 'failed', 'not_sent'], ['mollie', 'authorized', null]]);
    assert.equal(dead.startsWith('pcc_'), true);

    // Adyen answering 500 after it made the payment: the shopper was not redirected, so Mollie takes it; the payment
    // at Adyen waits for a shopper who never comes, and nothing is captured there.
    adyen.setFaults({ status5xxRate: 1 });
    try {
      const before = adyen.records().payments.length;
      const mixed = await confirmIdeal(merchant, 2200);
      assert.ok(mixed.next_action!.redirect_to_url!.url!.startsWith(`${mollie.url}/`), 'failed over to Mollie');
      await payAtMollie(mixed);
      const { intent: paid, charge: paidCharge } = await chargeOf(merchant, mixed.id);
      assert.equal(paid.status, 'succeeded');
      assert.equal(paidCharge.payrail_routing?.connector, 'mollie');
      assert.equal(paidCharge.payrail_routing?.attempts[0].connector, 'adyen');
      const made = adyen.records().payments.slice(before);
      assert.equal(made.length, 1, 'Adyen made the one payment its retries replayed');
      assert.deepEqual(made.map((payment) => [payment.status, payment.capturedValue]), [['pending_authentication', 0]], 'nothing charged at Adyen');
    } finally {
      adyen.setFaults({ status5xxRate: 0 });
    }
  });
});
