import { renderPrice } from '../../prices/render.ts';
import { checkPriceCreate, createPrice, listPricePage, modifyPrice, retrievePrice } from '../../prices/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, boolean, emptyable, enumeration, metadata, object, required, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';
import { currencyOptions, lookupKey, priceDataFields, taxBehavior } from './price-parameters.ts';
import { productDescriptorFields, productName } from './products.ts';

/** Stripe's limit on `lookup_keys[]` of the price list. */
export const priceListLookupKeysMax = 10;

const nickname = string({ maxLength: 5000, description: 'A brief description of the price, hidden from customers.' });
const transferLookupKey = boolean({ description: 'Move the lookup key from the price that has it to this one (otherwise taking a used key is refused).' });

export const priceRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/prices', operationId: 'PostPrices', summary: 'Create a price (one-time)',
    parameters: object({
      ...priceDataFields,
      product: string({ maxLength: 255, description: 'The product the price is for (or product_data).' }),
      product_data: object({
        ...productDescriptorFields,
        name: required(productName),
        id: string({ maxLength: 255, minLength: 1, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: 'Invalid product_data[id]: a product id may contain only letters, digits, _ and -.' }),
      }, { description: 'A new product for the price (instead of product).' }),
      active: boolean(),
      billing_scheme: enumeration(['per_unit'], { description: 'Only per_unit: Payrail has no tiered prices.' }),
      lookup_key: lookupKey,
      transfer_lookup_key: transferLookupKey,
      metadata: metadata(),
      nickname,
    }),
    response: { kind: 'object', type: 'price' },
    precheck: checkPriceCreate,
    handle: (context, params) => {
      const { billing_scheme: _billingScheme, ...input } = params;
      return createPrice(context.work, context.scope, input);
    },
    present: (row) => presentObject(renderPrice(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/prices/:id', operationId: 'GetPricesPrice', summary: 'Retrieve a price',
    parameters: noParameters,
    response: { kind: 'object', type: 'price' },
    handle: (context) => retrievePrice(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderPrice(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/prices/:id', operationId: 'PostPricesPrice', summary: 'Update a price',
    parameters: object({
      active: boolean(),
      currency_options: currencyOptions(),
      lookup_key: emptyable(lookupKey),
      transfer_lookup_key: transferLookupKey,
      metadata: metadata(),
      nickname: emptyable(nickname),
      tax_behavior: taxBehavior,
    }),
    response: { kind: 'object', type: 'price' },
    handle: (context, params) => modifyPrice(context.work, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderPrice(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/prices', operationId: 'GetPrices', summary: 'List prices',
    parameters: object({
      ...listParameters,
      ...createdFilter,
      active: boolean(),
      currency: string({ maxLength: 3, minLength: 3 }),
      product: string({ maxLength: 255 }),
      type: enumeration(['one_time', 'recurring'], { description: 'Payrail\'s prices are all one_time.' }),
      lookup_keys: array(string({ maxLength: 200 }), { maxItems: priceListLookupKeysMax }),
    }),
    response: { kind: 'list', type: 'price' },
    handle: (context, params) => listPricePage(context.deps.db, context.scope, params, {
      active: params.active, currency: params.currency?.toLowerCase(), product: params.product, type: params.type, lookupKeys: params.lookup_keys,
    }),
    present: (page, context) => presentList(page, context.path, renderPrice),
  }),
];
