import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectLedgerClean, onboardedSeller, usdBalance } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Legacy charges (POST /v1/charges) with Connect parameters, through the official stripe SDK: a destination charge
 * made this way moves the same money, writes the same rows and renders the same fields as a PaymentIntent's; a
 * direct charge takes application_fee_amount; capture=false transfers at capture; refused input writes nothing and
 * leaves the token unused. And refund.created of a refund with reverse_transfer shows its transfer_reversal.
 */

describe('Legacy charges with Connect parameters through the stripe SDK', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let seller: Stripe.Account;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    seller = await onboardedSeller(stripe);
  });
  after(async () => {
    await server.close();
  });

  const pending = (accountId?: string) => usdBalance(stripe, 'pending', accountId);
  const nextYear = new Date().getUTCFullYear() + 1;
  const visaToken = () => stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: String(nextYear), cvc: '123' } as Stripe.TokenCreateParams.Card });

  /** What a destination charge moved and rendered: balance changes on both sides and the charge's Connect fields. */
  async function destinationOutcome(make: () => Promise<Stripe.Charge>) {
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const charge = await make();
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    const sellerPayment = (await stripe.balanceTransactions.list({ limit: 1 }, { stripeAccount: seller.id })).data[0];
    const platformTypes = (await stripe.balanceTransactions.list({ limit: 3 })).data.map((transaction) => transaction.type).sort();
    return {
      platform: await pending() - platformBefore,
      seller: await pending(seller.id) - sellerBefore,
      fields: {
        application_fee_amount: charge.application_fee_amount, transfer_data: charge.transfer_data, on_behalf_of: charge.on_behalf_of,
        amount_captured: charge.amount_captured, captured: charge.captured, status: charge.status,
      },
      transfer: { amount: transfer.amount, destination: transfer.destination, source_transaction: transfer.source_transaction === charge.id, transfer_group: transfer.transfer_group },
      fee: { amount: fee.amount, account: fee.account, charge: fee.charge === charge.id, originating_transaction: fee.originating_transaction },
      sellerPayment: { type: sellerPayment.type, amount: sellerPayment.amount, fee: sellerPayment.fee, net: sellerPayment.net },
      platformTypes,
      charge,
    };
  }

  it('a destination charge made with POST /v1/charges moves and renders what a PaymentIntent destination charge does', async () => {
    const viaIntent = await destinationOutcome(async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
        transfer_data: { destination: seller.id }, application_fee_amount: 1_230, on_behalf_of: seller.id, transfer_group: 'order_1',
      });
      return stripe.charges.retrieve(intent.latest_charge as string);
    });
    const viaCharge = await destinationOutcome(() => stripe.charges.create({
      amount: 10_000, currency: 'usd', source: 'tok_visa',
      transfer_data: { destination: seller.id }, application_fee_amount: 1_230, on_behalf_of: seller.id, transfer_group: 'order_1',
    }));
    const { charge, ...legacy } = viaCharge;
    const { charge: intentCharge, ...expected } = viaIntent;
    assert.deepEqual(legacy, expected);
    assert.equal(charge.transfer_group, 'order_1');
    assert.equal(intentCharge.transfer_group, 'order_1');
    assert.match(charge.transfer as string, /^tr_/);
    assert.match(charge.application_fee as string, /^fee_/);
    assert.equal(legacy.sellerPayment.net, 8_770);
    // The charge's PaymentIntent carries the same parameters, as a PaymentIntent destination charge's does.
    const intent = await stripe.paymentIntents.retrieve(charge.payment_intent as string);
    assert.deepEqual(intent.transfer_data, { destination: seller.id });
    assert.equal(intent.application_fee_amount, 1_230);
    assert.equal(intent.transfer_group, 'order_1');
    const events = (await stripe.events.list({ limit: 10 })).data.map((event): string => event.type);
    for (const type of ['application_fee.created', 'transfer.created', 'charge.succeeded']) assert.ok(events.includes(type), type);
    await expectLedgerClean(server.db);
  });

  it('transfer_data[amount], and the deprecated destination (a string, or destination[account] and destination[amount])', async () => {
    const sellerBefore = await pending(seller.id);
    const partial = await stripe.charges.create({ amount: 5_000, currency: 'usd', source: 'tok_visa', transfer_data: { destination: seller.id, amount: 4_000 } });
    assert.deepEqual(partial.transfer_data, { amount: 4_000, destination: seller.id });
    assert.equal(partial.application_fee, null);
    assert.equal(partial.transfer_group, `group_${partial.payment_intent as string}`, 'a destination charge\'s group, as a PaymentIntent\'s');
    assert.equal((await stripe.transfers.retrieve(partial.transfer as string)).amount, 4_000);

    const byString = await stripe.charges.create({ amount: 3_000, currency: 'usd', source: 'tok_visa', destination: seller.id } as unknown as Stripe.ChargeCreateParams);
    assert.deepEqual(byString.transfer_data, { destination: seller.id });
    assert.equal(byString.on_behalf_of, seller.id, 'destination sets on_behalf_of, as Stripe\'s reference says');
    assert.equal((await stripe.transfers.retrieve(byString.transfer as string)).amount, 3_000);

    const byObject = await stripe.charges.create({ amount: 2_000, currency: 'usd', source: 'tok_visa', destination: { account: seller.id, amount: 1_500 } });
    assert.deepEqual(byObject.transfer_data, { amount: 1_500, destination: seller.id });
    assert.equal((await stripe.transfers.retrieve(byObject.transfer as string)).amount, 1_500);
    assert.equal(await pending(seller.id) - sellerBefore, 4_000 + 3_000 + 1_500);
    await expectLedgerClean(server.db);
  });

  it('a direct charge (Stripe-Account) with application_fee_amount: the connected account pays its platform the fee', async () => {
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const asSeller = { stripeAccount: seller.id };
    const charge = await stripe.charges.create({ amount: 8_000, currency: 'usd', source: 'tok_visa', application_fee_amount: 500 }, asSeller);
    assert.equal(charge.application_fee_amount, 500);
    assert.equal(charge.application, platform.accountId);
    assert.equal(charge.transfer ?? null, null);
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(fee.amount, 500);
    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string, {}, asSeller);
    assert.equal(await pending(seller.id) - sellerBefore, chargeTransaction.net - 500);
    assert.equal(await pending() - platformBefore, 500);
    await expectLedgerClean(server.db);
  });

  it('capture=false, then POST /v1/charges/:id/capture: the transfer and the fee at capture, with capture-time overrides', async () => {
    const sellerBefore = await pending(seller.id);
    const authorized = await stripe.charges.create({ amount: 6_000, currency: 'usd', source: 'tok_visa', capture: false, transfer_data: { destination: seller.id }, application_fee_amount: 600 });
    assert.equal(authorized.captured, false);
    assert.equal(authorized.transfer ?? null, null);
    assert.equal(authorized.application_fee, null);
    assert.equal(await pending(seller.id), sellerBefore, 'nothing moves before capture');
    const captured = await stripe.charges.capture(authorized.id, { amount: 5_000, application_fee_amount: 700 });
    assert.equal(captured.captured, true);
    assert.equal(captured.application_fee_amount, 700);
    const transfer = await stripe.transfers.retrieve(captured.transfer as string);
    assert.equal(transfer.amount, 5_000);
    assert.equal(transfer.source_transaction, captured.id);
    assert.equal(await pending(seller.id) - sellerBefore, 5_000 - 700);

    const withAmount = await stripe.charges.create({ amount: 4_000, currency: 'usd', source: 'tok_visa', capture: false, transfer_data: { destination: seller.id } });
    const capturedAmount = await stripe.charges.capture(withAmount.id, { transfer_data: { amount: 2_500 } });
    assert.equal((await stripe.transfers.retrieve(capturedAmount.transfer as string)).amount, 2_500);
    await expectLedgerClean(server.db);
  });

  it('refuses what a PaymentIntent refuses, with nothing written and the token left unused', async () => {
    const token = await visaToken();
    const newestCharge = async () => (await stripe.charges.list({ limit: 1 })).data[0]?.id;
    const before = await newestCharge();
    const refusedParameter = { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'charge_invalid_parameter' };
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, application_fee_amount: 100 }), { ...refusedParameter, param: 'application_fee_amount' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id }, application_fee_amount: 1_001 }), { ...refusedParameter, param: 'application_fee_amount' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id, amount: 1_001 } }), { ...refusedParameter, param: 'transfer_data[amount]' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id }, on_behalf_of: platform.accountId }), { ...refusedParameter, param: 'on_behalf_of' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id, amount: 500 }, application_fee_amount: 100 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'parameters_exclusive' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id }, destination: seller.id } as unknown as Stripe.ChargeCreateParams), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'parameters_exclusive', param: 'destination' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: 'acct_doesnotexist000000' } }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid', param: 'transfer_data[destination]' });
    const unready = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: unready.id } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'insufficient_capabilities_for_transfer' });
    const transfersOnly = await onboardedSeller(stripe, { capabilities: { transfers: { requested: true } } });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, destination: transfersOnly.id } as unknown as Stripe.ChargeCreateParams), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'insufficient_capabilities_for_charge', param: 'on_behalf_of' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'eur', source: token.id, transfer_data: { destination: seller.id } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'invalid_value', param: 'currency' });
    await expectStripeError(stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: platform.accountId } }, { stripeAccount: seller.id }), { ...refusedParameter, param: 'transfer_data' });
    assert.equal(await newestCharge(), before, 'no charge was written');
    assert.equal((await stripe.tokens.retrieve(token.id)).used, false, 'the token was not used up');
    const charge = await stripe.charges.create({ amount: 1_000, currency: 'usd', source: token.id, transfer_data: { destination: seller.id } });
    assert.equal(charge.status, 'succeeded');
    await expectLedgerClean(server.db);
  });

  it('refund.created of a refund with reverse_transfer shows its transfer_reversal, as GET /v1/refunds/:id does', async () => {
    const charge = await stripe.charges.create({ amount: 4_000, currency: 'usd', source: 'tok_visa', transfer_data: { destination: seller.id } });
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 1_000, reverse_transfer: true });
    assert.match(refund.transfer_reversal as string, /^trr_/);
    const retrieved = await stripe.refunds.retrieve(refund.id);
    const created = (await stripe.events.list({ type: 'refund.created', limit: 5 })).data.find((event) => (event.data.object as Stripe.Refund).id === refund.id);
    assert.ok(created, 'refund.created was recorded');
    assert.deepEqual(created.data.object, retrieved);
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(retrieved.transfer_reversal, transfer.reversals.data[0].id);
    assert.equal(transfer.amount_reversed, 1_000);
    await expectLedgerClean(server.db);
  });
});
