import type pg from 'pg';
import type { EventRequest } from '../events/repository.ts';
import { recordEvent } from '../events/service.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { MetadataUpdate } from '../platform/metadata.ts';
import { maximumAmount } from '../platform/money.ts';
import type { Scope } from '../platform/scope.ts';
import { newPriceFields, type PriceDataInput } from '../prices/fields.ts';
import { renderPrice } from '../prices/render.ts';
import { findPrice, insertPrice, type PriceRow } from '../prices/repository.ts';
import { newProductFields } from '../products/fields.ts';
import { renderProduct } from '../products/render.ts';
import { findProduct, insertProduct, type ProductRow } from '../products/repository.ts';
import type { LineItemRow } from './repository.ts';

/** Stripe's limits: up to 100 line items in payment mode, each of 1 to 999,999 units. */
export const lineItemsMax = 100;
export const lineItemQuantityMax = 999_999;

export interface LineItemInput {
  price?: string;
  price_data?: PriceDataInput & { product?: string; product_data?: { name: string; description?: string; images?: string[]; metadata?: MetadataUpdate } };
  quantity?: number;
}

/** A line item as sold: its price (made inline from price_data, or an existing one), product and amounts. */
export interface PricedLineItem {
  price: PriceRow;
  product: ProductRow;
  row: LineItemRow;
}

const paramOf = (index: number) => (name: string) => `line_items[${index}][${name}]`;

/** The unit amount of `price` in `currency`: its own, or one of its currency_options; else the item cannot be sold in it. */
function unitAmountIn(price: PriceRow, currency: string, param: string): number {
  if (price.currency === currency) return price.unit_amount;
  const option = price.currency_options[currency];
  if (option) return option.unit_amount;
  throw new ApiError('invalid_value', `The price ${price.id} is in ${price.currency} and has no ${currency} option: every line item of a session must be payable in its currency (${currency}).`, { param });
}

/**
 * Checks the line items' shape before any transaction (exactly one of price and price_data, a quantity in range,
 * at most 100 items).
 */
export function checkLineItems(items: readonly LineItemInput[]): void {
  if (items.length === 0) throw new ApiError('parameter_missing', 'line_items is required in payment mode: give at least one line item.', { param: 'line_items' });
  if (items.length > lineItemsMax) throw new ApiError('invalid_value', `A Checkout Session may have at most ${lineItemsMax} line items.`, { param: 'line_items' });
  items.forEach((item, index) => {
    const param = paramOf(index);
    if ((item.price === undefined) === (item.price_data === undefined)) {
      throw new ApiError('invalid_value', 'Each line item needs exactly one of price and price_data.', { param: param(item.price === undefined ? 'price' : 'price_data') });
    }
    if (item.quantity === undefined) throw new ApiError('parameter_missing', 'Each line item needs a quantity.', { param: param('quantity') });
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > lineItemQuantityMax) {
      throw new ApiError('invalid_value', `The quantity of a line item must be a whole number from 1 to ${lineItemQuantityMax}.`, { param: param('quantity') });
    }
    const data = item.price_data;
    if (data && (data.product === undefined) === (data.product_data === undefined)) {
      throw new ApiError('invalid_value', 'price_data needs exactly one of product and product_data.', { param: param('price_data') });
    }
  });
}

/**
 * Resolves the line items inside the session's transaction: existing prices (active, of an active product) are
 * locked against archiving only by their own immutability (a price's amounts never change); `price_data` makes a new
 * price (and `product_data` a new product), with their events, as Stripe does. The session's currency is `currency`
 * when given, else the first item's; every item must be payable in it. Amounts are whole minor units; the total may
 * not exceed Payrail's maximum amount.
 */
export async function priceLineItems(
  client: pg.PoolClient,
  scope: Scope,
  work: EventRequest,
  sessionId: string,
  items: readonly LineItemInput[],
  requestedCurrency: string | undefined,
  now: number,
): Promise<{ currency: string; items: PricedLineItem[]; subtotal: number }> {
  const resolved: { price: PriceRow; product: ProductRow; quantity: number }[] = [];
  for (const [index, item] of items.entries()) {
    const param = paramOf(index);
    if (item.price !== undefined) {
      const price = await findPrice(client, scope, item.price);
      if (!price) throw missing('price', item.price, param('price'));
      if (!price.active) throw new ApiError('invalid_value', `The price ${price.id} is archived (active=false): a Checkout Session sells active prices only.`, { param: param('price') });
      const product = await findProduct(client, scope, price.product_id, { lock: 'key share' });
      if (!product) throw missing('product', price.product_id, param('price'));
      if (!product.active) throw new ApiError('invalid_value', `The product ${product.id} of price ${price.id} is archived (active=false): a Checkout Session sells active products only.`, { param: param('price') });
      resolved.push({ price, product, quantity: item.quantity! });
      continue;
    }
    const data = item.price_data!;
    let product: ProductRow | undefined;
    if (data.product !== undefined) {
      product = await findProduct(client, scope, data.product, { lock: 'key share' });
      if (!product) throw missing('product', data.product, param('price_data][product'));
      if (!product.active) throw new ApiError('invalid_value', `The product ${product.id} is archived (active=false).`, { param: param('price_data][product') });
    } else {
      const productData = data.product_data!;
      product = await insertProduct(client, scope, newId('prod'), newProductFields({ name: productData.name, description: productData.description, images: productData.images, metadata: productData.metadata }, null), now);
      if (!product) throw new Error('invariant violated: a new product id was taken');
      await recordEvent(client, scope, work, 'product.created', renderProduct(product));
    }
    const { product: _product, product_data: _productData, ...amounts } = data;
    const fields = newPriceFields(product.id, amounts, (name) => param(`price_data][${name}`));
    const price = await insertPrice(client, scope, newId('price'), fields, now);
    if (!price) throw new Error('invariant violated: a new price without a lookup key was not inserted');
    await recordEvent(client, scope, work, 'price.created', renderPrice(price));
    resolved.push({ price, product, quantity: item.quantity! });
  }
  const currency = requestedCurrency ?? resolved[0].price.currency;
  let subtotal = 0;
  const priced = resolved.map(({ price, product, quantity }, index): PricedLineItem => {
    const unitAmount = unitAmountIn(price, currency, paramOf(index)(price.id === items[index].price ? 'price' : 'price_data'));
    const amount = unitAmount * quantity;
    subtotal += amount;
    if (amount > maximumAmount || subtotal > maximumAmount) {
      throw new ApiError('amount_too_large', `The Checkout Session's total may be at most ${maximumAmount} in the currency's smallest unit.`, { param: paramOf(index)('quantity') });
    }
    return {
      price,
      product,
      row: { id: newId('li'), session_id: sessionId, position: index, price_id: price.id, quantity, description: product.name, currency, unit_amount: unitAmount, amount_subtotal: amount, amount_total: amount },
    };
  });
  return { currency, items: priced, subtotal };
}
