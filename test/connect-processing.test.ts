import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { AttemptRow } from '../src/orchestration/attempts-repository.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startAdyenSandbox, type AdyenSandbox } from '../src/sandbox/adyen/server.ts';
import { onboardedSeller } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Connected accounts process through their platform's connector configurations (docs/connect.md, "Processing"), through
 * the official stripe SDK against Payrail and the Adyen sandbox: a direct charge (Stripe-Account) of an account
 * without configurations of its own goes through the platform's Adyen configuration, and so do its refund, its
 * capture, the provider's webhooks and the janitor; an account with a configuration of its own uses its own (and
 * what it charged through the platform's before keeps going there); a connected account never sees its platform's
 * configurations; another platform's accounts never use them.
 */

const apiKey = 'AQE_connect_processing_test_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const platformMerchant = 'PlatformECOM';
const sellerMerchant = 'SellerECOM';
const configurationsPath = '/v1/payrail/connector_configurations';
/** Adyen's documented authorising test card (src/sandbox/adyen/test-cards.ts). */
const authorisingCard = '4111111145551142';
/** Generous: the sandbox answers every request here, slowly only when the machine is loaded. */
const generousTimeoutMs = 30_000;

type RoutedCharge = Stripe.Charge & {
  payrail_routing: { connector: string; connector_configuration: string | null; attempts?: { connector: string; connector_configuration: string | null; status: string }[] } | null;
};

async function configureAdyen(stripe: Stripe, sandbox: AdyenSandbox, merchantAccount: string, options: Stripe.RequestOptions = {}): Promise<string> {
  const created = await stripe.rawRequest('POST', configurationsPath, {
    connector: 'adyen', credentials: { api_key: apiKey, hmac_key: hmacKeyHex }, settings: { merchant_account: merchantAccount, base_url: sandbox.url },
  }, options);
  assert.match(created.id, /^pcc_/);
  return created.id as string;
}

describe('connected accounts process through their platform\'s connector configurations', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: AdyenSandbox;
  let platformConfiguration: string;
  let seller: Stripe.Account;

  /** A direct charge of `accountId` (Stripe-Account), confirmed at once. */
  async function directCharge(accountId: string, amount: number, extra: Partial<Stripe.PaymentIntentCreateParams> = {}, client: Stripe = stripe): Promise<{ intent: Stripe.PaymentIntent; charge: RoutedCharge }> {
    const options = { stripeAccount: accountId };
    const paymentMethod = await client.paymentMethods.create({ type: 'card', card: { number: authorisingCard, exp_month: 3, exp_year: 2030, cvc: '737' } }, options);
    const intent = await client.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod.id, confirm: true, ...extra }, options);
    const charge = (await client.charges.retrieve(intent.latest_charge as string, {}, options)) as unknown as RoutedCharge;
    return { intent, charge };
  }

  async function attemptsOf(chargeId: string): Promise<AttemptRow[]> {
    return (await server.db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE charge_id = $1 ORDER BY position', [chargeId])).rows;
  }

  function adyenPayment(attemptId: string) {
    const [payment, ...more] = sandbox.records().payments.filter((record) => record.merchantReference === attemptId);
    assert.equal(more.length, 0, 'one payment at Adyen');
    return payment;
  }

  function modifications(pspReference: string, kind: string) {
    return sandbox.records().modifications.filter((record) => record.paymentPspReference === pspReference && record.kind === kind);
  }

  async function deliverWebhooks(configurationId: string): Promise<void> {
    sandbox.setWebhookTarget({ url: `${server.baseUrl}/payrail/webhooks/${configurationId}` });
    await sandbox.webhooksIdle();
    sandbox.setWebhookTarget(undefined);
  }

  before(async () => {
    // No inline sync: an ambiguous answer (the sandbox's 500 after processing) is left to webhooks and the janitor.
    server = await startTestServer({ orchestration: { connectorTimeoutMs: generousTimeoutMs, inlineSyncs: 0, inlineSyncDelayMs: 10 } });
    stripe = server.account.stripe;
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, merchantAccounts: [platformMerchant, sellerMerchant] });
    platformConfiguration = await configureAdyen(stripe, sandbox, platformMerchant);
    seller = await onboardedSeller(stripe);
  });
  after(async () => {
    await sandbox?.close();
    await server?.close();
  });

  it('sends a direct charge of an account without configurations through the platform\'s, and its refund to the same', async () => {
    const { intent, charge } = await directCharge(seller.id, 2_400);
    assert.equal(intent.status, 'succeeded');
    assert.equal(charge.payrail_routing?.connector, 'adyen');
    assert.equal(charge.payrail_routing?.connector_configuration, platformConfiguration);
    assert.deepEqual(charge.payrail_routing?.attempts?.map((attempt) => [attempt.connector, attempt.connector_configuration, attempt.status]), [['adyen', platformConfiguration, 'authorized']]);
    const [attempt] = await attemptsOf(charge.id);
    assert.equal(attempt.account_id, seller.id, 'the attempt is the connected account\'s');
    assert.equal(attempt.connector_configuration_id, platformConfiguration);
    const payment = adyenPayment(attempt.id);
    assert.equal(payment.merchantAccount, platformMerchant);
    assert.equal(payment.pspReference, attempt.processor_reference);

    const refund = await stripe.refunds.create({ charge: charge.id, amount: 1_000 }, { stripeAccount: seller.id });
    assert.equal(refund.status, 'pending');
    const [atAdyen, ...more] = modifications(payment.pspReference, 'refund');
    assert.equal(more.length, 0);
    assert.equal(atAdyen.reference, refund.id);
    // Adyen's REFUND notification, sent to the platform's configuration, settles the connected account's refund.
    await deliverWebhooks(platformConfiguration);
    assert.equal((await stripe.refunds.retrieve(refund.id, {}, { stripeAccount: seller.id })).status, 'succeeded');
  });

  it('captures and cancels a connected account\'s authorizations through the platform\'s configuration', async () => {
    const { intent, charge } = await directCharge(seller.id, 3_000, { capture_method: 'manual' });
    assert.equal(intent.status, 'requires_capture');
    assert.equal(charge.payrail_routing?.connector_configuration, platformConfiguration);
    const [attempt] = await attemptsOf(charge.id);
    const captured = await stripe.paymentIntents.capture(intent.id, {}, { stripeAccount: seller.id });
    assert.equal(captured.status, 'succeeded');
    assert.equal(modifications(attempt.processor_reference!, 'capture').length, 1, 'captured at Adyen');

    const other = await directCharge(seller.id, 1_500, { capture_method: 'manual' });
    const [otherAttempt] = await attemptsOf(other.charge.id);
    assert.equal((await stripe.paymentIntents.cancel(other.intent.id, {}, { stripeAccount: seller.id })).status, 'canceled');
    assert.equal(modifications(otherAttempt.processor_reference!, 'cancel').length, 1, 'cancelled at Adyen');
  });

  it('resolves a connected account\'s ambiguous payment by the platform configuration\'s webhook, and another by the janitor', async () => {
    // One at a time: a webhook delivery sends every queued notification, and the janitor looks at every unresolved attempt.
    sandbox.setFaults({ status5xxRate: 1 });
    const byWebhook = await directCharge(seller.id, 4_100);
    sandbox.setFaults({ status5xxRate: 0 });
    assert.equal(byWebhook.intent.status, 'processing');
    await deliverWebhooks(platformConfiguration);
    assert.equal((await stripe.paymentIntents.retrieve(byWebhook.intent.id, {}, { stripeAccount: seller.id })).status, 'succeeded');

    sandbox.setFaults({ status5xxRate: 1 });
    const byJanitor = await directCharge(seller.id, 4_200);
    sandbox.setFaults({ status5xxRate: 0 });
    assert.equal(byJanitor.intent.status, 'processing');
    const [stuck] = await attemptsOf(byJanitor.charge.id);
    assert.equal(stuck.status, 'unknown');
    assert.ok((await resolveStuckAttempts(server.deps, 0)) >= 1);
    assert.equal((await stripe.paymentIntents.retrieve(byJanitor.intent.id, {}, { stripeAccount: seller.id })).status, 'succeeded');
    const [resolved] = await attemptsOf(byJanitor.charge.id);
    assert.equal(resolved.status, 'authorized');
    assert.equal(adyenPayment(resolved.id).merchantAccount, platformMerchant, 'asked again at the platform\'s merchant account, never authorized twice');
  });

  it('never shows the platform\'s configurations to a connected account', async () => {
    const options = { stripeAccount: seller.id };
    const listed = await stripe.rawRequest('GET', configurationsPath, {}, options);
    assert.deepEqual(listed.data, []);
    await expectStripeError(stripe.rawRequest('GET', `${configurationsPath}/${platformConfiguration}`, {}, options), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });
    await expectStripeError(stripe.rawRequest('POST', `${configurationsPath}/${platformConfiguration}`, { enabled: false }, options), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });
    await expectStripeError(stripe.rawRequest('DELETE', `${configurationsPath}/${platformConfiguration}`, {}, options), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });
    // The platform still has it, enabled.
    const own = await stripe.rawRequest('GET', `${configurationsPath}/${platformConfiguration}`, {});
    assert.equal(own.enabled, true);
  });

  it('routes an account with an enabled configuration of its own through its own; earlier charges keep the platform\'s', async () => {
    const other = await onboardedSeller(stripe);
    const before = await directCharge(other.id, 1_800);
    assert.equal(before.charge.payrail_routing?.connector_configuration, platformConfiguration);

    const ownConfiguration = await configureAdyen(stripe, sandbox, sellerMerchant, { stripeAccount: other.id });
    const after = await directCharge(other.id, 1_900);
    assert.equal(after.charge.payrail_routing?.connector_configuration, ownConfiguration);
    const [ownAttempt] = await attemptsOf(after.charge.id);
    assert.equal(adyenPayment(ownAttempt.id).merchantAccount, sellerMerchant);

    // The charge made before goes on through the configuration its attempt recorded: the platform's.
    const [earlierAttempt] = await attemptsOf(before.charge.id);
    const refund = await stripe.refunds.create({ charge: before.charge.id }, { stripeAccount: other.id });
    assert.equal(modifications(earlierAttempt.processor_reference!, 'refund')[0]?.reference, refund.id);
    assert.equal(adyenPayment(earlierAttempt.id).merchantAccount, platformMerchant);

    // The first seller, without configurations of its own, still uses the platform's.
    assert.equal((await directCharge(seller.id, 1_000)).charge.payrail_routing?.connector_configuration, platformConfiguration);

    // Disabled, its own no longer counts: the account is back on its platform's.
    await stripe.rawRequest('POST', `${configurationsPath}/${ownConfiguration}`, { enabled: false }, { stripeAccount: other.id });
    assert.equal((await directCharge(other.id, 1_100)).charge.payrail_routing?.connector_configuration, platformConfiguration);
  });

  it('never routes another platform\'s connected accounts through this platform\'s configurations', async () => {
    const otherPlatform: TestAccount = await server.createAccount('Second platform');
    const otherSeller = await onboardedSeller(otherPlatform.stripe);
    const { intent, charge } = await directCharge(otherSeller.id, 2_000, {}, otherPlatform.stripe);
    assert.equal(intent.status, 'succeeded');
    assert.equal(charge.payrail_routing?.connector, 'test_processor', 'the second platform has no configuration: the built-in test processor');
    assert.equal(charge.payrail_routing?.connector_configuration, null);
    const [attempt] = await attemptsOf(charge.id);
    assert.equal(sandbox.records().payments.some((record) => record.merchantReference === attempt.id), false, 'nothing reached Adyen');
    // Nor can the second platform reach the first one's configuration, itself or as its account.
    await expectStripeError(otherPlatform.stripe.rawRequest('GET', `${configurationsPath}/${platformConfiguration}`, {}), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });
    await expectStripeError(otherPlatform.stripe.rawRequest('GET', configurationsPath, {}, { stripeAccount: seller.id }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
  });
});
