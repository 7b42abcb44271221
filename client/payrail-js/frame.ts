/**
 * The page inside Payrail's iframe (GET /v1/elements/frame, served from Payrail's origin). It draws the card fields,
 * checks them as the shopper types, and sends the card to Payrail's API itself (same origin, so no CORS and no card
 * data through the merchant's page). It talks only to the window that framed it, and only if that window has the
 * origin named in the frame's address; it answers only to that origin. What it tells the merchant's page is state
 * (empty, complete, brand, a validation error) and API results, never a card number or security code.
 */
import { resolveAppearance } from './appearance.ts';
import {
  caretAfterDigits, cardFieldOrder, checkCard, checkExpiry, checkPostalCode, cvcLength, digitsOf, formatCvc, formatExpiry, formatNumber, formatPostalCode, numberFinished,
  type CardField, type CardState,
} from './card.ts';
import { resolveLocale, textsFor, type LocaleTexts } from './messages.ts';
import { MethodTabs } from './method-tabs.ts';
import { cleanBillingDetails, formEncode, localMethodParameters } from './requests.ts';
import {
  intentIdOf, protocolTag, setupIntentIdOf, type ChangeState, type ElementFrameOptions, type FrameConfiguration, type FrameMessage, type OperationRequest, type OperationResult,
  type ParentMessage, type PaymentMethodType, type ResultError, type ValidationError,
} from './protocol.ts';

/** Longest fragment read (the configuration is a few hundred bytes; an appearance adds at most a few KiB). */
const configurationLengthMax = 16_384;

const brandNames: Record<string, string> = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay', unknown: '',
};
/** In the one-row card element there is room for a short name only. */
const shortBrandNames: Record<string, string> = { ...brandNames, amex: 'Amex', diners: 'Diners' };

function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 300) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Reads and checks the configuration payrail.js put in the fragment; anything unexpected leaves the frame inert. */
function readConfiguration(): FrameConfiguration | undefined {
  const fragment = location.hash.slice(1);
  if (fragment.length === 0 || fragment.length > configurationLengthMax) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(fragment));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as Record<string, unknown>;
  if (typeof candidate.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(candidate.id)) return undefined;
  if (candidate.kind !== 'card' && candidate.kind !== 'payment' && candidate.kind !== 'controller') return undefined;
  if (!isOrigin(candidate.parentOrigin)) return undefined;
  // Only publishable keys: a secret key must never sit in a browser.
  if (typeof candidate.publishableKey !== 'string' || !/^pk_(?:test|live)_[A-Za-z0-9]{1,200}$/.test(candidate.publishableKey)) return undefined;
  const options = typeof candidate.options === 'object' && candidate.options !== null ? (candidate.options as Record<string, unknown>) : {};
  return {
    id: candidate.id,
    kind: candidate.kind,
    parentOrigin: candidate.parentOrigin,
    publishableKey: candidate.publishableKey,
    locale: typeof candidate.locale === 'string' ? candidate.locale.slice(0, 20) : undefined,
    appearance: candidate.appearance as FrameConfiguration['appearance'],
    options: {
      hidePostalCode: options.hidePostalCode === true,
      disabled: options.disabled === true,
      postalCode: typeof options.postalCode === 'string' ? formatPostalCode(options.postalCode) : undefined,
      clientSecret: candidate.kind === 'payment' && typeof options.clientSecret === 'string' && intentIdOf(options.clientSecret) ? options.clientSecret : undefined,
    },
  };
}

/**
 * Where the browser says the frame is embedded must be the origin the configuration names: a page cannot claim
 * another site's origin to receive its frame's messages. (Browsers without `ancestorOrigins` rely on postMessage's
 * target origin, which already keeps messages from any other origin.)
 */
function embeddedBy(origin: string): boolean {
  if (window.parent === window) return false;
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  return !ancestors || ancestors.length === 0 || ancestors[0] === origin;
}

class ApiClient {
  constructor(private readonly publishableKey: string) {}

  async call(method: 'GET' | 'POST', path: string, parameters: Record<string, unknown>): Promise<{ body?: Record<string, unknown>; error?: ResultError }> {
    const encoded = formEncode(parameters);
    let response: Response;
    try {
      response = await fetch(method === 'GET' && encoded ? `${path}?${encoded}` : path, {
        method,
        headers: { authorization: `Bearer ${this.publishableKey}`, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: method === 'POST' ? encoded : undefined,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return { error: { type: 'api_connection_error', message: 'Payrail could not be reached. Check the connection and try again.' } };
    }
    let body: Record<string, unknown> | undefined;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (response.ok && body) return { body };
    const error = body && typeof body.error === 'object' && body.error !== null ? (body.error as ResultError) : { type: 'api_error', message: `Payrail answered ${response.status}.` };
    return { error };
  }
}

interface Field {
  name: CardField;
  input: HTMLInputElement;
  container: HTMLElement;
}

/** The card fields of a `card` (one row) or `payment` (stacked, labels shown) element. */
class CardFields {
  readonly root: HTMLElement;
  private readonly fields: Field[] = [];
  private readonly errorLine: HTMLElement;
  private readonly brandLabel: HTMLElement;
  /** Fields the shopper has left (or tried to submit): their incompleteness is now worth saying. */
  private readonly touched = new Set<CardField>();
  private focused = false;
  private lastState: CardState;

  constructor(
    private readonly configuration: FrameConfiguration,
    private readonly texts: LocaleTexts,
    private options: ElementFrameOptions,
    private readonly post: (message: FrameMessage) => void,
  ) {
    const kind = configuration.kind;
    this.root = document.createElement('div');
    this.root.className = `Root Root--${kind}`;
    this.root.setAttribute('role', 'group');
    this.root.setAttribute('aria-label', texts.fields.card);
    const row = document.createElement('div');
    row.className = 'Fields';
    this.root.append(row);
    this.brandLabel = document.createElement('span');
    this.brandLabel.className = 'Brand';
    this.brandLabel.id = 'brand';
    this.errorLine = document.createElement('div');
    this.errorLine.className = 'Error';
    this.errorLine.id = 'error';
    this.errorLine.setAttribute('role', 'alert');

    const make = (name: CardField, label: string, attributes: Record<string, string>): Field => {
      const container = document.createElement('div');
      container.className = `Field Field--${name}`;
      const labelElement = document.createElement('label');
      labelElement.className = 'Label';
      labelElement.htmlFor = `field-${name}`;
      labelElement.textContent = label;
      const input = document.createElement('input');
      input.id = `field-${name}`;
      input.className = 'Input';
      input.type = 'text';
      input.spellcheck = false;
      input.setAttribute('aria-invalid', 'false');
      input.setAttribute('aria-describedby', name === 'number' ? 'brand error' : 'error');
      for (const [attribute, value] of Object.entries(attributes)) input.setAttribute(attribute, value);
      container.append(labelElement, input);
      if (name === 'number') container.append(this.brandLabel);
      row.append(container);
      const field = { name, input, container };
      this.fields.push(field);
      return field;
    };
    make('number', texts.fields.cardNumber, { name: 'cardnumber', autocomplete: 'cc-number', inputmode: 'numeric', placeholder: '1234 1234 1234 1234', maxlength: '23' });
    make('expiry', texts.fields.expiry, { name: 'exp-date', autocomplete: 'cc-exp', inputmode: 'numeric', placeholder: texts.fields.expiryPlaceholder, maxlength: '9' });
    make('cvc', texts.fields.cvc, { name: 'cvc', autocomplete: 'cc-csc', inputmode: 'numeric', placeholder: 'CVC', maxlength: '4' });
    make('postalCode', texts.fields.postalCode, { name: 'postal', autocomplete: 'postal-code', placeholder: texts.fields.postalCode, maxlength: '10' });
    this.root.append(this.errorLine);
    for (const field of this.fields) this.listen(field);
    this.root.addEventListener('focusin', () => this.onFocusIn());
    this.root.addEventListener('focusout', (event) => this.onFocusOut(event));
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.post({ tag: protocolTag, frameId: configuration.id, type: 'escape' });
    });
    this.applyOptions(options);
    this.lastState = this.check();
  }

  private field(name: CardField): Field {
    return this.fields.find((field) => field.name === name)!;
  }

  private get postalCodeShown(): boolean {
    return !this.options.hidePostalCode;
  }

  private visibleFields(): Field[] {
    return this.fields.filter((field) => field.name !== 'postalCode' || this.postalCodeShown);
  }

  applyOptions(options: ElementFrameOptions): void {
    this.options = { ...this.options, ...options };
    this.field('postalCode').container.hidden = !this.postalCodeShown;
    for (const field of this.fields) field.input.disabled = this.options.disabled === true;
    if (options.postalCode !== undefined) this.field('postalCode').input.value = formatPostalCode(options.postalCode);
  }

  private values() {
    return {
      number: this.field('number').input.value,
      expiry: this.field('expiry').input.value,
      cvc: this.field('cvc').input.value,
      postalCode: this.field('postalCode').input.value,
    };
  }

  check(): CardState {
    return checkCard(this.values(), { postalCode: this.postalCodeShown }, new Date());
  }

  /** The field whose problem is shown: the first in order with an invalid value, or an incomplete one already left. */
  private shownProblem(state: CardState): { field: CardField; error: ValidationError } | undefined {
    for (const name of cardFieldOrder) {
      const code = state.problems[name];
      if (!code) continue;
      if (state.incomplete[name] && !this.touched.has(name)) continue;
      return { field: name, error: { type: 'validation_error', code, message: this.texts.errors[code] } };
    }
    return undefined;
  }

  private render(state: CardState): ValidationError | undefined {
    const shown = this.shownProblem(state);
    for (const field of this.fields) {
      const invalid = shown?.field === field.name || (state.problems[field.name] !== undefined && !state.incomplete[field.name]);
      field.input.setAttribute('aria-invalid', String(invalid));
      field.container.classList.toggle('Field--invalid', invalid);
    }
    this.errorLine.textContent = shown?.error.message ?? '';
    this.brandLabel.textContent = (this.configuration.kind === 'card' ? shortBrandNames : brandNames)[state.brand] ?? '';
    this.brandLabel.dataset.brand = state.brand;
    this.field('cvc').input.setAttribute('maxlength', state.brand === 'amex' ? '4' : '3');
    this.root.classList.toggle('Root--complete', state.complete);
    this.root.classList.toggle('Root--invalid', shown !== undefined);
    return shown?.error;
  }

  /** Checks, redraws and tells the parent, as a Stripe change event. */
  emitChange(): void {
    const state = this.check();
    this.lastState = state;
    const error = this.render(state);
    const change: ChangeState = { empty: state.empty, complete: state.complete, brand: state.brand, value: this.postalCodeShown ? { postalCode: this.field('postalCode').input.value } : {} };
    if (this.configuration.kind === 'payment') change.value.type = 'card';
    if (error) change.error = error;
    this.post({ tag: protocolTag, frameId: this.configuration.id, type: 'change', state: change });
  }

  private listen(field: Field): void {
    const { input } = field;
    input.addEventListener('input', (event) => {
      const inputType = (event as InputEvent).inputType ?? '';
      const deleting = inputType.startsWith('delete');
      const before = input.value;
      const caret = input.selectionStart ?? before.length;
      const caretAtEnd = caret >= before.length;
      let after = before;
      switch (field.name) {
        case 'number': {
          after = formatNumber(before);
          if (after !== before) {
            input.value = after;
            const position = caretAfterDigits(after, digitsOf(before.slice(0, caret)).length);
            if (!caretAtEnd) input.setSelectionRange(position, position);
          }
          break;
        }
        case 'expiry':
          after = formatExpiry(before, deleting);
          if (after !== before) input.value = after;
          break;
        case 'cvc':
          after = formatCvc(before, this.check().brand === 'unknown' ? 'amex' : this.check().brand);
          if (after !== before) input.value = after;
          break;
        case 'postalCode':
          after = formatPostalCode(before);
          if (after !== before) input.value = after;
          break;
      }
      this.emitChange();
      if (!deleting && caretAtEnd) this.advanceFrom(field.name);
    });
    input.addEventListener('blur', () => {
      if (input.value.trim() !== '') this.touched.add(field.name);
      this.emitChange();
    });
    input.addEventListener('keydown', (event) => {
      // Backspace in an empty field goes back to the previous one, as in Stripe's card element.
      if (event.key === 'Backspace' && input.value === '' && field.name !== 'number') {
        const visible = this.visibleFields();
        const previous = visible[visible.findIndex((candidate) => candidate.name === field.name) - 1];
        if (previous) {
          event.preventDefault();
          previous.input.focus();
        }
      }
    });
  }

  /** Moves on to the next field once this one is complete and valid (the shopper need not press Tab). */
  private advanceFrom(name: CardField): void {
    const values = this.values();
    let done = false;
    if (name === 'number') done = numberFinished(digitsOf(values.number));
    else if (name === 'expiry') done = checkExpiry(values.expiry, new Date()).state === 'complete';
    else if (name === 'cvc') done = digitsOf(values.cvc).length === cvcLength(this.check().brand);
    if (!done) return;
    const visible = this.visibleFields();
    const next = visible[visible.findIndex((field) => field.name === name) + 1];
    next?.input.focus();
  }

  private onFocusIn(): void {
    this.root.classList.add('Root--focus');
    if (this.focused) return;
    this.focused = true;
    this.post({ tag: protocolTag, frameId: this.configuration.id, type: 'focus' });
  }

  private onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next && this.root.contains(next)) return;
    this.root.classList.remove('Root--focus');
    if (!this.focused) return;
    this.focused = false;
    this.post({ tag: protocolTag, frameId: this.configuration.id, type: 'blur' });
  }

  focus(): void {
    const state = this.check();
    const target = this.visibleFields().find((field) => state.problems[field.name] !== undefined) ?? this.field('number');
    target.input.focus();
  }

  blur(): void {
    (document.activeElement as HTMLElement | null)?.blur();
  }

  clear(): void {
    for (const field of this.fields) field.input.value = '';
    this.touched.clear();
    this.emitChange();
  }

  /** The card, checked; incomplete fields are now shown as errors (the shopper tried to pay). */
  cardForSubmission(): { card: Record<string, unknown>; postalCode?: string } | { error: ValidationError } {
    for (const field of this.visibleFields()) this.touched.add(field.name);
    this.emitChange();
    const state = this.lastState;
    const shown = this.shownProblem(state);
    if (shown) return { error: shown.error };
    const values = this.values();
    return {
      card: { number: digitsOf(values.number), exp_month: state.expiry!.month, exp_year: state.expiry!.year, cvc: digitsOf(values.cvc) },
      postalCode: this.postalCodeShown && checkPostalCode(values.postalCode).state === 'complete' ? values.postalCode.trim() : undefined,
    };
  }
}

function start(): void {
  const configuration = readConfiguration();
  if (!configuration || !embeddedBy(configuration.parentOrigin)) return;
  const locale = resolveLocale(configuration.locale, navigator.languages ?? [navigator.language]);
  document.documentElement.lang = locale;
  const texts = textsFor(locale);
  const appearance = resolveAppearance(configuration.appearance);
  for (const [property, value] of Object.entries(appearance.properties)) document.documentElement.style.setProperty(property, value);
  document.documentElement.dataset.theme = appearance.theme;

  const post = (message: FrameMessage) => window.parent.postMessage(message, configuration.parentOrigin);
  const api = new ApiClient(configuration.publishableKey);
  /** The payment element's method tabs, when the intent accepts PayPal (set once the intent is read). */
  let tabs: MethodTabs | undefined;
  // The card's change events speak for the element only while the card is the selected method.
  const cardPost = (message: FrameMessage) => {
    if (message.type === 'change' && tabs && tabs.selected !== 'card') return;
    post(message);
  };
  const fields = configuration.kind === 'controller' ? undefined : new CardFields(configuration, texts, configuration.options, cardPost);
  const height = () => Math.ceil(document.documentElement.getBoundingClientRect().height);
  let inFlight = false;

  /** A method without fields (PayPal) is complete as soon as it is selected, as in Stripe's payment element. */
  const emitSelection = (type: PaymentMethodType) => {
    if (type === 'card') fields?.emitChange();
    else post({ tag: protocolTag, frameId: configuration.id, type: 'change', state: { empty: false, complete: true, brand: 'unknown', value: { type } } });
  };

  /** The methods the payment element offers: the card, and PayPal if the intent's payment_method_types has it. */
  const offeredMethods = async (): Promise<PaymentMethodType[]> => {
    const clientSecret = configuration.options.clientSecret;
    const intentId = clientSecret ? intentIdOf(clientSecret) : undefined;
    if (!clientSecret || !intentId) return ['card'];
    const retrieved = await api.call('GET', `/v1/payment_intents/${intentId}`, { client_secret: clientSecret });
    const types = Array.isArray(retrieved.body?.payment_method_types) ? (retrieved.body.payment_method_types as unknown[]) : ['card'];
    const offered = (['card', 'paypal'] as const).filter((type) => types.includes(type));
    // An intent for other methods only (or one that could not be read): the card, as before.
    return offered.length > 0 ? offered : ['card'];
  };

  const createPaymentMethod = async (request: OperationRequest): Promise<OperationResult> => {
    if (!fields) return { error: { type: 'invalid_request_error', message: 'No card element holds a card to use.' } };
    if (tabs && tabs.selected === 'paypal') {
      // The payment element with PayPal selected: a PayPal PaymentMethod (Stripe's createPaymentMethod({ elements })).
      const billingDetails = cleanBillingDetails(request.billingDetails, undefined);
      const created = await api.call('POST', '/v1/payment_methods', { type: 'paypal', billing_details: billingDetails });
      return created.error ? { error: created.error } : { paymentMethod: created.body };
    }
    const submission = fields.cardForSubmission();
    if ('error' in submission) return { error: submission.error };
    const billingDetails = cleanBillingDetails(request.billingDetails, submission.postalCode);
    const created = await api.call('POST', '/v1/payment_methods', { type: 'card', card: submission.card, billing_details: billingDetails });
    return created.error ? { error: created.error } : { paymentMethod: created.body };
  };

  /**
   * The intent an operation is about: a PaymentIntent's (`pi_..._secret_...`) for the payment operations, a
   * SetupIntent's (`seti_..._secret_...`) for the setup ones, read from the client secret; its API path and the
   * result's key.
   */
  const intentTarget = (request: OperationRequest): { path: string; resultKey: 'paymentIntent' | 'setupIntent' } | { error: ResultError } => {
    const setup = request.operation === 'confirmCardSetup' || request.operation === 'retrieveSetupIntent';
    const secret = typeof request.clientSecret === 'string' ? request.clientSecret : '';
    const id = setup ? setupIntentIdOf(secret) : intentIdOf(secret);
    if (!id) return { error: { type: 'invalid_request_error', code: 'resource_missing', message: `Invalid value for clientSecret: it should look like ${setup ? 'seti' : 'pi'}_..._secret_...` } };
    return setup ? { path: `/v1/setup_intents/${id}`, resultKey: 'setupIntent' } : { path: `/v1/payment_intents/${id}`, resultKey: 'paymentIntent' };
  };

  const perform = async (request: OperationRequest): Promise<OperationResult> => {
    switch (request.operation) {
      case 'createPaymentMethod':
        return createPaymentMethod(request);
      case 'retrievePaymentIntent':
      case 'retrieveSetupIntent': {
        const target = intentTarget(request);
        if ('error' in target) return target;
        const retrieved = await api.call('GET', target.path, { client_secret: request.clientSecret });
        return retrieved.error ? { error: retrieved.error } : { [target.resultKey]: retrieved.body };
      }
      case 'confirmCardPayment':
      case 'confirmCardSetup': {
        const target = intentTarget(request);
        if ('error' in target) return target;
        let paymentMethod = typeof request.paymentMethod === 'string' ? request.paymentMethod.slice(0, 255) : undefined;
        if (request.useCard === true) {
          const created = await createPaymentMethod(request);
          if (created.error) return created;
          paymentMethod = created.paymentMethod?.id as string;
        }
        const parameters: Record<string, unknown> = { client_secret: request.clientSecret };
        if (paymentMethod !== undefined) parameters.payment_method = paymentMethod;
        else if (request.localMethod !== undefined && target.resultKey === 'paymentIntent') {
          const local = localMethodParameters(request.localMethod, request.billingDetails, request.blikCode);
          if (!local) return { error: { type: 'invalid_request_error', code: 'payment_method_invalid_parameter', message: 'payrail.js cannot confirm with this payment method type.' } };
          Object.assign(parameters, local);
        } else if (request.payPal === true && target.resultKey === 'paymentIntent') {
          // Billing details copied field by field, as for a card (requests.ts).
          const billingDetails = cleanBillingDetails(request.billingDetails, undefined);
          parameters.payment_method_data = billingDetails ? { type: 'paypal', billing_details: billingDetails } : { type: 'paypal' };
        }
        // An existing BLIK PaymentMethod: the shopper's code still goes with this confirmation only.
        if (request.localMethod === undefined && typeof request.blikCode === 'string') parameters.payment_method_options = { blik: { code: request.blikCode.slice(0, 6) } };
        if (typeof request.returnUrl === 'string') parameters.return_url = request.returnUrl;
        const confirmed = await api.call('POST', `${target.path}/confirm`, parameters);
        return confirmed.error ? { error: confirmed.error } : { [target.resultKey]: confirmed.body };
      }
      default:
        return { error: { type: 'invalid_request_error', message: 'Unknown operation.' } };
    }
  };

  window.addEventListener('message', (event: MessageEvent) => {
    // Only the window that framed us, from the origin it was given; anything else is not for us.
    if (event.origin !== configuration.parentOrigin || event.source !== window.parent) return;
    const message = event.data as ParentMessage;
    if (typeof message !== 'object' || message === null || message.tag !== protocolTag) return;
    switch (message.type) {
      case 'focus':
        if (tabs && tabs.selected !== 'card') tabs.focusSelected();
        else fields?.focus();
        break;
      case 'blur':
        fields?.blur();
        break;
      case 'clear':
        fields?.clear();
        break;
      case 'update':
        if (fields && typeof message.options === 'object' && message.options !== null) {
          fields.applyOptions({ disabled: message.options.disabled === true, hidePostalCode: message.options.hidePostalCode === true });
          fields.emitChange();
        }
        break;
      case 'request': {
        const requestId = typeof message.requestId === 'string' ? message.requestId.slice(0, 64) : '';
        const respond = (result: OperationResult) => post({ tag: protocolTag, frameId: configuration.id, type: 'response', requestId, result });
        const request = typeof message.request === 'object' && message.request !== null ? message.request : ({} as OperationRequest);
        // One payment at a time per card: a double click must not create two PaymentMethods or confirm twice.
        const exclusive = request.operation !== 'retrievePaymentIntent' && request.operation !== 'retrieveSetupIntent';
        if (exclusive && inFlight) {
          respond({ error: { type: 'invalid_request_error', code: 'request_in_progress', message: 'Another request of this element is still being processed.' } });
          break;
        }
        if (exclusive) inFlight = true;
        perform(request)
          .catch((): OperationResult => ({ error: { type: 'api_error', message: 'The request could not be completed.' } }))
          .then((result) => {
            if (exclusive) inFlight = false;
            respond(result);
          });
        break;
      }
    }
  });

  if (typeof ResizeObserver === 'function') {
    let last = 0;
    new ResizeObserver(() => {
      const current = height();
      if (current !== last) {
        last = current;
        post({ tag: protocolTag, frameId: configuration.id, type: 'resize', height: current });
      }
    }).observe(document.documentElement);
  }
  const show = async () => {
    if (fields) {
      const methods: PaymentMethodType[] = configuration.kind === 'payment' ? await offeredMethods().catch((): PaymentMethodType[] => ['card']) : ['card'];
      if (methods.length === 1 && methods[0] === 'card') document.body.append(fields.root);
      else {
        tabs = new MethodTabs(methods, texts.methods, fields.root, emitSelection);
        tabs.root.addEventListener('keydown', (event) => {
          // The card's fields tell their own Escape.
          if (event.key === 'Escape' && !fields.root.contains(event.target as Node)) post({ tag: protocolTag, frameId: configuration.id, type: 'escape' });
        });
        document.body.append(tabs.root);
        if (tabs.selected !== 'card') emitSelection(tabs.selected);
      }
    }
    post({ tag: protocolTag, frameId: configuration.id, type: 'ready', height: height() });
  };
  void show();
}

start();
