import type pg from 'pg';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { attachWithin, type PaymentMethodDependencies } from '../payment-methods/service.ts';
import { detachCustomerPaymentMethods, findPaymentMethod } from '../payment-methods/repository.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { PageRequest, Page } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { renderCustomer } from './render.ts';
import {
  findCustomer, insertCustomer, listCustomers, markCustomerDeleted, updateCustomer, type Address, type CustomerFields, type CustomerRow, type InvoiceSettings, type Shipping,
} from './repository.ts';

/** What customer operations use: attaching a payment method (which decrypts card data). */
export type CustomerDependencies = PaymentMethodDependencies;

export interface CustomerInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  address?: Address | null;
  shipping?: Shipping | null;
  metadata?: MetadataUpdate;
  /** Create only: a PaymentMethod to attach to the new customer. */
  payment_method?: string;
  /** Each field: absent keeps, null (sent as '') clears, a value sets. */
  invoice_settings?: {
    custom_fields?: { name: string; value: string }[] | null;
    default_payment_method?: string | null;
    footer?: string | null;
  };
}

/** Merges an update of `invoice_settings` into the stored settings. */
function mergeInvoiceSettings(current: InvoiceSettings, input: CustomerInput['invoice_settings']): InvoiceSettings {
  if (input === undefined) return current;
  const next: InvoiceSettings = { ...current };
  for (const key of ['custom_fields', 'default_payment_method', 'footer'] as const) {
    if (input[key] !== undefined) (next as Record<string, unknown>)[key] = input[key];
  }
  return next;
}

/** A customer's default PaymentMethod for invoices must be attached to that customer, as at Stripe. */
async function checkDefaultPaymentMethod(client: pg.PoolClient, scope: Scope, customerId: string, settings: InvoiceSettings): Promise<void> {
  const id = settings.default_payment_method;
  if (id === null || id === undefined) return;
  const row = await findPaymentMethod(client, scope, id);
  if (!row) throw missing('PaymentMethod', id, 'invoice_settings[default_payment_method]');
  if (row.customer_id !== customerId) {
    throw new ApiError('invalid_value', `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`, { param: 'invoice_settings[default_payment_method]' });
  }
}

/**
 * What a request's `source` / `default_source` parameters do to a customer (add a card from a token, change the
 * default card), run in the customer's transaction after its fields are written; returns the customer as it then is.
 * Supplied by src/sources, which knows tokens and cards.
 */
export type CustomerSourceChange = (client: pg.PoolClient, customer: CustomerRow) => Promise<CustomerRow>;

/** `undefined` keeps the current value; `null` (sent as '') clears it. */
function pick<T>(next: T | null | undefined, current: T | null): T | null {
  return next === undefined ? current : next;
}

/**
 * Creates a customer; with `payment_method`, attaches that PaymentMethod to it in the same transaction (after
 * `customer.created`, as Stripe orders the events), so `invoice_settings[default_payment_method]` may name it.
 */
export async function createCustomer(work: UnitOfWork, deps: CustomerDependencies, scope: Scope, input: CustomerInput, sourceChange?: CustomerSourceChange): Promise<CustomerRow> {
  const fields: CustomerFields = {
    email: input.email ?? null,
    name: input.name ?? null,
    phone: input.phone ?? null,
    description: input.description ?? null,
    address: input.address ?? null,
    shipping: input.shipping ?? null,
    metadata: mergeMetadata({}, input.metadata),
    invoice_settings: mergeInvoiceSettings({}, input.invoice_settings),
  };
  return work.finalTransaction(async (client) => {
    const id = newId('cus');
    const inserted = await insertCustomer(client, scope, id, fields, nowSeconds());
    const row = sourceChange ? await sourceChange(client, inserted) : inserted;
    await recordEvent(client, scope, work, 'customer.created', renderCustomer(row));
    if (input.payment_method !== undefined) await attachWithin(client, deps, scope, work, input.payment_method, id, 'payment_method');
    await checkDefaultPaymentMethod(client, scope, id, fields.invoice_settings);
    return row;
  });
}

export async function retrieveCustomer(db: Queryable, scope: Scope, id: string, param = 'id'): Promise<CustomerRow> {
  const row = await findCustomer(db, scope, id, { includeDeleted: true });
  if (!row) throw missing('customer', id, param);
  return row;
}

export async function modifyCustomer(work: UnitOfWork, scope: Scope, id: string, input: CustomerInput, sourceChange?: CustomerSourceChange): Promise<CustomerRow> {
  return work.finalTransaction(async (client) => {
    const current = await findCustomer(client, scope, id, { forUpdate: true });
    if (!current) throw missing('customer', id);
    const fields: CustomerFields = {
      email: pick(input.email, current.email),
      name: pick(input.name, current.name),
      phone: pick(input.phone, current.phone),
      description: pick(input.description, current.description),
      address: pick(input.address, current.address),
      shipping: pick(input.shipping, current.shipping),
      metadata: mergeMetadata(current.metadata, input.metadata),
      invoice_settings: mergeInvoiceSettings(current.invoice_settings, input.invoice_settings),
    };
    await checkDefaultPaymentMethod(client, scope, id, fields.invoice_settings);
    const updated = await updateCustomer(client, scope, id, fields);
    const row = sourceChange ? await sourceChange(client, updated) : updated;
    const after = renderCustomer(row);
    const previous = changedAttributes(renderCustomer(current), after);
    // An update that changes nothing is not a state change, so it records no event (as at Stripe).
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'customer.updated', after, previous);
    return row;
  });
}

export async function deleteCustomer(work: UnitOfWork, scope: Scope, id: string): Promise<CustomerRow> {
  return work.finalTransaction(async (client) => {
    const current = await findCustomer(client, scope, id, { forUpdate: true });
    if (!current) throw missing('customer', id);
    await markCustomerDeleted(client, scope, id);
    // Stripe detaches the customer's payment methods when the customer is deleted.
    await detachCustomerPaymentMethods(client, scope, id);
    await recordEvent(client, scope, work, 'customer.deleted', renderCustomer(current));
    return { ...current, deleted: true };
  });
}

export function listCustomerPage(db: Queryable, scope: Scope, page: PageRequest, filters: { email?: string }): Promise<Page<CustomerRow>> {
  return listCustomers(db, scope, page, filters);
}
