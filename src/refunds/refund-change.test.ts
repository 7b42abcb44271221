import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { imbalances } from '../ledger/entries.ts';
import type { Movement } from '../ledger/movements.ts';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import type { ChargeRow } from '../payments/repository.ts';
import { buildRefundCancelChange, buildRefundChange, buildRefundOutcomeChange, type RefundChange } from './refund-change.ts';
import type { RefundRow } from './repository.ts';
import { refundChangeParts } from './writer.ts';

// The builders are pure: these tests run without a database. test/refund-writer.test.ts and test/refunds.test.ts
// cover the same changes written by the writer.

const scope = { accountId: 'acct_test', livemode: false };
const now = 1_800_000_000;

function capturedCharge(captured: number, currency: string, converted: boolean): ChargeRow {
  return {
    id: 'ch_1', account_id: scope.accountId, livemode: false, payment_intent_id: 'pi_1', payment_method_id: 'pm_1', customer_id: null, amount: captured, amount_captured: captured,
    amount_refunded: 0, currency, status: 'succeeded', captured: true, authorized: true, released: false, failure_code: null, failure_message: null, outcome: null,
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', country: 'US' } }, description: null, receipt_email: null, processor_reference: 'ref_1', metadata: {},
    created: now, balance_transaction_id: 'txn_charge', hold_entry_id: null, settlement_currency: converted ? 'gbp' : null, exchange_rate: converted ? '0.8' : null, connector: null,
    connector_configuration_id: null, attempt_id: 'att_1', routing: null, capture_status: null, capture_requested_amount: null, source: null, statement_descriptor: null,
    statement_descriptor_suffix: null, shipping: null, fraud_details: {}, transfer_group: null, incremental_authorization_attempts: 0,
  } satisfies ChargeRow;
}

/** What refunding `amount` of `charge` settles to, as refundSettlement gives it (no fee, the charge's own rate). */
function settlementOf(charge: ChargeRow, amount: number): ChargeSettlement {
  const converted = charge.exchange_rate !== null;
  return {
    currency: charge.currency, amount, settlementCurrency: charge.settlement_currency ?? charge.currency,
    settlementAmount: converted ? Math.round(amount * Number(charge.exchange_rate)) : amount, exchangeRate: charge.exchange_rate, fee: 0, feeDetails: [], availableOn: now,
  };
}

function newRefund(charge: ChargeRow, amount: number, refundId: string, status: 'succeeded' | 'pending'): RefundChange {
  return buildRefundChange({
    scope, request: undefined, paymentIntentId: 'pi_1', charge, amount, reason: null, metadata: undefined, output: { status, processorReference: status === 'succeeded' ? 'arn_1' : null },
    settlement: settlementOf(charge, amount), refundId, now, created: now,
  });
}

/** The refund row a change inserts, or the row with its update applied. */
function applied(change: RefundChange, before?: RefundRow): RefundRow {
  if ('insert' in change.refund) return change.refund.insert;
  assert.ok(before);
  return { ...before, ...change.refund.update.changes };
}

const sumOf = (movement: Movement, kind: string) => movement.entries.flatMap((entry) => entry.postings).filter((posting) => posting.kind === kind).reduce((sum, posting) => sum + posting.amount, 0);

describe('buildRefundChange', () => {
  it('for any refund within what is left, posts one balanced entry and adds exactly its amount to the charge', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 99_999_999 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom('usd', 'eur', 'jpy'), fc.boolean(), fc.constantFrom('succeeded' as const, 'pending' as const),
      (captured, refundedShare, amountShare, currency, converted, status) => {
        const charge = { ...capturedCharge(captured, currency, converted), amount_refunded: Math.floor((captured - 1) * refundedShare) };
        const remaining = charge.amount_captured - charge.amount_refunded;
        const amount = Math.max(1, Math.floor(remaining * amountShare));
        const change = newRefund(charge, amount, 're_1', status);
        assert.equal(change.movement.entries.length, 1);
        for (const entry of change.movement.entries) assert.equal(imbalances(entry.postings).size, 0, `entry ${entry.type} balances`);
        assert.equal(sumOf(change.movement, 'provider_refunds'), -amount, 'the provider sends the refund back to the customer');
        assert.ok(sumOf(change.movement, 'merchant_available') > 0 || settlementOf(charge, amount).settlementAmount === 0, 'drawn from the available balance');
        assert.deepEqual(change.charge?.amountRefundedChange, amount);
        assert.ok(charge.amount_refunded + amount <= charge.amount_captured);
        const refund = applied(change);
        assert.equal(refund.status, status);
        assert.equal(refund.balance_transaction_id, change.movement.balanceTransactions[0].id);
        assert.deepEqual(change.events.map((event) => event.type), ['refund.created', 'charge.refunded']);
        assert.equal(change.events[1].object.amount_refunded, charge.amount_refunded + amount);
      },
    ));
  });

  it('refuses to build a refund larger than what is left of the capture', () => {
    const charge = { ...capturedCharge(1000, 'usd', false), amount_refunded: 600 };
    assert.throws(() => newRefund(charge, 401, 're_1', 'succeeded'), /within what was captured/);
  });
});

describe('refund changes in any order of operations', () => {
  type Operation = { kind: 'refund'; share: number; pending: boolean } | { kind: 'succeed'; pick: number } | { kind: 'fail'; pick: number } | { kind: 'cancel'; pick: number };
  const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({ kind: fc.constant('refund' as const), share: fc.double({ min: 0, max: 1, noNaN: true }), pending: fc.boolean() }),
    fc.record({ kind: fc.constant('succeed' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  );

  it('keep amount_refunded within 0..captured, equal to the refunds that stand, and the ledger balanced and in step', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), fc.array(operationArbitrary, { maxLength: 30 }), (captured, converted, operations) => {
      let charge = capturedCharge(captured, 'usd', converted);
      const refunds: RefundRow[] = [];
      const movements: Movement[] = [];
      // Applies a change as the writer would (the charge's change relative to the row), checking its entries balance.
      const apply = (change: RefundChange, before?: RefundRow) => {
        for (const entry of change.movement.entries) assert.equal(imbalances(entry.postings).size, 0);
        movements.push(change.movement);
        if (change.charge) charge = { ...charge, amount_refunded: charge.amount_refunded + change.charge.amountRefundedChange };
        const after = applied(change, before);
        const index = refunds.findIndex((refund) => refund.id === after.id);
        if (index === -1) refunds.push(after);
        else refunds[index] = after;
      };
      for (const operation of operations) {
        const remaining = charge.amount_captured - charge.amount_refunded;
        if (operation.kind === 'refund') {
          if (remaining === 0) continue;
          apply(newRefund(charge, Math.max(1, Math.floor(remaining * operation.share)), `re_${refunds.length}`, operation.pending ? 'pending' : 'succeeded'));
          continue;
        }
        if (operation.kind === 'cancel') {
          // No connector leaves a refund in requires_action today; the builder is exercised on a pending one put there.
          const waiting = refunds.filter((refund) => refund.status === 'pending');
          if (waiting.length === 0) continue;
          const refund = { ...waiting[operation.pick % waiting.length], status: 'requires_action' as const };
          apply(buildRefundCancelChange({ scope, request: undefined, refund, charge, settlement: settlementOf(charge, refund.amount), now }), refund);
          continue;
        }
        const candidates = refunds.filter((refund) => refund.status === 'pending');
        if (candidates.length === 0) continue;
        const refund = candidates[operation.pick % candidates.length];
        const output = operation.kind === 'succeed' ? { status: 'succeeded' as const, processorReference: 'arn_2' } : { status: 'failed' as const, reason: 'no such reason' };
        const change = buildRefundOutcomeChange({ scope, refund, charge, output, settlement: output.status === 'failed' ? settlementOf(charge, refund.amount) : undefined, now });
        if ('update' in change.refund) assert.equal(change.refund.update.expectStatus, 'pending');
        apply(change, refund);
        if (output.status === 'failed') assert.equal(refunds.find((row) => row.id === refund.id)?.failure_reason, 'unknown');
      }
      const standing = refunds.filter((refund) => refund.status !== 'failed' && refund.status !== 'canceled').reduce((sum, refund) => sum + refund.amount, 0);
      assert.ok(charge.amount_refunded >= 0 && charge.amount_refunded <= charge.amount_captured);
      assert.equal(charge.amount_refunded, standing);
      // provider_refunds is credit-normal: what the providers still send back is exactly what stands refunded.
      assert.equal(0 - movements.reduce((sum, movement) => sum + sumOf(movement, 'provider_refunds'), 0), standing);
      for (const refund of refunds.filter((row) => row.status === 'failed' || row.status === 'canceled')) assert.ok(refund.failure_balance_transaction_id, `${refund.id} names the transaction that returned its money`);
    }));
  });
});

describe('buildRefundOutcomeChange and buildRefundCancelChange', () => {
  const pending: RefundRow = {
    id: 're_1', account_id: scope.accountId, livemode: false, charge_id: 'ch_1', payment_intent_id: 'pi_1', amount: 400, currency: 'usd', status: 'pending', reason: null,
    failure_reason: null, processor_reference: null, metadata: { order: '7' }, created: now, balance_transaction_id: 'txn_refund', failure_balance_transaction_id: null,
  };
  const charge = { ...capturedCharge(1000, 'usd', false), amount_refunded: 400 };

  it('records a success without moving money, only while the refund is pending', () => {
    const change = buildRefundOutcomeChange({ scope, refund: pending, charge, output: { status: 'succeeded', processorReference: 'arn_9' }, now });
    assert.deepEqual(change.movement, { entries: [], balanceTransactions: [] });
    assert.equal(change.charge, undefined);
    assert.deepEqual('update' in change.refund && change.refund.update.expectStatus, 'pending');
    assert.deepEqual(change.events.map((event) => [event.type, event.previousAttributes]), [['refund.updated', { status: 'pending' }]]);
  });

  it('returns a failed refund\'s money and takes it off the charge, with the events in their order', () => {
    const change = buildRefundOutcomeChange({ scope, refund: pending, charge, output: { status: 'failed', reason: 'expired_or_canceled_card' }, settlement: settlementOf(charge, 400), now });
    assert.equal(change.charge?.amountRefundedChange, -400);
    assert.equal(sumOf(change.movement, 'provider_refunds'), 400);
    assert.equal(applied(change, pending).failure_balance_transaction_id, change.movement.balanceTransactions[0].id);
    assert.equal(applied(change, pending).failure_reason, 'expired_or_canceled_card');
    assert.deepEqual(change.events.map((event) => event.type), ['refund.failed', 'refund.updated', 'charge.refund.updated']);
  });

  it('cancels only a refund waiting for the customer, returning its money when it drew any', () => {
    assert.throws(() => buildRefundCancelChange({ scope, request: undefined, refund: pending, charge, settlement: settlementOf(charge, 400), now }), /requires_action/);
    const waiting = { ...pending, status: 'requires_action' as const };
    const change = buildRefundCancelChange({ scope, request: undefined, refund: waiting, charge, settlement: settlementOf(charge, 400), now });
    assert.equal(applied(change, waiting).status, 'canceled');
    assert.deepEqual(change.events.map((event) => [event.type, event.previousAttributes]), [
      ['refund.updated', { status: 'requires_action', failure_balance_transaction: null }],
      ['charge.refund.updated', { status: 'requires_action', failure_balance_transaction: null }],
    ]);
    const undrawn = buildRefundCancelChange({ scope, request: undefined, refund: { ...waiting, balance_transaction_id: null }, charge, now });
    assert.deepEqual(undrawn.movement.entries, []);
    assert.equal(applied(undrawn, waiting).failure_balance_transaction_id, null);
  });
});

describe('refundChangeParts (the writer\'s seam for batches)', () => {
  it('gives each change of a batch its own part names, each write gated by its own refund', () => {
    const charge = capturedCharge(1000, 'usd', false);
    const changes = [newRefund(charge, 100, 're_a', 'succeeded'), newRefund(charge, 200, 're_b', 'pending')];
    const parts = changes.map((change, index) => refundChangeParts(change, `c${index}_`));
    const names = parts.flat().map((part) => part.name);
    assert.equal(new Set(names).size, names.length);
    parts.forEach((own, index) => {
      assert.ok(own.every((part) => part.name.startsWith(`c${index}_`)));
      for (const part of own.filter((candidate) => candidate.name !== `c${index}_refund`)) {
        const referenced = [...part.statement.text.matchAll(/FROM (c\d+_\w+)\)/g)].map((match) => match[1]);
        assert.ok(referenced.length > 0, `${part.name} is gated`);
        assert.ok(referenced.every((name) => name === `c${index}_refund`), `${part.name} is gated by its own refund`);
      }
    });
  });
});
