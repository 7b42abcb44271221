import type { AuthorizeOutput, Decline, DisplayDetails } from '../connectors/connector.ts';
import type { AttemptChanges } from '../orchestration/attempts-repository.ts';
import type { ChargeRouting } from '../orchestration/orchestrator.ts';
import type { NewEvent } from '../events/service.ts';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import type { Scope } from '../platform/scope.ts';
import { newId } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPaymentMethod, renderPayPalPaymentDetails } from '../payment-methods/render.ts';
import { localChargeDetails } from '../payment-methods/local-methods.ts';
import type { PaymentMethodRow } from '../payment-methods/repository.ts';
import { authorizationHold, captureMovement, emptyMovement } from '../ledger/movements.ts';
import type { PaymentChange } from './change.ts';
import { joinMovements } from '../ledger/connect-movements.ts';
import { buildConnectCapture, movesConnectMoney } from './connect-charge.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import type { ChargeRow, LastPaymentError, PaymentIntentRow } from './repository.ts';
import { effectiveSetupFutureUsage } from './payment-method-options.ts';
import { counterChangeOf } from './sca/counters.ts';
import { storedDecision, threeDSecureDetails } from './sca/three-d-secure.ts';

// The outcome of an authorization as a value: given the rows an attempt read and the connector's answer,
// buildAuthorizationChange returns the whole change (intent, charge and attempt, ledger, events) without any I/O.
// Applied only through applyAttemptOutcome (orchestration/attempt-outcome.ts), which reads what the builder needs
// first and hands the value to the writer (payments/writer.ts).

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
  // A voucher or QR code that expired unpaid is not a failed authentication, though it ends the wait the same way; nor
  // is a UPI intent the payer refused in the UPI app (the decline says why, as Razorpay's webhook tells it).
  return authenticationFailed && decline.code !== 'payment_intent_payment_attempt_expired' && paymentMethod.type !== 'upi'
    ? { type: 'card_error', code: 'payment_intent_authentication_failure', message: authenticationFailureMessage, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) }
    : { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, charge: chargeId, payment_method: renderPaymentMethod(paymentMethod) };
}

/** Brazil's time (America/Sao_Paulo): UTC-3, without daylight saving time since 2019. */
const saoPauloOffsetSeconds = -3 * 3600;

/**
 * When a voucher or QR code expires: the instant the provider told, seconds from now (Pix), or the end of the day (23:59:59
 * America/Sao_Paulo) that many calendar days from today (a boleto's `expires_after_days`, as Stripe counts them).
 */
export function displayExpiresAt(expires: DisplayDetails['expires'], now: number): number {
  if ('at' in expires) return expires.at;
  if ('afterSeconds' in expires) return now + expires.afterSeconds;
  const localDayStart = Math.floor((now + saoPauloOffsetSeconds) / 86_400) * 86_400 - saoPauloOffsetSeconds;
  return localDayStart + (expires.afterDays + 1) * 86_400 - 1;
}

/** What the builder knows besides the rows and the answer: read or decided by the caller before building. */
export interface AuthorizationInputs {
  scope: Scope;
  /** The confirming request, whose events these are; none for the other origins. */
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  offSession: boolean;
  /** Whether the customer authenticated, as far as the origin knows (undefined: no authentication). */
  authenticated?: boolean;
  source: AttemptSource;
  /** The ledger's clock (deps.clock), for entries and balance transactions. */
  now: number;
  /** Wall-clock seconds for a new challenge's `created`. */
  createdAt: number;
  /** Payrail's public URL, for its 3-D Secure and redirect pages. */
  publicUrl: string;
  /** What capturing the charge settles to; required exactly when settlementNeeded(output). */
  settlement?: ChargeSettlement;
}

/** Whether building the change for this answer needs the charge's settlement (read before building). */
export function settlementNeeded(output: AuthorizeOutput): boolean {
  return output.status === 'authorized' && output.captured;
}

/**
 * The change that applying a provider's answer to an attempt makes. The intent's compare-and-set on (status
 * processing, latest charge = this attempt, that charge still pending) gates everything else, so however many
 * origins bring an answer, one outcome is applied per attempt. The events are rendered here from the attempt's rows,
 * which nothing else may change while the intent is `processing`.
 */
export function buildAuthorizationChange(attempt: AttemptContext, output: AuthorizeOutput, inputs: AuthorizationInputs): PaymentChange {
  const { intent, charge, paymentMethod } = attempt;
  const { scope, request, source } = inputs;
  let attemptChanges = source.changes;
  if (output.status === 'processing' && request) {
    // The provider took the payment and tells its outcome later (BLIK's app approval): the confirming request records
    // Stripe's payment_intent.processing once, gated on the intent still waiting for this attempt.
    return {
      scope, request,
      intent: { current: intent, changes: { next_action: null }, expect: { status: 'processing', latestChargeId: charge.id, latestChargePending: true } },
      attempt: { id: source.id, changes: attemptChanges, from: ['pending', 'unknown'] },
      movement: emptyMovement(),
      // The provider took the card: its security code has served (a later outcome finds nothing to delete).
      ...securityCodeWipeOf(paymentMethod),
      events: [
        { type: 'payment_intent.processing', object: renderPaymentIntent(intent) },
        // A debit under a mandate: Stripe's charge.pending, whose charge carries the mandate and the expected debit
        // date, is the notice a merchant's pre-notification to the customer starts from (docs/payment-methods.md).
        ...(paymentMethod.type === 'sepa_debit' ? [{ type: 'charge.pending', object: renderCharge(charge) }] : []),
      ],
    };
  }
  if (output.status === 'pending' || output.status === 'processing') {
    // Nothing to apply yet: only the attempt is recorded, and it is left to the janitor on its schedule.
    return { scope, request, attempt: { id: source.id, changes: attemptChanges, from: ['pending', 'unknown'] }, movement: emptyMovement(), events: [] };
  }
  if (output.status === 'requires_authentication' && inputs.offSession) {
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
  const decision = storedDecision(charge.payment_method_details);
  // What 3-D Secure came to (the provider's account of it, else what Payrail knows), with the exemption claimed.
  const threeDSecure = paymentMethod.type !== 'card' || output.status === 'requires_authentication' ? null : threeDSecureDetails({
    decision, outcome: output.threeDSecure, authenticated: inputs.authenticated, brand: paymentMethod.card.brand, attemptId: source.id,
  });
  // Card checks and 3-D Secure are a card's; a wallet's details change only when its provider reports the payer.
  const detailsWith = (cvcCheck: string | null, extra: Record<string, unknown> = {}) => paymentMethod.type !== 'card' ? charge.payment_method_details : ({
    ...charge.payment_method_details,
    card: {
      ...card,
      ...extra,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: cvcCheck },
      three_d_secure: threeDSecure,
    },
  });

  let intentChanges: Partial<PaymentIntentRow>;
  let chargeChanges: Partial<ChargeRow> | undefined;
  const events: NewEvent[] = [];
  let movement = emptyMovement();
  let challenge: PaymentChange['challenge'];
  let method: PaymentChange['paymentMethod'];
  let decline: PaymentChange['decline'];
  let providerReference: PaymentChange['providerReference'];
  let connect: PaymentChange['connect'];
  let scaCounters: PaymentChange['scaCounters'];

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
            // The scheme's id of this transaction, when the provider told it (a payment that saves the card).
            ...(output.stored?.networkTransactionId ? { network_transaction_id: output.stored.networkTransactionId } : {}),
            // The processor says whether this authorization can be incremented (asked with request_incremental_authorization).
            incremental_authorization: { status: output.incrementalAuthorization ? 'available' : 'unavailable' },
          })
          : paymentMethod.type === 'paypal'
            ? { ...charge.payment_method_details, paypal: renderPayPalPaymentDetails(paymentMethod.wallet, output.payer) }
            : { ...charge.payment_method_details, [paymentMethod.type]: localChargeDetails(paymentMethod, output.methodDetails, (charge.payment_method_details as Record<string, Record<string, unknown> | undefined>)[paymentMethod.type]) },
        outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: output.riskScore, seller_message: 'Payment complete.', type: 'authorized' },
      };
      // The ledger moves with the state, under the same compare-and-set: a capture posts the charge (net to
      // pending, fee to the platform); an authorization alone posts a hold.
      if (output.captured) {
        const settlement = inputs.settlement;
        if (!settlement) throw new Error('a captured authorization is built with its settlement (read before building)');
        movement = captureMovement(scope, charge, settlement, null, inputs.now);
        // A Connect charge's transfer or application fee moves with the capture; an ordinary payment builds nothing more.
        if (movesConnectMoney(intent.connect)) {
          const built = buildConnectCapture(scope, intent.id, charge.id, intent.connect, charge.amount, settlement, inputs.now);
          movement = joinMovements(movement, built.movement);
          chargeChanges.connect = built.charge;
          chargeChanges.transfer_group = built.transferGroup;
          connect = built.rows;
        }
        Object.assign(chargeChanges, {
          balance_transaction_id: movement.balanceTransactions[0].id,
          settlement_currency: settlement.settlementCurrency,
          exchange_rate: settlement.exchangeRate,
        });
      } else {
        const hold = authorizationHold(scope, charge.id, charge.amount, charge.currency, inputs.now);
        chargeChanges.hold_entry_id = hold.id;
        movement = { entries: [hold], balanceTransactions: [] };
      }
      events.push(
        { type: 'charge.succeeded', object: renderCharge({ ...charge, ...chargeChanges }) },
        { type: output.captured ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', object: renderPaymentIntent({ ...intent, ...intentChanges }) },
      );
      // What PayPal told about the payer fills the PaymentMethod's `paypal` hash, as at Stripe.
      const wallet = paymentMethod.type === 'paypal' && output.payer
        ? { country: output.payer.country, payer_email: output.payer.payerEmail, payer_id: output.payer.payerId }
        : null;
      // setup_future_usage saves the card for the intent's customer once it has been used successfully, and keeps what
      // the provider stored of it (its token, the scheme's transaction id) for later merchant-initiated payments.
      const saveUsage = effectiveSetupFutureUsage(intent, paymentMethod.type);
      const attachTo = saveUsage && intent.customer_id ? intent.customer_id : null;
      if (saveUsage && paymentMethod.type === 'card' && output.stored) {
        providerReference = {
          payment_method_id: paymentMethod.id, connector: source.connector, connector_configuration_id: source.configurationId,
          provider_token: output.stored.providerToken, shopper_reference: output.stored.shopperReference, network_transaction_id: output.stored.networkTransactionId,
          usage: saveUsage, source_attempt_id: source.id, created: inputs.createdAt,
        };
      }
      // The card's low-value counters move with the authorization: reset by an authentication, else one more payment.
      if (paymentMethod.type === 'card') {
        const counterChange = counterChangeOf({
          decision, fingerprint: paymentMethod.card.fingerprint, authenticated: (threeDSecure as { result?: string } | null)?.result === 'authenticated',
          savesCard: saveUsage !== null, amount: charge.amount, currency: charge.currency,
        });
        if (counterChange) scaCounters = { change: counterChange, now: inputs.now };
      }
      if (wallet || attachTo) {
        method = {
          id: paymentMethod.id,
          wallet,
          attach: attachTo ? { customerId: attachTo, events: [{ type: 'payment_method.attached', object: renderPaymentMethod({ ...paymentMethod, customer_id: attachTo }) }] } : null,
        };
      }
      break;
    }
    case 'declined': {
      const reason: Decline = output.decline;
      decline = declineToError(reason, charge.id, paymentMethod, inputs.authenticated === false);
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
      if (output.display) {
        // A voucher or QR code the customer pays outside Payrail (boleto, Pix): shown until paid or expired.
        const display = output.display;
        const expiresAt = displayExpiresAt(display.expires, inputs.now);
        // A UPI intent's QR code carries its own expires_at (Stripe's `qr_code`), as well as the display's.
        const qrCode = typeof display.details.qr_code === 'object' && display.details.qr_code !== null ? { qr_code: { ...display.details.qr_code, expires_at: expiresAt } } : {};
        intentChanges = { status: 'requires_action', next_action: { type: display.type, [display.type]: { ...display.details, ...qrCode, expires_at: expiresAt } } };
        events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
        break;
      }
      if (output.nextAction) {
        // The provider's own page (its 3-D Secure challenge, a wallet's approval). A form POST goes through Payrail's
        // redirect page, which posts the provider's fields for the customer.
        const url = output.nextAction.method === 'GET' ? output.nextAction.url : `${inputs.publicUrl}/payrail/redirect/${source.id}`;
        intentChanges = { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url } } };
        events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
        break;
      }
      const challengeId = newId('auth');
      intentChanges = {
        status: 'requires_action',
        next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: intent.return_url, url: `${inputs.publicUrl}/3ds/${challengeId}` } },
      };
      challenge = { id: challengeId, payment_intent_id: intent.id, charge_id: charge.id, return_url: intent.return_url, created: inputs.createdAt };
      events.push({ type: 'payment_intent.requires_action', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
      break;
    }
  }

  return {
    scope,
    request,
    intent: { current: intent, changes: intentChanges, expect: { status: 'processing', latestChargeId: charge.id, latestChargePending: true } },
    charge: chargeChanges ? { current: charge, changes: chargeChanges, expect: { status: 'pending' } } : undefined,
    attempt: { id: source.id, changes: attemptChanges, from: ['pending', 'unknown', 'requires_action'] },
    movement,
    challenge,
    paymentMethod: method,
    ...(providerReference ? { providerReference } : {}),
    ...(connect ? { connect } : {}),
    ...(scaCounters ? { scaCounters } : {}),
    // The first authorization's outcome (authorized or declined) ends the security code's keeping; a challenge does not.
    ...(output.status !== 'requires_authentication' ? securityCodeWipeOf(paymentMethod) : {}),
    events,
    decline,
  };
}

/** The security code's deletion, for a card PaymentMethod that still has one (PCI DSS: kept until authorization). */
function securityCodeWipeOf(paymentMethod: PaymentMethodRow): Pick<PaymentChange, 'securityCodeWipe'> {
  return paymentMethod.type === 'card' && paymentMethod.security_code_encrypted ? { securityCodeWipe: { paymentMethodId: paymentMethod.id } } : {};
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
