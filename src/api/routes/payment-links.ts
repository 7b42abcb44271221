import { checkPaymentLinkCreate, createPaymentLink } from '../../payment-links/create.ts';
import { completedSessionsLimitMax, paymentLinkLineItemsMax, paymentLinkQuantityMax } from '../../payment-links/fields.ts';
import { renderPaymentLink, renderPaymentLinkLineItem } from '../../payment-links/render.ts';
import { listPaymentLinkLineItemPage, listPaymentLinkPage, retrievePaymentLink } from '../../payment-links/service.ts';
import { modifyPaymentLink } from '../../payment-links/update.ts';
import { maximumAmount } from '../../platform/money.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, boolean, emptyable, enumeration, integer, metadata, object, required, string, url } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

const quantity = integer({ minimum: 1, maximum: paymentLinkQuantityMax, description: `1 to ${paymentLinkQuantityMax}.` });
const adjustableQuantity = object({
  enabled: required(boolean()),
  minimum: integer({ minimum: 0, maximum: paymentLinkQuantityMax, description: 'The least a shopper may choose (default 0: the item may be left out).' }),
  maximum: integer({ minimum: 1, maximum: paymentLinkQuantityMax, description: 'The most a shopper may choose (default 99).' }),
}, { description: 'Lets the shopper choose the quantity on the link\'s page, between minimum and maximum.' });

const afterCompletion = object({
  type: required(enumeration(['redirect', 'hosted_confirmation'])),
  redirect: object({ url: required(url()) }, { description: 'With type redirect: where the shopper goes after paying ({CHECKOUT_SESSION_ID} is replaced by the session\'s id).' }),
  hosted_confirmation: object({ custom_message: string({ maxLength: 500 }) }, { description: 'With type hosted_confirmation: the message Payrail\'s confirmation page shows.' }),
});

const restrictions = object({
  completed_sessions: required(object({ limit: required(integer({ minimum: 1, maximum: completedSessionsLimitMax })) })),
}, { description: 'completed_sessions[limit]: the link deactivates when this many of its sessions have completed.' });

const shippingAddressCollection = object({
  allowed_countries: required(array(string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: use two-letter ISO 3166-1 codes.' }), { maxItems: 250 })),
});

/** A link names cards and PayPal only (the local methods reach a link's sessions through the account's configuration). */
const linkPaymentMethodTypes = ['card', 'paypal'] as const;
const paymentMethodTypes = array(enumeration(linkPaymentMethodTypes), { maxItems: linkPaymentMethodTypes.length });
const inactiveMessage = string({ maxLength: 500, description: 'Shown to shoppers who visit the link while it is not active.' });

export const paymentLinkRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payment_links', operationId: 'PostPaymentLinks', summary: 'Create a Payment Link',
    parameters: object({
      line_items: required(array(object({ price: required(string({ maxLength: 255 })), quantity: required(quantity), adjustable_quantity: adjustableQuantity }), { maxItems: paymentLinkLineItemsMax })),
      after_completion: afterCompletion,
      restrictions,
      currency: string({ maxLength: 3, minLength: 3, description: "The link's currency (default: the first price's); every price must have it, as its own or in currency_options." }),
      metadata: metadata(),
      billing_address_collection: enumeration(['auto', 'required']),
      phone_number_collection: object({ enabled: required(boolean()) }),
      shipping_address_collection: shippingAddressCollection,
      customer_creation: enumeration(['always', 'if_required']),
      payment_intent_data: object({
        capture_method: enumeration(['automatic', 'automatic_async', 'manual']),
        description: string({ maxLength: 1000 }),
        metadata: metadata(),
        setup_future_usage: enumeration(['on_session', 'off_session']),
        statement_descriptor: string({ maxLength: 22 }),
        statement_descriptor_suffix: string({ maxLength: 22 }),
        transfer_group: string({ maxLength: 255 }),
      }),
      // Stripe Connect (docs/connect.md), checked as a PaymentIntent's for the link's total and passed to its sessions.
      application_fee_amount: integer({ minimum: 0, maximum: maximumAmount, description: 'The platform\'s fee on each payment: with transfer_data[destination] (a destination charge), or on a link created with the Stripe-Account header (a direct charge).' }),
      application_fee_percent: string({ maxLength: 10, description: 'Stripe\'s is for links selling a recurring price; Payrail\'s prices are one-time, so it is refused (use application_fee_amount).' }),
      transfer_data: object({
        destination: required(string({ maxLength: 255 })),
        amount: integer({ minimum: 1, maximum: maximumAmount }),
      }, { description: 'A destination charge: the connected account each payment (or amount of it) is transferred to.' }),
      on_behalf_of: string({ maxLength: 255, description: 'The settlement merchant: Payrail takes only the destination.' }),
      payment_method_types: paymentMethodTypes,
      submit_type: enumeration(['auto', 'pay', 'book', 'donate']),
      inactive_message: inactiveMessage,
    }),
    response: { kind: 'object', type: 'payment_link' },
    precheck: (params) => {
      checkPaymentLinkCreate(params);
    },
    handle: (context, params) => createPaymentLink(context.work, context.deps, context.scope, params, context.deps.publicUrl),
    present: (row, context) => presentObject(renderPaymentLink(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_links/:id', operationId: 'GetPaymentLinksPaymentLink', summary: 'Retrieve a Payment Link',
    parameters: noParameters,
    response: { kind: 'object', type: 'payment_link' },
    handle: (context) => retrievePaymentLink(context.deps.db, context.scope, context.pathParams.id),
    present: (row, context) => presentObject(renderPaymentLink(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_links/:id', operationId: 'PostPaymentLinksPaymentLink', summary: 'Update a Payment Link',
    parameters: object({
      active: boolean(),
      after_completion: afterCompletion,
      billing_address_collection: enumeration(['auto', 'required']),
      customer_creation: enumeration(['always', 'if_required']),
      inactive_message: emptyable(inactiveMessage),
      line_items: array(object({ id: required(string({ maxLength: 255 })), quantity, adjustable_quantity: adjustableQuantity }), { maxItems: paymentLinkLineItemsMax }),
      metadata: metadata(),
      payment_intent_data: object({
        description: emptyable(string({ maxLength: 1000 })),
        metadata: metadata(),
        statement_descriptor: emptyable(string({ maxLength: 22 })),
        statement_descriptor_suffix: emptyable(string({ maxLength: 22 })),
        transfer_group: emptyable(string({ maxLength: 255 })),
      }),
      payment_method_types: emptyable(paymentMethodTypes),
      restrictions: emptyable(restrictions),
      shipping_address_collection: emptyable(shippingAddressCollection),
    }),
    response: { kind: 'object', type: 'payment_link' },
    handle: (context, params) => modifyPaymentLink(context.work, context.scope, context.pathParams.id, params, context.deps.publicUrl),
    present: (row, context) => presentObject(renderPaymentLink(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_links', operationId: 'GetPaymentLinks', summary: 'List Payment Links',
    parameters: object({ ...listParameters, active: boolean() }),
    response: { kind: 'list', type: 'payment_link' },
    handle: (context, params) => listPaymentLinkPage(context.deps.db, context.scope, params, { active: params.active }),
    present: (page, context) => presentList(page, context.path, (row) => renderPaymentLink(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_links/:id/line_items', operationId: 'GetPaymentLinksPaymentLinkLineItems', summary: "List a Payment Link's line items",
    parameters: object({ ...listParameters }),
    response: { kind: 'list', type: 'item' },
    handle: (context, params) => listPaymentLinkLineItemPage(context.deps.db, context.scope, context.pathParams.id, params),
    present: (page, context) => presentList(page, context.path, ({ row, price, description, currency }) => renderPaymentLinkLineItem(row, price, description, currency)),
  }),
];
