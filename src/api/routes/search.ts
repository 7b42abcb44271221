import { renderCustomer } from '../../customers/render.ts';
import { renderCharge, renderPaymentIntent } from '../../payments/render.ts';
import { listLimitMax } from '../../platform/pagination.ts';
import { renderPrice } from '../../prices/render.ts';
import { renderProduct } from '../../products/render.ts';
import { searchQueryLengthMax } from '../../search/query-parser.ts';
import { search, type SearchPage } from '../../search/service.ts';
import { deferField } from '../expand.ts';
import { defineRoute, type Presentation, type RouteContext } from '../route.ts';
import { integer, object, required, string } from '../schema.ts';

/**
 * Stripe's search endpoints (`GET /v1/<resource>/search`). Fastify's router matches the static `search` segment
 * before the `/:id` parameter whatever the registration order, so these never reach "retrieve an object".
 */

const searchParameters = object({
  query: required(string({ maxLength: searchQueryLengthMax, description: 'A Search Query Language query (docs/search.md), e.g. email:"jenny@example.com".' })),
  limit: integer({ minimum: 1, maximum: listLimitMax, description: 'Number of objects to return, 1 to 100 (default 10).' }),
  page: string({ maxLength: 5000, description: 'Cursor: the next_page of the previous search with the same query.' }),
});

/** Stripe's `search_result` envelope; `total_count` is added only when expanded. */
function presentSearch<Row>(page: SearchPage<Row>, context: RouteContext, render: (row: Row) => Record<string, unknown>): Presentation {
  const body: Record<string, unknown> = { object: 'search_result', data: page.rows.map(render), has_more: page.hasMore, next_page: page.nextPage, url: context.path };
  deferField(body, 'total_count', page.countTotal);
  return { status: 200, body };
}

export const searchRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/customers/search', operationId: 'GetCustomersSearch', summary: 'Search customers',
    parameters: searchParameters,
    response: { kind: 'search', type: 'customer' },
    handle: (context, params) => search(context.deps.db, context.scope, 'customer', params),
    present: (page, context) => presentSearch(page, context, renderCustomer),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_intents/search', operationId: 'GetPaymentIntentsSearch', summary: 'Search PaymentIntents',
    parameters: searchParameters,
    response: { kind: 'search', type: 'payment_intent' },
    handle: (context, params) => search(context.deps.db, context.scope, 'payment_intent', params),
    present: (page, context) => presentSearch(page, context, renderPaymentIntent),
  }),
  defineRoute({
    method: 'GET', path: '/v1/charges/search', operationId: 'GetChargesSearch', summary: 'Search charges',
    parameters: searchParameters,
    response: { kind: 'search', type: 'charge' },
    handle: (context, params) => search(context.deps.db, context.scope, 'charge', params),
    present: (page, context) => presentSearch(page, context, renderCharge),
  }),
  defineRoute({
    method: 'GET', path: '/v1/products/search', operationId: 'GetProductsSearch', summary: 'Search products',
    parameters: searchParameters,
    response: { kind: 'search', type: 'product' },
    handle: (context, params) => search(context.deps.db, context.scope, 'product', params),
    present: (page, context) => presentSearch(page, context, renderProduct),
  }),
  defineRoute({
    method: 'GET', path: '/v1/prices/search', operationId: 'GetPricesSearch', summary: 'Search prices',
    parameters: searchParameters,
    response: { kind: 'search', type: 'price' },
    handle: (context, params) => search(context.deps.db, context.scope, 'price', params),
    present: (page, context) => presentSearch(page, context, renderPrice),
  }),
];
