/**
 * Types of payrail.js, Payrail's browser library (served at `/v1/payrail.js`; this file at `/v1/payrail.d.ts`).
 * Modelled on Stripe.js: an integration written against `@stripe/stripe-js`'s types ports by renaming `Stripe` to
 * `Payrail`. Load the script from your Payrail server, then call the global `Payrail(publishableKey)`.
 * See docs/payrail-js.md.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';

export interface PayrailOptions {
  /** Payrail's origin (and path, if Payrail is served under one). Default: where payrail.js was loaded from. */
  apiBase?: string;
  /** Default locale of elements created from this instance. */
  locale?: string;
}

export interface Appearance {
  theme?: 'stripe' | 'night' | 'flat';
  variables?: {
    colorPrimary?: string;
    colorBackground?: string;
    colorText?: string;
    colorDanger?: string;
    fontFamily?: string;
    fontSizeBase?: string;
    borderRadius?: string;
    spacingUnit?: string;
  };
}

export interface ElementsOptions {
  /** The PaymentIntent's client secret: needed by `confirmPayment`. */
  clientSecret?: string;
  appearance?: Appearance;
  /** `auto` (the browser's language) or one of en, de, fr, es, it, nl, pt, pl, ja; others fall back to English. */
  locale?: string;
}

export type ElementType = 'card' | 'payment';

export interface CardElementOptions {
  /** Hide the postal code field (shown by default, as in Stripe's card element). */
  hidePostalCode?: boolean;
  disabled?: boolean;
  value?: { postalCode?: string };
}

export interface ValidationError {
  type: 'validation_error';
  /** Stripe's codes: incomplete_number, invalid_number, incomplete_expiry, invalid_expiry_year_past, ... */
  code: string;
  message: string;
}

export interface ElementChangeEvent {
  elementType: ElementType;
  empty: boolean;
  complete: boolean;
  error?: ValidationError;
  brand: CardBrand;
  value: { postalCode?: string; type?: 'card' };
}

export interface ElementEvent {
  elementType: ElementType;
}

export interface PayrailElement {
  /** Puts the element's iframe into the page: a CSS selector or an element. */
  mount(target: string | HTMLElement): void;
  /** Takes the iframe out of the page; the element can be mounted again (the fields start empty). */
  unmount(): void;
  /** Unmounts for good: the element cannot be used again, and `elements.create` may make another of its type. */
  destroy(): void;
  on(event: 'change', handler: (event: ElementChangeEvent) => void): this;
  on(event: 'ready' | 'focus' | 'blur' | 'escape', handler: (event: ElementEvent) => void): this;
  off(event: 'change' | 'ready' | 'focus' | 'blur' | 'escape', handler?: (event: never) => void): this;
  focus(): void;
  blur(): void;
  clear(): void;
  update(options: CardElementOptions): void;
}

export interface PayrailElements {
  create(type: ElementType, options?: CardElementOptions): PayrailElement;
  getElement(type: ElementType): PayrailElement | null;
}

export interface BillingDetails {
  name?: string;
  email?: string;
  phone?: string;
  address?: { line1?: string; line2?: string; city?: string; state?: string; postal_code?: string; country?: string };
}

/** An API error (as Stripe's API sends it) or a validation error of the fields. */
export interface PayrailError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  payment_intent?: PaymentIntent;
}

/** The PaymentMethod as Payrail's API returns it (no card number: brand, last4, expiry only). */
export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  type: string;
  card?: { brand: string; last4: string; exp_month: number; exp_year: number; [key: string]: unknown };
  billing_details: BillingDetails;
  [key: string]: unknown;
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';
  amount: number;
  currency: string;
  client_secret: string | null;
  next_action: null | { type: string; redirect_to_url?: { url: string; return_url: string | null }; [key: string]: unknown };
  last_payment_error: PayrailError | null;
  [key: string]: unknown;
}

export type PaymentMethodResult = { paymentMethod: PaymentMethod; error?: undefined } | { paymentMethod?: undefined; error: PayrailError };
export type PaymentIntentResult = { paymentIntent: PaymentIntent; error?: undefined } | { paymentIntent?: undefined; error: PayrailError };

export interface CreatePaymentMethodCardData {
  type: 'card';
  card: PayrailElement;
  billing_details?: BillingDetails;
}

export interface CreatePaymentMethodElementsData {
  elements: PayrailElements;
  params?: { billing_details?: BillingDetails };
}

export interface ConfirmCardPaymentData {
  /** A PaymentMethod id, or the card element (with billing details) to make one from. */
  payment_method?: string | { card: PayrailElement; billing_details?: BillingDetails };
  /** Where 3-D Secure sends the shopper back. */
  return_url?: string;
}

export interface ConfirmPayPalPaymentData {
  /** Where PayPal sends the shopper back (required). */
  return_url: string;
  /** An existing paypal PaymentMethod id, or the billing details of one made for this payment. */
  payment_method?: string | { billing_details?: BillingDetails };
}

export interface ConfirmPaymentOptions {
  elements: PayrailElements;
  /** Default: the `clientSecret` given to `payrail.elements()`. */
  clientSecret?: string;
  confirmParams?: { return_url?: string; payment_method_data?: { billing_details?: BillingDetails } };
  /** `always` (default): on success the page goes to `return_url`. `if_required`: only when a redirect is needed. */
  redirect?: 'always' | 'if_required';
}

export interface EmbeddedCheckoutOptions {
  /** The client_secret of a Checkout Session created with ui_mode=embedded, or a function fetching it from your server. */
  clientSecret?: string;
  fetchClientSecret?: () => Promise<string>;
  /** Called when the session is paid and its redirect_on_completion is `never`. */
  onComplete?: () => void;
}

export interface EmbeddedCheckout {
  mount(target: string | HTMLElement): void;
  unmount(): void;
  destroy(): void;
}

export interface PayrailInstance {
  elements(options?: ElementsOptions): PayrailElements;
  /** Payrail Checkout for an embedded session, mounted in your page (docs/checkout.md, Embedded Checkout). */
  initEmbeddedCheckout(options: EmbeddedCheckoutOptions): Promise<EmbeddedCheckout>;
  createPaymentMethod(data: CreatePaymentMethodCardData | CreatePaymentMethodElementsData): Promise<PaymentMethodResult>;
  confirmCardPayment(clientSecret: string, data?: ConfirmCardPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmPayment(options: ConfirmPaymentOptions): Promise<PaymentIntentResult>;
  confirmPayPalPayment(clientSecret: string, data: ConfirmPayPalPaymentData): Promise<PaymentIntentResult>;
  retrievePaymentIntent(clientSecret: string): Promise<PaymentIntentResult>;
  handleNextAction(options: { clientSecret: string }): Promise<PaymentIntentResult>;
}

/** Thrown (not resolved) for programming mistakes, as Stripe.js's IntegrationError: a secret key, a bad selector, ... */
export interface IntegrationError extends Error {
  name: 'IntegrationError';
}

export type PayrailFactory = (publishableKey: string, options?: PayrailOptions) => PayrailInstance;

declare global {
  /** Created by `<script src="https://payrail.example/v1/payrail.js">`. */
  // eslint-disable-next-line no-var
  var Payrail: PayrailFactory;
}
