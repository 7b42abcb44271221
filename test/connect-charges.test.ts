import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { issueKeys } from '../src/accounts/service.ts';
import { expectLedgerClean, onboardedSeller, usBankAccount, usdBalance, verifiedIndividual } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Connect charges through the official stripe SDK: destination charges (transfer_data, application_fee_amount,
 * on_behalf_of, transfer_group) whose capture transfers to the connected account in the same commit, and direct
 * charges made with the Stripe-Account header whose application fee goes to the platform. Balances, balance
 * transactions, events and `ledger verify` agree on both sides.
 */

describe('Connect destination and direct charges through the stripe SDK', () => {
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
  const ledgerClean = () => expectLedgerClean(server.db);

  it('a destination charge with application_fee_amount: the full amount transferred, the fee collected back as an application fee', async () => {
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const intent = await stripe.paymentIntents.create({
      amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
      transfer_data: { destination: seller.id }, application_fee_amount: 1_230, on_behalf_of: seller.id,
    });
    assert.equal(intent.status, 'succeeded');
    assert.deepEqual(intent.transfer_data, { destination: seller.id });
    assert.equal(intent.application_fee_amount, 1_230);
    assert.equal(intent.on_behalf_of, seller.id);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    assert.match(charge.transfer as string, /^tr_/);
    assert.match(charge.application_fee as string, /^fee_/);
    assert.equal(charge.application_fee_amount, 1_230);
    assert.deepEqual(charge.transfer_data, { destination: seller.id });
    assert.equal(charge.on_behalf_of, seller.id);
    assert.equal(charge.transfer_group, `group_${intent.id}`);

    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(transfer.amount, 10_000);
    assert.equal(transfer.destination, seller.id);
    assert.equal(transfer.source_transaction, charge.id);
    assert.equal(transfer.transfer_group, `group_${intent.id}`);

    // The seller's payment shows the fee; the platform keeps the fee less its own processing fee.
    const sellerPayment = (await stripe.balanceTransactions.list({ limit: 1 }, { stripeAccount: seller.id })).data[0];
    assert.equal(sellerPayment.type, 'payment');
    assert.equal(sellerPayment.amount, 10_000);
    assert.equal(sellerPayment.fee, 1_230);
    assert.equal(sellerPayment.net, 8_770);
    assert.equal(sellerPayment.fee_details[0].type, 'application_fee');
    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    assert.equal(await pending(seller.id) - sellerBefore, 8_770);
    assert.equal(await pending() - platformBefore, chargeTransaction.net - 10_000 + 1_230);
    const platformTransactions = (await stripe.balanceTransactions.list({ limit: 3 })).data.map((transaction) => transaction.type).sort();
    assert.deepEqual(platformTransactions, ['application_fee', 'charge', 'transfer']);

    const events = (await stripe.events.list({ limit: 10 })).data.map((event): string => event.type);
    for (const type of ['application_fee.created', 'transfer.created', 'payment_intent.succeeded', 'charge.succeeded']) assert.ok(events.includes(type), type);
    await ledgerClean();
  });

  it('a destination charge with transfer_data[amount] and manual capture: the transfer at capture, no application fee', async () => {
    const sellerBefore = await pending(seller.id);
    const intent = await stripe.paymentIntents.create({
      amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual',
      transfer_data: { destination: seller.id, amount: 4_000 }, transfer_group: 'ORDER_77',
    });
    assert.equal(intent.status, 'requires_capture');
    assert.deepEqual(intent.transfer_data, { amount: 4_000, destination: seller.id });
    assert.equal(intent.transfer_group, 'ORDER_77');
    let charge = await stripe.charges.retrieve(intent.latest_charge as string);
    assert.equal(charge.transfer ?? null, null);
    assert.equal(await pending(seller.id), sellerBefore);
    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    charge = await stripe.charges.retrieve(intent.latest_charge as string);
    assert.equal(charge.application_fee, null);
    assert.equal(charge.transfer_group, 'ORDER_77');
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(transfer.amount, 4_000);
    assert.equal(transfer.transfer_group, 'ORDER_77');
    assert.equal(await pending(seller.id) - sellerBefore, 4_000);
    const transfers = await stripe.transfers.list({ transfer_group: 'ORDER_77' });
    assert.deepEqual(transfers.data.map((found) => found.id), [transfer.id]);
    await ledgerClean();
  });

  it('a direct charge with application_fee_amount: the connected account pays its platform the fee', async () => {
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const intent = await stripe.paymentIntents.create(
      { amount: 8_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 500 },
      { stripeAccount: seller.id },
    );
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.application_fee_amount, 500);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, {}, { stripeAccount: seller.id });
    assert.match(charge.application_fee as string, /^fee_/);
    assert.equal(charge.application_fee_amount, 500);
    assert.equal(charge.transfer ?? null, null);
    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string, {}, { stripeAccount: seller.id });
    assert.equal(await pending(seller.id) - sellerBefore, chargeTransaction.net - 500);
    assert.equal(await pending() - platformBefore, 500);
    const platformFee = (await stripe.balanceTransactions.list({ limit: 1 })).data[0];
    assert.equal(platformFee.type, 'application_fee');
    assert.equal(platformFee.amount, 500);
    assert.equal(platformFee.source, charge.application_fee);
    const platformEvents = (await stripe.events.list({ limit: 3 })).data.map((event): string => event.type);
    assert.ok(platformEvents.includes('application_fee.created'));
    await ledgerClean();
  });

  it('refuses what Stripe refuses', async () => {
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', application_fee_amount: 100 }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' },
    );
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: seller.id }, application_fee_amount: 1_001 }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' },
    );
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: seller.id, amount: 500 }, application_fee_amount: 100 }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'parameters_exclusive' },
    );
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: 'acct_doesnotexist000000' } }),
      { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid', param: 'transfer_data[destination]' },
    );
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: seller.id }, on_behalf_of: platform.accountId }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'on_behalf_of' },
    );
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: platform.accountId } }, { stripeAccount: seller.id }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'transfer_data' },
    );
    const unready = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', transfer_data: { destination: unready.id } }),
      { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'insufficient_capabilities_for_transfer' },
    );
  });

  it('a direct charge needs the connected account\'s card_payments active: refused and nothing written, accepted once active', async () => {
    // Everything but the person: card_payments and transfers are requested, not active.
    const unverified = await stripe.accounts.create({
      type: 'custom', country: 'US', email: 'new-seller@example.com',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      business_type: 'individual', business_profile: { mcc: '5734', url: 'https://new-seller.example.com' },
      tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' }, external_account: usBankAccount,
    });
    assert.notEqual(unverified.capabilities?.card_payments, 'active');
    const asSeller = { stripeAccount: unverified.id };
    const refused = { class: Stripe.errors.StripeInvalidRequestError, type: 'invalid_request_error', statusCode: 400, code: 'insufficient_capabilities_for_charge' };

    const atCreation = await expectStripeError(stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, asSeller), refused);
    assert.equal(atCreation.param, undefined, 'nothing in the body names the account: the Stripe-Account header does');
    assert.match(atCreation.message, /card_payments/);
    await expectStripeError(stripe.charges.create({ amount: 2_000, currency: 'usd', source: 'tok_visa' }, asSeller), refused);
    assert.deepEqual((await stripe.paymentIntents.list({ limit: 10 }, asSeller)).data, [], 'a refused charge writes no intent');
    assert.deepEqual((await stripe.charges.list({ limit: 10 }, asSeller)).data, [], 'nor a charge');

    // An intent may be made before the account is ready (no charge yet); confirming it is refused and leaves it as it was.
    const waiting = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa' }, asSeller);
    await expectStripeError(stripe.paymentIntents.confirm(waiting.id, {}, asSeller), refused);
    assert.equal((await stripe.paymentIntents.retrieve(waiting.id, {}, asSeller)).status, 'requires_confirmation');
    assert.deepEqual((await stripe.charges.list({ limit: 10 }, asSeller)).data, []);

    // The platform's own payments (its own key, no Stripe-Account) are not subject to capabilities.
    assert.equal((await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })).status, 'succeeded');

    // Stripe's immediate test values verify the person in the answer: card_payments becomes active.
    const verified = await stripe.accounts.update(unverified.id, { individual: verifiedIndividual });
    assert.equal(verified.capabilities?.card_payments, 'active');
    assert.equal((await stripe.paymentIntents.confirm(waiting.id, {}, asSeller)).status, 'succeeded');
    assert.equal((await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, asSeller)).status, 'succeeded');
    await ledgerClean();
  });

  it('a charge on a connected account is a direct charge however it is made: its own secret key, its publishable key with the client secret', async () => {
    const unverified = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      business_type: 'individual', business_profile: { mcc: '5734', url: 'https://own-key-seller.example.com' },
      tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' }, external_account: usBankAccount,
    });
    const keys = await issueKeys(server.db, unverified.id, false);
    const own = server.stripeFor(keys.secretKey);
    const refused = { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'insufficient_capabilities_for_charge' };
    await expectStripeError(own.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }), refused);
    await expectStripeError(own.charges.create({ amount: 1_500, currency: 'usd', source: 'tok_visa' }), refused);
    // As payrail.js and the hosted pages confirm: the publishable key and the intent's client secret.
    const waiting = await own.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa' });
    await expectStripeError(server.stripeFor(keys.publishableKey).paymentIntents.confirm(waiting.id, { client_secret: waiting.client_secret! } as Stripe.PaymentIntentConfirmParams), refused);
    assert.deepEqual((await own.charges.list({ limit: 10 })).data, [], 'nothing was charged');

    await stripe.accounts.update(unverified.id, { individual: verifiedIndividual });
    assert.equal((await server.stripeFor(keys.publishableKey).paymentIntents.confirm(waiting.id, { client_secret: waiting.client_secret! } as Stripe.PaymentIntentConfirmParams)).status, 'succeeded');
    assert.equal((await own.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })).status, 'succeeded');
    await ledgerClean();
  });

  it('a destination charge needs its destination\'s transfers active, and on_behalf_of its card_payments: refused, nothing written', async () => {
    const newestIntent = async () => (await stripe.paymentIntents.list({ limit: 1 })).data[0]?.id;
    const before = await newestIntent();
    const unready = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: unready.id } }),
      { class: Stripe.errors.StripeInvalidRequestError, type: 'invalid_request_error', statusCode: 400, code: 'insufficient_capabilities_for_transfer', param: 'transfer_data[destination]' },
    );
    // transfers active, card_payments never requested: a destination, but not a settlement merchant.
    const transfersOnly = await onboardedSeller(stripe, { capabilities: { transfers: { requested: true } } });
    assert.equal(transfersOnly.capabilities?.transfers, 'active');
    await expectStripeError(
      stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: transfersOnly.id }, on_behalf_of: transfersOnly.id }),
      { class: Stripe.errors.StripeInvalidRequestError, type: 'invalid_request_error', statusCode: 400, code: 'insufficient_capabilities_for_charge', param: 'on_behalf_of' },
    );
    assert.equal(await newestIntent(), before, 'the refused charges wrote no intent');
    const transfer = await stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: transfersOnly.id } });
    assert.equal(transfer.status, 'succeeded');
    await ledgerClean();
  });

  it('updates an intent\'s Connect parameters before confirmation', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', transfer_data: { destination: seller.id, amount: 2_500 } });
    // As at Stripe, an update changes transfer_data[amount] only (the destination is set at creation).
    await expectStripeError(stripe.paymentIntents.update(intent.id, { application_fee_amount: 300 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'parameters_exclusive' });
    const updated = await stripe.paymentIntents.update(intent.id, { transfer_data: { amount: 2_800 } });
    assert.deepEqual(updated.transfer_data, { amount: 2_800, destination: seller.id });
    const plain = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd' });
    await expectStripeError(stripe.paymentIntents.update(plain.id, { transfer_data: { amount: 100 } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'transfer_data' });
    await expectStripeError(stripe.paymentIntents.update(intent.id, { amount: 2_000 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'transfer_data[amount]' });
    const withFee = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', transfer_data: { destination: seller.id } });
    const feeUpdated = await stripe.paymentIntents.update(withFee.id, { application_fee_amount: 300 });
    assert.equal(feeUpdated.application_fee_amount, 300);
    assert.equal(updated.application_fee_amount, null);
    await expectStripeError(stripe.paymentIntents.update(withFee.id, { amount: 200 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' });
    const confirmed = await stripe.paymentIntents.confirm(withFee.id, { payment_method: 'pm_card_visa' });
    assert.equal(confirmed.status, 'succeeded');
    const charge = await stripe.charges.retrieve(confirmed.latest_charge as string);
    assert.equal(charge.application_fee_amount, 300);
    await ledgerClean();
  });

  it('application fees: list (charge filter), retrieve, refunds in part and in full, never more than the fee under concurrency, events, ledger', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 6_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 900 });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    const feeId = charge.application_fee as string;
    const listed = await stripe.applicationFees.list({ charge: charge.id });
    assert.deepEqual(listed.data.map((fee) => fee.id), [feeId]);
    const fee = await stripe.applicationFees.retrieve(feeId);
    assert.equal(fee.amount, 900);
    assert.equal(fee.account, seller.id);
    assert.equal(fee.charge, charge.id);
    assert.equal(fee.refunded, false);
    assert.equal(fee.refunds.data.length, 0);
    const sellerBefore = await stripe.balance.retrieve({}, { stripeAccount: seller.id });
    const refund = await stripe.applicationFees.createRefund(feeId, { amount: 300, metadata: { reason: 'goodwill' } });
    assert.match(refund.id, /^fr_/);
    assert.equal(refund.amount, 300);
    assert.equal(refund.fee, feeId);
    const sellerAfter = await stripe.balance.retrieve({}, { stripeAccount: seller.id });
    const availableOf = (balance: Stripe.Balance) => balance.available.find((entry) => entry.currency === 'usd')?.amount ?? 0;
    assert.equal(availableOf(sellerAfter) - availableOf(sellerBefore), 300);
    await expectStripeError(stripe.applicationFees.createRefund(feeId, { amount: 601 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'amount_too_large', param: 'amount' });
    // Concurrent refunds of the rest: the fee's row lock lets them together refund at most what remains.
    const results = await Promise.allSettled([1, 2, 3].map(() => stripe.applicationFees.createRefund(feeId, { amount: 250 })));
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 2);
    const after = await stripe.applicationFees.retrieve(feeId);
    assert.equal(after.amount_refunded, 800);
    await stripe.applicationFees.createRefund(feeId);
    const full = await stripe.applicationFees.retrieve(feeId);
    assert.equal(full.amount_refunded, 900);
    assert.equal(full.refunded, true);
    const refunds = await stripe.applicationFees.listRefunds(feeId, { limit: 10 });
    assert.equal(refunds.data.length, 4);
    const updated = await stripe.applicationFees.updateRefund(feeId, refund.id, { metadata: { reason: 'changed' } });
    assert.equal(updated.metadata?.reason, 'changed');
    assert.equal((await stripe.applicationFees.retrieveRefund(feeId, refund.id)).metadata?.reason, 'changed');
    const events = (await stripe.events.list({ limit: 20 })).data.map((event): string => event.type);
    assert.ok(events.includes('application_fee.refunded'));
    assert.ok(events.includes('application_fee.refund.updated'));
    await expectStripeError(stripe.applicationFees.retrieve(feeId, {}, { stripeAccount: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });
    await ledgerClean();
  });

  it('refunds with reverse_transfer and refund_application_fee: pro rata, then the rest; a reversal with refund_application_fee', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 1_000 });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 2_500, reverse_transfer: true, refund_application_fee: true });
    let transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(refund.transfer_reversal, transfer.reversals.data[0].id);
    assert.equal((await stripe.refunds.retrieve(refund.id)).transfer_reversal, transfer.reversals.data[0].id);
    let fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(transfer.amount_reversed, 2_500);
    assert.equal(fee.amount_refunded, 250);
    assert.equal(transfer.reversals.data[0].amount, 2_500);
    await stripe.refunds.create({ charge: charge.id, reverse_transfer: true, refund_application_fee: true });
    transfer = await stripe.transfers.retrieve(charge.transfer as string);
    fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(transfer.amount_reversed, 10_000);
    assert.equal(fee.amount_refunded, 1_000);
    assert.equal(transfer.reversed, true);

    const plain = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await expectStripeError(stripe.refunds.create({ payment_intent: plain.id, reverse_transfer: true }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'invalid_value', param: 'reverse_transfer' });
    await expectStripeError(stripe.refunds.create({ payment_intent: plain.id, refund_application_fee: true }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'invalid_value', param: 'refund_application_fee' });

    // A reversal with refund_application_fee refunds the fee in proportion.
    const second = await stripe.paymentIntents.create({ amount: 4_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 400 });
    const secondCharge = await stripe.charges.retrieve(second.latest_charge as string);
    await stripe.transfers.createReversal(secondCharge.transfer as string, { amount: 1_000, refund_application_fee: true });
    assert.equal((await stripe.applicationFees.retrieve(secondCharge.application_fee as string)).amount_refunded, 100);

    // A direct charge's fee, refunded by its platform through the Stripe-Account header.
    const direct = await stripe.paymentIntents.create({ amount: 6_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 600 }, { stripeAccount: seller.id });
    const directCharge = await stripe.charges.retrieve(direct.latest_charge as string, {}, { stripeAccount: seller.id });
    await expectStripeError(stripe.refunds.create({ charge: directCharge.id, reverse_transfer: true }, { stripeAccount: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'invalid_value', param: 'reverse_transfer' });
    await stripe.refunds.create({ charge: directCharge.id, amount: 3_000, refund_application_fee: true }, { stripeAccount: seller.id });
    assert.equal((await stripe.applicationFees.retrieve(directCharge.application_fee as string)).amount_refunded, 300);
    await ledgerClean();
  });

  it('capture sets application_fee_amount or transfer_data[amount], as Stripe\'s capture does', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual', transfer_data: { destination: seller.id } });
    await expectStripeError(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3_000, application_fee_amount: 3_001 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3_000, application_fee_amount: 450 });
    assert.equal(captured.application_fee_amount, 450);
    const charge = await stripe.charges.retrieve(captured.latest_charge as string);
    assert.equal(charge.application_fee_amount, 450);
    assert.equal((await stripe.transfers.retrieve(charge.transfer as string)).amount, 3_000);
    const plain = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
    await expectStripeError(stripe.paymentIntents.capture(plain.id, { application_fee_amount: 100 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' });
    assert.equal((await stripe.paymentIntents.retrieve(plain.id)).status, 'requires_capture');
    await ledgerClean();
  });

  it('a restricted key needs rak_application_fee_read to list fees and rak_application_fee_write to refund one', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 200 });
    const feeId = (await stripe.charges.retrieve(intent.latest_charge as string)).application_fee as string;
    const reader = await platform.stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'fees reader', permissions: { application_fee: 'read' } }) as unknown as { secret: string };
    const restricted = server.stripeFor(reader.secret);
    await restricted.applicationFees.list();
    await restricted.applicationFees.listRefunds(feeId);
    const refused = await expectStripeError(restricted.applicationFees.createRefund(feeId, { amount: 10 }), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(refused.message, /rak_application_fee_write/);
  });

  it('an ordinary payment shows no Connect fields and writes no Connect rows', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.transfer_data, null);
    assert.equal(intent.application_fee_amount, null);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    assert.equal(charge.transfer ?? null, null);
    assert.equal(charge.application_fee, null);
    const rows = await server.db.query('SELECT connect FROM charges WHERE id = $1', [charge.id]);
    assert.equal(rows.rows[0].connect, null);
  });
});
