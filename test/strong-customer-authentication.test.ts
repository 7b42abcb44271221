import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { submitChallengePage } from './helpers/challenge.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Strong customer authentication (PSD2) through the official stripe SDK, against the built-in test processor: an FR
 * merchant, Stripe's country test cards (4000 0025 0000 0003 FR, 4000 0027 6000 0016 DE, ...) and 3-D Secure cards.
 * The decision itself is unit-tested table by table in src/payments/sca/decision.test.ts.
 */

const returnUrl = 'https://shop.example/after-3ds';
const expYear = new Date().getUTCFullYear() + 3;

/** Payrail's extension beside three_d_secure on the charge's card. */
interface ScaExtension { scope: string; action: string; exemption: string | null; liability_shift: boolean }

function cardDetails(intent: Stripe.PaymentIntent): Stripe.Charge.PaymentMethodDetails.Card & { payrail_strong_customer_authentication: ScaExtension | null } {
  const card = (intent.latest_charge as Stripe.Charge).payment_method_details?.card;
  assert.ok(card, 'the charge has card details');
  return card as Stripe.Charge.PaymentMethodDetails.Card & { payrail_strong_customer_authentication: ScaExtension | null };
}

describe('strong customer authentication (PSD2) for an FR merchant', () => {
  let server: TestServer;
  let stripe: Stripe;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    await stripe.accounts.update(server.account.accountId, { payrail_settings: { country: 'FR' } } as Stripe.AccountUpdateParams);
  });
  after(async () => {
    await server.close();
  });

  async function card(number: string): Promise<string> {
    return (await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: expYear, cvc: '123' } })).id;
  }

  async function pay(paymentMethod: string, amount: number, options: Partial<Stripe.PaymentIntentCreateParams> = {}): Promise<Stripe.PaymentIntent> {
    const created = await stripe.paymentIntents.create({ amount, currency: 'eur', payment_method: paymentMethod, confirm: true, return_url: returnUrl, ...options });
    return stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge'] });
  }

  /** Passes the challenge of a requires_action intent and returns it, succeeded, with its charge. */
  async function passChallenge(intent: Stripe.PaymentIntent): Promise<Stripe.PaymentIntent> {
    assert.equal(intent.status, 'requires_action');
    const url = intent.next_action?.redirect_to_url?.url;
    assert.ok(url && url.includes('/3ds/'), 'a Payrail challenge page');
    assert.equal((await submitChallengePage(url, 'complete')).status, 303);
    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    return done;
  }

  function assertExempted(intent: Stripe.PaymentIntent, exemption: string): void {
    assert.equal(intent.status, 'succeeded');
    const details = cardDetails(intent);
    assert.equal(details.three_d_secure?.result, 'exempted');
    assert.equal(details.three_d_secure?.authentication_flow, null);
    assert.equal(details.three_d_secure?.electronic_commerce_indicator, '07');
    assert.deepEqual(details.payrail_strong_customer_authentication, { scope: 'in_scope', action: 'exempt', exemption, liability_shift: false });
  }

  function assertChallenged(intent: Stripe.PaymentIntent): void {
    const details = cardDetails(intent);
    const secure = details.three_d_secure;
    assert.equal(secure?.result, 'authenticated');
    assert.equal(secure?.authentication_flow, 'challenge');
    assert.equal(secure?.version, '2.2.0');
    assert.equal(secure?.electronic_commerce_indicator, '05');
    assert.equal(secure?.exemption_indicator, 'none');
    assert.match(secure?.transaction_id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(details.payrail_strong_customer_authentication?.liability_shift, true);
  }

  it('low value: five EUR 20 payments of an FR card are exempted, the sixth is challenged, then the counters start again', async () => {
    const paymentMethod = await card('4000002500000003');
    for (let payment = 1; payment <= 5; payment += 1) assertExempted(await pay(paymentMethod, 2000), 'low_value');
    const sixth = await pay(paymentMethod, 2000);
    assert.equal(sixth.status, 'requires_action', 'the sixth payment in a row needs authentication');
    assertChallenged(await passChallenge(sixth));
    // A new PaymentMethod of the same card shares its counters (by fingerprint): reset by the authentication.
    assertExempted(await pay(await card('4000002500000003'), 2000), 'low_value');
  });

  it('low value: EUR 100 cumulative is the limit', async () => {
    const paymentMethod = await card('4000002760000016');
    for (let payment = 1; payment <= 3; payment += 1) assertExempted(await pay(paymentMethod, 3000), 'low_value');
    const fourth = await pay(paymentMethod, 2000);
    assert.equal(fourth.status, 'requires_action', 'EUR 90 + EUR 20 would pass EUR 100');
    assertChallenged(await passChallenge(fourth));
  });

  it('over EUR 30: the challenge; a failed one declines with nothing shown as authenticated', async () => {
    const intent = await pay(await card('4000007240000007'), 5000);
    assert.equal(intent.status, 'requires_action');
    assert.equal((await submitChallengePage(intent.next_action!.redirect_to_url!.url!, 'fail')).status, 303);
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
    const charge = await stripe.charges.retrieve(failed.latest_charge as string);
    assert.equal(charge.payment_method_details?.card?.three_d_secure, null);
  });

  it('another currency is converted to euros at the settlement rate: USD 20 exempted, USD 40 challenged', async () => {
    const paymentMethod = await card('4000005280000002');
    assertExempted(await pay(paymentMethod, 2000, { currency: 'usd' }), 'low_value');
    assert.equal((await pay(paymentMethod, 4000, { currency: 'usd' })).status, 'requires_action');
  });

  it('fixed-amount recurring: after an authenticated payment that saved the card, the same amount is exempted, another is not', async () => {
    const customer = await stripe.customers.create({});
    const paymentMethod = await card('4000000560000004');
    const first = await pay(paymentMethod, 9900, { customer: customer.id, setup_future_usage: 'on_session' });
    assertChallenged(await passChallenge(first));
    assertExempted(await pay(paymentMethod, 9900, { customer: customer.id }), 'recurring');
    assert.equal((await pay(paymentMethod, 9800, { customer: customer.id })).status, 'requires_action');
  });

  it('one leg out: a US card at the FR merchant is not challenged, whatever the amount', async () => {
    const intent = await pay('pm_card_visa', 50000);
    assert.equal(intent.status, 'succeeded');
    const details = cardDetails(intent);
    assert.equal(details.three_d_secure, null);
    assert.deepEqual(details.payrail_strong_customer_authentication, { scope: 'one_leg_out', action: 'none', exemption: null, liability_shift: false });
  });

  it('merchant-initiated (off_session): outside the mandate, no authentication asked', async () => {
    const customer = await stripe.customers.create({});
    const paymentMethod = await card('4000008260000000');
    await stripe.paymentMethods.attach(paymentMethod, { customer: customer.id });
    const intent = await pay(paymentMethod, 50000, { customer: customer.id, off_session: true, return_url: undefined });
    assert.equal(intent.status, 'succeeded');
    const details = cardDetails(intent);
    assert.equal(details.three_d_secure, null);
    assert.deepEqual(details.payrail_strong_customer_authentication, { scope: 'merchant_initiated', action: 'none', exemption: null, liability_shift: false });
  });

  it('a frictionless card (4000 0000 0000 3055) over the threshold authenticates without a challenge', async () => {
    const intent = await pay('pm_card_threeDSecureOptional', 5000);
    assert.equal(intent.status, 'succeeded');
    const secure = cardDetails(intent).three_d_secure;
    assert.equal(secure?.result, 'authenticated');
    assert.equal(secure?.authentication_flow, 'frictionless');
    assert.equal(secure?.electronic_commerce_indicator, '05');
    assert.equal(cardDetails(intent).payrail_strong_customer_authentication?.liability_shift, true);
  });

  it('request_three_d_secure=challenge forces the challenge on the frictionless card, even for a low-value payment', async () => {
    const intent = await pay('pm_card_threeDSecureOptional', 1000, { payment_method_options: { card: { request_three_d_secure: 'challenge' } } });
    assert.equal(intent.status, 'requires_action');
    const done = await passChallenge(intent);
    assertChallenged(done);
    assert.equal(cardDetails(done).payrail_strong_customer_authentication?.action, 'authenticate');
  });

  it('request_three_d_secure=any on a card without 3-D Secure (3782 822463 10005): not_supported, paid without liability shift', async () => {
    const intent = await pay('pm_card_amex', 50000, { payment_method_options: { card: { request_three_d_secure: 'any' } } });
    assert.equal(intent.status, 'succeeded');
    const details = cardDetails(intent);
    assert.equal(details.three_d_secure?.result, 'not_supported');
    assert.equal(details.three_d_secure?.result_reason, 'card_not_enrolled');
    assert.equal(details.payrail_strong_customer_authentication?.liability_shift, false);
  });

  it('transaction risk analysis, once the account turns it on: EUR 200 exempted at a 0.06% fraud rate (low_risk), EUR 300 not', async () => {
    await stripe.accounts.update(server.account.accountId, { payrail_settings: { transaction_risk_analysis: { fraud_rate_bps: 6 } } } as Stripe.AccountUpdateParams);
    try {
      const account = await stripe.accounts.retrieve(server.account.accountId) as unknown as { payrail_settings: { transaction_risk_analysis: unknown } };
      assert.deepEqual(account.payrail_settings.transaction_risk_analysis, { fraud_rate_bps: 6 });
      const paymentMethod = await card('4000003800000008');
      const exempted = await pay(paymentMethod, 20000);
      assertExempted(exempted, 'transaction_risk_analysis');
      assert.equal(cardDetails(exempted).three_d_secure?.exemption_indicator, 'low_risk');
      assert.equal(cardDetails(exempted).three_d_secure?.exemption_indicator_applied, true);
      assert.equal((await pay(paymentMethod, 30000)).status, 'requires_action');
    } finally {
      await stripe.accounts.update(server.account.accountId, { payrail_settings: { transaction_risk_analysis: '' } } as unknown as Stripe.AccountUpdateParams);
    }
    const account = await stripe.accounts.retrieve(server.account.accountId) as unknown as { payrail_settings: { transaction_risk_analysis: unknown } };
    assert.equal(account.payrail_settings.transaction_risk_analysis, null);
  });

  it('a fraud rate out of range is refused with the parameter named', async () => {
    await assert.rejects(
      stripe.accounts.update(server.account.accountId, { payrail_settings: { transaction_risk_analysis: { fraud_rate_bps: -1 } } } as Stripe.AccountUpdateParams),
      (error: Stripe.errors.StripeError) => error.statusCode === 400 && error.param === 'payrail_settings[transaction_risk_analysis][fraud_rate_bps]',
    );
  });
});
