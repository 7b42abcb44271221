import { checkoutPaymentMethodTypes, createCheckoutSession } from '../../checkout/create.ts';
import { expireSession } from '../../checkout/expire.ts';
import { lineItemQuantityMax, lineItemsMax } from '../../checkout/line-items.ts';
import { renderCheckoutSession, renderLineItem } from '../../checkout/render.ts';
import { listCheckoutSessionPage, listLineItemPage, retrieveCheckoutSession } from '../../checkout/service.ts';
import { maximumAmount } from '../../platform/money.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, email, enumeration, integer, metadata, object, required, string, url, boolean } from '../schema.ts';
import { createdFilter, listParameters } from './common.ts';
import { priceDataFields } from './price-parameters.ts';

const lineItem = object({
  price: string({ maxLength: 255, description: 'An active price of an active product (or price_data).' }),
  price_data: object({
    ...priceDataFields,
    product: string({ maxLength: 255, description: 'An active product the new price is for (or product_data).' }),
    product_data: object({
      name: required(string({ maxLength: 5000, minLength: 1 })),
      description: string({ maxLength: 40000 }),
      images: array(url(), { maxItems: 8 }),
      metadata: metadata(),
    }),
  }, { description: 'A new price (and with product_data a new product) made for this session.' }),
  quantity: integer({ minimum: 1, maximum: lineItemQuantityMax, description: `1 to ${lineItemQuantityMax}.` }),
});

const sessionParameters = object({
  mode: required(enumeration(['payment', 'setup'], { description: 'payment (sell the line items) or setup (save a card for later payments through a SetupIntent); subscription is not supported yet.' })),
  line_items: array(lineItem, { maxItems: lineItemsMax }),
  currency: string({ maxLength: 3, minLength: 3, description: "The session's currency (default: the first line item's); every price must have it, as its own or in currency_options." }),
  success_url: url(),
  cancel_url: url(),
  client_reference_id: string({ maxLength: 200 }),
  customer: string({ maxLength: 255 }),
  customer_email: email(),
  customer_creation: enumeration(['always', 'if_required']),
  payment_intent_data: object({
    capture_method: enumeration(['automatic', 'automatic_async', 'manual']),
    description: string({ maxLength: 1000 }),
    metadata: metadata(),
    receipt_email: email(),
    setup_future_usage: enumeration(['on_session', 'off_session']),
    statement_descriptor: string({ maxLength: 22 }),
    statement_descriptor_suffix: string({ maxLength: 22 }),
    // Stripe Connect (docs/connect.md), checked as a PaymentIntent's: a destination charge, its fee, a direct charge's fee.
    application_fee_amount: integer({ minimum: 0, maximum: maximumAmount, description: 'The platform\'s fee: with transfer_data[destination] (a destination charge), or on a session created with the Stripe-Account header (a direct charge).' }),
    transfer_data: object({
      destination: required(string({ maxLength: 255 })),
      amount: integer({ minimum: 1, maximum: maximumAmount }),
    }, { description: 'A destination charge: the connected account the captured amount (or amount) is transferred to.' }),
    on_behalf_of: string({ maxLength: 255, description: 'The settlement merchant: Payrail takes only the destination.' }),
    transfer_group: string({ maxLength: 255 }),
  }),
  setup_intent_data: object({
    description: string({ maxLength: 1000 }),
    metadata: metadata(),
  }, { description: 'Setup mode: what the SetupIntent is made with.' }),
  payment_method_types: array(enumeration(checkoutPaymentMethodTypes), { maxItems: checkoutPaymentMethodTypes.length }),
  expires_at: integer({ minimum: 0, description: 'Unix time, 30 minutes to 24 hours from now (default: 24 hours).' }),
  locale: enumeration(['auto', 'en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'ja']),
  billing_address_collection: enumeration(['auto', 'required']),
  shipping_address_collection: object({ allowed_countries: required(array(string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: use two-letter ISO 3166-1 codes.' }), { maxItems: 250 })) }),
  phone_number_collection: object({ enabled: required(boolean()) }),
  submit_type: enumeration(['auto', 'pay', 'book', 'donate']),
  metadata: metadata(),
  ui_mode: enumeration(['hosted', 'embedded'], { description: 'hosted (the session\'s url, a Payrail page) or embedded (mounted in the merchant\'s page by payrail.js with the client_secret).' }),
  return_url: url(),
  redirect_on_completion: enumeration(['always', 'if_required', 'never']),
});

export const checkoutSessionRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/checkout/sessions', operationId: 'PostCheckoutSessions', summary: 'Create a Checkout Session (mode payment or setup; hosted page or embedded)',
    parameters: sessionParameters,
    response: { kind: 'object', type: 'checkout.session' },
    handle: (context, params) => createCheckoutSession(context.work, context.deps, context.scope, params),
    present: (row, context) => presentObject(renderCheckoutSession(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/checkout/sessions/:id', operationId: 'GetCheckoutSessionsSession', summary: 'Retrieve a Checkout Session',
    parameters: object({}),
    response: { kind: 'object', type: 'checkout.session' },
    handle: (context) => retrieveCheckoutSession(context.deps.db, context.scope, context.pathParams.id),
    present: (row, context) => presentObject(renderCheckoutSession(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/checkout/sessions', operationId: 'GetCheckoutSessions', summary: 'List Checkout Sessions',
    parameters: object({ ...listParameters, ...createdFilter, status: enumeration(['open', 'complete', 'expired']), customer: string({ maxLength: 255 }), payment_intent: string({ maxLength: 255 }), payment_link: string({ maxLength: 255, description: 'Sessions made from this Payment Link.' }) }),
    response: { kind: 'list', type: 'checkout.session' },
    handle: (context, params) => listCheckoutSessionPage(context.deps.db, context.scope, params, { status: params.status, customer: params.customer, payment_intent: params.payment_intent, payment_link: params.payment_link }),
    present: (page, context) => presentList(page, context.path, (row) => renderCheckoutSession(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/checkout/sessions/:id/expire', operationId: 'PostCheckoutSessionsSessionExpire', summary: 'Expire an open Checkout Session (its PaymentIntent, if any, is canceled)',
    parameters: object({}),
    response: { kind: 'object', type: 'checkout.session' },
    handle: (context) => expireSession(context.deps, context.scope, context.pathParams.id),
    present: (row, context) => presentObject(renderCheckoutSession(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/checkout/sessions/:id/line_items', operationId: 'GetCheckoutSessionsSessionLineItems', summary: "List a Checkout Session's line items",
    parameters: object({ ...listParameters }),
    response: { kind: 'list', type: 'item' },
    handle: (context, params) => listLineItemPage(context.deps.db, context.scope, context.pathParams.id, params),
    present: (page, context) => presentList(page, context.path, ({ row, price }) => renderLineItem(row, price)),
  }),
];
