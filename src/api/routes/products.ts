import { renderDeletedProduct, renderProduct } from '../../products/render.ts';
import { checkProductCreate, createProduct, deleteProduct, listProductPage, modifyProduct, retrieveProduct } from '../../products/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, boolean, emptyable, metadata, object, required, string, url } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';
import { priceDataFields } from './price-parameters.ts';

/** Stripe's limits on a product's lists. */
export const productImagesMax = 8;
export const productMarketingFeaturesMax = 15;
/** How many ids `GET /v1/products?ids[]=...` takes. */
export const productListIdsMax = 100;

/** A caller-chosen product id: letters, digits, `_` and `-`, as Stripe allows. */
export const productIdPattern = /^[A-Za-z0-9_-]+$/;

const productIdParameter = string({
  maxLength: 255, minLength: 1, pattern: productIdPattern, patternMessage: 'Invalid id: a product id may contain only letters, digits, _ and -.',
  description: 'A caller-chosen id (letters, digits, _ and -), unique among the account\'s products in the mode; otherwise a new prod_ id.',
});

/** A product's name, shown to customers: never empty. */
export const productName = string({ minLength: 1, maxLength: 5000 });

/** The fields a product's create and update share (and a price's `product_data`, in part). */
export const productDescriptorFields = {
  active: boolean({ description: 'Whether the product is available for purchase (default true).' }),
  metadata: metadata(),
  // Stripe's statement descriptor rules: at most 22 characters, at least one letter, none of < > \ ' " *.
  statement_descriptor: emptyable(string({ maxLength: 22, pattern: /^(?=.*[A-Za-z])[^<>\\'"*]*$/, patternMessage: 'Invalid statement_descriptor: at most 22 characters, at least one letter, and none of < > \\ \' " *.' })),
  tax_code: emptyable(string({ maxLength: 13, pattern: /^txcd_[0-9]{8}$/, patternMessage: 'Invalid tax_code: a tax code is txcd_ followed by 8 digits (e.g. txcd_99999999).' })),
  unit_label: emptyable(string({ maxLength: 12 })),
};

const productFields = {
  ...productDescriptorFields,
  description: emptyable(string({ maxLength: 40_000 })),
  images: emptyable(array(url(), { maxItems: productImagesMax, description: `Up to ${productImagesMax} http(s) URLs of images of the product.` })),
  marketing_features: emptyable(array(object({ name: required(string({ maxLength: 80 })) }), { maxItems: productMarketingFeaturesMax })),
  shippable: boolean(),
  url: emptyable(url()),
};

export const productRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/products', operationId: 'PostProducts', summary: 'Create a product',
    parameters: object({
      ...productFields,
      name: required(productName),
      id: productIdParameter,
      default_price_data: object({ ...priceDataFields }),
    }),
    response: { kind: 'object', type: 'product' },
    precheck: checkProductCreate,
    handle: (context, params) => createProduct(context.work, context.scope, params),
    present: (row) => presentObject(renderProduct(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/products/:id', operationId: 'GetProductsId', summary: 'Retrieve a product',
    parameters: noParameters,
    response: { kind: 'object', type: 'product' },
    handle: (context) => retrieveProduct(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderProduct(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/products/:id', operationId: 'PostProductsId', summary: 'Update a product',
    parameters: object({
      ...productFields,
      name: productName,
      default_price: emptyable(string({ maxLength: 255, description: "One of the product's active prices; '' unsets it." })),
    }),
    response: { kind: 'object', type: 'product' },
    handle: (context, params) => modifyProduct(context.work, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderProduct(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/products/:id', operationId: 'DeleteProductsId', summary: 'Delete a product (only one without prices)',
    parameters: noParameters,
    response: { kind: 'object', type: 'product' },
    handle: (context) => deleteProduct(context.work, context.scope, context.pathParams.id),
    present: (id) => presentObject(renderDeletedProduct(id)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/products', operationId: 'GetProducts', summary: 'List products',
    parameters: object({
      ...listParameters,
      ...createdFilter,
      active: boolean(),
      ids: array(string({ maxLength: 255 }), { maxItems: productListIdsMax, description: 'Only these products (not with starting_after or ending_before).' }),
      shippable: boolean(),
      url: string({ maxLength: 2048 }),
    }),
    response: { kind: 'list', type: 'product' },
    handle: (context, params) => listProductPage(context.deps.db, context.scope, params, { active: params.active, ids: params.ids, shippable: params.shippable, url: params.url }),
    present: (page, context) => presentList(page, context.path, renderProduct),
  }),
];
