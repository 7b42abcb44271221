import type pg from 'pg';
import type { PaymentMethodDependencies } from '../payment-methods/service.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { findCustomer, setDefaultSource, type CustomerRow } from '../customers/repository.ts';
import { renderCustomer } from '../customers/render.ts';
import type { CustomerSourceChange } from '../customers/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderCardSource } from '../payment-methods/render.ts';
import {
  findLatestCardSource, findPaymentMethod, listCardSources, savePaymentMethod, type CardPaymentMethodRow, type PaymentMethodRow,
} from '../payment-methods/repository.ts';
import { legacyBillingDetails, validateCard, type LegacyCardInput } from '../payment-methods/service.ts';
import { useToken } from '../tokens/service.ts';

/**
 * A customer's card sources (Stripe's legacy `card` objects on `/v1/customers/:id/sources`). Each is a card
 * PaymentMethod with a `card_` id attached to the customer, so it is also usable wherever a PaymentMethod is (a
 * PaymentIntent's `payment_method`) and listed among the customer's PaymentMethods, as at Stripe.
 */

export function isCardSource(row: PaymentMethodRow | undefined): row is CardPaymentMethodRow {
  return row !== undefined && row.type === 'card' && row.id.startsWith('card_');
}

function noSuchSource(id: string, param = 'id'): ApiError {
  return new ApiError('resource_missing', `No such source: '${id}'`, { param });
}

async function lockCustomer(client: Queryable, scope: Scope, id: string, param = 'customer'): Promise<CustomerRow> {
  const customer = await findCustomer(client, scope, id, { forUpdate: true });
  if (!customer) throw missing('customer', id, param);
  return customer;
}

/** A card source of this customer (locked when asked), or Stripe's "No such source". */
async function customerCard(db: Queryable, scope: Scope, customerId: string, id: string, options: { forUpdate?: boolean; param?: string } = {}): Promise<CardPaymentMethodRow> {
  const row = await findPaymentMethod(db, scope, id, { forUpdate: options.forUpdate });
  if (!isCardSource(row) || row.customer_id !== customerId) throw noSuchSource(id, options.param);
  return row;
}

/**
 * Adds the card of a token to a customer, under the customer's lock: the token is used up, the card attached, and it
 * becomes the customer's default source when the customer has none (or when `makeDefault`). Records
 * `customer.source.created`. Returns the card and the customer as they now are.
 */
async function addCardFromToken(
  client: pg.PoolClient,
  work: UnitOfWork,
  deps: PaymentMethodDependencies,
  scope: Scope,
  customer: CustomerRow,
  tokenId: string,
  options: { param: string; metadata?: MetadataUpdate; makeDefault?: boolean },
): Promise<{ card: CardPaymentMethodRow; customer: CustomerRow }> {
  if (!tokenId.startsWith('tok_')) throw missing('token', tokenId, options.param);
  const card = await useToken(client, deps, scope, tokenId, options.param);
  const attached = (await savePaymentMethod(client, scope, { ...card, customer_id: customer.id, metadata: mergeMetadata(card.metadata, options.metadata) })) as CardPaymentMethodRow;
  const updated = customer.default_source === null || options.makeDefault ? await setDefaultSource(client, scope, customer.id, attached.id) : customer;
  await recordEvent(client, scope, work, 'customer.source.created', renderCardSource(attached));
  return { card: attached, customer: updated };
}

/** Detaches a card source from its customer (Stripe deletes it) and records `customer.source.deleted`. */
async function removeCard(client: pg.PoolClient, work: UnitOfWork, scope: Scope, card: CardPaymentMethodRow): Promise<void> {
  await savePaymentMethod(client, scope, { ...card, customer_id: null });
  await recordEvent(client, scope, work, 'customer.source.deleted', renderCardSource(card));
}

/**
 * The `source` (a token: its card is added and becomes the default; on an update it replaces the previous default
 * card, as at Stripe) and `default_source` (one of the customer's cards) parameters of customer create and update.
 */
export function customerSourceChange(work: UnitOfWork, deps: PaymentMethodDependencies, scope: Scope, input: { source?: string; default_source?: string }): CustomerSourceChange | undefined {
  if (input.source === undefined && input.default_source === undefined) return undefined;
  return async (client, customer) => {
    let current = customer;
    if (input.source !== undefined) {
      const previous = current.default_source;
      current = (await addCardFromToken(client, work, deps, scope, current, input.source, { param: 'source', makeDefault: true })).customer;
      if (previous !== null) {
        const old = await findPaymentMethod(client, scope, previous, { forUpdate: true });
        if (isCardSource(old) && old.customer_id === customer.id) await removeCard(client, work, scope, old);
      }
    }
    if (input.default_source !== undefined) {
      const card = await customerCard(client, scope, customer.id, input.default_source, { param: 'default_source' });
      current = await setDefaultSource(client, scope, customer.id, card.id);
    }
    return current;
  };
}

/** POST /v1/customers/:id/sources: adds a token's card to the customer. */
export async function createCustomerSource(work: UnitOfWork, deps: PaymentMethodDependencies, scope: Scope, customerId: string, input: { source: string; metadata?: MetadataUpdate }): Promise<CardPaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    const customer = await lockCustomer(client, scope, customerId, 'customer');
    const added = await addCardFromToken(client, work, deps, scope, customer, input.source, { param: 'source', metadata: input.metadata });
    if (added.customer.default_source !== customer.default_source) {
      await recordEvent(client, scope, work, 'customer.updated', renderCustomer(added.customer), { default_source: customer.default_source });
    }
    return added.card;
  });
}

export async function listCustomerSources(db: Queryable, scope: Scope, customerId: string, page: PageRequest, object: string | undefined): Promise<Page<CardPaymentMethodRow>> {
  if (!(await findCustomer(db, scope, customerId))) throw missing('customer', customerId, 'customer');
  // Cards are the only sources Payrail keeps: a list of any other kind is empty.
  if (object !== undefined && object !== 'card') return { rows: [], hasMore: false };
  return (await listCardSources(db, scope, page, customerId)) as Page<CardPaymentMethodRow>;
}

export async function retrieveCustomerSource(db: Queryable, scope: Scope, customerId: string, id: string): Promise<CardPaymentMethodRow> {
  if (!(await findCustomer(db, scope, customerId))) throw missing('customer', customerId, 'customer');
  return customerCard(db, scope, customerId, id);
}

export interface CardSourceUpdate extends Omit<LegacyCardInput, 'number' | 'cvc'> {
  metadata?: MetadataUpdate;
}

/** POST /v1/customers/:id/sources/:card: expiry, holder name and address, metadata. */
export async function updateCustomerSource(work: UnitOfWork, scope: Scope, customerId: string, id: string, input: CardSourceUpdate): Promise<CardPaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    await lockCustomer(client, scope, customerId);
    const current = await customerCard(client, scope, customerId, id, { forUpdate: true });
    const card = { ...current.card };
    if (input.exp_month !== undefined || input.exp_year !== undefined) {
      // The stored number is not needed to check an expiry: any valid number stands in for it.
      const checked = validateCard({ number: '4242424242424242', exp_month: input.exp_month ?? card.exp_month, exp_year: input.exp_year ?? card.exp_year });
      card.exp_month = checked.expMonth;
      card.exp_year = checked.expYear;
    }
    const row = (await savePaymentMethod(client, scope, {
      ...current,
      card,
      billing_details: legacyBillingDetails(input, current.billing_details),
      metadata: mergeMetadata(current.metadata, input.metadata),
    })) as CardPaymentMethodRow;
    const after = renderCardSource(row);
    const previous = changedAttributes(renderCardSource(current), after);
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'customer.source.updated', after, previous);
    return row;
  });
}

/**
 * DELETE /v1/customers/:id/sources/:card: the card leaves the customer (charges made with it keep it). When it was
 * the default, the customer's newest remaining card becomes the default, or none, as at Stripe.
 */
export async function deleteCustomerSource(work: UnitOfWork, scope: Scope, customerId: string, id: string): Promise<CardPaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    const customer = await lockCustomer(client, scope, customerId);
    const card = await customerCard(client, scope, customerId, id, { forUpdate: true });
    await removeCard(client, work, scope, card);
    if (customer.default_source === card.id) {
      const next = await findLatestCardSource(client, scope, customerId);
      const updated = await setDefaultSource(client, scope, customerId, next?.id ?? null);
      await recordEvent(client, scope, work, 'customer.updated', renderCustomer(updated), { default_source: card.id });
    }
    return card;
  });
}

/**
 * The card a legacy charge is made with, from its `source` and `customer` (Stripe's rules): a token (used up here),
 * a card of the customer (`card_...`, the customer required), or, with only `customer`, the customer's default card.
 * Run in the transaction that commits the token's use.
 */
export async function chargeSourceCard(client: Queryable, deps: PaymentMethodDependencies, scope: Scope, input: { source?: string; customer?: string }): Promise<CardPaymentMethodRow> {
  const customer = input.customer === undefined ? undefined : await findCustomer(client, scope, input.customer);
  if (input.customer !== undefined && !customer) throw missing('customer', input.customer, 'customer');
  if (input.source === undefined) {
    if (!customer) throw new ApiError('parameter_missing', 'Must provide source or customer.', { param: 'source' });
    if (customer.default_source === null) throw new ApiError('missing', 'Cannot charge a customer that has no active card', { param: 'card' });
    return customerCard(client, scope, customer.id, customer.default_source, { param: 'customer' });
  }
  if (input.source.startsWith('tok_')) return useToken(client, deps, scope, input.source, 'source');
  if (input.source.startsWith('card_')) {
    if (!customer) {
      // A card is only reachable through its customer, as at Stripe.
      throw new ApiError('resource_missing', `No such token: '${input.source}'; a card can only be charged with the customer it belongs to (pass customer).`, { param: 'source' });
    }
    return customerCard(client, scope, customer.id, input.source, { param: 'source' });
  }
  throw new ApiError('resource_missing', `No such source: '${input.source}'; Payrail's legacy charges take a token (tok_...) or a customer's card (card_...).`, { param: 'source' });
}
