/**
 * payrail.js: the part that runs in the merchant's page. It never touches card data: each element is an iframe of
 * Payrail's origin (frame.ts) that holds the fields and calls Payrail's API itself; this side mounts the iframes,
 * relays the frames' state as Stripe-shaped events, and asks the frames to create PaymentMethods and confirm
 * payments. Messages are accepted only from Payrail's origin and only from the frame they claim to be.
 */
import { EmbeddedCheckout, embeddedCheckoutSecret, type EmbeddedCheckoutInstance, type EmbeddedCheckoutOptions } from './embedded-checkout.ts';
import { resolveAppearance } from './appearance.ts';
import { ChallengeDialog } from './challenge-dialog.ts';
import { resolveLocale, textsFor } from './messages.ts';
import type {
  CardElementOptions, ConfirmCardPaymentData, ConfirmPaymentOptions, ConfirmPayPalPaymentData, CreatePaymentMethodCardData, CreatePaymentMethodElementsData, ElementType, ElementsOptions,
  PaymentIntent, PaymentIntentResult, PaymentMethodResult, PayrailError, PayrailElement, PayrailElements, PayrailInstance, PayrailOptions,
  ConfirmCardSetupData, ConfirmSetupOptions, LocalPaymentData, SetupIntent, SetupIntentResult,
} from './index.d.ts';
import {
  challengeCompletePath, framePath, intentIdOf, protocolTag, setupIntentIdOf, type ElementFrameOptions, type PaymentMethodType, type FrameConfiguration, type FrameKind, type FrameMessage, type OperationRequest, type OperationResult,
  type ParentMessage,
} from './protocol.ts';

/** The local methods whose next action is a bank's page in the whole window (a return_url is required). */
const redirectMethodTypes: readonly string[] = ['ideal', 'bancontact', 'eps', 'p24', 'klarna'];
/** A frame that never answers (a network outage while loading it) does not leave a promise pending for ever. */
const frameResponseTimeoutMs = 120_000;
/** Height of a card element's frame before it reports its own. */
const initialFrameHeightPx = 44;
/** Stripe's message when 3-D Secure failed or the shopper closed the challenge (its code depends on the intent's kind). */
const authenticationFailureMessage = 'We are unable to authenticate your payment method. Please choose a different payment method and try again.';

/** What the confirm, challenge and retrieve paths need to know of an intent, whether a PaymentIntent or a SetupIntent. */
type Intent = PaymentIntent | SetupIntent;
type IntentResult = { intent: Intent; error?: undefined } | { intent?: undefined; error: PayrailError };

/**
 * The two kinds of intent payrail.js confirms, as Stripe.js names their parts: one confirm, 3-D Secure and retrieve
 * path serves both, and only these names differ.
 */
interface IntentKind {
  /** The id from a client secret, or undefined when the secret is not of this kind. */
  idOf: (clientSecret: string) => string | undefined;
  confirmOperation: 'confirmCardPayment' | 'confirmCardSetup';
  retrieveOperation: 'retrievePaymentIntent' | 'retrieveSetupIntent';
  /** The key of the result (`{ paymentIntent }`) and of the intent inside an error (`error.payment_intent`). */
  resultKey: 'paymentIntent' | 'setupIntent';
  errorKey: 'payment_intent' | 'setup_intent';
  lastErrorField: 'last_payment_error' | 'last_setup_error';
  authenticationFailureCode: string;
  /** Shown in an IntegrationError's message: `pi_..._secret_...`. */
  secretShape: string;
}

const paymentKind: IntentKind = {
  idOf: intentIdOf, confirmOperation: 'confirmCardPayment', retrieveOperation: 'retrievePaymentIntent', resultKey: 'paymentIntent', errorKey: 'payment_intent',
  lastErrorField: 'last_payment_error', authenticationFailureCode: 'payment_intent_authentication_failure', secretShape: 'pi_..._secret_...',
};
const setupKind: IntentKind = {
  idOf: setupIntentIdOf, confirmOperation: 'confirmCardSetup', retrieveOperation: 'retrieveSetupIntent', resultKey: 'setupIntent', errorKey: 'setup_intent',
  lastErrorField: 'last_setup_error', authenticationFailureCode: 'setup_intent_authentication_failure', secretShape: 'seti_..._secret_...',
};

class IntegrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrationError';
  }
}

/** The origin payrail.js was loaded from: Payrail's, by default. Read while the script runs (later it is null). */
const scriptSource = (() => {
  const current = typeof document !== 'undefined' ? document.currentScript : null;
  return current instanceof HTMLScriptElement && current.src ? current.src : undefined;
})();

let frameCounter = 0;
function newFrameId(): string {
  frameCounter += 1;
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `frame${frameCounter}_${random}`;
}

type Pending = { resolve: (result: OperationResult) => void; timer: ReturnType<typeof setTimeout> };

/**
 * One iframe of Payrail's origin: a card or payment element's fields, or the hidden controller that makes API calls
 * needing no card. Requests wait for the frame to be ready.
 */
class Frame {
  readonly id = newFrameId();
  readonly iframe: HTMLIFrameElement;
  private ready = false;
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<string, Pending>();
  private requestCounter = 0;

  constructor(
    private readonly client: Client,
    kind: FrameKind,
    locale: string | undefined,
    appearance: unknown,
    options: ElementFrameOptions,
    private readonly onMessage: (message: FrameMessage) => void,
  ) {
    const configuration: FrameConfiguration = {
      id: this.id, kind, parentOrigin: window.location.origin, publishableKey: client.publishableKey, locale,
      appearance: appearance as FrameConfiguration['appearance'], options,
    };
    this.iframe = document.createElement('iframe');
    this.iframe.name = `__privatePayrailFrame_${this.id}`;
    this.iframe.src = `${client.apiBase}${framePath}#${encodeURIComponent(JSON.stringify(configuration))}`;
    this.iframe.setAttribute('frameborder', '0');
    this.iframe.setAttribute('allowtransparency', 'true');
    this.iframe.setAttribute('scrolling', 'no');
    this.iframe.style.cssText = 'border:none;margin:0;padding:0;width:1px;min-width:100%;overflow:hidden;display:block;user-select:none;background:transparent';
    client.register(this);
  }

  /** Called by the client for messages already known to come from this frame's window and Payrail's origin. */
  receive(message: FrameMessage): void {
    if (message.frameId !== this.id) return;
    if (message.type === 'ready') {
      this.ready = true;
      for (const run of this.waiting.splice(0)) run();
    }
    if (message.type === 'response') {
      const pending = this.pending.get(message.requestId);
      if (!pending) return;
      this.pending.delete(message.requestId);
      clearTimeout(pending.timer);
      pending.resolve(message.result);
      return;
    }
    this.onMessage(message);
  }

  send(message: ParentMessage): void {
    const target = this.iframe.contentWindow;
    if (!target) return;
    const post = () => target.postMessage(message, this.client.origin);
    if (this.ready) post();
    else this.waiting.push(post);
  }

  request(request: OperationRequest): Promise<OperationResult> {
    this.requestCounter += 1;
    const requestId = `${this.id}_${this.requestCounter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ error: { type: 'api_connection_error', message: 'Payrail did not answer in time.' } });
      }, frameResponseTimeoutMs);
      this.pending.set(requestId, { resolve, timer });
      this.send({ tag: protocolTag, type: 'request', requestId, request });
    });
  }

  /** The frame is gone: whatever it was asked is answered with an error, and it is forgotten. */
  dispose(): void {
    this.client.unregister(this);
    this.iframe.remove();
    for (const [requestId, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ error: { type: 'invalid_request_error', message: 'The element was unmounted before the request finished.' } });
      this.pending.delete(requestId);
    }
    this.ready = false;
    this.waiting.length = 0;
  }
}

type Handler = (event: never) => void;

class Element implements PayrailElement {
  private frame: Frame | undefined;
  private container: HTMLElement | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private destroyed = false;
  /** The payment element's selected method, as its frame last reported it (the card until it says otherwise). */
  private selected: PaymentMethodType = 'card';

  constructor(
    private readonly elements: Elements,
    readonly elementType: ElementType,
    private options: CardElementOptions,
  ) {}

  /** The frame holding this element's fields, once mounted. */
  get mountedFrame(): Frame | undefined {
    return this.frame;
  }

  /** The locale of the element's group (the 3-D Secure dialog speaks it too). */
  get locale(): string | undefined {
    return this.elements.locale;
  }

  /** What the shopper chose to pay with in the payment element: `card` or `paypal`. */
  get selectedType(): PaymentMethodType {
    return this.selected;
  }

  mount(target: string | HTMLElement): void {
    if (this.destroyed) throw new IntegrationError('This element has been destroyed; create a new one.');
    if (this.frame) throw new IntegrationError('This element is already mounted. Unmount it before mounting it again.');
    const container = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
    if (!(container instanceof HTMLElement)) throw new IntegrationError(`The selector you specified (${String(target)}) applies to no DOM element on the page.`);
    const frameOptions: ElementFrameOptions = {
      hidePostalCode: this.options.hidePostalCode === true, disabled: this.options.disabled === true, postalCode: this.options.value?.postalCode,
      // The payment element reads the intent's payment_method_types with it, to offer PayPal where the intent takes it.
      clientSecret: this.elementType === 'payment' ? this.elements.clientSecret : undefined,
    };
    const frame = new Frame(this.elements.client, this.elementType, this.elements.locale, this.elements.appearance, frameOptions, (message) => this.onFrameMessage(message));
    frame.iframe.title = this.elementType === 'card' ? 'Secure card payment input frame' : 'Secure payment input frame';
    frame.iframe.style.height = `${initialFrameHeightPx}px`;
    container.classList.add('PayrailElement', 'PayrailElement--empty');
    container.append(frame.iframe);
    this.frame = frame;
    this.container = container;
  }

  unmount(): void {
    this.frame?.dispose();
    this.frame = undefined;
    this.selected = 'card';
    this.container?.classList.remove('PayrailElement', 'PayrailElement--empty', 'PayrailElement--complete', 'PayrailElement--invalid', 'PayrailElement--focus');
    this.container = undefined;
  }

  destroy(): void {
    this.unmount();
    this.destroyed = true;
    this.handlers.clear();
    this.elements.forget(this);
  }

  on(event: string, handler: Handler): this {
    if (typeof handler !== 'function') throw new IntegrationError('A handler must be a function.');
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return this;
  }

  off(event: string, handler?: Handler): this {
    if (handler) this.handlers.get(event)?.delete(handler);
    else this.handlers.delete(event);
    return this;
  }

  focus(): void {
    this.frame?.send({ tag: protocolTag, type: 'focus' });
  }

  blur(): void {
    this.frame?.send({ tag: protocolTag, type: 'blur' });
  }

  clear(): void {
    this.frame?.send({ tag: protocolTag, type: 'clear' });
  }

  update(options: CardElementOptions): void {
    this.options = { ...this.options, ...options };
    this.frame?.send({ tag: protocolTag, type: 'update', options: { hidePostalCode: this.options.hidePostalCode === true, disabled: this.options.disabled === true } });
  }

  private emit(event: string, payload: Record<string, unknown>): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) {
      try {
        (handler as (event: unknown) => void)({ elementType: this.elementType, ...payload });
      } catch (error) {
        // A merchant's handler that throws must not stop the others, nor break the element.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  private onFrameMessage(message: FrameMessage): void {
    const container = this.container;
    switch (message.type) {
      case 'ready':
        this.frame!.iframe.style.height = `${Math.max(0, Math.min(message.height, 2000))}px`;
        this.emit('ready', {});
        break;
      case 'resize':
        this.frame!.iframe.style.height = `${Math.max(0, Math.min(message.height, 2000))}px`;
        break;
      case 'focus':
        container?.classList.add('PayrailElement--focus');
        this.emit('focus', {});
        break;
      case 'blur':
        container?.classList.remove('PayrailElement--focus');
        this.emit('blur', {});
        break;
      case 'escape':
        this.emit('escape', {});
        break;
      case 'change': {
        const state = message.state;
        container?.classList.toggle('PayrailElement--empty', state.empty);
        container?.classList.toggle('PayrailElement--complete', state.complete);
        container?.classList.toggle('PayrailElement--invalid', state.error !== undefined);
        const type: PaymentMethodType = state.value.type === 'paypal' ? 'paypal' : 'card';
        if (this.elementType === 'payment') this.selected = type;
        const value = this.elementType === 'payment' ? { ...state.value, type } : { postalCode: state.value.postalCode };
        if (value.postalCode === undefined) delete value.postalCode;
        const event: Record<string, unknown> = { empty: state.empty, complete: state.complete, brand: state.brand, value };
        if (state.error) event.error = { type: 'validation_error', code: state.error.code, message: state.error.message };
        this.emit('change', event);
        break;
      }
    }
  }
}

class Elements implements PayrailElements {
  readonly clientSecret: string | undefined;
  readonly locale: string | undefined;
  readonly appearance: unknown;
  private readonly created = new Map<ElementType, Element>();

  constructor(readonly client: Client, options: ElementsOptions) {
    this.clientSecret = options.clientSecret;
    this.locale = options.locale ?? client.locale;
    this.appearance = options.appearance;
    if (options.appearance !== undefined) {
      const refused = resolveAppearance(options.appearance).refused;
      if (refused.length > 0) console.warn(`payrail.js: appearance values ignored (not a theme, colour, length or font list): ${refused.join(', ')}`);
    }
  }

  create(type: ElementType, options: CardElementOptions = {}): PayrailElement {
    if (type !== 'card' && type !== 'payment') throw new IntegrationError(`A "${String(type)}" element is not supported: create a "card" or "payment" element.`);
    if (this.created.has(type)) throw new IntegrationError(`Can only create one element of type ${type}.`);
    const element = new Element(this, type, options);
    this.created.set(type, element);
    return element;
  }

  getElement(type: ElementType): PayrailElement | null {
    return this.created.get(type) ?? null;
  }

  /** The element that holds the card for confirmPayment / createPaymentMethod({ elements }). */
  cardElement(): Element | undefined {
    return this.created.get('payment') ?? this.created.get('card');
  }

  forget(element: Element): void {
    if (this.created.get(element.elementType) === element) this.created.delete(element.elementType);
  }
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Leaves the page for a URL Payrail gave (a 3-D Secure page) or the merchant's return_url: http(s) only. */
function navigate(url: string): Promise<never> {
  if (!isHttpUrl(url)) throw new IntegrationError('Refusing to navigate to a URL that is not http(s).');
  window.location.assign(url);
  // The page is leaving; as Stripe.js, the promise never settles.
  return new Promise<never>(() => undefined);
}

class Client implements PayrailInstance {
  readonly apiBase: string;
  readonly origin: string;
  readonly locale: string | undefined;
  /** Frames by their window; a frame whose window is not yet known waits in `unbound` (matched on its first message). */
  private readonly frames = new Map<Window, Frame>();
  private readonly unbound = new Set<Frame>();
  private controller: Frame | undefined;

  constructor(readonly publishableKey: string, options: PayrailOptions) {
    if (typeof publishableKey !== 'string' || publishableKey.length === 0) throw new IntegrationError('Please call Payrail() with your publishable key.');
    if (/^(?:sk|rk)_/.test(publishableKey)) throw new IntegrationError('You should not use your secret key with payrail.js. Please pass a publishable key instead.');
    if (!/^pk_(?:test|live)_[A-Za-z0-9]+$/.test(publishableKey)) throw new IntegrationError('Invalid publishable key: it starts with pk_test_ or pk_live_.');
    const base = options.apiBase ?? scriptSource;
    if (!base) throw new IntegrationError('Cannot tell where Payrail is: load payrail.js from your Payrail server, or pass { apiBase }.');
    let url: URL;
    try {
      url = new URL(base, window.location.href);
    } catch {
      throw new IntegrationError(`Invalid apiBase: ${String(base)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new IntegrationError('apiBase must be an http(s) URL.');
    this.origin = url.origin;
    // With the default (the script's own address) the base is the origin; an explicit apiBase may carry a path prefix.
    this.apiBase = options.apiBase ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : url.origin;
    if (window.location.origin === 'null') throw new IntegrationError('payrail.js needs a page with an origin (served over http(s), not a file).');
    this.locale = options.locale;
    window.addEventListener('message', (event: MessageEvent) => this.onMessage(event));
  }

  register(frame: Frame): void {
    this.unbound.add(frame);
  }

  unregister(frame: Frame): void {
    this.unbound.delete(frame);
    for (const [window, candidate] of this.frames) if (candidate === frame) this.frames.delete(window);
    if (this.controller === frame) this.controller = undefined;
  }

  private frameFor(source: MessageEventSource | null): Frame | undefined {
    if (!source) return undefined;
    const known = this.frames.get(source as Window);
    if (known) return known;
    for (const frame of this.unbound) {
      if (frame.iframe.contentWindow === source) {
        this.unbound.delete(frame);
        this.frames.set(source as Window, frame);
        return frame;
      }
    }
    return undefined;
  }

  private onMessage(event: MessageEvent): void {
    // Only Payrail's origin, and only a window that is one of our own frames.
    if (event.origin !== this.origin) return;
    const data = event.data as FrameMessage;
    if (typeof data !== 'object' || data === null || data.tag !== protocolTag) return;
    this.frameFor(event.source)?.receive(data);
  }

  /** A hidden frame for calls that need no card (retrieve, confirm with a PaymentMethod id). */
  private controllerFrame(): Frame {
    if (this.controller && this.controller.iframe.isConnected) return this.controller;
    const frame = new Frame(this, 'controller', this.locale, undefined, {}, () => undefined);
    frame.iframe.title = 'Payrail controller frame';
    frame.iframe.setAttribute('aria-hidden', 'true');
    frame.iframe.tabIndex = -1;
    frame.iframe.style.cssText = 'border:none;width:1px;height:1px;position:absolute;left:-9999px;top:0;visibility:hidden';
    document.body.append(frame.iframe);
    this.controller = frame;
    return frame;
  }

  elements(options: ElementsOptions = {}): PayrailElements {
    if (options.clientSecret !== undefined && (typeof options.clientSecret !== 'string' || !(intentIdOf(options.clientSecret) || setupIntentIdOf(options.clientSecret)))) {
      throw new IntegrationError('Invalid value for elements(): clientSecret should be a PaymentIntent or SetupIntent client secret (pi_..._secret_... or seti_..._secret_...).');
    }
    return new Elements(this, options);
  }

  private mountedElement(candidate: unknown): Element {
    if (!(candidate instanceof Element)) throw new IntegrationError('Please pass a card or payment element created by this Payrail instance.');
    if (!candidate.mountedFrame) throw new IntegrationError('The element is not mounted: mount it before using it.');
    return candidate;
  }

  async createPaymentMethod(data: CreatePaymentMethodCardData | CreatePaymentMethodElementsData): Promise<PaymentMethodResult> {
    let element: Element;
    let billingDetails: unknown;
    if (data && 'elements' in data && data.elements) {
      if (!(data.elements instanceof Elements)) throw new IntegrationError('Please pass the elements group created by this Payrail instance.');
      element = this.mountedElement(data.elements.cardElement());
      billingDetails = data.params?.billing_details;
    } else if (data && 'card' in data) {
      if (data.type !== 'card') throw new IntegrationError('Only type "card" can be created from an element.');
      element = this.mountedElement(data.card);
      billingDetails = data.billing_details;
    } else {
      throw new IntegrationError('createPaymentMethod needs { type: "card", card: element } or { elements }.');
    }
    const result = await element.mountedFrame!.request({ operation: 'createPaymentMethod', billingDetails });
    return (result.error ? { error: result.error } : { paymentMethod: result.paymentMethod }) as PaymentMethodResult;
  }

  async retrievePaymentIntent(clientSecret: string): Promise<PaymentIntentResult> {
    return present(paymentKind, await this.retrieveIntent(paymentKind, clientSecret, 'retrievePaymentIntent')) as PaymentIntentResult;
  }

  async retrieveSetupIntent(clientSecret: string): Promise<SetupIntentResult> {
    return present(setupKind, await this.retrieveIntent(setupKind, clientSecret, 'retrieveSetupIntent')) as SetupIntentResult;
  }

  private async retrieveIntent(kind: IntentKind, clientSecret: string, caller: string): Promise<IntentResult> {
    if (typeof clientSecret !== 'string' || !kind.idOf(clientSecret)) throw new IntegrationError(`Invalid value for ${caller}: it should be a client secret (${kind.secretShape}).`);
    const result = await this.controllerFrame().request({ operation: kind.retrieveOperation, clientSecret });
    return result.error ? { error: result.error as PayrailError } : { intent: result[kind.resultKey] as unknown as Intent };
  }

  /**
   * Where payrail.js's own confirmations send 3-D Secure back: Payrail's completion page (Stripe's
   * hooks.stripe.com/3d_secure/complete), which tells this window the challenge ended. It names this page's origin (the
   * only one allowed to frame the challenge and to hear the completion) and the merchant's return_url, where Payrail
   * sends the shopper should the challenge have to leave the dialog for the whole window.
   */
  private challengeReturnUrl(merchantReturnUrl: string | undefined): string {
    const url = new URL(`${this.apiBase}${challengeCompletePath}`);
    url.searchParams.set('origin', window.location.origin);
    if (merchantReturnUrl !== undefined) url.searchParams.set('return_url', merchantReturnUrl);
    return url.toString();
  }

  /**
   * Whether the intent's challenge can be shown in the dialog: Payrail's own challenge page, which allows framing by
   * this origin because the intent returns to Payrail's completion page for it. A provider's page (PayPal's approval,
   * a bank reached through a provider) may refuse to be framed: it gets the whole window, as before.
   */
  private challengeInDialog(intent: Intent): boolean {
    const redirect = intent.next_action?.redirect_to_url;
    if (intent.status !== 'requires_action' || intent.next_action?.type !== 'redirect_to_url' || !redirect || !redirect.return_url) return false;
    let challenge: URL;
    let completion: URL;
    try {
      challenge = new URL(redirect.url);
      completion = new URL(redirect.return_url);
    } catch {
      return false;
    }
    return challenge.href.startsWith(`${this.apiBase}/3ds/`) && completion.href.startsWith(`${this.apiBase}${challengeCompletePath}?`)
      && completion.searchParams.get('origin') === window.location.origin;
  }

  /**
   * Shows the challenge in the dialog; once it ends, the intent as it now is: `{ intent }` when authenticated,
   * `{ error }` (Stripe's `payment_intent_authentication_failure` or `setup_intent_authentication_failure`, with the
   * intent) when it failed or the shopper closed the dialog (the intent then stays in `requires_action`).
   */
  private async challenge(kind: IntentKind, clientSecret: string, intent: Intent, locale: string | undefined): Promise<IntentResult> {
    const texts = textsFor(resolveLocale(locale, navigator.languages ?? [navigator.language])).challenge;
    const outcome = await new ChallengeDialog(this.origin, intent.next_action!.redirect_to_url!.url, intent.id, texts).open();
    const retrieved = await this.retrieveIntent(kind, clientSecret, 'handleNextAction');
    if (retrieved.error) return retrieved;
    const current = retrieved.intent;
    if (outcome === 'complete' && current.status !== 'requires_payment_method' && current.status !== 'requires_action') return { intent: current };
    const failure = (current as Record<string, unknown>)[kind.lastErrorField] as PayrailError | null | undefined;
    const error: PayrailError = failure && failure.code === kind.authenticationFailureCode
      ? { ...failure, [kind.errorKey]: current }
      : { type: 'invalid_request_error', code: kind.authenticationFailureCode, message: authenticationFailureMessage, [kind.errorKey]: current };
    return { error };
  }

  /** Confirms in the frame that holds the card (or the controller for an existing PaymentMethod); acts on a redirect. */
  private async confirm(kind: IntentKind, clientSecret: string, frame: Frame, request: OperationRequest, handleActions: boolean, merchantReturnUrl: string | undefined, locale = this.locale): Promise<IntentResult> {
    const result = await frame.request({ ...request, operation: kind.confirmOperation, clientSecret });
    if (result.error) return { error: result.error as PayrailError };
    const intent = result[kind.resultKey] as unknown as Intent;
    if (!handleActions || intent.status !== 'requires_action' || intent.next_action?.type !== 'redirect_to_url' || !intent.next_action.redirect_to_url) return { intent };
    if (this.challengeInDialog(intent)) return this.challenge(kind, clientSecret, intent, locale);
    // A page that must have the whole window (PayPal's approval, a provider's own page): it ends at return_url. Without
    // a merchant return_url there is nowhere to come back to: the merchant decides, as with handleActions: false.
    if (merchantReturnUrl === undefined) return { intent };
    return navigate(intent.next_action.redirect_to_url.url);
  }

  async confirmCardPayment(clientSecret: string, data: ConfirmCardPaymentData = {}, options: { handleActions?: boolean } = {}): Promise<PaymentIntentResult> {
    return present(paymentKind, await this.confirmCard(paymentKind, 'confirmCardPayment', clientSecret, data, options)) as PaymentIntentResult;
  }

  /** Stripe.js's `confirmCardSetup`: confirmCardPayment's path for a SetupIntent (the card saved, no money taken). */
  async confirmCardSetup(clientSecret: string, data: ConfirmCardSetupData = {}, options: { handleActions?: boolean } = {}): Promise<SetupIntentResult> {
    return present(setupKind, await this.confirmCard(setupKind, 'confirmCardSetup', clientSecret, data, options)) as SetupIntentResult;
  }

  private async confirmCard(kind: IntentKind, caller: string, clientSecret: string, data: ConfirmCardPaymentData, options: { handleActions?: boolean }): Promise<IntentResult> {
    if (typeof clientSecret !== 'string' || !kind.idOf(clientSecret)) throw new IntegrationError(`Invalid value for ${caller}: the first argument should be a client secret (${kind.secretShape}).`);
    data = data ?? {};
    if (data.return_url !== undefined && !isHttpUrl(data.return_url)) throw new IntegrationError('return_url must be an http(s) URL.');
    const handleActions = options?.handleActions !== false;
    // Handled here, 3-D Secure shows in the dialog and comes back to Payrail's completion page; left to the merchant
    // (handleActions: false), it returns to the merchant's return_url as given.
    const returnUrl = handleActions ? this.challengeReturnUrl(data.return_url) : data.return_url;
    const method = data.payment_method;
    const operation = kind.confirmOperation;
    if (typeof method === 'string') return this.confirm(kind, clientSecret, this.controllerFrame(), { operation, paymentMethod: method, returnUrl }, handleActions, data.return_url);
    if (method === undefined) return this.confirm(kind, clientSecret, this.controllerFrame(), { operation, returnUrl }, handleActions, data.return_url);
    const element = this.mountedElement(method.card);
    return this.confirm(kind, clientSecret, element.mountedFrame!, { operation, useCard: true, billingDetails: method.billing_details, returnUrl }, handleActions, data.return_url, element.locale);
  }

  /**
   * Stripe.js's `confirmPayPalPayment`: confirms with PayPal (a PayPal PaymentMethod made for the payment, or an
   * existing one) and sends the whole page to PayPal to approve; PayPal sends the shopper back to `return_url` with
   * Stripe's query parameters (`payment_intent`, `payment_intent_client_secret`, `redirect_status`).
   */
  async confirmPayPalPayment(clientSecret: string, data: ConfirmPayPalPaymentData): Promise<PaymentIntentResult> {
    if (typeof clientSecret !== 'string' || !intentIdOf(clientSecret)) throw new IntegrationError('Invalid value for confirmPayPalPayment: the first argument should be a client secret (pi_..._secret_...).');
    if (!data || typeof data.return_url !== 'string' || !isHttpUrl(data.return_url)) throw new IntegrationError('confirmPayPalPayment needs a return_url (an http(s) URL): PayPal sends the shopper back there.');
    const method = data.payment_method;
    const request: OperationRequest = typeof method === 'string'
      ? { operation: 'confirmCardPayment', paymentMethod: method, returnUrl: data.return_url }
      : { operation: 'confirmCardPayment', payPal: true, billingDetails: method?.billing_details, returnUrl: data.return_url };
    return present(paymentKind, await this.confirm(paymentKind, clientSecret, this.controllerFrame(), request, true, data.return_url)) as PaymentIntentResult;
  }

  /**
   * The local methods' confirmations, as Stripe.js names them (confirmIdealPayment, confirmSepaDebitPayment, ...):
   * confirms the PaymentIntent with a PaymentMethod made from `payment_method` (its hash and billing details) or an
   * existing one (`'pm_...'`), then handles the next action as Stripe.js does: a bank's page (iDEAL, Bancontact, EPS,
   * P24, Klarna) takes the whole window and comes back to `return_url`; everything else resolves `{ paymentIntent }`:
   * `processing` for a SEPA debit (mandate accepted online in this browser), BLIK and UPI, and `requires_action` with
   * `next_action.pix_display_qr_code` or `boleto_display_details` for the page to show (Stripe.js's modal is not built).
   */
  private async confirmLocal(type: string, caller: string, clientSecret: string, data: LocalPaymentData | undefined, options: { handleActions?: boolean } | undefined): Promise<PaymentIntentResult> {
    if (typeof clientSecret !== 'string' || !intentIdOf(clientSecret)) throw new IntegrationError(`Invalid value for ${caller}: the first argument should be a client secret (pi_..._secret_...).`);
    data = data ?? {};
    if (data.return_url !== undefined && !isHttpUrl(data.return_url)) throw new IntegrationError('return_url must be an http(s) URL.');
    const handleActions = options?.handleActions !== false;
    if (redirectMethodTypes.includes(type) && handleActions && data.return_url === undefined) {
      throw new IntegrationError(`${caller} needs a return_url (an http(s) URL): the bank sends the shopper back there.`);
    }
    const method = data.payment_method;
    const blikCode = data.payment_method_options?.blik?.code;
    const request: OperationRequest = typeof method === 'string'
      ? { operation: 'confirmCardPayment', paymentMethod: method, returnUrl: data.return_url, blikCode }
      : { operation: 'confirmCardPayment', localMethod: { type, details: method?.[type as keyof typeof method] }, billingDetails: method?.billing_details, returnUrl: data.return_url, blikCode };
    return present(paymentKind, await this.confirm(paymentKind, clientSecret, this.controllerFrame(), request, handleActions, data.return_url)) as PaymentIntentResult;
  }

  confirmIdealPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('ideal', 'confirmIdealPayment', clientSecret, data, options);
  }

  confirmBancontactPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('bancontact', 'confirmBancontactPayment', clientSecret, data, options);
  }

  confirmEpsPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('eps', 'confirmEpsPayment', clientSecret, data, options);
  }

  confirmP24Payment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('p24', 'confirmP24Payment', clientSecret, data, options);
  }

  confirmKlarnaPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('klarna', 'confirmKlarnaPayment', clientSecret, data, options);
  }

  confirmSepaDebitPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult> {
    return this.confirmLocal('sepa_debit', 'confirmSepaDebitPayment', clientSecret, data, undefined);
  }

  confirmBlikPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult> {
    return this.confirmLocal('blik', 'confirmBlikPayment', clientSecret, data, undefined);
  }

  confirmPixPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('pix', 'confirmPixPayment', clientSecret, data, options);
  }

  confirmBoletoPayment(clientSecret: string, data?: LocalPaymentData, options?: { handleActions?: boolean }): Promise<PaymentIntentResult> {
    return this.confirmLocal('boleto', 'confirmBoletoPayment', clientSecret, data, options);
  }

  /** Payrail's extension (Stripe.js has no UPI): a collect request to the payer's VPA, approved in their UPI app. */
  confirmUpiPayment(clientSecret: string, data?: LocalPaymentData): Promise<PaymentIntentResult> {
    return this.confirmLocal('upi', 'confirmUpiPayment', clientSecret, data, undefined);
  }

  async confirmPayment(options: ConfirmPaymentOptions): Promise<PaymentIntentResult> {
    return present(paymentKind, await this.confirmElements(paymentKind, 'confirmPayment', options)) as PaymentIntentResult;
  }

  /** Stripe.js's `confirmSetup`: confirmPayment's path for a SetupIntent (the group's `clientSecret` is `seti_..._secret_...`). */
  async confirmSetup(options: ConfirmSetupOptions): Promise<SetupIntentResult> {
    return present(setupKind, await this.confirmElements(setupKind, 'confirmSetup', options)) as SetupIntentResult;
  }

  private async confirmElements(kind: IntentKind, caller: string, options: ConfirmPaymentOptions): Promise<IntentResult> {
    if (!options || !(options.elements instanceof Elements)) throw new IntegrationError(`${caller} needs { elements } created by this Payrail instance.`);
    const clientSecret = options.clientSecret ?? options.elements.clientSecret;
    if (!clientSecret || !kind.idOf(clientSecret)) throw new IntegrationError(`${caller} needs the client secret (${kind.secretShape}): pass it to payrail.elements({ clientSecret }).`);
    const redirect = options.redirect ?? 'always';
    if (redirect !== 'always' && redirect !== 'if_required') throw new IntegrationError('redirect must be "always" or "if_required".');
    const returnUrl = options.confirmParams?.return_url;
    if (returnUrl !== undefined && !isHttpUrl(returnUrl)) throw new IntegrationError('return_url must be an http(s) URL.');
    if (redirect === 'always' && returnUrl === undefined) throw new IntegrationError(`${caller} needs confirmParams.return_url (or redirect: "if_required").`);
    const element = this.mountedElement(options.elements.cardElement());
    const billingDetails = options.confirmParams?.payment_method_data?.billing_details;
    if (element.selectedType === 'paypal') {
      // PayPal always leaves the page for PayPal's approval, which comes back to return_url (as Stripe's payment element).
      if (returnUrl === undefined) throw new IntegrationError(`${caller} with PayPal selected needs confirmParams.return_url: PayPal sends the shopper back there.`);
      return this.confirm(kind, clientSecret, element.mountedFrame!, { operation: kind.confirmOperation, payPal: true, billingDetails, returnUrl }, true, returnUrl, element.locale);
    }
    // redirect: 'always' keeps 3-D Secure in the whole window (it ends at return_url); 'if_required' shows it in the dialog.
    const result = await this.confirm(kind, clientSecret, element.mountedFrame!, {
      operation: kind.confirmOperation, useCard: true, billingDetails, returnUrl: redirect === 'if_required' ? this.challengeReturnUrl(returnUrl) : returnUrl,
    }, true, returnUrl, element.locale);
    if (result.error || redirect === 'if_required' || returnUrl === undefined) return result;
    // As Stripe.js: after a confirmation that needed no redirect, the shopper still goes to return_url with the outcome
    // (`payment_intent` or `setup_intent`, its client secret, `redirect_status`).
    const target = new URL(returnUrl);
    target.searchParams.set(kind.errorKey, result.intent.id);
    target.searchParams.set(`${kind.errorKey}_client_secret`, clientSecret);
    target.searchParams.set('redirect_status', result.intent.status === 'requires_payment_method' ? 'failed' : 'succeeded');
    return navigate(target.toString());
  }

  /** Stripe.js's `initEmbeddedCheckout`: the Checkout page of an embedded session, mounted in this page (embedded-checkout.ts). */
  async initEmbeddedCheckout(options: EmbeddedCheckoutOptions): Promise<EmbeddedCheckoutInstance> {
    const fail = (message: string) => new IntegrationError(message);
    const secret = await embeddedCheckoutSecret(options ?? {}, fail);
    return new EmbeddedCheckout(this.apiBase, this.origin, secret, options.onComplete, fail);
  }

  /**
   * Performs the intent's `redirect_to_url`: in the dialog when the intent was confirmed (by payrail.js, or by the
   * merchant's server with such a return_url, docs/payrail-js.md) to come back to Payrail's completion page for this
   * origin; otherwise in the whole window, as a provider's page needs.
   */
  async handleNextAction(options: { clientSecret: string }): Promise<PaymentIntentResult | SetupIntentResult> {
    // Stripe.js takes either kind's client secret here.
    const kind = typeof options?.clientSecret === 'string' && setupIntentIdOf(options.clientSecret) ? setupKind : paymentKind;
    const retrieved = await this.retrieveIntent(kind, options?.clientSecret, 'handleNextAction');
    if (retrieved.error) return present(kind, retrieved);
    const intent = retrieved.intent;
    const next = intent.next_action;
    if (intent.status !== 'requires_action' || next?.type !== 'redirect_to_url' || !next.redirect_to_url) return present(kind, retrieved);
    if (this.challengeInDialog(intent)) return present(kind, await this.challenge(kind, options.clientSecret, intent, this.locale));
    return navigate(next.redirect_to_url.url);
  }
}

/** An internal result as Stripe.js resolves it: `{ paymentIntent }` or `{ setupIntent }`, or `{ error }`. */
function present(kind: IntentKind, result: IntentResult): PaymentIntentResult | SetupIntentResult {
  if (result.error) return { error: result.error };
  return (kind === setupKind ? { setupIntent: result.intent } : { paymentIntent: result.intent }) as PaymentIntentResult | SetupIntentResult;
}

/** `Payrail(publishableKey, { apiBase })`, as `Stripe(publishableKey)`. */
function Payrail(publishableKey: string, options: PayrailOptions = {}): PayrailInstance {
  return new Client(publishableKey, options);
}

(window as unknown as { Payrail: typeof Payrail }).Payrail = Payrail;
