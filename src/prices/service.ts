import type pg from 'pg';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { newProductFields, type ProductInput } from '../products/fields.ts';
import { renderProduct } from '../products/render.ts';
import { findProduct, insertProduct } from '../products/repository.ts';
import { mergeCurrencyOptions, newPriceFields, nextTaxBehavior, topLevel, type CurrencyOptionInput, type PriceDataInput } from './fields.ts';
import { renderPrice } from './render.ts';
import {
  clearLookupKey, findPrice, findPriceByLookupKey, insertPrice, listPrices, updatePrice, type PriceFields, type PriceListFilters, type PriceRow, type TaxBehavior,
} from './repository.ts';

export interface PriceCreateInput extends PriceDataInput {
  product?: string;
  product_data?: ProductInput & { name: string; id?: string };
  active?: boolean;
  lookup_key?: string;
  transfer_lookup_key?: boolean;
  metadata?: MetadataUpdate;
  nickname?: string;
}

export interface PriceUpdateInput {
  active?: boolean;
  metadata?: MetadataUpdate;
  nickname?: string | null;
  lookup_key?: string | null;
  transfer_lookup_key?: boolean;
  currency_options?: Record<string, CurrencyOptionInput | null> | null;
  tax_behavior?: TaxBehavior;
}

/** Stripe's answer when another price holds the lookup key (its id unknown when a concurrent request just took it). */
function lookupKeyTaken(holder: string | undefined): ApiError {
  return new ApiError('invalid_value', `A price${holder === undefined ? '' : ` (\`${holder}\`)`} already uses that lookup key. Pass transfer_lookup_key=true to move it to this price.`, { param: 'lookup_key' });
}

/**
 * Makes `lookupKey` free for the price `priceId`: the price holding it loses it when the caller asked to transfer it
 * (with a `price.updated` event), and otherwise the request is refused, as at Stripe.
 */
async function freeLookupKey(client: pg.PoolClient, scope: Scope, work: UnitOfWork, lookupKey: string, priceId: string, transfer: boolean): Promise<void> {
  const holder = await findPriceByLookupKey(client, scope, lookupKey);
  if (!holder || holder.id === priceId) return;
  if (!transfer) throw lookupKeyTaken(holder.id);
  const after = renderPrice(await clearLookupKey(client, scope, holder.id));
  await recordEvent(client, scope, work, 'price.updated', after, changedAttributes(renderPrice(holder), after));
}

/** The price's amounts and product choice, checked without the database. */
function newPriceFieldsOf(productId: string, input: PriceCreateInput): PriceFields {
  if (input.product !== undefined && input.product_data !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: product, product_data.', { param: 'product_data' });
  }
  if (input.product === undefined && input.product_data === undefined) {
    throw new ApiError('parameter_missing', 'Missing required param: product. Name an existing product, or describe a new one with product_data.', { param: 'product' });
  }
  return newPriceFields(productId, input, topLevel);
}

/**
 * What can be refused without the database (run before the idempotency key is taken, so a refused request may be
 * retried with the same key and corrected parameters).
 */
export function checkPriceCreate(input: PriceCreateInput): void {
  newPriceFieldsOf(input.product ?? 'unchecked', input);
}

/**
 * Creates a price for `product` (which must exist in the account and mode), or for a new product made from
 * `product_data` in the same transaction (`product.created`, then `price.created`).
 */
export async function createPrice(work: UnitOfWork, scope: Scope, input: PriceCreateInput): Promise<PriceRow> {
  const productId = input.product ?? input.product_data?.id ?? newId('prod');
  const fields: PriceFields = {
    ...newPriceFieldsOf(productId, input),
    active: input.active ?? true,
    lookup_key: input.lookup_key ?? null,
    nickname: input.nickname ?? null,
    metadata: mergeMetadata({}, input.metadata),
  };
  return work.finalTransaction(async (client) => {
    const now = nowSeconds();
    if (input.product_data !== undefined) {
      const product = await insertProduct(client, scope, productId, newProductFields(input.product_data, null), now);
      if (!product) throw new ApiError('resource_already_exists', 'Product already exists.', { param: 'product_data[id]' });
      await recordEvent(client, scope, work, 'product.created', renderProduct(product));
    } else if (!await findProduct(client, scope, productId, { lock: 'key share' })) {
      // Locked so that a concurrent delete of the product either waits for this price or has already removed it.
      throw missing('product', productId, 'product');
    }
    const id = newId('price');
    if (fields.lookup_key !== null) await freeLookupKey(client, scope, work, fields.lookup_key, id, input.transfer_lookup_key === true);
    const row = await insertPrice(client, scope, id, fields, now);
    if (!row) throw lookupKeyTaken((await findPriceByLookupKey(client, scope, fields.lookup_key!))?.id);
    await recordEvent(client, scope, work, 'price.created', renderPrice(row));
    return row;
  });
}

export async function retrievePrice(db: Queryable, scope: Scope, id: string, param = 'id'): Promise<PriceRow> {
  const row = await findPrice(db, scope, id);
  if (!row) throw missing('price', id, param);
  return row;
}

export async function modifyPrice(work: UnitOfWork, scope: Scope, id: string, input: PriceUpdateInput): Promise<PriceRow> {
  return work.finalTransaction(async (client) => {
    const current = await findPrice(client, scope, id, { forUpdate: true });
    if (!current) throw missing('price', id);
    const taxBehavior = nextTaxBehavior(current.tax_behavior, input.tax_behavior, topLevel);
    const fields: PriceFields = {
      ...current,
      active: input.active ?? current.active,
      tax_behavior: taxBehavior,
      currency_options: mergeCurrencyOptions(current.currency_options, input.currency_options, { ...current, tax_behavior: taxBehavior }, topLevel),
      lookup_key: input.lookup_key === undefined ? current.lookup_key : input.lookup_key,
      nickname: input.nickname === undefined ? current.nickname : input.nickname,
      metadata: mergeMetadata(current.metadata, input.metadata),
    };
    if (!fields.active && current.active) {
      // Locked as an update of the product locks it, so archiving and making this price the default never interleave.
      const product = await findProduct(client, scope, current.product_id, { lock: 'update' });
      if (product?.default_price_id === id) {
        throw new ApiError('invalid_value', `This price cannot be archived because it is the default price of its product (${current.product_id}). Set another default_price on the product first.`, { param: 'active' });
      }
    }
    if (fields.lookup_key !== null && fields.lookup_key !== current.lookup_key) {
      await freeLookupKey(client, scope, work, fields.lookup_key, id, input.transfer_lookup_key === true);
    }
    const after = renderPrice({ ...current, ...fields });
    const previous = changedAttributes(renderPrice(current), after);
    // Currency options are not part of the rendered price (an includable field), so they are compared on their own.
    const optionsChanged = JSON.stringify(fields.currency_options) !== JSON.stringify(current.currency_options);
    if (Object.keys(previous).length === 0 && !optionsChanged) return current;
    const row = await updatePrice(client, scope, id, fields);
    // The failed statement ended the transaction's usefulness, so the holder is not looked up.
    if (!row) throw lookupKeyTaken(undefined);
    await recordEvent(client, scope, work, 'price.updated', renderPrice(row), previous);
    return row;
  });
}

export function listPricePage(db: Queryable, scope: Scope, page: PageRequest, filters: PriceListFilters): Promise<Page<PriceRow>> {
  return listPrices(db, scope, page, filters);
}
