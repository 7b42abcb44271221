import { testDisputeOf, type TestDispute } from '../connectors/test-processor/test-cards.ts';
import { recordEvents } from '../events/service.ts';
import { disputeFee } from '../fees/dispute-fee.ts';
import { disputeWithdrawalMovement } from '../ledger/dispute-movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import { refundSettlement } from '../payments/ledger.ts';
import { findPaymentIntent, type ChargeRow } from '../payments/repository.ts';
import { renderCharge } from '../payments/render.ts';
import { inTransaction } from '../platform/db.ts';
import { newId } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import { startOfDay, secondsPerDay } from '../platform/clock.ts';
import { findChargeForDispute, findChargesToDispute, insertDispute, markChargeDisputed, type DisputeRow } from './repository.ts';
import { disputeView, renderDisputeView, type DisputeDependencies } from './service.ts';
import { openEarlyFraudWarning } from './early-fraud-warnings.ts';

/** How many charges one round of the sweep disputes (or warns of) (the rest wait for the next round). */
export const disputesOpenedPerSweep = 100;

/**
 * Days the merchant has to answer, counted from the day the dispute opens: `due_by` is the last second of the 7th
 * day after it. Stripe gives 7 to 21 days depending on the network; Payrail's test processor takes the shortest.
 */
export const responseDays = 7;

const reasons: Record<Exclude<TestDispute, 'early_fraud_warning'>, string> = { fraudulent: 'fraudulent', product_not_received: 'product_not_received', inquiry: 'fraudulent' };

/**
 * The disputes sweep: each captured charge of a Stripe dispute test card gets its dispute, at the first round after
 * its capture (Stripe too opens them moments after the charge, asynchronously). Per charge, one transaction under the
 * lock of its PaymentIntent (the one lock every money movement of a payment takes): the dispute, `charge.disputed`,
 * the withdrawal of the disputed amount and the fee (not for an inquiry) and the events; for the early-fraud-warning
 * card, an early fraud warning (early-fraud-warnings.ts) and no dispute. A charge is disputed once:
 * the charge is re-read under the lock and `disputes.charge_id` is unique.
 */
export async function openDueDisputes(deps: DisputeDependencies): Promise<number> {
  const charges = await findChargesToDispute(deps.db, disputesOpenedPerSweep);
  let opened = 0;
  for (const candidate of charges) {
    const kind = testDisputeOf(candidate.processor_reference);
    if (!kind) continue;
    const scope: Scope = { accountId: candidate.account_id, livemode: candidate.livemode };
    const dispute = await inTransaction(deps.db, async (client) => {
      await findPaymentIntent(client, scope, candidate.payment_intent_id, { forUpdate: true });
      const charge = await findChargeForDispute(client, scope, candidate.id);
      if (!charge || charge.disputed === true || charge.amount_captured - charge.amount_refunded <= 0) return undefined;
      // The early-fraud-warning card gets a warning and no dispute.
      if (kind === 'early_fraud_warning') return openEarlyFraudWarning(client, scope, charge, deps.clock.nowSeconds());
      return openDispute(deps, client, scope, charge, kind);
    });
    if (dispute) opened += 1;
  }
  return opened;
}

async function openDispute(deps: DisputeDependencies, client: import('pg').PoolClient, scope: Scope, charge: ChargeRow, kind: Exclude<TestDispute, 'early_fraud_warning'>): Promise<DisputeRow | undefined> {
  const now = deps.clock.nowSeconds();
  const inquiry = kind === 'inquiry';
  const amount = charge.amount_captured - charge.amount_refunded;
  const id = newId('dp');
  // The disputed amount leaves at the charge's own rate, as a refund's would; an inquiry moves nothing.
  const settlement = inquiry ? undefined : await refundSettlement(deps, client, scope, charge, amount);
  const fee = settlement ? disputeFee(deps.pricing, (await deps.settings.get(scope.accountId, client)).pricing, settlement.settlementCurrency, settlement.settlementAmount) : 0;
  const movement = settlement ? disputeWithdrawalMovement(scope, { id, amount, currency: charge.currency }, settlement, fee, now) : undefined;
  const dispute = await insertDispute(client, {
    id, account_id: scope.accountId, livemode: scope.livemode, charge_id: charge.id, payment_intent_id: charge.payment_intent_id, amount, currency: charge.currency,
    status: inquiry ? 'warning_needs_response' : 'needs_response', reason: reasons[kind], evidence: {}, due_by: startOfDay(now) + (responseDays + 1) * secondsPerDay - 1,
    submission_count: 0, is_charge_refundable: inquiry, withdrawal_balance_transaction_id: movement?.balanceTransactions[0].id ?? null,
    reinstatement_balance_transaction_id: null, metadata: {}, created: now,
  });
  if (!dispute) return undefined;
  await markChargeDisputed(client, charge);
  if (movement) await writeMovement(client, movement);
  const rendered = renderDisputeView(await disputeView(client, scope, dispute, now));
  await recordEvents(client, scope, undefined, [
    { type: 'charge.dispute.created', object: rendered },
    ...(movement ? [{ type: 'charge.dispute.funds_withdrawn', object: rendered }] : []),
    { type: 'charge.updated', object: renderCharge({ ...charge, disputed: true }), previousAttributes: { disputed: false } },
  ]);
  return dispute;
}
