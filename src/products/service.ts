import type pg from 'pg';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPrice } from '../prices/render.ts';
import { findPrice, insertPrice, productHasPrices, type PriceFields } from '../prices/repository.ts';
import { newPriceFields, type PriceDataInput } from '../prices/fields.ts';
import { newProductFields, updatedProductFields, type ProductInput } from './fields.ts';
import { renderProduct } from './render.ts';
import { deleteProductRow, findProduct, insertProduct, listProducts, updateProduct, type ProductListFilters, type ProductRow } from './repository.ts';

export interface ProductCreateInput extends ProductInput {
  name: string;
  /** A caller-chosen id (letters, digits, `_` and `-`, checked by the route); otherwise a new `prod_` id. */
  id?: string;
  /** A price to create with the product, which becomes its `default_price`. */
  default_price_data?: PriceDataInput;
}

export interface ProductUpdateInput extends ProductInput {
  /** One of the product's active prices; null (sent as '') unsets it. */
  default_price?: string | null;
}

/** What can be refused without the database (`default_price_data`'s amounts), before the idempotency key is taken. */
export function checkProductCreate(input: ProductCreateInput): void {
  if (input.default_price_data !== undefined) newPriceFields('unchecked', input.default_price_data, (name) => `default_price_data[${name}]`);
}

/**
 * Creates a product; with `default_price_data`, also its first price, which becomes `default_price` (events
 * `product.created`, then `price.created`, in one transaction).
 */
export async function createProduct(work: UnitOfWork, scope: Scope, input: ProductCreateInput): Promise<ProductRow> {
  const id = input.id ?? newId('prod');
  const priceId = input.default_price_data === undefined ? null : newId('price');
  const priceFields: PriceFields | undefined = input.default_price_data && newPriceFields(id, input.default_price_data, (name) => `default_price_data[${name}]`);
  const fields = newProductFields(input, priceId);
  return work.finalTransaction(async (client) => {
    const now = nowSeconds();
    const row = await insertProduct(client, scope, id, fields, now);
    if (!row) throw new ApiError('resource_already_exists', 'Product already exists.', { param: 'id' });
    await recordEvent(client, scope, work, 'product.created', renderProduct(row));
    if (priceId !== null && priceFields !== undefined) {
      const price = await insertPrice(client, scope, priceId, priceFields, now);
      // A new price without a lookup key cannot conflict with another.
      if (!price) throw new Error(`invariant violated: price ${priceId} without a lookup key was not inserted`);
      await recordEvent(client, scope, work, 'price.created', renderPrice(price));
    }
    return row;
  });
}

export async function retrieveProduct(db: Queryable, scope: Scope, id: string, param = 'id'): Promise<ProductRow> {
  const row = await findProduct(db, scope, id);
  if (!row) throw missing('product', id, param);
  return row;
}

/** A product's default price must be one of its own prices, and active. */
async function checkDefaultPrice(client: pg.PoolClient, scope: Scope, productId: string, priceId: string): Promise<void> {
  const price = await findPrice(client, scope, priceId);
  if (!price) throw missing('price', priceId, 'default_price');
  if (price.product_id !== productId) {
    throw new ApiError('invalid_value', `The price ${priceId} belongs to another product (${price.product_id}); a product's default_price must be one of its own prices.`, { param: 'default_price' });
  }
  if (!price.active) throw new ApiError('invalid_value', `The price ${priceId} is archived (active=false) and cannot be a product's default_price.`, { param: 'default_price' });
}

export async function modifyProduct(work: UnitOfWork, scope: Scope, id: string, input: ProductUpdateInput): Promise<ProductRow> {
  return work.finalTransaction(async (client) => {
    const current = await findProduct(client, scope, id, { lock: 'update' });
    if (!current) throw missing('product', id);
    const defaultPrice = input.default_price === undefined ? current.default_price_id : input.default_price;
    if (defaultPrice !== null && defaultPrice !== current.default_price_id) await checkDefaultPrice(client, scope, id, defaultPrice);
    const fields = updatedProductFields(current, input, defaultPrice);
    const previous = changedAttributes(renderProduct(current), renderProduct({ ...current, ...fields }));
    // An update that changes nothing is not a state change: no event, and `updated` stays (as at Stripe).
    if (Object.keys(previous).length === 0) return current;
    const row = await updateProduct(client, scope, id, fields, nowSeconds());
    const after = renderProduct(row);
    await recordEvent(client, scope, work, 'product.updated', after, changedAttributes(renderProduct(current), after));
    return row;
  });
}

/** Deletes a product that has no prices (Stripe's rule: archive a product with prices instead); returns its id. */
export async function deleteProduct(work: UnitOfWork, scope: Scope, id: string): Promise<string> {
  return work.finalTransaction(async (client) => {
    const current = await findProduct(client, scope, id, { lock: 'update' });
    if (!current) throw missing('product', id);
    if (await productHasPrices(client, scope, id)) {
      throw new ApiError('product_has_prices', 'This product cannot be deleted because it has one or more user-created prices. Archive it with active=false instead.');
    }
    await deleteProductRow(client, scope, id);
    await recordEvent(client, scope, work, 'product.deleted', renderProduct(current));
    return id;
  });
}

export function listProductPage(db: Queryable, scope: Scope, page: PageRequest, filters: ProductListFilters): Promise<Page<ProductRow>> {
  if (filters.ids !== undefined && (page.starting_after !== undefined || page.ending_before !== undefined)) {
    throw new ApiError('parameters_exclusive', 'ids cannot be used with starting_after or ending_before.', { param: 'ids' });
  }
  return listProducts(db, scope, page, filters);
}
