/**
 * The one interface every payment provider implements. Connectors are stateless: one method per flow, each taking
 * one input type and returning one output type. Payrail persists an attempt before calling a connector and passes
 * the attempt id, from which the connector derives the provider-side idempotency key, so a retried call never
 * charges twice. An ambiguous result is `pending` and is resolved later with `sync`, never by calling again.
 */

export interface CardData {
  /** Full card number: only ever in memory, decrypted for the call, never logged. */
  number: string;
  expMonth: number;
  expYear: number;
  brand: string;
}

export interface AuthorizeInput {
  /** Payrail's attempt (charge) id: the provider idempotency key. */
  attemptId: string;
  amount: number;
  currency: string;
  /** Capture in the same call (automatic capture). */
  capture: boolean;
  card: CardData;
  /** The result of a customer authentication (3-D Secure) that the provider asked for earlier. */
  authentication?: { status: 'succeeded' | 'failed' };
}

export interface Decline {
  /** Stripe's error code (card_declined, expired_card, incorrect_cvc, processing_error, ...). */
  code: string;
  declineCode: string;
  message: string;
  /** Whether Payrail's own risk check (rather than the issuer) refused the payment. */
  blocked: boolean;
  networkStatus: 'declined_by_network' | 'not_sent_to_network';
}

export type AuthorizeOutput =
  | { status: 'authorized'; captured: boolean; processorReference: string; riskScore: number }
  | { status: 'declined'; decline: Decline; processorReference: string | null; riskScore: number }
  | { status: 'requires_authentication' }
  | { status: 'pending' };

export interface ReferenceInput {
  attemptId: string;
  processorReference: string;
  amount: number;
  currency: string;
}

export type SimpleOutput = { status: 'succeeded'; processorReference: string } | { status: 'failed'; reason: string } | { status: 'pending' };

export interface RefundInput extends ReferenceInput {
  /** Payrail's refund id: the provider idempotency key of the refund. */
  refundId: string;
}

export interface ConnectorCapabilities {
  manualCapture: boolean;
  partialCapture: boolean;
  refunds: boolean;
  partialRefunds: boolean;
  threeDSecure: boolean;
}

export class NotSupported extends Error {
  constructor(connector: string, flow: string) {
    super(`${connector} does not support ${flow}`);
  }
}

export interface Connector {
  readonly name: string;
  readonly capabilities: ConnectorCapabilities;
  authorize(input: AuthorizeInput): Promise<AuthorizeOutput>;
  capture(input: ReferenceInput): Promise<SimpleOutput>;
  void(input: ReferenceInput): Promise<SimpleOutput>;
  refund(input: RefundInput): Promise<SimpleOutput>;
  /** Asks the provider what happened to an attempt whose outcome was ambiguous. */
  sync(input: AuthorizeInput): Promise<AuthorizeOutput>;
  /** Asks the provider how a refund it accepted as pending ended (succeeded, failed, or still pending). */
  syncRefund(input: RefundInput): Promise<SimpleOutput>;
  parseWebhook(headers: Record<string, string>, body: Buffer): Promise<unknown>;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
