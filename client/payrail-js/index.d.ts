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
  /**
   * The PaymentIntent's client secret: needed by `confirmPayment` (a SetupIntent's, `seti_..._secret_...`, for `confirmSetup`). The payment element reads the intent's
   * `payment_method_types` with it and offers PayPal next to the card when the intent accepts `paypal`.
   */
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
  /**
   * `type`: the payment element's selected method, `card` or `paypal` (PayPal has nothing to fill in: `complete` as
   * soon as it is selected). Absent for the card element.
   */
  value: { postalCode?: string; type?: PaymentMethodType };
}

/** What the payment element can take: a card, or PayPal (a redirect to PayPal's approval). */
export type PaymentMethodType = 'card' | 'paypal';

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
  /** The SetupIntent, in an error of confirmCardSetup / confirmSetup (a decline, a failed challenge). */
  setup_intent?: SetupIntent;
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

/** The SetupIntent as a publishable key sees it (Stripe's public fields). */
export interface SetupIntent {
  id: string;
  object: 'setup_intent';
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'canceled' | 'succeeded';
  client_secret: string | null;
  /** The PaymentMethod's id once one is set (saved on success). */
  payment_method: string | null;
  usage: string;
  next_action: null | { type: string; redirect_to_url?: { url: string; return_url: string | null }; [key: string]: unknown };
  last_setup_error: PayrailError | null;
  [key: string]: unknown;
}

export type PaymentMethodResult = { paymentMethod: PaymentMethod; error?: undefined } | { paymentMethod?: undefined; error: PayrailError };
export type PaymentIntentResult = { paymentIntent: PaymentIntent; error?: undefined } | { paymentIntent?: undefined; error: PayrailError };
export type SetupIntentResult = { setupIntent: SetupIntent; error?: undefined } | { setupIntent?: undefined; error: PayrailError };

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
  /**
   * Where the shopper goes should 3-D Secure need the whole window (a provider's page that cannot be framed); with
   * `handleActions: false`, where the challenge returns. Payrail's own challenge shows in a dialog and needs none.
   */
  return_url?: string;
}

/** confirmCardSetup's data: as confirmCardPayment's. */
export type ConfirmCardSetupData = ConfirmCardPaymentData;

export interface ConfirmPayPalPaymentData {
  /** Where PayPal sends the shopper back (required). */
  return_url: string;
  /** An existing paypal PaymentMethod id, or the billing details of one made for this payment. */
  payment_method?: string | { billing_details?: BillingDetails };
}

/**
 * The data of confirmIdealPayment, confirmSepaDebitPayment, confirmBlikPayment, confirmPixPayment,
 * confirmBoletoPayment, ... (Stripe.js's shape): an existing PaymentMethod id, or the method's hash and billing details.
 */
export interface LocalPaymentData {
  payment_method?: string | {
    ideal?: { bank?: string };
    eps?: { bank?: string };
    p24?: { bank?: string };
    sepa_debit?: { iban: string };
    boleto?: { tax_id: string };
    upi?: { vpa: string };
    blik?: Record<string, never>;
    bancontact?: Record<string, never>;
    klarna?: Record<string, never>;
    pix?: Record<string, never>;
    billing_details?: BillingDetails;
  };
  /** BLIK's 6-digit code from the shopper's banking app (confirmBlikPayment). */
  payment_method_options?: { blik?: { code: string } };
  /** Where the bank sends the shopper back (required for the redirect methods: iDEAL, Bancontact, EPS, P24, Klarna). */
  return_url?: string;
}

export interface ConfirmPaymentOptions {
  elements: PayrailElements;
  /** Default: the `clientSecret` given to `payrail.elements()`. */
  clientSecret?: string;
  /** `return_url` is required with PayPal selected (PayPal brings the shopper back there) and with `redirect: 'always'`. */
  confirmParams?: { return_url?: string; payment_method_data?: { billing_details?: BillingDetails } };
  /**
   * `always` (default): on success the page goes to `return_url`, and 3-D Secure takes the whole window.
   * `if_required`: 3-D Secure shows in a dialog over the page and the promise resolves; the page leaves only for
   * PayPal (or a provider's page that cannot be framed).
   */
  redirect?: 'always' | 'if_required';
}

/** confirmSetup's options: as confirmPayment's, with a group made with the SetupIntent's `clientSecret` (`seti_..._secret_...`). */
export type ConfirmSetupOptions = ConfirmPaymentOptions;

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
  /**
   * Confirms with a card; 3-D Secure shows in a dialog over the page (unless `handleActions: false`). Resolves
   * `{ paymentIntent }`, or `{ error }`: a decline, or `payment_intent_authentication_failure` when the challenge failed
   * or the shopper closed the dialog (the intent then stays in `requires_action`).
   */
  confirmCardPayment(clientSecret: string, data?: ConfirmCardPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmPayment(options: ConfirmPaymentOptions): Promise<PaymentIntentResult>;
  /** The bank's page in the whole window, back at `return_url` (with `handleActions: false`, resolves in `requires_action`). */
  confirmIdealPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmBancontactPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmEpsPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmP24Payment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  confirmKlarnaPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  /** The mandate accepted online in this browser; resolves `{ paymentIntent }` in `processing` until the bank answers. */
  confirmSepaDebitPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult>;
  /** Resolves `{ paymentIntent }` in `processing` while the shopper approves in the banking app (no polling). */
  confirmBlikPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult>;
  /** Resolves `{ paymentIntent }` in `requires_action` with `next_action.pix_display_qr_code`, for the page to show. */
  confirmPixPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  /** Resolves `{ paymentIntent }` in `requires_action` with `next_action.boleto_display_details` (the voucher). */
  confirmBoletoPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult>;
  /** Payrail's extension: resolves `{ paymentIntent }` in `processing` while the payer approves in their UPI app. */
  confirmUpiPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult>;
  confirmPayPalPayment(clientSecret: string, data: ConfirmPayPalPaymentData): Promise<PaymentIntentResult>;
  retrievePaymentIntent(clientSecret: string): Promise<PaymentIntentResult>;
  /**
   * Confirms a SetupIntent with a card (saves it for later payments, no money taken); 3-D Secure shows in the same
   * dialog. Resolves `{ setupIntent }`, or `{ error }`: a decline (`error.setup_intent` holds the SetupIntent), or
   * `setup_intent_authentication_failure` when the challenge failed or the shopper closed the dialog.
   */
  confirmCardSetup(clientSecret: string, data?: ConfirmCardSetupData, options?: { handleActions?: boolean }): Promise<SetupIntentResult>;
  /** confirmPayment for a SetupIntent: the group's card and its `clientSecret` (`seti_..._secret_...`). */
  confirmSetup(options: ConfirmSetupOptions): Promise<SetupIntentResult>;
  retrieveSetupIntent(clientSecret: string): Promise<SetupIntentResult>;
  /**
   * Performs the intent's `redirect_to_url` (a PaymentIntent's or a SetupIntent's client secret): in the dialog when it
   * returns to Payrail's completion page, otherwise in the whole window.
   */
  handleNextAction(options: { clientSecret: string }): Promise<PaymentIntentResult | SetupIntentResult>;
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
