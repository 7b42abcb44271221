import { createCustomer, deleteCustomer, listCustomerPage, modifyCustomer, retrieveCustomer } from '../../customers/service.ts';
import { renderCustomer } from '../../customers/render.ts';
import { listCustomerPaymentMethods, retrieveCustomerPaymentMethod } from '../../payment-methods/service.ts';
import { paymentMethodTypes } from '../../payment-methods/repository.ts';
import { renderPaymentMethod } from '../../payment-methods/render.ts';
import { customerSourceChange } from '../../sources/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, email, emptyable, enumeration, metadata, object, required, string } from '../schema.ts';
import { addressSchema, createdFilter, listParameters, noParameters } from './common.ts';

const customerFields = {
  email: emptyable(email()),
  name: emptyable(string({ maxLength: 256 })),
  phone: emptyable(string({ maxLength: 40 })),
  description: emptyable(string({ maxLength: 5000 })),
  address: emptyable(addressSchema),
  shipping: emptyable(object({ address: required(addressSchema), name: required(string({ maxLength: 256 })), phone: emptyable(string({ maxLength: 40 })) })),
  metadata: metadata(),
  invoice_settings: object({
    // Stripe's limits: up to 4 custom fields, names up to 40 and values up to 140 characters.
    custom_fields: emptyable(array(object({ name: required(string({ maxLength: 40 })), value: required(string({ maxLength: 140 })) }), { maxItems: 4 })),
    default_payment_method: emptyable(string({ maxLength: 255 })),
    footer: emptyable(string({ maxLength: 5000 })),
  }),
};

/** Stripe's legacy `source`: a token whose card is added to the customer and becomes its default source. */
const sourceParameter = string({ maxLength: 255, description: "A token (tok_...): its card is added to the customer and becomes the default source (on update, it replaces the previous default card)." });

export const customerRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/customers', operationId: 'PostCustomers', summary: 'Create a customer',
    parameters: object({ ...customerFields, source: sourceParameter, payment_method: string({ maxLength: 255 }) }),
    response: { kind: 'object', type: 'customer' },
    handle: (context, params) => {
      const { source, ...fields } = params;
      return createCustomer(context.work, context.deps, context.scope, fields, customerSourceChange(context.work, context.deps, context.scope, { source }));
    },
    present: (row) => presentObject(renderCustomer(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers/:id', operationId: 'GetCustomersCustomer', summary: 'Retrieve a customer',
    parameters: noParameters,
    response: { kind: 'object', type: 'customer' },
    handle: (context) => retrieveCustomer(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderCustomer(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/customers/:id', operationId: 'PostCustomersCustomer', summary: 'Update a customer',
    parameters: object({
      ...customerFields,
      source: sourceParameter,
      default_source: string({ maxLength: 255, description: "One of the customer's cards (card_...), to charge when a charge names only the customer." }),
    }),
    response: { kind: 'object', type: 'customer' },
    handle: (context, params) => {
      const { source, default_source: defaultSource, ...fields } = params;
      return modifyCustomer(context.work, context.scope, context.pathParams.id, fields, customerSourceChange(context.work, context.deps, context.scope, { source, default_source: defaultSource }));
    },
    present: (row) => presentObject(renderCustomer(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/customers/:id', operationId: 'DeleteCustomersCustomer', summary: 'Delete a customer',
    parameters: noParameters,
    response: { kind: 'object', type: 'customer' },
    handle: (context) => deleteCustomer(context.work, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderCustomer(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers', operationId: 'GetCustomers', summary: 'List customers',
    parameters: object({ ...listParameters, ...createdFilter, email: string({ maxLength: 512 }) }),
    response: { kind: 'list', type: 'customer' },
    handle: (context, params) => listCustomerPage(context.deps.db, context.scope, params, { email: params.email }),
    present: (page, context) => presentList(page, context.path, renderCustomer),
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers/:id/payment_methods', operationId: 'GetCustomersCustomerPaymentMethods', summary: "List a customer's payment methods",
    parameters: object({ ...listParameters, type: enumeration(paymentMethodTypes) }),
    response: { kind: 'list', type: 'payment_method' },
    handle: (context, params) => listCustomerPaymentMethods(context.deps.db, context.scope, context.pathParams.id, params, 'customer', params.type),
    present: (page, context) => presentList(page, context.path, renderPaymentMethod),
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers/:id/payment_methods/:payment_method', operationId: 'GetCustomersCustomerPaymentMethodsPaymentMethod',
    summary: "Retrieve one of a customer's PaymentMethods (404 when it is not attached to that customer)",
    parameters: noParameters,
    response: { kind: 'object', type: 'payment_method' },
    handle: (context) => retrieveCustomerPaymentMethod(context.deps.db, context.scope, context.pathParams.id, context.pathParams.payment_method),
    present: (row) => presentObject(renderPaymentMethod(row)),
  }),
];
