import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthorizeOutput } from '../connectors/connector.ts';
import { imbalances } from '../ledger/entries.ts';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import type { CardPaymentMethodRow } from '../payment-methods/repository.ts';
import { buildAuthorizationChange, settlementNeeded, type AttemptContext, type AuthorizationInputs } from './authorization-change.ts';
import { buildCancelChange } from './cancel-change.ts';
import { buildCaptureChange, buildCaptureReleaseChange, buildCaptureReportChange, buildCaptureReservationChange } from './capture-change.ts';
import type { PaymentChange } from './change.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';
import { changeParts } from './writer.ts';

// The builder is pure: these tests run without a database. The end-to-end tests (test/attempt-outcome.test.ts and
// the payment tests) cover the same changes written by the writer.

const scope = { accountId: 'acct_test', livemode: false };
const now = 1_800_000_000;

function rows(amount: number, currency: string, options: { customer?: string | null; setupFutureUsage?: 'off_session' | null } = {}): AttemptContext {
  const intent = {
    id: 'pi_1', account_id: scope.accountId, livemode: false, amount, currency, status: 'processing', capture_method: 'automatic', confirmation_method: 'automatic',
    customer_id: options.customer ?? null, payment_method_id: 'pm_1', payment_method_types: ['card'], description: null, receipt_email: null, statement_descriptor: null,
    statement_descriptor_suffix: null, setup_future_usage: options.setupFutureUsage ?? null, return_url: 'https://shop.example/return', amount_capturable: 0, amount_received: 0,
    latest_charge_id: 'ch_1', last_payment_error: null, next_action: null, cancellation_reason: null, canceled_at: null, client_secret: 'pi_1_secret_x', metadata: {},
    created: now, automatic_payment_methods: null, shipping: null, payment_method_options: {},
  } satisfies PaymentIntentRow;
  const card = { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2040, fingerprint: 'fp', funding: 'credit', country: 'US', cvc_provided: true } as const;
  const charge = {
    id: 'ch_1', account_id: scope.accountId, livemode: false, payment_intent_id: intent.id, payment_method_id: 'pm_1', customer_id: intent.customer_id, amount, amount_captured: 0,
    amount_refunded: 0, currency, status: 'pending', captured: false, authorized: false, released: false, failure_code: null, failure_message: null, outcome: null,
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', country: 'US' } }, description: null, receipt_email: null, processor_reference: null, metadata: {},
    created: now, balance_transaction_id: null, hold_entry_id: null, settlement_currency: null, exchange_rate: null, connector: null, connector_configuration_id: null,
    attempt_id: null, routing: null, capture_status: null, capture_requested_amount: null, source: null, statement_descriptor: null, statement_descriptor_suffix: null,
    shipping: null, fraud_details: {}, transfer_group: null, incremental_authorization_attempts: 0,
  } satisfies ChargeRow;
  const paymentMethod: CardPaymentMethodRow = {
    id: 'pm_1', account_id: scope.accountId, livemode: false, type: 'card', customer_id: null, card, card_number_encrypted: Buffer.alloc(0), wallet: null,
    billing_details: { address: null, email: null, name: null, phone: null } as CardPaymentMethodRow['billing_details'], metadata: {}, created: now,
  };
  return { intent, charge, paymentMethod };
}

function inputs(overrides: Partial<AuthorizationInputs> = {}): AuthorizationInputs {
  return {
    scope, request: undefined, offSession: false, now, createdAt: now, publicUrl: 'https://payrail.example',
    source: { id: 'att_1', connector: 'test', configurationId: null, changes: { status: 'authorized' }, routing: null },
    ...overrides,
  };
}

/** A settlement as settleCharge would give it, with a fee up to the amount and optionally a conversion. */
function settlementOf(amount: number, currency: string, fee: number, converted: { currency: string; amount: number } | null): ChargeSettlement {
  return {
    currency, amount, settlementCurrency: converted?.currency ?? currency, settlementAmount: converted?.amount ?? amount,
    exchangeRate: converted ? '1.1' : null, fee, feeDetails: [], availableOn: now + 86_400,
  };
}

const declineArbitrary = fc.record({
  code: fc.constantFrom('card_declined', 'incorrect_cvc', 'expired_card'),
  declineCode: fc.constantFrom('generic_decline', 'insufficient_funds'),
  message: fc.constant('Your card was declined.'),
  blocked: fc.boolean(),
  networkStatus: fc.constantFrom('declined_by_network' as const, 'not_sent_to_network' as const),
});

const outputArbitrary: fc.Arbitrary<AuthorizeOutput> = fc.oneof(
  fc.record({ status: fc.constant('authorized' as const), captured: fc.boolean(), processorReference: fc.constant('ref_1'), riskScore: fc.nat(99) }),
  fc.record({ status: fc.constant('declined' as const), decline: declineArbitrary, processorReference: fc.constant(null), riskScore: fc.nat(99) }),
  fc.record({
    status: fc.constant('requires_authentication' as const),
    nextAction: fc.option(fc.record({ type: fc.constant('redirect_to_url' as const), url: fc.constant('https://acs.example/challenge'), method: fc.constantFrom('GET' as const, 'POST' as const), data: fc.constant({}) }), { nil: null }),
  }),
  fc.constant({ status: 'pending' as const }),
);

describe('buildAuthorizationChange', () => {
  it('for any answer, every ledger entry it posts balances per currency and only a gated change writes events', () => {
    fc.assert(fc.property(
      outputArbitrary,
      fc.integer({ min: 1, max: 99_999_999 }),
      fc.constantFrom('usd', 'eur', 'jpy'),
      fc.boolean(),
      fc.option(fc.record({ currency: fc.constantFrom('usd', 'gbp'), amount: fc.integer({ min: 1, max: 99_999_999 }) }), { nil: null }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (output, amount, currency, offSession, converted, feeShare) => {
        const settlementAmount = converted?.amount ?? amount;
        const settlement = settlementNeeded(output) ? settlementOf(amount, currency, Math.floor(settlementAmount * feeShare), converted) : undefined;
        const change = buildAuthorizationChange(rows(amount, currency), output, inputs({ offSession, settlement }));
        for (const entry of change.movement.entries) assert.equal(imbalances(entry.postings).size, 0, `entry ${entry.type} balances`);
        if (output.status === 'pending') {
          assert.equal(change.intent, undefined);
          assert.deepEqual(change.events, []);
          assert.deepEqual(change.movement.entries, []);
          assert.deepEqual(change.attempt?.from, ['pending', 'unknown']);
          return;
        }
        assert.deepEqual(change.intent?.expect, { status: 'processing', latestChargeId: 'ch_1', latestChargePending: true });
        assert.ok(change.events.length > 0);
        if (output.status === 'authorized') {
          assert.equal(change.movement.entries.length, 1);
          assert.equal(change.intent?.changes.status, output.captured ? 'succeeded' : 'requires_capture');
          if (output.captured) assert.equal(change.charge?.changes.balance_transaction_id, change.movement.balanceTransactions[0].id);
          else assert.equal(change.charge?.changes.hold_entry_id, change.movement.entries[0].id);
        } else {
          assert.deepEqual(change.movement.entries, []);
        }
      },
    ));
  });

  it('refuses to build a captured authorization without the settlement read before it', () => {
    assert.throws(() => buildAuthorizationChange(rows(1000, 'usd'), { status: 'authorized', captured: true, processorReference: 'ref', riskScore: 1 }, inputs()), /settlement/);
  });

  it('turns an off-session request for authentication into an authentication_required decline, on the attempt too', () => {
    const change = buildAuthorizationChange(rows(1000, 'usd'), { status: 'requires_authentication', nextAction: null }, inputs({ offSession: true }));
    assert.equal(change.intent?.changes.status, 'requires_payment_method');
    assert.equal(change.decline?.code, 'authentication_required');
    assert.equal(change.attempt?.changes.status, 'declined');
    assert.equal(change.challenge, undefined);
    assert.deepEqual(change.events.map((event) => event.type), ['charge.failed', 'payment_intent.payment_failed']);
  });

  it('creates a Payrail challenge, named in the next action, when the provider gives no page of its own', () => {
    const change = buildAuthorizationChange(rows(1000, 'usd'), { status: 'requires_authentication', nextAction: null }, inputs());
    assert.ok(change.challenge);
    assert.deepEqual(change.intent?.changes.next_action, {
      type: 'redirect_to_url', redirect_to_url: { return_url: 'https://shop.example/return', url: `https://payrail.example/3ds/${change.challenge.id}` },
    });
  });

  it('attaches the card to the customer with setup_future_usage, with the attach event kept apart from the others', () => {
    const change = buildAuthorizationChange(rows(1000, 'usd', { customer: 'cus_1', setupFutureUsage: 'off_session' }), { status: 'authorized', captured: false, processorReference: 'ref', riskScore: 1 }, inputs());
    assert.equal(change.paymentMethod?.attach?.customerId, 'cus_1');
    assert.deepEqual(change.paymentMethod?.attach?.events.map((event) => event.type), ['payment_method.attached']);
    assert.deepEqual(change.events.map((event) => event.type), ['charge.succeeded', 'payment_intent.amount_capturable_updated']);
    assert.equal(change.providerReference, undefined, 'the provider said nothing of storing it');
  });

  it('keeps what the provider stored of a card saved with setup_future_usage, gated with the outcome, and shows its network transaction id', () => {
    const stored = { providerToken: 'tok_1', shopperReference: 'cus_1', networkTransactionId: '123456789012345' };
    const source = { id: 'pa_1', connector: 'adyen', configurationId: 'pcc_1', changes: { status: 'authorized' as const }, routing: null };
    const change = buildAuthorizationChange(rows(1000, 'usd', { customer: 'cus_1', setupFutureUsage: 'off_session' }), { status: 'authorized', captured: false, processorReference: 'ref', riskScore: 1, stored }, inputs({ source }));
    assert.deepEqual(change.providerReference, {
      payment_method_id: 'pm_1', connector: 'adyen', connector_configuration_id: 'pcc_1', provider_token: 'tok_1', shopper_reference: 'cus_1',
      network_transaction_id: '123456789012345', usage: 'off_session', source_attempt_id: 'pa_1', created: now,
    });
    assert.equal((change.charge?.changes.payment_method_details as { card: { network_transaction_id: string } }).card.network_transaction_id, '123456789012345');
    // Without setup_future_usage, whatever the provider says is not kept.
    const unsaved = buildAuthorizationChange(rows(1000, 'usd'), { status: 'authorized', captured: false, processorReference: 'ref', riskScore: 1, stored }, inputs({ source }));
    assert.equal(unsaved.providerReference, undefined);
  });
});

describe('buildCaptureChange', () => {
  it('for any partial or full capture of a held authorization, posts one balanced entry that resolves the whole hold', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99_999_999 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (authorized, captureShare, feeShare) => {
      const { intent, charge } = rows(authorized, 'usd');
      const amount = Math.max(1, Math.floor(authorized * captureShare));
      const held = { ...charge, status: 'succeeded' as const, authorized: true, hold_entry_id: 'le_hold' };
      const change = buildCaptureChange({
        scope, request: undefined, intent: { ...intent, status: 'requires_capture', amount_capturable: authorized }, charge: held, amount,
        settlement: settlementOf(amount, 'usd', Math.floor(amount * feeShare), null), now, captureStatus: null,
      });
      assert.equal(change.movement.entries.length, 1);
      const [entry] = change.movement.entries;
      assert.equal(imbalances(entry.postings).size, 0);
      assert.equal(entry.resolvesEntryId, 'le_hold');
      // The hold is released whole (merchant_authorized back to zero for this charge), whatever was captured.
      const authorizedMoved = entry.postings.filter((posting) => posting.kind === 'merchant_authorized').reduce((sum, posting) => sum + posting.amount, 0);
      assert.equal(Math.abs(authorizedMoved), authorized);
      assert.equal(change.charge?.changes.released, amount < authorized);
      assert.equal(change.intent?.changes.amount_received, amount);
      assert.equal(change.intent?.expect, undefined);
      assert.deepEqual(change.events.map((event) => event.type), ['charge.captured', 'payment_intent.succeeded']);
    }));
  });
});

describe('the capture\'s other steps', () => {
  const charge = { id: 'ch_1', account_id: scope.accountId };
  it('reserves a capture on the charge alone: no gate, no ledger, no event', () => {
    const change = buildCaptureReservationChange(scope, charge, 700);
    assert.deepEqual(change.charge, { current: charge, changes: { capture_status: 'pending', capture_requested_amount: 700 } });
    assert.equal(change.intent, undefined);
    assert.deepEqual([change.movement.entries.length, change.events.length], [0, 0]);
    const [part] = changeParts(change, '');
    assert.match(part.statement.text, /^UPDATE charges c SET capture_status = r\.capture_status, capture_requested_amount = r\.capture_requested_amount FROM /);
    assert.match(part.statement.text, / AND true RETURNING c\.\*$/);
    assert.deepEqual(JSON.parse(part.statement.values[0] as string), [{ id: 'ch_1', account_id: scope.accountId, capture_status: 'pending', capture_requested_amount: 700 }]);
  });

  it('releases a refused capture only while the charge still holds that very reservation', () => {
    const change = buildCaptureReleaseChange(scope, charge, 700);
    assert.deepEqual(change.charge?.changes, { capture_status: null, capture_requested_amount: null });
    const parts = changeParts(change, '');
    assert.equal(parts.length, 1);
    assert.match(parts[0].statement.text, /AND NOT c\.captured AND c\.capture_status = 'pending' AND c\.capture_requested_amount = \(e->>'expect_reserved'\)::bigint/);
    assert.equal(JSON.parse(parts[0].statement.values[0] as string)[0].expect_reserved, 700);
  });

  it('marks a posted capture as the provider reports it, and fails a reserved one, posting nothing', () => {
    assert.deepEqual(buildCaptureReportChange(scope, { ...charge, captured: true }, 'failed').charge?.changes, { capture_status: 'failed' });
    assert.deepEqual(buildCaptureReportChange(scope, { ...charge, captured: true }, 'succeeded').charge?.changes, { capture_status: 'succeeded' });
    assert.deepEqual(buildCaptureReportChange(scope, { ...charge, captured: false }, 'failed').charge?.changes, { capture_status: 'failed', capture_requested_amount: null });
    assert.throws(() => buildCaptureReportChange(scope, { ...charge, captured: false }, 'succeeded'), /posted/);
  });
});

describe('buildCancelChange', () => {
  it('releases a voided authorization\'s whole hold in one balanced entry, and cancels the intent', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99_999_999 }), fc.constantFrom('usd', 'eur', 'jpy'), (amount, currency) => {
      const { intent, charge } = rows(amount, currency);
      const voided = { ...charge, status: 'succeeded' as const, authorized: true, hold_entry_id: 'le_hold' };
      const change = buildCancelChange({ scope, request: undefined, intent: { ...intent, status: 'requires_capture' }, reason: null, voided, now, canceledAt: now });
      const [entry] = change.movement.entries;
      assert.equal(imbalances(entry.postings).size, 0);
      assert.equal(entry.resolvesEntryId, 'le_hold');
      assert.equal(entry.postings.filter((posting) => posting.kind === 'merchant_authorized').reduce((sum, posting) => sum + posting.amount, 0), amount, 'the hold (a credit of merchant_authorized) is debited back whole');
      assert.deepEqual(change.charge?.changes, { released: true });
      assert.equal(change.abandonChallenges, false);
      assert.deepEqual(change.events.map((event) => event.type), ['charge.refunded', 'payment_intent.canceled']);
    }));
  });

  it('fails the pending charge and attempt of an intent waiting for authentication, and abandons its challenges', () => {
    const { intent, charge } = rows(1000, 'usd');
    const change = buildCancelChange({
      scope, request: undefined, intent: { ...intent, status: 'requires_action' }, reason: 'abandoned', awaitingAuthentication: { ...charge, attempt_id: 'att_1' }, now, canceledAt: now,
    });
    assert.equal(change.abandonChallenges, true);
    assert.equal(change.charge?.changes.status, 'failed');
    assert.deepEqual(change.attempt?.from, ['requires_action']);
    assert.deepEqual(change.movement.entries, []);
    assert.deepEqual(change.intent?.changes.cancellation_reason, 'abandoned');
    assert.deepEqual(change.events.map((event) => event.type), ['charge.failed', 'payment_intent.canceled']);
  });
});

describe('changeParts (the writer\'s seam for batches)', () => {
  it('gives each change of a batch its own part names, each gated by its own compare-and-set', () => {
    const answer: AuthorizeOutput = { status: 'authorized', captured: false, processorReference: 'ref', riskScore: 1 };
    const changes: PaymentChange[] = [0, 1].map(() => buildAuthorizationChange(rows(1000, 'usd', { customer: 'cus_1', setupFutureUsage: 'off_session' }), answer, inputs()));
    const parts = changes.map((change, index) => changeParts(change, `c${index}_`));
    const names = parts.flat().map((part) => part.name);
    assert.equal(new Set(names).size, names.length);
    parts.forEach((own, index) => {
      assert.ok(own.every((part) => part.name.startsWith(`c${index}_`)));
      for (const part of own.filter((candidate) => candidate.name !== `c${index}_intent`)) {
        // Gated by a subquery over the gate part (`FROM c0_intent)`) or by a join with it (`, c0_intent AS gate_row`).
        const referenced = [...part.statement.text.matchAll(/(?:FROM |, )(c\d+_\w+)(?:\)| AS gate_row)/g)].map((match) => match[1]);
        assert.ok(referenced.length > 0, `${part.name} is gated`);
        assert.ok(referenced.every((name) => name.startsWith(`c${index}_`)), `${part.name} refers only to its own change`);
      }
    });
  });
});
