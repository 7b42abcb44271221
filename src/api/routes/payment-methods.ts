import {
  attachPaymentMethod, createPaymentMethod, detachPaymentMethod, listAccountPaymentMethods, listCustomerPaymentMethods, retrievePaymentMethod, updatePaymentMethod,
} from '../../payment-methods/service.ts';
import { renderPaymentMethod } from '../../payment-methods/render.ts';
import { paymentMethodTypes } from '../../payment-methods/repository.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { email, emptyable, enumeration, integer, metadata, object, required, string } from '../schema.ts';
import { addressSchema, listParameters, noParameters } from './common.ts';
import { hashOfType, localMethodHashParams } from './local-method-params.ts';

export const billingDetails = object({
  address: emptyable(addressSchema),
  email: emptyable(email()),
  name: emptyable(string({ maxLength: 256 })),
  phone: emptyable(string({ maxLength: 40 })),
});

const present = (row: Parameters<typeof renderPaymentMethod>[0]) => presentObject(renderPaymentMethod(row));

export const paymentMethodRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payment_methods', operationId: 'PostPaymentMethods',
    summary: 'Create a PaymentMethod: a card from raw card data (tokenization), a PayPal wallet, or a local payment method (iDEAL, Bancontact, EPS, P24, BLIK, Klarna)',
    publishable: true,
    parameters: object({
      type: required(enumeration(paymentMethodTypes)),
      card: object({
        number: string({ maxLength: 40, description: 'The card number. Encrypted at rest and never returned.' }),
        exp_month: integer(),
        exp_year: integer(),
        cvc: string({ maxLength: 10, description: 'Checked for format; never stored.' }),
      }, { description: 'Required when type is card.' }),
      paypal: object({}, { description: 'type paypal: no parameters (the buyer is known once they approve a payment on PayPal).' }),
      ...localMethodHashParams,
      billing_details: billingDetails,
      metadata: metadata(),
      allow_redisplay: enumeration(['always', 'limited', 'unspecified']),
    }),
    response: { kind: 'object', type: 'payment_method' },
    handle: (context, params) => createPaymentMethod(context.work, context.deps, context.scope, {
      type: params.type, card: params.card, details: hashOfType(params, params.type, ''), billing_details: params.billing_details, metadata: params.metadata,
    }),
    present,
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_methods/:id', operationId: 'GetPaymentMethodsPaymentMethod', summary: 'Retrieve a PaymentMethod',
    parameters: noParameters,
    response: { kind: 'object', type: 'payment_method' },
    handle: (context) => retrievePaymentMethod(context.deps.db, context.scope, context.pathParams.id),
    present,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_methods/:id', operationId: 'PostPaymentMethodsPaymentMethod', summary: 'Update a PaymentMethod',
    parameters: object({
      billing_details: billingDetails,
      metadata: metadata(),
      card: object({ exp_month: integer(), exp_year: integer() }),
      allow_redisplay: enumeration(['always', 'limited', 'unspecified']),
    }),
    response: { kind: 'object', type: 'payment_method' },
    handle: (context, params) => updatePaymentMethod(context.work, context.scope, context.pathParams.id, params),
    present,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_methods/:id/attach', operationId: 'PostPaymentMethodsPaymentMethodAttach', summary: 'Attach a PaymentMethod to a customer',
    parameters: object({ customer: required(string({ maxLength: 255 })) }),
    response: { kind: 'object', type: 'payment_method' },
    handle: (context, params) => attachPaymentMethod(context.work, context.deps, context.scope, context.pathParams.id, params.customer),
    present,
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_methods/:id/detach', operationId: 'PostPaymentMethodsPaymentMethodDetach', summary: 'Detach a PaymentMethod from its customer',
    parameters: noParameters,
    response: { kind: 'object', type: 'payment_method' },
    handle: (context) => detachPaymentMethod(context.work, context.scope, context.pathParams.id),
    present,
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_methods', operationId: 'GetPaymentMethods', summary: "List a customer's PaymentMethods, or without customer all of the account's",
    parameters: object({ ...listParameters, customer: string({ maxLength: 255 }), type: enumeration(paymentMethodTypes) }),
    response: { kind: 'list', type: 'payment_method' },
    handle: (context, params) => params.customer === undefined
      ? listAccountPaymentMethods(context.deps.db, context.scope, params, params.type)
      : listCustomerPaymentMethods(context.deps.db, context.scope, params.customer, params, 'customer', params.type),
    present: (page, context) => presentList(page, context.path, renderPaymentMethod),
  }),
];
