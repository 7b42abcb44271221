import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';

export interface Address {
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}

export interface Shipping {
  address: Address;
  name: string;
  phone?: string | null;
}

export interface CustomerRow {
  id: string;
  account_id: string;
  livemode: boolean;
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  address: Address | null;
  shipping: Shipping | null;
  metadata: Record<string, string>;
  deleted: boolean;
  created: number;
  /** The card source (`card_...`) a charge naming only the customer uses; null without one. */
  default_source: string | null;
  invoice_settings: InvoiceSettings;
}

/** Stripe's `customer.invoice_settings` as stored (absent keys render as null). */
export interface InvoiceSettings {
  custom_fields?: { name: string; value: string }[] | null;
  default_payment_method?: string | null;
  footer?: string | null;
}

export type CustomerFields = Pick<CustomerRow, 'email' | 'name' | 'phone' | 'description' | 'address' | 'shipping' | 'metadata' | 'invoice_settings'>;

export async function insertCustomer(db: Queryable, scope: Scope, id: string, fields: CustomerFields, created: number): Promise<CustomerRow> {
  const result = await db.query<CustomerRow>(
    `INSERT INTO customers (id, account_id, livemode, email, name, phone, description, address, shipping, metadata, created, invoice_settings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
    [id, scope.accountId, scope.livemode, fields.email, fields.name, fields.phone, fields.description, fields.address, fields.shipping, fields.metadata, created, JSON.stringify(fields.invoice_settings)],
  );
  return result.rows[0];
}

export async function findCustomer(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean; includeDeleted?: boolean } = {}): Promise<CustomerRow | undefined> {
  const result = await db.query<CustomerRow>(
    `SELECT * FROM customers WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.includeDeleted ? '' : 'AND NOT deleted'} ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updateCustomer(db: Queryable, scope: Scope, id: string, fields: CustomerFields): Promise<CustomerRow> {
  const result = await db.query<CustomerRow>(
    `UPDATE customers SET email = $4, name = $5, phone = $6, description = $7, address = $8, shipping = $9, metadata = $10, invoice_settings = $11
     WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *`,
    [id, scope.accountId, scope.livemode, fields.email, fields.name, fields.phone, fields.description, fields.address, fields.shipping, fields.metadata, JSON.stringify(fields.invoice_settings)],
  );
  return result.rows[0];
}

/**
 * Clears a customer's `invoice_settings.default_payment_method` when it is this PaymentMethod (it was detached);
 * returns the customer before and after, or undefined when nothing changed.
 */
export async function clearDefaultPaymentMethod(db: Queryable, scope: Scope, customerId: string, paymentMethodId: string): Promise<{ before: CustomerRow; after: CustomerRow } | undefined> {
  const before = await findCustomer(db, scope, customerId, { forUpdate: true });
  if (!before || before.invoice_settings.default_payment_method !== paymentMethodId) return undefined;
  const after = await updateCustomer(db, scope, customerId, { ...before, invoice_settings: { ...before.invoice_settings, default_payment_method: null } });
  return { before, after };
}

export async function markCustomerDeleted(db: Queryable, scope: Scope, id: string): Promise<void> {
  await db.query('UPDATE customers SET deleted = true WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
}

export async function listCustomers(db: Queryable, scope: Scope, page: PageRequest, filters: { email?: string }): Promise<Page<CustomerRow>> {
  return listPage<CustomerRow>(
    db,
    {
      table: 'customers',
      objectName: 'customer',
      accountId: scope.accountId,
      livemode: scope.livemode,
      fixedConditions: ['NOT deleted'],
      conditions: filters.email !== undefined ? [{ sql: 'email = $?', value: filters.email }] : [],
    },
    page,
  );
}

/** Sets (or clears) the customer's default card source. */
export async function setDefaultSource(db: Queryable, scope: Scope, id: string, sourceId: string | null): Promise<CustomerRow> {
  const result = await db.query<CustomerRow>(
    'UPDATE customers SET default_source = $4 WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *',
    [id, scope.accountId, scope.livemode, sourceId],
  );
  return result.rows[0];
}

/** Clears the customer's default source if it is this card (the card left the customer some other way). */
export async function clearDefaultSource(db: Queryable, scope: Scope, id: string, sourceId: string): Promise<void> {
  await db.query('UPDATE customers SET default_source = NULL WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND default_source = $4', [id, scope.accountId, scope.livemode, sourceId]);
}
