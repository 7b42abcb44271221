import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';

/** What happens after a purchase through the link (Stripe's `after_completion`). */
export type AfterCompletion =
  | { type: 'redirect'; redirect: { url: string } }
  | { type: 'hosted_confirmation'; hosted_confirmation: { custom_message: string | null } };

/** What the link's sessions' PaymentIntents are made with (Stripe's `payment_intent_data` of a link). */
export interface LinkPaymentIntentData {
  capture_method: 'automatic' | 'automatic_async' | 'manual' | null;
  description: string | null;
  metadata: Record<string, string>;
  setup_future_usage: 'on_session' | 'off_session' | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  /** Absent on links made before it was taken (read as null). */
  transfer_group?: string | null;
}

/** A link's Connect parameters (its `connect` column), checked as a PaymentIntent's when the link was made. */
export interface LinkConnect {
  application_fee_amount: number | null;
  transfer_data: { destination: string; amount: number | null } | null;
  on_behalf_of: string | null;
  /** A link made with the Stripe-Account header that takes a fee (a direct charge): the platform collecting it. */
  platform_account_id: string | null;
}

/** A `payment_links` row. */
export interface PaymentLinkRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  active: boolean;
  currency: string;
  after_completion: AfterCompletion;
  completed_sessions_limit: number | null;
  completed_sessions_count: number;
  billing_address_collection: 'auto' | 'required';
  phone_number_collection: boolean;
  shipping_allowed_countries: string[] | null;
  customer_creation: 'always' | 'if_required';
  payment_intent_data: LinkPaymentIntentData | null;
  payment_method_types: string[] | null;
  submit_type: 'auto' | 'pay' | 'book' | 'donate';
  inactive_message: string | null;
  metadata: Record<string, string>;
  created: number;
  connect: LinkConnect | null;
}

/** The fields of a link that an update may change (all but its identity, currency and counts). */
export type PaymentLinkFields = Pick<PaymentLinkRow, 'active' | 'after_completion' | 'completed_sessions_limit' | 'billing_address_collection' | 'phone_number_collection'
  | 'shipping_allowed_countries' | 'customer_creation' | 'payment_intent_data' | 'payment_method_types' | 'submit_type' | 'inactive_message' | 'metadata'>;

/** A `payment_link_line_items` row. */
export interface PaymentLinkLineItemRow {
  id: string;
  payment_link_id: string;
  position: number;
  price_id: string;
  quantity: number;
  adjustable_enabled: boolean;
  adjustable_minimum: number | null;
  adjustable_maximum: number | null;
}

export async function insertPaymentLink(db: Queryable, scope: Scope, id: string, currency: string, fields: PaymentLinkFields, created: number, connect: LinkConnect | null = null): Promise<PaymentLinkRow> {
  const result = await db.query<PaymentLinkRow>(
    `INSERT INTO payment_links (id, account_id, livemode, active, currency, after_completion, completed_sessions_limit, billing_address_collection, phone_number_collection,
       shipping_allowed_countries, customer_creation, payment_intent_data, payment_method_types, submit_type, inactive_message, metadata, created, connect)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING *`,
    [
      id, scope.accountId, scope.livemode, fields.active, currency, JSON.stringify(fields.after_completion), fields.completed_sessions_limit, fields.billing_address_collection,
      fields.phone_number_collection, fields.shipping_allowed_countries, fields.customer_creation,
      fields.payment_intent_data === null ? null : JSON.stringify(fields.payment_intent_data), fields.payment_method_types, fields.submit_type, fields.inactive_message,
      JSON.stringify(fields.metadata), created, connect === null ? null : JSON.stringify(connect),
    ],
  );
  return result.rows[0];
}

export async function updatePaymentLink(db: Queryable, id: string, fields: PaymentLinkFields): Promise<PaymentLinkRow> {
  const result = await db.query<PaymentLinkRow>(
    `UPDATE payment_links SET active = $2, after_completion = $3, completed_sessions_limit = $4, billing_address_collection = $5, phone_number_collection = $6,
       shipping_allowed_countries = $7, customer_creation = $8, payment_intent_data = $9, payment_method_types = $10, submit_type = $11, inactive_message = $12, metadata = $13
     WHERE id = $1 RETURNING *`,
    [
      id, fields.active, JSON.stringify(fields.after_completion), fields.completed_sessions_limit, fields.billing_address_collection, fields.phone_number_collection,
      fields.shipping_allowed_countries, fields.customer_creation, fields.payment_intent_data === null ? null : JSON.stringify(fields.payment_intent_data),
      fields.payment_method_types, fields.submit_type, fields.inactive_message, JSON.stringify(fields.metadata),
    ],
  );
  return result.rows[0];
}

/**
 * A link of the account and mode. `lock`: `update` for a change of the link (an update, a completion counted);
 * `share` for a session being made from it, which so waits for a completion that may deactivate the link, and
 * keeps an update from deactivating it meanwhile.
 */
export async function findPaymentLink(db: Queryable, scope: Scope, id: string, options: { lock?: 'update' | 'share' } = {}): Promise<PaymentLinkRow | undefined> {
  const lock = options.lock === 'update' ? 'FOR NO KEY UPDATE' : options.lock === 'share' ? 'FOR SHARE' : '';
  const result = await db.query<PaymentLinkRow>(`SELECT * FROM payment_links WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${lock}`, [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** A link by id alone: its public URL names the link, and the page learns its account from it. */
export async function findPaymentLinkById(db: Queryable, id: string): Promise<PaymentLinkRow | undefined> {
  const result = await db.query<PaymentLinkRow>('SELECT * FROM payment_links WHERE id = $1', [id]);
  return result.rows[0];
}

export async function insertPaymentLinkLineItems(db: Queryable, items: readonly PaymentLinkLineItemRow[]): Promise<void> {
  await db.query(
    `INSERT INTO payment_link_line_items (id, payment_link_id, position, price_id, quantity, adjustable_enabled, adjustable_minimum, adjustable_maximum)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::boolean[], $7::bigint[], $8::bigint[])`,
    [
      items.map((item) => item.id), items.map((item) => item.payment_link_id), items.map((item) => item.position), items.map((item) => item.price_id),
      items.map((item) => item.quantity), items.map((item) => item.adjustable_enabled), items.map((item) => item.adjustable_minimum), items.map((item) => item.adjustable_maximum),
    ],
  );
}

export async function updatePaymentLinkLineItem(db: Queryable, item: PaymentLinkLineItemRow): Promise<void> {
  await db.query(
    'UPDATE payment_link_line_items SET quantity = $2, adjustable_enabled = $3, adjustable_minimum = $4, adjustable_maximum = $5 WHERE id = $1',
    [item.id, item.quantity, item.adjustable_enabled, item.adjustable_minimum, item.adjustable_maximum],
  );
}

export async function paymentLinkLineItemsOf(db: Queryable, linkId: string): Promise<PaymentLinkLineItemRow[]> {
  const result = await db.query<PaymentLinkLineItemRow>('SELECT * FROM payment_link_line_items WHERE payment_link_id = $1 ORDER BY position', [linkId]);
  return result.rows;
}

/**
 * Counts one more completed session of the link (the link is locked by the caller, in the session's completing
 * transaction), and deactivates it when the count reaches its limit. Answers the link as it is afterwards.
 */
export async function countCompletedSession(db: Queryable, id: string): Promise<PaymentLinkRow> {
  const result = await db.query<PaymentLinkRow>(
    `UPDATE payment_links SET completed_sessions_count = completed_sessions_count + 1,
       active = active AND (completed_sessions_limit IS NULL OR completed_sessions_count + 1 < completed_sessions_limit)
     WHERE id = $1 RETURNING *`,
    [id],
  );
  return result.rows[0];
}

export interface PaymentLinkListFilters {
  active?: boolean;
}

export function listPaymentLinks(db: Queryable, scope: Scope, page: PageRequest, filters: PaymentLinkListFilters): Promise<Page<PaymentLinkRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.active !== undefined) conditions.push({ sql: 'active = $?', value: filters.active });
  return listPage<PaymentLinkRow>(db, { table: 'payment_links', objectName: 'payment_link', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
