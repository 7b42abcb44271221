import { renderCardSource } from '../../payment-methods/render.ts';
import { createCustomerSource, deleteCustomerSource, listCustomerSources, retrieveCustomerSource, updateCustomerSource } from '../../sources/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { enumeration, integer, metadata, object, required, string } from '../schema.ts';
import { legacyCardHolderFields, listParameters, noParameters } from './common.ts';

const present = (row: Parameters<typeof renderCardSource>[0]) => presentObject(renderCardSource(row));

export const customerSourceRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/customers/:id/sources', operationId: 'PostCustomersCustomerSources',
    summary: "Add a card to a customer from a token; it becomes the default source when the customer has none",
    parameters: object({ source: required(string({ maxLength: 255, description: 'A token (tok_...).' })), metadata: metadata() }),
    response: { kind: 'object', type: 'card' },
    handle: (context, params) => createCustomerSource(context.work, context.deps, context.scope, context.pathParams.id, params),
    present,
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers/:id/sources', operationId: 'GetCustomersCustomerSources', summary: "List a customer's card sources",
    parameters: object({ ...listParameters, object: enumeration(['card', 'bank_account', 'source'], { description: 'Payrail keeps cards only: other kinds list empty.' }) }),
    response: { kind: 'list', type: 'card' },
    handle: (context, params) => listCustomerSources(context.deps.db, context.scope, context.pathParams.id, params, params.object),
    present: (page, context) => presentList(page, context.path, renderCardSource),
  }),
  defineRoute({
    method: 'GET', path: '/v1/customers/:id/sources/:source', operationId: 'GetCustomersCustomerSourcesId', summary: "Retrieve a customer's card source",
    parameters: noParameters,
    response: { kind: 'object', type: 'card' },
    handle: (context) => retrieveCustomerSource(context.deps.db, context.scope, context.pathParams.id, context.pathParams.source),
    present,
  }),
  defineRoute({
    method: 'POST', path: '/v1/customers/:id/sources/:source', operationId: 'PostCustomersCustomerSourcesId', summary: "Update a customer's card source",
    parameters: object({
      exp_month: integer(),
      exp_year: integer(),
      ...legacyCardHolderFields,
      metadata: metadata(),
    }),
    response: { kind: 'object', type: 'card' },
    handle: (context, params) => updateCustomerSource(context.work, context.scope, context.pathParams.id, context.pathParams.source, params),
    present,
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/customers/:id/sources/:source', operationId: 'DeleteCustomersCustomerSourcesId', summary: "Remove a card source from a customer",
    parameters: noParameters,
    response: { kind: 'object', type: 'card' },
    handle: (context) => deleteCustomerSource(context.work, context.scope, context.pathParams.id, context.pathParams.source),
    present: (row) => presentObject({ id: row.id, object: 'card', deleted: true }),
  }),
];
