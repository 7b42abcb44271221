import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { imbalances } from '../ledger/entries.ts';
import { buildIncrementChange } from './increment-change.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';

// The builder is pure: these tests run without a database. test/stripe-operations.test.ts and the Stripe connector
// tests cover the same change written by the writer.

const scope = { accountId: 'acct_test', livemode: false };
const now = 1_800_000_000;

/** A manual-capture intent in requires_capture with its authorized, incrementable charge (held on the ledger or not). */
function rows(amount: number, currency: string, held: boolean): { intent: PaymentIntentRow; charge: ChargeRow } {
  const intent = {
    id: 'pi_1', account_id: scope.accountId, livemode: false, amount, currency, status: 'requires_capture', capture_method: 'manual', confirmation_method: 'automatic',
    customer_id: null, payment_method_id: 'pm_1', payment_method_types: ['card'], description: null, receipt_email: null, statement_descriptor: null,
    statement_descriptor_suffix: null, setup_future_usage: null, return_url: 'https://shop.example/return', amount_capturable: amount, amount_received: 0,
    latest_charge_id: 'ch_1', last_payment_error: null, next_action: null, cancellation_reason: null, canceled_at: null, client_secret: 'pi_1_secret_x', metadata: {},
    created: now, automatic_payment_methods: null, shipping: null, payment_method_options: {},
  } satisfies PaymentIntentRow;
  const charge = {
    id: 'ch_1', account_id: scope.accountId, livemode: false, payment_intent_id: intent.id, payment_method_id: 'pm_1', customer_id: intent.customer_id, amount, amount_captured: 0,
    amount_refunded: 0, currency, status: 'succeeded', captured: false, authorized: true, released: false, failure_code: null, failure_message: null, outcome: null,
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', country: 'US', amount_authorized: amount, incremental_authorization: { status: 'available' }, overcapture: { status: 'unavailable', maximum_amount_capturable: amount } } }, description: null, receipt_email: null, processor_reference: 'ref_1', metadata: {},
    created: now, balance_transaction_id: null, hold_entry_id: held ? 'le_hold' : null, settlement_currency: null, exchange_rate: null, connector: null, connector_configuration_id: null,
    attempt_id: null, routing: null, capture_status: null, capture_requested_amount: null, source: null, statement_descriptor: null, statement_descriptor_suffix: null,
    shipping: null, fraud_details: {}, transfer_group: null, incremental_authorization_attempts: 0,
  } satisfies ChargeRow;
  return { intent, charge };
}

describe('buildIncrementChange', () => {
  it('for any approved increment, moves the whole hold to the new total in balanced entries and grows charge and intent', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 49_999_999 }), fc.integer({ min: 1, max: 49_999_999 }), fc.constantFrom('usd', 'eur', 'jpy'), fc.boolean(), fc.nat(9), (authorized, more, currency, held, attempts) => {
      const { intent, charge } = rows(authorized, currency, held);
      const total = authorized + more;
      const change = buildIncrementChange({ scope, request: undefined, intent, charge: { ...charge, incremental_authorization_attempts: attempts }, amount: total, now }, { status: 'authorized', amount: total });
      for (const entry of change.movement.entries) assert.equal(imbalances(entry.postings).size, 0, `entry ${entry.type} balances`);
      assert.deepEqual(change.movement.entries.map((entry) => entry.type), held ? ['hold_release', 'authorization_hold'] : ['authorization_hold']);
      // What stays held for this charge afterwards (merchant_authorized is credit-normal) is exactly the new total.
      const heldAfter = change.movement.entries.flatMap((entry) => entry.postings).filter((posting) => posting.kind === 'merchant_authorized').reduce((sum, posting) => sum + posting.amount, 0);
      assert.equal(0 - heldAfter, held ? total - authorized : total);
      if (held) assert.equal(change.movement.entries[0].resolvesEntryId, 'le_hold');
      assert.equal(change.charge?.changes.hold_entry_id, change.movement.entries.at(-1)?.id);
      assert.equal(change.charge?.changes.amount, total);
      assert.equal(change.charge?.changes.incremental_authorization_attempts, attempts + 1);
      assert.equal(change.intent?.changes.amount_capturable, total);
      assert.equal(change.intent?.expect, undefined);
      assert.deepEqual(change.events.map((event) => [event.type, event.previousAttributes]), [['payment_intent.amount_capturable_updated', { amount: authorized, amount_capturable: authorized }]]);
    }));
  });

  it('counts a declined attempt and changes nothing else', () => {
    const { intent, charge } = rows(1000, 'usd', true);
    const change = buildIncrementChange({ scope, request: undefined, intent, charge, amount: 1500, now }, {
      status: 'declined', decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.', blocked: false, networkStatus: 'declined_by_network' },
    });
    assert.equal(change.intent, undefined);
    assert.deepEqual(change.charge?.changes, { incremental_authorization_attempts: 1 });
    assert.deepEqual(change.movement, { entries: [], balanceTransactions: [] });
    assert.deepEqual(change.events, []);
  });

  it('refuses an approval of another total than the one asked for', () => {
    const { intent, charge } = rows(1000, 'usd', true);
    assert.throws(() => buildIncrementChange({ scope, request: undefined, intent, charge, amount: 1500, now }, { status: 'authorized', amount: 1400 }), /total asked for/);
  });
});
