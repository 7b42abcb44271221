import { ApiError } from '../../platform/errors.ts';
import { publishableFields } from '../../payments/client-secret.ts';
import { confirmSetupIntent } from '../../setup-intents/confirm.ts';
import {
  cancelSetupIntent, checkSetupIntentClientSecret, createSetupIntent, listSetupIntentPage, resumeSetupConfirmation, retrieveSetupIntent, updateSetupIntentFields,
} from '../../setup-intents/intents.ts';
import { publishableSetupIntentFields, renderSetupIntent } from '../../setup-intents/render.ts';
import { setupCancellationReasons, type SetupIntentResult } from '../../setup-intents/types.ts';
import { defineRoute, presentList, presentObject, type Presentation, type RouteContext, type RouteDefinition } from '../route.ts';
import { array, boolean, emptyable, enumeration, integer, metadata, object, required, string, url, type Schema } from '../schema.ts';
import type { PaymentMethodDataInput } from '../../payment-methods/service.ts';
import { billingDetails } from './payment-methods.ts';
import { localMethodHashParams } from './local-method-params.ts';
import { createdFilter, listParameters } from './common.ts';

/**
 * SetupIntents (Stripe's): a card verified and saved for later payments (docs/setup-intents.md). A declined
 * confirmation answers 402 with the card error and the SetupIntent inside it, as Stripe does; a publishable key (a
 * shopper's browser holding the client secret) sees the SetupIntent's public fields only, in the error too.
 */
function presentSetupIntent(result: SetupIntentResult, context: RouteContext): Presentation {
  const rendered = renderSetupIntent(result.intent);
  const intent = context.caller.keyKind === 'publishable' ? publishableFields(rendered, publishableSetupIntentFields) : rendered;
  if (!result.error) return presentObject(intent);
  const { payment_method: paymentMethod, ...error } = result.error;
  return { status: 402, body: { error: { ...error, setup_intent: intent, ...(paymentMethod ? { payment_method: paymentMethod } : {}) } } };
}

/** `payment_method_options[card]`: Payrail acts on request_three_d_secure. */
const paymentMethodOptions = object({
  card: emptyable(object({ request_three_d_secure: enumeration(['automatic', 'any', 'challenge']) })),
});

/** Stripe's `mandate_data`: the customer's acceptance, kept with the SetupIntent (a card needs no mandate). */
const mandateData = object({
  customer_acceptance: required(object({
    type: required(enumeration(['online', 'offline'])),
    accepted_at: integer({ minimum: 0, maximum: 253_402_300_799 }),
    online: object({ ip_address: required(string({ maxLength: 45 })), user_agent: required(string({ maxLength: 5000 })) }),
    offline: object({}),
  })),
}, { description: "The customer's acceptance of the mandate: required to set up sepa_debit (a multi-use mandate is made); kept for a card." });

/** Stripe's `payment_method_data` on a SetupIntent: Payrail takes it for sepa_debit (cards go through POST /v1/payment_methods). */
const paymentMethodDataParams = object({
  type: required(enumeration(['sepa_debit'])),
  sepa_debit: localMethodHashParams.sepa_debit,
  billing_details: billingDetails,
  metadata: metadata(),
}, { description: 'A new sepa_debit PaymentMethod to set up, instead of payment_method: the IBAN, and the account holder\'s name and e-mail.' });

const paymentMethodData: Schema<PaymentMethodDataInput | undefined> = {
  ...paymentMethodDataParams,
  parse(value, param) {
    const parsed = paymentMethodDataParams.parse(value, param);
    if (parsed === undefined) return undefined;
    return { type: parsed.type, details: parsed.sepa_debit, billing_details: parsed.billing_details, metadata: parsed.metadata };
  },
};

/** Stripe takes either an existing PaymentMethod or the data of a new one. */
function checkPaymentMethodSource(params: { payment_method?: string | null; payment_method_data?: unknown }): void {
  if (params.payment_method != null && params.payment_method_data !== undefined) {
    throw new ApiError('parameters_exclusive', 'You cannot provide both payment_method and payment_method_data.', { param: 'payment_method_data' });
  }
}

const clientSecret = string({ maxLength: 5000, description: "The SetupIntent's client secret: required with a publishable key (a shopper's browser), ignored with a secret key." });

/**
 * A publishable key may retrieve and confirm the SetupIntent named in the path when it sends its client secret; it may
 * expand only the PaymentMethod.
 */
const setupClientSecretAccess: NonNullable<RouteDefinition<{ client_secret: typeof clientSecret }>['clientSecretAccess']> = {
  check: (deps, scope, pathParams, params) => checkSetupIntentClientSecret(deps.db, scope, pathParams.id, params.client_secret),
  expandable: ['payment_method'],
};

const paymentMethodTypes = array(string({ maxLength: 50 }), { maxItems: 10, description: 'Payment method types to set up: card (other types are refused until Payrail can set them up).' });

export const setupIntentRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/setup_intents', operationId: 'PostSetupIntents', summary: 'Create a SetupIntent (and confirm it with confirm=true)',
    parameters: object({
      confirm: boolean(),
      customer: string({ maxLength: 255 }),
      description: string({ maxLength: 1000 }),
      metadata: metadata(),
      payment_method: string({ maxLength: 255 }),
      payment_method_data: paymentMethodData,
      payment_method_types: paymentMethodTypes,
      payment_method_options: paymentMethodOptions,
      usage: enumeration(['on_session', 'off_session']),
      return_url: url(),
      mandate_data: emptyable(mandateData),
      attach_to_self: boolean(),
      single_use: object({ amount: required(integer({ minimum: 1 })), currency: required(string({ maxLength: 3, minLength: 3 })) }),
    }),
    response: { kind: 'object', type: 'setup_intent' },
    precheck: (params) => {
      if (!params.confirm && params.return_url !== undefined) {
        throw new ApiError('setup_intent_invalid_parameter', 'You can only pass return_url when confirm=true.', { param: 'return_url' });
      }
      if (!params.confirm && params.mandate_data) {
        throw new ApiError('setup_intent_invalid_parameter', 'You can only pass mandate_data when confirm=true.', { param: 'mandate_data' });
      }
      checkPaymentMethodSource(params);
      if (!params.confirm && params.payment_method_data !== undefined) {
        throw new ApiError('setup_intent_invalid_parameter', 'You can only pass payment_method_data when confirm=true.', { param: 'payment_method_data' });
      }
      if (params.confirm && params.payment_method === undefined && params.payment_method_data === undefined) {
        throw new ApiError('parameter_missing', 'A payment_method is required to confirm a SetupIntent at creation.', { param: 'payment_method' });
      }
      if (params.single_use !== undefined) {
        throw new ApiError('setup_intent_invalid_parameter', 'single_use is not supported: Payrail sets cards up for reuse (usage on_session or off_session).', { param: 'single_use' });
      }
    },
    handle: (context, { single_use: _refused, ...params }) => createSetupIntent(context.work, context.deps, context.scope, params),
    resume: (context, id) => resumeSetupConfirmation(context.work, context.deps, context.scope, id),
    present: presentSetupIntent,
  }),
  defineRoute({
    method: 'GET', path: '/v1/setup_intents/:id', operationId: 'GetSetupIntentsIntent', summary: 'Retrieve a SetupIntent',
    parameters: object({ client_secret: clientSecret }),
    response: { kind: 'object', type: 'setup_intent' },
    clientSecretAccess: setupClientSecretAccess,
    handle: async (context) => ({ intent: await retrieveSetupIntent(context.deps, context.scope, context.pathParams.id) }),
    present: presentSetupIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/setup_intents/:id', operationId: 'PostSetupIntentsIntent', summary: 'Update a SetupIntent',
    parameters: object({
      customer: string({ maxLength: 255 }),
      description: emptyable(string({ maxLength: 1000 })),
      metadata: metadata(),
      payment_method: emptyable(string({ maxLength: 255 })),
      payment_method_types: paymentMethodTypes,
      payment_method_options: emptyable(paymentMethodOptions),
      attach_to_self: boolean(),
    }),
    response: { kind: 'object', type: 'setup_intent' },
    handle: (context, params) => updateSetupIntentFields(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: presentSetupIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/setup_intents/:id/confirm', operationId: 'PostSetupIntentsIntentConfirm', summary: 'Confirm a SetupIntent: verify the card and save it',
    parameters: object({
      client_secret: clientSecret,
      payment_method: string({ maxLength: 255 }),
      payment_method_data: paymentMethodData,
      return_url: url(),
      mandate_data: emptyable(mandateData),
      payment_method_options: emptyable(paymentMethodOptions),
    }),
    response: { kind: 'object', type: 'setup_intent' },
    clientSecretAccess: setupClientSecretAccess,
    precheck: checkPaymentMethodSource,
    handle: (context, { client_secret: _checked, ...params }) => confirmSetupIntent(context.work, context.deps, context.scope, context.pathParams.id, params),
    resume: (context, id) => resumeSetupConfirmation(context.work, context.deps, context.scope, id),
    present: presentSetupIntent,
  }),
  defineRoute({
    method: 'POST', path: '/v1/setup_intents/:id/cancel', operationId: 'PostSetupIntentsIntentCancel', summary: 'Cancel a SetupIntent',
    parameters: object({ cancellation_reason: enumeration(setupCancellationReasons) }),
    response: { kind: 'object', type: 'setup_intent' },
    handle: (context, params) => cancelSetupIntent(context.work, context.scope, context.pathParams.id, params.cancellation_reason),
    present: presentSetupIntent,
  }),
  defineRoute({
    method: 'GET', path: '/v1/setup_intents', operationId: 'GetSetupIntents', summary: 'List SetupIntents',
    parameters: object({ ...listParameters, ...createdFilter, customer: string({ maxLength: 255 }), payment_method: string({ maxLength: 255 }), attach_to_self: boolean() }),
    response: { kind: 'list', type: 'setup_intent' },
    handle: (context, params) => listSetupIntentPage(context.deps.db, context.scope, params, { customer: params.customer, paymentMethod: params.payment_method, attachToSelf: params.attach_to_self }),
    present: (page, context) => presentList(page, context.path, renderSetupIntent),
  }),
];
