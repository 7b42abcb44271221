import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expirePastDueDisputes } from '../src/disputes/deadline.ts';
import { openDueDisputes } from '../src/disputes/open.ts';
import { expectLedgerClean, usdBalance } from './helpers/connect.ts';
import { pdfBytes, solidPng } from './helpers/images.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

/*
 * Disputes through the official stripe SDK: Stripe's dispute test cards open a dispute after capture (the disputes
 * sweep), which withdraws the amount and the 15.00 USD fee from the available balance; evidence decides it in test
 * mode (winning_evidence / losing_evidence), a close loses it, and so does the deadline. `ledger verify` agrees.
 */
describe('disputes: the test processor\'s dispute test cards, evidence, close and deadline', () => {
  let server: TestServer;
  let stripe: Stripe;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  const available = () => usdBalance(stripe, 'available');

  /** A captured payment of `paymentMethod`, and its dispute once the sweep has run (undefined when none opened). */
  async function disputedPayment(paymentMethod: string, amount = 2_000): Promise<{ intent: Stripe.PaymentIntent; chargeId: string; dispute: Stripe.Dispute }> {
    const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true });
    assert.equal(intent.status, 'succeeded');
    const chargeId = intent.latest_charge as string;
    assert.ok(await openDueDisputes(server.deps) >= 1, 'the sweep opens the dispute');
    const list = await stripe.disputes.list({ charge: chargeId });
    assert.equal(list.data.length, 1);
    return { intent, chargeId, dispute: list.data[0] };
  }

  async function eventTypesFor(objectId: string): Promise<string[]> {
    const result = await server.db.query("SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [objectId]);
    return result.rows.map((row) => row.type as string);
  }

  it('opens a fraudulent dispute for 4000000000000259, withdrawing the amount and the 15.00 USD fee, once', async () => {
    const before = await available();
    const now = server.clock.nowSeconds();
    const { intent, chargeId, dispute } = await disputedPayment('pm_card_createDispute');
    assert.match(dispute.id, /^dp_/);
    assert.equal(dispute.object, 'dispute');
    assert.equal(dispute.status, 'needs_response');
    assert.equal(dispute.reason, 'fraudulent');
    assert.equal(dispute.amount, 2_000);
    assert.equal(dispute.currency, 'usd');
    assert.equal(dispute.charge, chargeId);
    assert.equal(dispute.payment_intent, intent.id);
    assert.equal(dispute.is_charge_refundable, false);
    assert.equal(dispute.evidence_details.has_evidence, false);
    assert.equal(dispute.evidence_details.past_due, false);
    assert.equal(dispute.evidence_details.submission_count, 0);
    const dueBy = dispute.evidence_details.due_by!;
    assert.ok(dueBy > now + 7 * 86_400 - 86_400 && dueBy <= now + 8 * 86_400, `due_by ${dueBy} is the end of the 7th day after ${now}`);
    assert.equal(dispute.evidence.uncategorized_text, null);

    assert.equal(dispute.balance_transactions.length, 1);
    const withdrawal = dispute.balance_transactions[0];
    assert.equal(withdrawal.type, 'adjustment');
    assert.equal(withdrawal.reporting_category, 'dispute');
    assert.equal(withdrawal.amount, -2_000);
    assert.equal(withdrawal.fee, 1_500);
    assert.equal(withdrawal.net, -3_500);
    assert.equal(withdrawal.source, dispute.id);
    assert.equal(withdrawal.status, 'available');
    assert.deepEqual(withdrawal.fee_details.map((detail) => [detail.type, detail.amount]), [['stripe_fee', 1_500]]);
    assert.equal((await stripe.balanceTransactions.retrieve(withdrawal.id)).net, -3_500);
    assert.equal(await available(), before - 3_500, 'the amount and the fee leave the available balance at once');

    const charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.disputed, true);
    assert.deepEqual((await stripe.charges.search({ query: 'disputed:"true"' })).data.map((item) => item.id), [chargeId], 'charge search finds it');
    assert.deepEqual(await eventTypesFor(dispute.id), ['charge.dispute.created', 'charge.dispute.funds_withdrawn']);

    assert.equal(await openDueDisputes(server.deps), 0, 'a second round opens nothing');
    assert.equal((await stripe.disputes.list({ charge: chargeId })).data.length, 1);
    assert.equal(await available(), before - 3_500);
    await expectLedgerClean(server.db);
  });

  it('opens a product_not_received dispute for 4000000000002685', async () => {
    const { dispute } = await disputedPayment('pm_card_createDisputeProductNotReceived', 1_000);
    assert.equal(dispute.reason, 'product_not_received');
    assert.equal(dispute.status, 'needs_response');
    assert.equal(dispute.balance_transactions[0].net, -2_500);
  });

  it('opens an inquiry for 4000000000001976: nothing withdrawn, refundable, closed after winning evidence', async () => {
    const before = await available();
    const { chargeId, dispute } = await disputedPayment('pm_card_createDisputeInquiry', 1_500);
    assert.equal(dispute.status, 'warning_needs_response');
    assert.equal(dispute.is_charge_refundable, true);
    assert.deepEqual(dispute.balance_transactions, []);
    assert.equal(await available(), before, 'an inquiry moves no money');
    assert.deepEqual(await eventTypesFor(dispute.id), ['charge.dispute.created']);
    const closed = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    assert.equal(closed.status, 'warning_closed');
    assert.deepEqual(closed.balance_transactions, []);
    const refund = await stripe.refunds.create({ charge: chargeId, amount: 500 });
    assert.equal(refund.status, 'succeeded', 'an inquiry leaves the charge refundable');
    await expectLedgerClean(server.db);
  });

  it('gives 4000000000005423 an early fraud warning and no dispute, once; actionable until the charge is refunded', async () => {
    const before = await available();
    const intent = await stripe.paymentIntents.create({ amount: 1_900, currency: 'usd', payment_method: 'pm_card_createIssuerFraudRecord', confirm: true });
    const chargeId = intent.latest_charge as string;
    assert.equal(await openDueDisputes(server.deps), 1);
    assert.equal(await openDueDisputes(server.deps), 0, 'a second round warns of nothing more');
    const warnings = await stripe.radar.earlyFraudWarnings.list({ charge: chargeId });
    assert.equal(warnings.data.length, 1);
    const warning = warnings.data[0];
    assert.match(warning.id, /^issfr_/);
    assert.equal(warning.object, 'radar.early_fraud_warning');
    assert.equal(warning.actionable, true);
    assert.equal(warning.payment_intent, intent.id);
    assert.equal(warning.fraud_type, 'made_with_stolen_card');
    assert.equal((await stripe.disputes.list({ charge: chargeId })).data.length, 0, 'no dispute');
    assert.equal((await stripe.charges.retrieve(chargeId)).disputed, false);
    assert.equal(await available(), before, 'a warning moves no money');
    assert.deepEqual(await eventTypesFor(warning.id), ['radar.early_fraud_warning.created']);
    await stripe.refunds.create({ charge: chargeId });
    assert.equal((await stripe.radar.earlyFraudWarnings.retrieve(warning.id)).actionable, false, 'a fully refunded charge leaves nothing to act on');
    const other = await server.createAccount('No warnings here');
    await expectStripeError(other.stripe.radar.earlyFraudWarnings.retrieve(warning.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.equal((await other.stripe.radar.earlyFraudWarnings.list()).data.length, 0);
  });

  it('wins with winning_evidence: the amount (not the fee) is reinstated', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 3_000);
    const afterWithdrawal = await available();
    const won = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Jenny Rosen' }, metadata: { case: '17' } });
    assert.equal(won.status, 'won');
    assert.equal(won.evidence.customer_name, 'Jenny Rosen');
    assert.equal(won.evidence_details.has_evidence, true);
    assert.equal(won.evidence_details.submission_count, 1);
    assert.deepEqual(won.metadata, { case: '17' });
    assert.equal(won.balance_transactions.length, 2);
    const reinstatement = won.balance_transactions[1];
    assert.equal(reinstatement.reporting_category, 'dispute_reversal');
    assert.equal(reinstatement.amount, 3_000);
    assert.equal(reinstatement.fee, 0);
    assert.equal(await available(), afterWithdrawal + 3_000);
    assert.deepEqual(await eventTypesFor(dispute.id), ['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.funds_reinstated', 'charge.dispute.closed']);
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'more' } }), { class: invalidRequest, code: 'dispute_closed', statusCode: 400 });
    await expectStripeError(stripe.disputes.close(dispute.id), { class: invalidRequest, code: 'dispute_closed', statusCode: 400 });
    const metadataOnly = await stripe.disputes.update(dispute.id, { metadata: { note: 'kept' } });
    assert.deepEqual(metadataOnly.metadata, { case: '17', note: 'kept' }, 'metadata can still change after the end, as at Stripe');
    await expectLedgerClean(server.db);
  });

  it('loses with losing_evidence: nothing comes back', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 2_500);
    const afterWithdrawal = await available();
    const lost = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    assert.equal(lost.status, 'lost');
    assert.equal(lost.balance_transactions.length, 1);
    assert.equal(await available(), afterWithdrawal);
    assert.ok((await eventTypesFor(dispute.id)).includes('charge.dispute.closed'));
  });

  it('stages evidence with submit=false, then close loses it; a closed dispute takes no more evidence', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 1_200);
    const staged = await stripe.disputes.update(dispute.id, { evidence: { product_description: 'A blue mug' }, submit: false });
    assert.equal(staged.status, 'needs_response');
    assert.equal(staged.evidence_details.has_evidence, true);
    assert.equal(staged.evidence_details.submission_count, 0);
    const submitted = await stripe.disputes.update(dispute.id, { evidence: { shipping_carrier: 'UPS' } });
    assert.equal(submitted.status, 'under_review', 'evidence without a test value waits for the bank');
    assert.equal(submitted.evidence.product_description, 'A blue mug');
    assert.equal(submitted.evidence_details.submission_count, 1);
    const closed = await stripe.disputes.close(dispute.id);
    assert.equal(closed.status, 'lost');
    assert.equal(closed.balance_transactions.length, 1);
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } }), { class: invalidRequest, code: 'dispute_closed', statusCode: 400 });
    await expectLedgerClean(server.db);
  });

  it('refuses a refund of a charged-back charge, and names bad evidence', async () => {
    const { chargeId, intent, dispute } = await disputedPayment('pm_card_createDispute', 1_800);
    await expectStripeError(stripe.refunds.create({ charge: chargeId }), { class: invalidRequest, code: 'charge_disputed', param: 'charge', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 100 }), { class: invalidRequest, code: 'charge_disputed', param: 'payment_intent', statusCode: 400 });
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'x'.repeat(20_001) } }), { class: invalidRequest, param: 'evidence[uncategorized_text]', statusCode: 400 });
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { receipt: 'file_doesnotexist' } }), { class: invalidRequest, code: 'resource_missing', param: 'evidence[receipt]', statusCode: 404 });
    await expectStripeError(stripe.disputes.retrieve('dp_doesnotexist'), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    const unchanged = await stripe.disputes.retrieve(dispute.id);
    assert.equal(unchanged.status, 'needs_response');
    assert.equal(unchanged.evidence_details.has_evidence, false);
  });

  it('takes evidence files of purpose dispute_evidence only, and an empty value clears a field', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 1_700);
    const receipt = await stripe.files.create({ file: { data: pdfBytes, name: 'receipt.pdf', type: 'application/pdf' }, purpose: 'dispute_evidence' });
    const icon = await stripe.files.create({ file: { data: solidPng(128, [0, 0, 255]), name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { uncategorized_file: icon.id }, submit: false }), { class: invalidRequest, code: 'invalid_value', param: 'evidence[uncategorized_file]', statusCode: 400 });
    const other = await server.createAccount('Files elsewhere');
    const foreign = await other.stripe.files.create({ file: { data: pdfBytes, name: 'theirs.pdf', type: 'application/pdf' }, purpose: 'dispute_evidence' });
    await expectStripeError(stripe.disputes.update(dispute.id, { evidence: { receipt: foreign.id }, submit: false }), { class: invalidRequest, code: 'resource_missing', param: 'evidence[receipt]', statusCode: 404 });
    const staged = await stripe.disputes.update(dispute.id, { evidence: { receipt: receipt.id, customer_name: 'Jenny Rosen' }, submit: false });
    assert.equal(staged.evidence.receipt, receipt.id);
    const cleared = await stripe.disputes.update(dispute.id, { evidence: { customer_name: '' }, submit: false });
    assert.equal(cleared.evidence.customer_name, null);
    assert.equal(cleared.evidence.receipt, receipt.id);
    assert.equal(cleared.status, 'needs_response');
  });

  it('withdraws a converted charge\'s dispute in the settlement currency at the charge\'s rate, and reinstates it the same way', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1_000, currency: 'eur', payment_method: 'pm_card_createDispute', confirm: true });
    const chargeTransaction = await stripe.balanceTransactions.retrieve((await stripe.charges.retrieve(intent.latest_charge as string)).balance_transaction as string);
    assert.equal(chargeTransaction.currency, 'usd', 'the account settles euros in dollars');
    await openDueDisputes(server.deps);
    const [dispute] = (await stripe.disputes.list({ payment_intent: intent.id })).data;
    assert.equal(dispute.amount, 1_000);
    assert.equal(dispute.currency, 'eur');
    const withdrawal = dispute.balance_transactions[0];
    assert.equal(withdrawal.currency, 'usd');
    assert.equal(withdrawal.amount, -chargeTransaction.amount);
    assert.equal(withdrawal.exchange_rate, chargeTransaction.exchange_rate);
    assert.equal(withdrawal.fee, 1_500, 'the dispute fee in the settlement currency');
    const won = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    assert.equal(won.balance_transactions[1].amount, chargeTransaction.amount);
    assert.equal(won.balance_transactions[1].currency, 'usd');
    await expectLedgerClean(server.db);
  });

  it('charges the dispute fee of the account\'s pricing (payrail_settings[pricing][rules][dispute])', async () => {
    const priced = await server.createAccount('Priced disputes');
    await priced.stripe.accounts.update(priced.accountId, { payrail_settings: { pricing: { rules: { dispute: { usd: { fixed: 2_500, percent_bps: 100 } } } } } } as Stripe.AccountUpdateParams);
    const intent = await priced.stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    await openDueDisputes(server.deps);
    const [dispute] = (await priced.stripe.disputes.list({ payment_intent: intent.id })).data;
    assert.equal(dispute.balance_transactions[0].fee, 2_600, '25.00 plus 1% of 100.00');
    assert.equal(dispute.balance_transactions[0].net, -12_600);
    assert.equal(await usdBalance(priced.stripe, 'available'), -12_600);
    await expectLedgerClean(server.db);
  });

  it('a partially refunded charge is disputed for what remains', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 4_000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    const chargeId = intent.latest_charge as string;
    await stripe.refunds.create({ charge: chargeId, amount: 1_000 });
    await openDueDisputes(server.deps);
    const [dispute] = (await stripe.disputes.list({ payment_intent: intent.id })).data;
    assert.equal(dispute.amount, 3_000);
    assert.equal(dispute.balance_transactions[0].net, -4_500);
    await expectLedgerClean(server.db);
  });

  it('loses a dispute left unanswered past its due date (the deadline sweep)', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 1_100);
    const { dispute: answered } = await disputedPayment('pm_card_createDispute', 1_300);
    await stripe.disputes.update(answered.id, { evidence: { product_description: 'Shipped' } });
    assert.equal(await expirePastDueDisputes(server.deps), 0, 'nothing is due yet');
    server.clock.advance(9 * 86_400);
    assert.equal((await stripe.disputes.retrieve(dispute.id)).evidence_details.past_due, true);
    assert.ok(await expirePastDueDisputes(server.deps) >= 1);
    const lost = await stripe.disputes.retrieve(dispute.id);
    assert.equal(lost.status, 'lost');
    assert.equal(lost.evidence_details.past_due, false);
    assert.ok((await eventTypesFor(dispute.id)).includes('charge.dispute.closed'));
    assert.equal((await stripe.disputes.retrieve(answered.id)).status, 'under_review', 'a dispute with its evidence submitted waits for the bank');
    assert.equal(await expirePastDueDisputes(server.deps), 0, 'a second round changes nothing');
    await expectLedgerClean(server.db);
  });

  it('lists by charge, payment_intent and created, expands the charge, and keeps disputes to their account', async () => {
    const { chargeId, intent, dispute } = await disputedPayment('pm_card_createDispute', 1_400);
    const byIntent = await stripe.disputes.list({ payment_intent: intent.id, expand: ['data.charge'] });
    assert.deepEqual(byIntent.data.map((item) => item.id), [dispute.id]);
    assert.equal((byIntent.data[0].charge as Stripe.Charge).id, chargeId);
    const expanded = await stripe.disputes.retrieve(dispute.id, { expand: ['payment_intent'] });
    assert.equal((expanded.payment_intent as Stripe.PaymentIntent).id, intent.id);
    const recent = await stripe.disputes.list({ created: { gte: dispute.created }, limit: 100 });
    assert.ok(recent.data.some((item) => item.id === dispute.id));
    assert.equal((await stripe.disputes.list({ created: { gt: dispute.created + 86_400 * 30 } })).data.length, 0);

    const other = await server.createAccount('Other');
    await expectStripeError(other.stripe.disputes.retrieve(dispute.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.disputes.close(dispute.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.equal((await other.stripe.disputes.list()).data.length, 0);
    assert.equal((await stripe.disputes.retrieve(dispute.id)).status, 'needs_response');
  });

  it('a restricted key with permissions[dispute]=read lists and retrieves disputes, and may not close one', async () => {
    const { dispute } = await disputedPayment('pm_card_createDispute', 1_600);
    const key = (await stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', permissions: { dispute: 'read' } })) as unknown as { secret: string };
    const reader = server.stripeFor(key.secret);
    assert.equal((await reader.disputes.retrieve(dispute.id)).id, dispute.id);
    assert.ok((await reader.disputes.list({ limit: 100 })).data.some((item) => item.id === dispute.id));
    const refused = await expectStripeError(reader.disputes.close(dispute.id), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    assert.match(refused.message, /rak_dispute_write/);
    await expectStripeError(reader.disputes.update(dispute.id, { metadata: { k: 'v' } }), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.equal((await stripe.disputes.retrieve(dispute.id)).status, 'needs_response');
  });

  it('a full refund racing the sweep that opens the dispute never both take the money', async () => {
    for (let round = 0; round < 3; round += 1) {
      const intent = await stripe.paymentIntents.create({ amount: 2_200 + round, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
      const chargeId = intent.latest_charge as string;
      const [refund] = await Promise.allSettled([stripe.refunds.create({ charge: chargeId }), openDueDisputes(server.deps)]);
      const disputes = (await stripe.disputes.list({ charge: chargeId })).data;
      const charge = await stripe.charges.retrieve(chargeId);
      if (refund.status === 'fulfilled') {
        assert.equal(disputes.length, 0, `a refunded charge is not disputed (round ${round})`);
        assert.equal(charge.amount_refunded, charge.amount);
      } else {
        assert.equal((refund.reason as Stripe.errors.StripeError).code, 'charge_disputed');
        assert.equal(disputes.length, 1);
        assert.equal(charge.amount_refunded, 0);
      }
      assert.equal(await openDueDisputes(server.deps), 0);
    }
    await expectLedgerClean(server.db);
  });

  it('a submission and a close of one dispute never both apply', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { dispute } = await disputedPayment('pm_card_createDispute', 1_000 + round);
      const results = await Promise.allSettled([
        stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } }),
        stripe.disputes.close(dispute.id),
      ]);
      const applied = results.filter((result) => result.status === 'fulfilled');
      assert.equal(applied.length, 1, `exactly one applies (round ${round})`);
      for (const result of results) {
        if (result.status === 'rejected') assert.equal((result.reason as Stripe.errors.StripeError).code, 'dispute_closed');
      }
      const final = await stripe.disputes.retrieve(dispute.id);
      const winner = (applied[0] as PromiseFulfilledResult<Stripe.Dispute>).value;
      assert.equal(final.status, winner.status);
      assert.equal(final.balance_transactions.length, final.status === 'won' ? 2 : 1);
      const closedEvents = (await eventTypesFor(dispute.id)).filter((type) => type === 'charge.dispute.closed');
      assert.equal(closedEvents.length, 1);
    }
    await expectLedgerClean(server.db);
  });
});
