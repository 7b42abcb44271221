import type pg from 'pg';
import type { AuthorizeOutput, Decline } from '../connectors/connector.ts';
import { attemptUpdateStatement, updateAttempt, type AttemptChanges } from '../orchestration/attempts-repository.ts';
import type { ChargeRouting } from '../orchestration/orchestrator.ts';
import type { Dependencies } from '../dependencies.ts';
import { eventsInsertStatement, type NewEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { combine, run, type Statement } from '../platform/statements.ts';
import { assert } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPaymentMethod, renderPayPalPaymentDetails } from '../payment-methods/render.ts';
import { paymentMethodAttachStatement, paymentMethodWalletStatement, type PaymentMethodRow } from '../payment-methods/repository.ts';
import { authorizationHold, captureMovement } from '../ledger/movements.ts';
import { movementParts } from '../ledger/service.ts';
import { captureSettlement } from './ledger.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import { chargeUpdateStatement, findPaymentIntent, intentUpdateStatement, type ChargeRow, type LastPaymentError, type PaymentIntentRow } from './repository.ts';
import { challengeInsertStatement } from './challenges-repository.ts';
import { effectiveSetupFutureUsage } from './payment-method-options.ts';
import type { IntentResult } from './types.ts';

// Applies a provider's answer to an attempt as one statement. Called only through applyAttemptOutcome
// (orchestration/attempt-outcome.ts), whoever brought the answer.

/** The attempt an answer came from, what to record on it, and the routing to show on the charge. */
export interface AttemptSource {
  id: string;
  connector: string;
  configurationId: string | null;
  changes: AttemptChanges;
  routing: ChargeRouting | null;
}

const authenticationFailureMessage =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.';

/** What applying an answer needs to know about its attempt (read in the attempt's first transaction). */
export interface AttemptContext {
  /** The intent as it was when the attempt went to `processing`. */
  intent: PaymentIntentRow;
  charge: ChargeRow;
  paymentMethod: PaymentMethodRow;
}

function declineToError(decline: Decline, chargeId: string, paymentMethod: PaymentMethodRow, authenticationFailed: boolean): LastPaymentError & { payment_method: unknown } {
  return authenticationFailed
    ? { type: 'card_error', code: 'payment_intent_authentication_failure', message: authenticationFailureMessage, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) }
    : { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) };
}

/**
 * Applies a provider's answer to an attempt, as one statement: the intent is written with a compare-and-set on
 * (status processing, latest charge = this attempt, that charge still pending), which also takes its row lock, and
 * the charge, events and any side records are written only when that matched. If anything else already applied an
 * answer for this attempt, nothing changes: each attempt's outcome is applied exactly once. The events are rendered
 * here from the attempt's rows, which nothing else may change while the intent is `processing`.
 */
export async function applyAuthorization(
  client: pg.PoolClient,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  deps: Dependencies,
  scope: Scope,
  attempt: AttemptContext,
  output: AuthorizeOutput,
  options: { offSession: boolean; authenticated?: boolean; source: AttemptSource },
): Promise<IntentResult> {
  const { intent, charge, paymentMethod } = attempt;
  const source = options.source;
  let attemptChanges = source.changes;
  const unchanged = async (): Promise<IntentResult> => {
    const current = await findPaymentIntent(client, scope, intent.id);
    assert(current, `intent ${intent.id} exists`);
    return { intent: current };
  };
  if (output.status === 'pending') {
    // Nothing to apply yet: the attempt is left to the janitor on its schedule.
    await updateAttempt(client, source.id, attemptChanges, ['pending', 'unknown']);
    return unchanged();
  }
  if (output.status === 'requires_authentication' && options.offSession) {
    output = {
      status: 'declined',
      decline: { code: 'authentication_required', declineCode: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', blocked: false, networkStatus: 'declined_by_network' },
      processorReference: null,
      riskScore: 0,
    };
    attemptChanges = { ...attemptChanges, status: 'declined', decline_code: 'authentication_required', failure_code: 'authentication_required', redirect: null, detail: 'The provider asked for authentication, which an off-session payment cannot give.' };
  }
  const routing = source.routing ? withAttemptStatus(source.routing, source.id, attemptChanges) : null;
  const attribution: Partial<ChargeRow> = { connector: source.connector, connector_configuration_id: source.configurationId, attempt_id: source.id, routing: routing as Record<string, unknown> | null };
  const card = (charge.payment_method_details as { card: Record<string, unknown> }).card;
  // Card checks and 3-D Secure are a card's; a wallet's details change only when its provider reports the payer.
  const detailsWith = (cvcCheck: string | null, extra: Record<string, unknown> = {}) => paymentMethod.type !== 'card' ? charge.payment_method_details : ({
    ...charge.payment_method_details,
    card: {
      ...card,
      ...extra,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: cvcCheck },
      three_d_secure: options.authenticated ? { authentication_flow: 'challenge', result: 'authenticated', result_reason: null, version: '2.2.0' } : null,
    },
  });

  const applied = 'EXISTS (SELECT 1 FROM intent)';
  let intentChanges: Partial<PaymentIntentRow>;
  let chargeChanges: Partial<ChargeRow> | undefined;
  const events: NewEvent[] = [];
  const sideWrites: { name: string; statement: Statement }[] = [];
  const sideEvents: { guard: string; events: NewEvent[] }[] = [];
  let decline: IntentResult['decline'];

  switch (output.status) {
    case 'authorized': {
      intentChanges = output.captured
        ? { status: 'succeeded', amount_received: intent.amount, amount_capturable: 0, next_action: null }
        : { status: 'requires_capture', amount_capturable: intent.amount, next_action: null };
      chargeChanges = {
        ...attribution,
        status: 'succeeded',
        authorized: true,
        captured: output.captured,
        amount_captured: output.captured ? charge.amount : 0,
        processor_reference: output.processorReference,
        payment_method_details: paymentMethod.type === 'card'
          ? detailsWith(paymentMethod.card.cvc_provided ? 'pass' : null, {
            amount_authorized: charge.amount,
            // The processor says whether this authorization can be incremented (asked with request_incremental_authorization).
            incremental_authorization: { status: output.incrementalAuthorization ? 'available' : 'unavailable' },
          })
          : { ...charge.payment_method_details, paypal: renderPayPalPaymentDetails(paymentMethod.wallet, output.payer) },
        outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: output.riskScore, seller_message: 'Payment complete.', type: 'authorized' },
      };
      // The ledger moves with the state, in the same statement and under the same compare-and-set: a capture posts
      // the charge (net to pending, fee to the platform); an authorization alone posts a hold.
      const now = deps.clock.nowSeconds();
      if (output.captured) {
        const settlement = await captureSettlement(deps, client, scope, charge, charge.amount);
        const movement = captureMovement(scope, charge, settlement, null, now);
        Object.assign(chargeChanges, {
          balance_transaction_id: movement.balanceTransactions[0].id,
          settlement_currency: settlement.settlementCurrency,
          exchange_rate: settlement.exchangeRate,
        });
        sideWrites.push(...movementParts('ledger', movement, applied));
      } else {
        const hold = authorizationHold(scope, charge.id, charge.amount, charge.currency, now);
        chargeChanges.hold_entry_id = hold.id;
        sideWrites.push(...movementParts('ledger', { entries: [hold] }, applied));
      }
      events.push(
        { type: 'charge.succeeded', object: renderCharge({ ...charge, ...chargeChanges }) },
        { type: output.captured ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
      );
      // What PayPal told about the payer fills the PaymentMethod's `paypal` hash, as at Stripe. One statement changes
      // a row once, so when the attach below changes the same row it writes the payer too.
      const wallet = paymentMethod.type === 'paypal' && output.payer
        ? { country: output.payer.country, payer_email: output.payer.payerEmail, payer_id: output.payer.payerId }
        : null;
      const attaching = Boolean(effectiveSetupFutureUsage(intent, paymentMethod.type) && intent.customer_id);
      if (wallet && !attaching) {
        sideWrites.push({ name: 'wallet', statement: paymentMethodWalletStatement(scope, paymentMethod.id, wallet, applied) });
      }
      // setup_future_usage saves the card for the intent's customer once it has been used successfully.
      if (attaching) {
        sideWrites.push({ name: 'attached', statement: paymentMethodAttachStatement(scope, paymentMethod.id, intent.customer_id, wallet, applied) });
        sideEvents.push({ guard: 'EXISTS (SELECT 1 FROM attached)', events: [{ type: 'payment_method.attached', object: renderPaymentMethod({ ...paymentMethod, customer_id: intent.customer_id }) }] });
      }
      break;
    }
    case 'declined': {
      const reason: Decline = output.decline;
      decline = declineToError(reason, charge.id, paymentMethod, options.authenticated === false);
      intentChanges = { status: 'requires_payment_method', payment_method_id: null, amount_capturable: 0, next_action: null, last_payment_error: decline };
      chargeChanges = {
        ...attribution,
        status: 'failed',
        failure_code: reason.code,
        failure_message: reason.message,
        processor_reference: output.processorReference,
        payment_method_details: detailsWith(reason.code === 'incorrect_cvc' ? 'fail' : null),
        outcome: {
          network_status: reason.networkStatus,
          reason: reason.declineCode,
          risk_level: reason.blocked ? 'highest' : 'normal',
          risk_score: output.riskScore,
          seller_message: reason.blocked ? 'Payrail blocked this payment as too risky.' : 'The bank did not return any further details with this decline.',
          type: reason.blocked ? 'blocked' : 'issuer_declined',
        },
      };
      events.push(
        { type: 'charge.failed', object: renderCharge({ ...charge, ...chargeChanges }) },
        { type: 'payment_intent.payment_failed', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
      );
      break;
    }
    case 'requires_authentication': {
      chargeChanges = { ...attribution, processor_reference: output.processorReference ?? null };
      if (output.nextAction) {
        // The provider's own page (its 3-D Secure challenge, a wallet's approval). A form POST goes through Payrail's
        // redirect page, which posts the provider's fields for the customer.
        const url = output.nextAction.method === 'GET' ? output.nextAction.url : `${deps.publicUrl}/payrail/redirect/${source.id}`;
        intentChanges = { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url } } };
        events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
        break;
      }
      const challengeId = newId('auth');
      intentChanges = {
        status: 'requires_action',
        next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url: `${deps.publicUrl}/3ds/${challengeId}` } },
      };
      sideWrites.push({
        name: 'challenge',
        statement: challengeInsertStatement(scope, { id: challengeId, payment_intent_id: intent.id, charge_id: charge.id, return_url: intent.return_url, created: nowSeconds() }, applied),
      });
      events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
      break;
    }
  }

  const compareAndSet = intentUpdateStatement(intent, intentChanges, { status: 'processing', latestChargeId: charge.id, latestChargePending: true });
  const parts: { name: string; statement: Statement }[] = [{ name: 'intent', statement: compareAndSet }];
  if (chargeChanges) parts.push({ name: 'charge_update', statement: chargeUpdateStatement(charge, chargeChanges, 'pending', applied) });
  parts.push({ name: 'attempt_update', statement: attemptUpdateStatement(source.id, attemptChanges, ['pending', 'unknown', 'requires_action'], applied) });
  parts.push(...sideWrites);
  parts.push({ name: 'new_events', statement: eventsInsertStatement(scope, work, events, applied) });
  sideEvents.forEach((side, index) => parts.push({ name: `side_events_${index}`, statement: eventsInsertStatement(scope, work, side.events, side.guard) }));
  const rows = await run<PaymentIntentRow>(client, combine(parts, 'SELECT * FROM intent'));
  if (rows.length === 0) return unchanged();
  return decline ? { intent: rows[0], decline, applied: true } : { intent: rows[0], applied: true };
}

/** The routing summary with one attempt's new status (the attempt that answered). */
function withAttemptStatus(routing: ChargeRouting, attemptId: string, changes: AttemptChanges): ChargeRouting {
  return {
    ...routing,
    attempts: routing.attempts.map((summary) => summary.id !== attemptId ? summary : {
      ...summary,
      status: changes.status,
      decline_code: changes.decline_code !== undefined ? changes.decline_code : summary.decline_code,
      failure_code: changes.failure_code !== undefined ? changes.failure_code : summary.failure_code,
      latency_ms: changes.latency_ms !== undefined ? changes.latency_ms : summary.latency_ms,
    }),
  };
}
