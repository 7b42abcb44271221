import type pg from 'pg';
import type { Dependencies } from '../dependencies.ts';
import { recordEvent } from '../events/service.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { checkChargeAmount, maximumAmount, parseCurrency } from '../platform/money.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { findPrice, type PriceRow } from '../prices/repository.ts';
import { findProduct } from '../products/repository.ts';
import { afterCompletionOf, paymentIntentDataOf, paymentLinkLineItemsMax, quantityFields, type AdjustableQuantityInput, type AfterCompletionInput, type PaymentIntentDataInput } from './fields.ts';
import { checkLinkConnect, checkLinkConnectShape, type LinkConnectInput } from './link-connect.ts';
import { renderPaymentLink, unitAmountIn } from './render.ts';
import { insertPaymentLink, insertPaymentLinkLineItems, type PaymentLinkFields, type PaymentLinkLineItemRow, type PaymentLinkRow } from './repository.ts';

export interface PaymentLinkLineItemInput {
  price: string;
  quantity: number;
  adjustable_quantity?: AdjustableQuantityInput;
}

export interface PaymentLinkCreateInput extends LinkConnectInput {
  line_items: PaymentLinkLineItemInput[];
  after_completion?: AfterCompletionInput;
  restrictions?: { completed_sessions: { limit: number } };
  currency?: string;
  metadata?: MetadataUpdate;
  billing_address_collection?: 'auto' | 'required';
  phone_number_collection?: { enabled: boolean };
  shipping_address_collection?: { allowed_countries: string[] };
  customer_creation?: 'always' | 'if_required';
  payment_intent_data?: PaymentIntentDataInput;
  payment_method_types?: string[];
  submit_type?: 'auto' | 'pay' | 'book' | 'donate';
  inactive_message?: string;
}

const itemParam = (index: number) => (name: string) => `line_items[${index}][${name}]`;

/**
 * What can be refused without the database, before the idempotency key is taken: 1 to 20 line items, each quantity
 * within its adjustable bounds, after_completion's shape. Answers the stored fields.
 */
export function checkPaymentLinkCreate(input: PaymentLinkCreateInput): PaymentLinkFields {
  if (input.line_items.length === 0) throw new ApiError('parameter_missing', 'line_items must have at least one line item.', { param: 'line_items' });
  if (input.line_items.length > paymentLinkLineItemsMax) throw new ApiError('invalid_value', `A Payment Link may have at most ${paymentLinkLineItemsMax} line items.`, { param: 'line_items' });
  input.line_items.forEach((item, index) => quantityFields(item.quantity, item.adjustable_quantity, itemParam(index)));
  checkLinkConnectShape(input);
  return {
    active: true,
    after_completion: input.after_completion === undefined ? { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } } : afterCompletionOf(input.after_completion),
    completed_sessions_limit: input.restrictions?.completed_sessions.limit ?? null,
    billing_address_collection: input.billing_address_collection ?? 'auto',
    phone_number_collection: input.phone_number_collection?.enabled ?? false,
    shipping_allowed_countries: input.shipping_address_collection ? [...new Set(input.shipping_address_collection.allowed_countries.map((country) => country.toUpperCase()))] : null,
    customer_creation: input.customer_creation ?? 'if_required',
    payment_intent_data: paymentIntentDataOf(null, input.payment_intent_data),
    payment_method_types: input.payment_method_types === undefined ? null : [...new Set(input.payment_method_types)],
    submit_type: input.submit_type ?? 'auto',
    inactive_message: input.inactive_message ?? null,
    metadata: mergeMetadata({}, input.metadata),
  };
}

/**
 * A price a link may sell: existing, active, of an active product (locked against deletion by a key share lock, as
 * a session's are), payable in the link's currency (its own or a currency option).
 */
export async function sellablePrice(client: pg.PoolClient, scope: Scope, priceId: string, param: string): Promise<{ price: PriceRow; productName: string }> {
  const price = await findPrice(client, scope, priceId);
  if (!price) throw missing('price', priceId, param);
  if (!price.active) throw new ApiError('invalid_value', `The price ${price.id} is archived (active=false): a Payment Link sells active prices only.`, { param });
  const product = await findProduct(client, scope, price.product_id, { lock: 'key share' });
  if (!product) throw missing('product', price.product_id, param);
  if (!product.active) throw new ApiError('invalid_value', `The product ${product.id} of price ${price.id} is archived (active=false): a Payment Link sells active products only.`, { param });
  return { price, productName: product.name };
}

/** The default total of a link's items in its currency: what a shopper pays without changing a quantity. Answers it. */
export function checkLinkTotal(items: readonly { price: PriceRow; quantity: number }[], currency: string): number {
  let total = 0;
  items.forEach(({ price, quantity }, index) => {
    const unitAmount = unitAmountIn(price, currency);
    if (unitAmount === undefined) {
      throw new ApiError('invalid_value', `The price ${price.id} is in ${price.currency} and has no ${currency} option: every line item of a Payment Link must be payable in its currency (${currency}).`, { param: itemParam(index)('price') });
    }
    total += unitAmount * quantity;
    if (total > maximumAmount) throw new ApiError('amount_too_large', `A Payment Link's total may be at most ${maximumAmount} in the currency's smallest unit.`, { param: itemParam(index)('quantity') });
  });
  checkChargeAmount(total, currency, 'line_items');
  return total;
}

/**
 * Creates a link: its line items from existing prices in one currency, its Connect parameters checked for its total
 * (link-connect.ts), `payment_link.created`, in one transaction.
 */
export async function createPaymentLink(work: UnitOfWork, deps: Pick<Dependencies, 'settings'>, scope: Scope, input: PaymentLinkCreateInput, publicUrl: string): Promise<PaymentLinkRow> {
  const fields = checkPaymentLinkCreate(input);
  const requestedCurrency = input.currency === undefined ? undefined : parseCurrency(input.currency);
  const id = newId('plink');
  return work.finalTransaction(async (client) => {
    const resolved: { price: PriceRow; quantity: number }[] = [];
    for (const [index, item] of input.line_items.entries()) {
      const { price } = await sellablePrice(client, scope, item.price, itemParam(index)('price'));
      resolved.push({ price, quantity: item.quantity });
    }
    const currency = requestedCurrency ?? resolved[0].price.currency;
    const total = checkLinkTotal(resolved, currency);
    const connect = await checkLinkConnect(client, deps, scope, input, fields.payment_intent_data?.transfer_group, total, currency);
    const link = await insertPaymentLink(client, scope, id, currency, fields, nowSeconds(), connect);
    const rows: PaymentLinkLineItemRow[] = input.line_items.map((item, index) => ({
      id: newId('li'),
      payment_link_id: id,
      position: index,
      price_id: item.price,
      ...quantityFields(item.quantity, item.adjustable_quantity, itemParam(index)),
    }));
    await insertPaymentLinkLineItems(client, rows);
    await recordEvent(client, scope, work, 'payment_link.created', renderPaymentLink(link, publicUrl));
    return link;
  });
}
