import { ApiError } from '../../platform/errors.ts';
import { checkChargeAmount, maximumAmount, parseCurrency } from '../../platform/money.ts';
import { renderPaymentIntent } from '../../payments/render.ts';
import { cancellationReasons, cancelPaymentIntent } from '../../payments/cancel.ts';
import { capturePaymentIntent } from '../../payments/capture.ts';
import { confirmPaymentIntent, resumeConfirmation } from '../../payments/confirm.ts';
import { retrievePaymentIntent } from '../../payments/checks.ts';
import { checkIntentClientSecret, publishablePaymentIntent } from '../../payments/client-secret.ts';
import { createPaymentIntent, listPaymentIntentPage, updatePaymentIntentFields } from '../../payments/intents.ts';
import type { IntentResult } from '../../payments/types.ts';
import { incrementPaymentIntentAuthorization } from '../../payments/increment-authorization.ts';
import { defineRoute, presentList, presentObject, type Presentation, type RouteContext, type RouteDefinition } from '../route.ts';
import { array, boolean, email, emptyable, enumeration, integer, metadata, object, required, string, url, type Schema } from '../schema.ts';
import { createdFilter, listParameters, shippingSchema } from './common.ts';
import { billingDetails } from './payment-methods.ts';
import { hashOfType, localMethodHashParams, localMethodOptionParams } from './local-method-params.ts';
import { localMethodTypeNames } from '../../payment-methods/method-types.ts';
import type { PaymentMethodDataInput } from '../../payment-methods/service.ts';

/**
 * A decline answers 402 with the card error and the intent inside it, as Stripe does. A publishable key (a shopper's
 * browser holding the client secret) sees the intent's public fields only, in the error too.
 */
function presentIntent(result: IntentResult, context: RouteContext): Presentation {
  const rendered = renderPaymentIntent(result.intent);
  const intent = context.caller.keyKind === 'publishable' ? publishablePaymentIntent(rendered) : rendered;
  if (!result.decline) return presentObject(intent);
  const { payment_method: paymentMethod, ...error } = result.decline;
  return { status: 402, body: { error: { ...error, payment_intent: intent, payment_method: paymentMethod } } };
}

const captureMethod = enumeration(['automatic', 'automatic_async', 'manual']);
const setupFutureUsage = emptyable(enumeration(['on_session', 'off_session']));
// The per-currency minimum and the maximum are checked by the service, with Stripe's amount_too_small / amount_too_large.
const amount = integer({ description: `Amount in the smallest currency unit; at least the currency's minimum charge amount and at most ${maximumAmount}.` });

const shipping = shippingSchema;

/** The `card` options Payrail acts on (docs/api.md); other payment method types take none. */
const paymentMethodOptions = object({
  card: emptyable(object({
    request_three_d_secure: enumeration(['automatic', 'any', 'challenge']),
    capture_method: emptyable(enumeration(['manual'])),
    setup_future_usage: emptyable(enumeration(['none', 'off_session', 'on_session'])),
    request_incremental_authorization: enumeration(['if_available', 'never']),
    // Stripe's installments (docs/api.md): enabled on the intent; the plan (2 to 12 monthly payments) at confirmation.
    installments: emptyable(object({
      enabled: boolean(),
      plan: emptyable(object({ count: integer(), interval: enumeration(['month']), type: enumeration(['fixed_count']) })),
    })),
  })),
  blik: emptyable(localMethodOptionParams.blik),
  klarna: emptyable(localMethodOptionParams.klarna),
  boleto: emptyable(localMethodOptionParams.boleto),
  pix: emptyable(localMethodOptionParams.pix),
  upi: emptyable(localMethodOptionParams.upi),
  sepa_debit: emptyable(localMethodOptionParams.sepa_debit),
});

const intentFields = {
  amount,
  currency: string({ maxLength: 3, minLength: 3 }),
  customer: string({ maxLength: 255 }),
  payment_method: string({ maxLength: 255 }),
  payment_method_types: array(string({ maxLength: 50 }), { maxItems: 10 }),
  capture_method: captureMethod,
  description: emptyable(string({ maxLength: 1000 })),
  receipt_email: emptyable(email()),
  statement_descriptor: emptyable(string({ maxLength: 22 })),
  statement_descriptor_suffix: emptyable(string({ maxLength: 22 })),
  setup_future_usage: setupFutureUsage,
  metadata: metadata(),
  shipping: emptyable(shipping),
  payment_method_options: emptyable(paymentMethodOptions),
  // Stripe Connect (docs/connect.md): a destination charge, a direct charge's fee, the transfer group.
  transfer_data: object({
    destination: required(string({ maxLength: 255 })),
    amount: integer({ minimum: 1, maximum: maximumAmount }),
  }, { description: 'A destination charge: the connected account the captured amount (or amount) is transferred to.' }),
  application_fee_amount: emptyable(integer({ minimum: 0, maximum: maximumAmount, description: 'The platform\'s fee, collected from the connected account at capture (a destination charge, or a direct charge made with the Stripe-Account header).' })),
  on_behalf_of: emptyable(string({ maxLength: 255 })),
  transfer_group: emptyable(string({ maxLength: 255 })),
};

/** Stripe's `payment_method_data`: a PaymentMethod made for the payment. Payrail takes it for PayPal and the local types. */
const paymentMethodDataParams = object({
  type: required(enumeration(['paypal', ...localMethodTypeNames])),
  paypal: object({}),
  ...localMethodHashParams,
  billing_details: billingDetails,
  metadata: metadata(),
}, { description: 'A new PaymentMethod for this payment, instead of payment_method (type paypal or a local type: docs/payment-methods.md; card data goes through POST /v1/payment_methods).' });

/** The parsed `payment_method_data` as the service takes it: the hash of its own type as `details`. */
const paymentMethodData: Schema<PaymentMethodDataInput | undefined> = {
  ...paymentMethodDataParams,
  parse(value, param) {
    const parsed = paymentMethodDataParams.parse(value, param);
    if (parsed === undefined) return undefined;
    return { type: parsed.type, details: hashOfType(parsed, parsed.type, 'payment_method_data'), billing_details: parsed.billing_details, metadata: parsed.metadata };
  },
};

/** Stripe takes either an existing PaymentMethod or the data of a new one. */
function checkPaymentMethodSource(params: { payment_method?: string | null; payment_method_data?: unknown }): void {
  if (params.payment_method != null && params.payment_method_data !== undefined) {
    throw new ApiError('parameters_exclusive', 'You cannot provide both payment_method and payment_method_data.', { param: 'payment_method_data' });
  }
}

const clientSecret = string({ maxLength: 5000, description: "The PaymentIntent's client secret: required with a publishable key (a shopper's browser), ignored with a secret key." });

/**
 * A publishable key may retrieve and confirm the intent named in the path when it sends the intent's client secret
 * (payments/client-secret.ts); it may expand only the PaymentMethod.
 */
const intentClientSecretAccess: NonNullable<RouteDefinition<{ client_secret: typeof clientSecret }>['clientSecretAccess']> = {
  check: (deps, scope, pathParams, params) => checkIntentClientSecret(deps.db, scope, pathParams.id, params.client_secret),
  expandable: ['payment_method'],
};

/** Stripe's `mandate_data`: the customer's acceptance of a mandate (a sepa_debit payment needs one). */
const mandateData = object({
  customer_acceptance: required(object({
    type: required(enumeration(['online', 'offline'])),
    accepted_at: integer({ minimum: 0 }),
    online: object({
      ip_address: string({ maxLength: 64 }), user_agent: string({ maxLength: 1000 }),
      infer_from_client: boolean({ description: 'With a publishable key (a shopper\'s browser, as Stripe.js sends it): the IP address and user agent are those of the request.' }),
    }),
    offline: object({}),
  })),
}, { description: 'The customer\'s acceptance of the mandate a sepa_debit payment debits under (docs/payment-methods.md).' });

/**
 * Stripe's `online[infer_from_client]`: a shopper's browser confirming with a publishable key (payrail.js's
 * confirmSepaDebitPayment) cannot know its own IP address, so the acceptance records the request's. Only a publishable
 * key may ask: a merchant's server would record its own address as the shopper's.
 */
function inferredMandateData<T extends { customer_acceptance: { online?: { ip_address?: string; user_agent?: string; infer_from_client?: boolean } } }>(context: RouteContext, data: T | undefined): T | undefined {
  const online = data?.customer_acceptance.online;
  if (!data || !online?.infer_from_client) return data;
  if (context.caller.keyKind !== 'publishable') {
    throw new ApiError('invalid_value', 'mandate_data[customer_acceptance][online][infer_from_client] can only be used with a publishable key.', { param: 'mandate_data[customer_acceptance][online][infer_from_client]' });
  }
  const { infer_from_client: _inferred, ...given } = online;
  return { ...data, customer_acceptance: { ...data.customer_acceptance, online: { ...given, ip_address: context.clientIp, user_agent: context.userAgent } } };
}

const confirmFields = {
  mandate_data: mandateData,
  mandate: string({ maxLength: 255, description: 'The mandate to debit under (an active mandate of this sepa_debit PaymentMethod), instead of mandate_data.' }),
  client_secret: clientSecret,
  payment_method: string({ maxLength: 255 }),
  payment_method_data: paymentMethodData,
  return_url: url(),
  capture_method: captureMethod,
  setup_future_usage: setupFutureUsage,
  receipt_email: emptyable(email()),
  off_session: boolean(),
  error_on_requires_action: boolean(),
  shipping: emptyable(shipping),
  payment_method_options: emptyable(paymentMethodOptions),
};

export const paymentIntentRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payment_intents', operationId: 'PostPaymentIntents', summary: 'Create a PaymentIntent (and confirm it with confirm=true)',
    parameters: object({
      ...intentFields,
      amount: required(amount),
      currency: required(string({ maxLength: 3, minLength: 3 })),
      shipping,
      automatic_payment_methods: object({ enabled: required(boolean()), allow_redirects: enumeration(['always', 'never']) }),
      payment_method_configuration: string({ maxLength: 100, description: 'The payment method configuration (pmc_) whose types automatic payment methods offer; the account\'s default otherwise.' }),
      confirmation_method: enumeration(['automatic', 'manual']),
      confirm: boolean(),
      payment_method_data: paymentMethodData,
      return_url: url(),
      off_session: boolean(),
      error_on_requires_action: boolean(),
      mandate_data: mandateData,
      mandate: string({ maxLength: 255, description: 'The mandate to debit under (an active mandate of this sepa_debit PaymentMethod), instead of mandate_data.' }),
    }),
    response: { kind: 'object', type: 'payment_intent' },
    precheck: (params) => {
      checkChargeAmount(params.amount, parseCurrency(params.currency));
      if (!params.confirm && params.return_url !== undefined) {
        throw new ApiError('payment_intent_invalid_parameter', 'You can only pass return_url when confirm=true.', { param: 'return_url' });
      }
      // off_session=false without confirm asks for nothing, and Stripe accepts it.
      if (!params.confirm && params.off_session === true) {
        throw new ApiError('payment_intent_invalid_parameter', 'You can only pass off_session when confirm=true.', { param: 'off_session' });
      }
      checkPaymentMethodSource(params);
      if (params.automatic_payment_methods?.enabled && params.payment_method_types !== undefined) {
        throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.', { param: 'automatic_payment_methods' });
      }
      if (params.payment_method_configuration !== undefined && (params.payment_method_types !== undefined || params.automatic_payment_methods?.enabled === false)) {
        throw new ApiError('payment_intent_invalid_parameter', 'payment_method_configuration can only be used with automatic payment methods, not with payment_method_types.', { param: 'payment_method_configuration' });
      }
      if (!params.confirm && params.mandate !== undefined) {
        throw new ApiError('payment_intent_invalid_parameter', 'You can only pass mandate when confirm=true.', { param: 'mandate' });
      }
      if (params.confirm && params.payment_method === undefined && params.payment_method_data === undefined) {
        throw new ApiError('parameter_missing', 'A payment_method is required to confirm a PaymentIntent at creation.', { param: 'payment_method' });
      }
    },
    // Create-and-confirm's first write is one statement (payments/intents.ts): it takes the key too.
    takesKeyWithFirstWrite: true,
    handle: (context, params) => {
      const confirm = params.confirm
        ? { return_url: params.return_url, off_session: params.off_session, error_on_requires_action: params.error_on_requires_action, mandate_data: params.mandate_data, mandate: params.mandate }
        : undefined;
      return createPaymentIntent(context.work, context.deps, context.scope, { ...params, platformAccountId: context.caller.platformAccountId }, confirm);
    },
    resume: (context, intentId) => resumeConfirmation(context.work, context.deps, context.scope, intentId),
    present: presentIntent,
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_intents/:id', operationId: 'GetPaymentIntentsIntent', summary: 'Retrieve a PaymentIntent',
    parameters: object({ client_secret: clientSecret }),
    response: { kind: 'object', type: 'payment_intent' },
    clientSecretAccess: intentClientSecretAccess,
    handle: async (context) => ({ intent: await retrievePaymentIntent(context.deps.db, context.scope, context.pathParams.id) }),
    present: presentIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_intents/:id', operationId: 'PostPaymentIntentsIntent', summary: 'Update a PaymentIntent',
    parameters: object({
      ...intentFields, customer: emptyable(string({ maxLength: 255 })), payment_method: emptyable(string({ maxLength: 255 })),
      // As at Stripe, an update changes transfer_data[amount] only: the destination is chosen at creation.
      transfer_data: object({ amount: integer({ minimum: 1, maximum: maximumAmount }) }),
    }),
    response: { kind: 'object', type: 'payment_intent' },
    handle: (context, params) => updatePaymentIntentFields(context.work, context.deps, context.scope, context.pathParams.id, { ...params, platformAccountId: context.caller.platformAccountId }),
    present: presentIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_intents/:id/confirm', operationId: 'PostPaymentIntentsIntentConfirm', summary: 'Confirm a PaymentIntent',
    parameters: object(confirmFields),
    response: { kind: 'object', type: 'payment_intent' },
    precheck: checkPaymentMethodSource,
    clientSecretAccess: intentClientSecretAccess,
    handle: (context, { client_secret: _checked, ...params }) => confirmPaymentIntent(context.work, context.deps, context.scope, context.pathParams.id, {
      ...params, mandate_data: inferredMandateData(context, params.mandate_data), platformAccountId: context.caller.platformAccountId,
    }),
    resume: (context, intentId) => resumeConfirmation(context.work, context.deps, context.scope, intentId),
    present: presentIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_intents/:id/capture', operationId: 'PostPaymentIntentsIntentCapture', summary: 'Capture an authorized PaymentIntent',
    parameters: object({
      amount_to_capture: integer({ minimum: 1, maximum: maximumAmount }), metadata: metadata(),
      // Connect: the fee and a destination charge's transfer amount, as at Stripe's capture.
      application_fee_amount: integer({ minimum: 0, maximum: maximumAmount }),
      transfer_data: object({ amount: integer({ minimum: 1, maximum: maximumAmount }) }),
    }),
    response: { kind: 'object', type: 'payment_intent' },
    handle: (context, params) => capturePaymentIntent(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: presentIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_intents/:id/cancel', operationId: 'PostPaymentIntentsIntentCancel', summary: 'Cancel a PaymentIntent',
    parameters: object({ cancellation_reason: enumeration(cancellationReasons) }),
    response: { kind: 'object', type: 'payment_intent' },
    handle: (context, params) => cancelPaymentIntent(context.work, context.deps, context.scope, context.pathParams.id, params.cancellation_reason),
    present: presentIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_intents/:id/increment_authorization', operationId: 'PostPaymentIntentsIntentIncrementAuthorization',
    summary: 'Increase the authorized amount of a manual-capture card PaymentIntent to a new total',
    parameters: object({
      amount: required(integer({ minimum: 1, maximum: maximumAmount, description: 'The new total to authorize: more than the amount authorized now.' })),
      description: string({ maxLength: 1000 }),
      metadata: metadata(),
      statement_descriptor: string({ maxLength: 22 }),
    }),
    response: { kind: 'object', type: 'payment_intent' },
    handle: (context, params) => incrementPaymentIntentAuthorization(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: presentIntent,
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_intents', operationId: 'GetPaymentIntents', summary: 'List PaymentIntents',
    parameters: object({ ...listParameters, ...createdFilter, customer: string({ maxLength: 255 }) }),
    response: { kind: 'list', type: 'payment_intent' },
    handle: (context, params) => listPaymentIntentPage(context.deps.db, context.scope, params, { customer: params.customer }),
    present: (page, context) => presentList(page, context.path, renderPaymentIntent),
  }),
];

