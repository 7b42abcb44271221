import { createHash } from 'node:crypto';
import {
  ConnectorRequestError, NotSupported, type AuthorizeInput, type AuthorizeOutput, type Connector, type IncrementInput, type IncrementOutput, type ProviderNotification,
  type ReferenceInput, type RefundInput, type SimpleOutput, type ThreeDSecureOutcome, type VerifyCardInput, type VerifyCardOutput,
} from '../connector.ts';
import { behaviourOf, disputeMarker, incrementDeclineFor, incrementableBrands, threeDSecureSupportOf } from './test-cards.ts';
import { decideLocal } from './local-methods.ts';
import { localMethodTypeNames } from '../../payment-methods/method-types.ts';

/**
 * Payrail's built-in test processor. It is a pure function of its inputs: the outcome of an authorization depends
 * only on the card number (Stripe's test cards) and the authentication result, so `sync` can always say what an
 * earlier call did. References derive from the Payrail ids, as a provider's idempotency would make them.
 */
export class TestProcessor implements Connector {
  readonly name = 'test_processor';
  // Installment plans are accepted as Stripe's test mode accepts them (the currency is checked at confirmation: BRL, MXN).
  readonly capabilities = { manualCapture: true, partialCapture: true, refunds: true, partialRefunds: true, threeDSecure: true, installments: true };
  /** Its answers are a pure function of the input: `sync` always says what the first call did. */
  readonly syncReplayWindowSeconds = null;
  /** Cards and every local method of the table (method-types.ts), through its test payment page. */
  readonly paymentMethodTypes: readonly string[] = ['card', ...localMethodTypeNames];

  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.localMethod) return decideLocal(input, input.localMethod, 'authorize', riskScore(input.attemptId));
    return this.decide(input);
  }

  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.localMethod) return decideLocal(input, input.localMethod, 'sync', riskScore(input.attemptId));
    return this.decide(input);
  }

  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    return { status: 'succeeded', processorReference: input.processorReference };
  }

  async void(input: ReferenceInput): Promise<SimpleOutput> {
    return { status: 'succeeded', processorReference: input.processorReference };
  }

  async refund(input: RefundInput): Promise<SimpleOutput> {
    // A refund of a card whose refunds fail is accepted and stays pending until `syncRefund` reports the failure.
    if (input.processorReference.endsWith(refundFailsMarker)) return { status: 'pending' };
    return { status: 'succeeded', processorReference: reference('tr', input.refundId) };
  }

  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    if (input.processorReference.endsWith(refundFailsMarker)) return { status: 'failed', reason: 'expired_or_canceled_card' };
    return { status: 'succeeded', processorReference: reference('tr', input.refundId) };
  }

  /** Grows an authorization to the new total, or declines it by the new total's last two digits (test-cards.ts). */
  async incrementAuthorization(input: IncrementInput): Promise<IncrementOutput> {
    const decline = incrementDeclineFor(input.amount, input.currency);
    return decline ? { status: 'declined', decline } : { status: 'authorized', amount: input.amount };
  }

  /**
   * Verifies a card for later use, following Stripe's test cards as a payment does: the declining cards decline, the
   * 3-D Secure cards (4000 0025 0000 3155, 4000 0000 0000 3220, ...) ask for the challenge and then verify (or decline,
   * for those that decline after authentication), and every other card verifies. Pure, like `authorize`: asking again
   * with the same attempt gives the same answer and the same references.
   */
  async verifyCard(input: VerifyCardInput): Promise<VerifyCardOutput> {
    let behaviour = behaviourOf(input.card.number);
    if (behaviour.kind === 'approve' && (input.requestThreeDSecure === 'any' || input.requestThreeDSecure === 'challenge')) behaviour = { kind: 'authenticate' };
    const processorReference = reference('tv', input.attemptId);
    const verified: VerifyCardOutput = {
      status: 'verified',
      processorReference,
      stored: { providerToken: reference('tpm', input.attemptId), shopperReference: input.shopperReference, networkTransactionId: networkTransactionId(input.attemptId) },
    };
    switch (behaviour.kind) {
      case 'approve':
        return verified;
      case 'decline':
        return { status: 'declined', decline: behaviour.decline, processorReference: behaviour.decline.blocked ? null : processorReference };
      case 'authenticate':
        if (input.authentication === undefined) return { status: 'requires_authentication' };
        if (input.authentication.status === 'failed') {
          return {
            status: 'declined',
            decline: { code: 'authentication_required', declineCode: 'authentication_required', message: 'The customer failed authentication.', blocked: false, networkStatus: 'not_sent_to_network' },
            processorReference: null,
          };
        }
        if (behaviour.thenDecline) return { status: 'declined', decline: behaviour.thenDecline, processorReference };
        return verified;
    }
  }

  async parseWebhook(): Promise<ProviderNotification[]> {
    throw new NotSupported(this.name, 'webhooks');
  }

  private decide(input: AuthorizeInput): AuthorizeOutput {
    // The test processor follows Stripe's test cards only; routing never sends it a wallet payment.
    if (input.card === undefined) throw new ConnectorRequestError('configuration', 'The test processor carries card payments only: this payment has no card.');
    let behaviour = behaviourOf(input.card.number);
    const processorReference = reference('ta', input.attemptId);
    const credential = input.storedCredential;
    // A merchant-initiated payment of a card set up through this processor: strong customer authentication does not
    // apply, so a card that asks for it only on one-off payments goes through (the card that always asks still does).
    const setUpForMerchant = credential?.initiator === 'merchant' && credential.reference !== undefined;
    // What 3-D Secure came to without a challenge (frictionless, or not possible); a challenge's is set below.
    let threeDSecure: ThreeDSecureOutcome | undefined;
    if (behaviour.kind === 'authenticate' && behaviour.offSessionOnceSetUp && setUpForMerchant) behaviour = { kind: 'approve' };
    else if (behaviour.kind === 'approve' && !setUpForMerchant) {
      // 3-D Secure asked for a card that would not need it: request_three_d_secure=challenge forces the challenge;
      // `any` or Payrail's SCA decision leave the flow to the card (test-cards.ts). An exemption claimed is granted.
      const forced = input.requestThreeDSecure === 'challenge';
      const asked = forced || input.requestThreeDSecure === 'any' || input.strongCustomerAuthentication?.authenticate === true;
      if (asked) {
        const support = threeDSecureSupportOf(input.card.number);
        if (support === 'not_supported' || support === 'processing_error') threeDSecure = { flow: null, result: support, transactionId: null };
        else if (support === 'frictionless' && !forced) threeDSecure = { flow: 'frictionless', result: 'authenticated', transactionId: null };
        else behaviour = { kind: 'authenticate' };
      }
    }
    const challenged: ThreeDSecureOutcome = { flow: 'challenge', result: 'authenticated', transactionId: null };
    // A payment that saves the card (setup_future_usage): the processor's token and the scheme's transaction id, as a
    // SetupIntent's verification gives them.
    const stored = credential?.save && input.card
      ? { stored: { providerToken: reference('tpm', input.attemptId), shopperReference: credential.save.shopperReference, networkTransactionId: networkTransactionId(input.attemptId) } }
      : {};
    // Incremental authorization is offered for uncaptured authorizations of the brands that support it (Stripe's list).
    const incrementalAuthorization = input.requestIncrementalAuthorization === true && !input.capture && incrementableBrands.includes(input.card.brand);
    switch (behaviour.kind) {
      case 'approve':
        return {
          status: 'authorized',
          captured: input.capture,
          // The processor is stateless: what it must remember about the card for later refunds rides in its own reference.
          processorReference: behaviour.refundFails ? processorReference + refundFailsMarker : behaviour.dispute ? processorReference + disputeMarker(behaviour.dispute) : processorReference,
          riskScore: riskScore(input.attemptId),
          incrementalAuthorization,
          ...stored,
          ...(threeDSecure ? { threeDSecure } : {}),
        };
      case 'decline':
        return {
          status: 'declined',
          decline: behaviour.decline,
          processorReference: behaviour.decline.blocked ? null : processorReference,
          riskScore: behaviour.decline.blocked ? 95 : riskScore(input.attemptId),
        };
      case 'authenticate':
        if (input.authentication === undefined) return { status: 'requires_authentication' };
        if (input.authentication.status === 'failed') {
          return {
            status: 'declined',
            decline: { code: 'authentication_required', declineCode: 'authentication_required', message: 'The customer failed authentication.', blocked: false, networkStatus: 'not_sent_to_network' },
            processorReference: null,
            riskScore: riskScore(input.attemptId),
          };
        }
        if (behaviour.thenDecline) return { status: 'declined', decline: behaviour.thenDecline, processorReference, riskScore: riskScore(input.attemptId), threeDSecure: challenged };
        return { status: 'authorized', captured: input.capture, processorReference, riskScore: riskScore(input.attemptId), incrementalAuthorization, ...stored, threeDSecure: challenged };
    }
  }
}

/** Suffix of the authorization reference of a card whose refunds fail. */
const refundFailsMarker = '.refund_fails';

function reference(kind: string, id: string): string {
  return `${kind}_${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
}

/** A network transaction id in the shape of Visa's 15-digit Transaction ID, stable for the attempt. */
function networkTransactionId(attemptId: string): string {
  return BigInt('0x' + createHash('sha256').update('ntid:' + attemptId).digest('hex').slice(0, 15)).toString().padStart(15, '0').slice(-15);
}

/** A stable pseudo risk score in Stripe's "normal" band (0-64) derived from the attempt id. */
function riskScore(attemptId: string): number {
  return createHash('sha256').update('risk:' + attemptId).digest()[0] % 65;
}
