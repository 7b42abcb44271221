/**
 * What crosses between the merchant's page (payrail.js) and Payrail's frames, by postMessage. Each side checks the
 * other's origin and window before it reads a message (see docs/payrail-js.md). Only state crosses towards the
 * merchant: emptiness, completeness, the brand, a validation error, and API results (a PaymentMethod or a
 * PaymentIntent, which carry no card number). Card data never leaves the frame except to Payrail's own API.
 */
import type { Appearance } from './appearance.ts';
import type { CardBrand } from './card.ts';

/** Marks Payrail's messages among whatever else a page posts. */
export const protocolTag = 'payrail.v1';

export type FrameKind = 'card' | 'payment' | 'controller';

/** Read by the frame from its URL's fragment (never sent to a server). */
export interface FrameConfiguration {
  /** The frame's id, echoed in every message it sends. */
  id: string;
  kind: FrameKind;
  /** The merchant page's origin: the only one the frame listens to and posts to. */
  parentOrigin: string;
  publishableKey: string;
  locale?: string;
  appearance?: Appearance;
  options: ElementFrameOptions;
}

export interface ElementFrameOptions {
  hidePostalCode?: boolean;
  disabled?: boolean;
  /** Initial postal code (Stripe's `value.postalCode`). */
  postalCode?: string;
  /**
   * The PaymentIntent's client secret (a payment element of a group given one): the frame reads the intent's
   * `payment_method_types` with it and offers PayPal next to the card when the intent accepts it.
   */
  clientSecret?: string;
}

/** What a payment element can take: the card in its fields, or PayPal (a redirect to PayPal's approval). */
export type PaymentMethodType = 'card' | 'paypal';

/** A validation error as Stripe's change events and results carry it. */
export interface ValidationError {
  type: 'validation_error';
  code: string;
  message: string;
}

/** An error as Stripe's API and Stripe.js results carry it. */
export interface ResultError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  payment_intent?: Record<string, unknown>;
  setup_intent?: Record<string, unknown>;
  payment_method?: Record<string, unknown>;
}

export interface ChangeState {
  empty: boolean;
  complete: boolean;
  brand: CardBrand;
  error?: ValidationError;
  /** `type`: the payment element's selected method (Stripe's `value.type`); absent for the card element. */
  value: { postalCode?: string; type?: PaymentMethodType };
}

export type Operation = 'createPaymentMethod' | 'confirmCardPayment' | 'retrievePaymentIntent' | 'confirmCardSetup' | 'retrieveSetupIntent';

export interface OperationRequest {
  operation: Operation;
  clientSecret?: string;
  /** Confirm with the card in the frame's fields (a PaymentMethod is made from it first). */
  useCard?: boolean;
  /** An existing PaymentMethod to confirm with; neither this nor useCard: the intent's own. */
  paymentMethod?: string;
  /** A PayPal PaymentMethod made for the payment (Stripe's `payment_method_data[type]=paypal`), instead of the above. */
  payPal?: boolean;
  /**
   * A local method's PaymentMethod made for the payment (confirmIdealPayment, confirmSepaDebitPayment, ...): its type
   * and its hash as the merchant's page gave it (copied field by field, requests.ts's localMethodData).
   */
  localMethod?: { type: string; details?: unknown };
  /** BLIK's one-time code (`payment_method_options[blik][code]`). */
  blikCode?: string;
  billingDetails?: unknown;
  metadata?: unknown;
  returnUrl?: string;
}

export interface OperationResult {
  paymentMethod?: Record<string, unknown>;
  paymentIntent?: Record<string, unknown>;
  setupIntent?: Record<string, unknown>;
  error?: ResultError | ValidationError;
}

/** Parent -> frame. */
export type ParentMessage =
  | { tag: typeof protocolTag; type: 'focus' }
  | { tag: typeof protocolTag; type: 'blur' }
  | { tag: typeof protocolTag; type: 'clear' }
  | { tag: typeof protocolTag; type: 'update'; options: ElementFrameOptions }
  | { tag: typeof protocolTag; type: 'request'; requestId: string; request: OperationRequest };

/** Frame -> parent. */
export type FrameMessage =
  | { tag: typeof protocolTag; frameId: string; type: 'ready'; height: number }
  | { tag: typeof protocolTag; frameId: string; type: 'change'; state: ChangeState }
  | { tag: typeof protocolTag; frameId: string; type: 'focus' }
  | { tag: typeof protocolTag; frameId: string; type: 'blur' }
  | { tag: typeof protocolTag; frameId: string; type: 'resize'; height: number }
  | { tag: typeof protocolTag; frameId: string; type: 'escape' }
  | { tag: typeof protocolTag; frameId: string; type: 'response'; requestId: string; result: OperationResult };

/** The path of the frame page, under the API's origin. */
export const framePath = '/v1/elements/frame';

/**
 * The page 3-D Secure ends on when payrail.js shows the challenge in its dialog (Stripe's
 * hooks.stripe.com/3d_secure/complete): payrail.js confirms with a `return_url` there, carrying the merchant page's
 * origin (`origin`) and the merchant's own return_url if any (`return_url`, where the shopper goes should the
 * challenge have to leave the dialog for the whole window). Served by src/api/routes/challenge-complete-page.ts.
 */
export const challengeCompletePath = '/payrail/3ds/complete';

/** What the completion page posts to the merchant's window (and only to the origin named in its address). */
export interface ChallengeCompleteMessage {
  tag: typeof protocolTag;
  type: 'challenge_complete';
  /** The intent whose challenge ended (payrail.js then retrieves it: the message's word is not the outcome). */
  paymentIntent?: string;
  /** Or the SetupIntent's, for confirmCardSetup's challenge. */
  setupIntent?: string;
}

/** The intent's id from its client secret (`pi_123_secret_abc` -> `pi_123`), as Stripe.js derives it. */
export function intentIdOf(clientSecret: string): string | undefined {
  const match = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret);
  return match ? match[1] : undefined;
}

/** The SetupIntent's id from its client secret (`seti_123_secret_abc` -> `seti_123`), as Stripe.js derives it. */
export function setupIntentIdOf(clientSecret: string): string | undefined {
  const match = /^(seti_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret);
  return match ? match[1] : undefined;
}
