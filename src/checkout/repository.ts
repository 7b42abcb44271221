import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { SessionConnectData } from './session-connect.ts';

/** A `checkout_sessions` row. */
export interface CheckoutSessionRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  mode: 'payment' | 'setup';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  ui_mode: 'hosted' | 'embedded';
  /** Embedded sessions only: what opens the session in the merchant's page (`cs_..._secret_...`). */
  client_secret: string | null;
  /** Embedded sessions: where the shopper goes after paying (`{CHECKOUT_SESSION_ID}` is replaced). */
  return_url: string | null;
  redirect_on_completion: 'always' | 'if_required' | 'never' | null;
  /** Null only in setup mode, when the merchant gave none. */
  currency: string | null;
  /** Null in setup mode: nothing is sold. */
  amount_subtotal: number | null;
  amount_total: number | null;
  success_url: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  customer_id: string | null;
  customer_email: string | null;
  customer_creation: 'always' | 'if_required' | null;
  customer_details: CustomerDetails | null;
  shipping_details: ShippingDetails | null;
  payment_intent_data: PaymentIntentData;
  payment_intent_id: string | null;
  /** Setup mode: what the SetupIntent is made with (null in payment mode), and the SetupIntent once the page made it. */
  setup_intent_data: SetupIntentData | null;
  setup_intent_id: string | null;
  payment_method_types: string[];
  locale: string | null;
  billing_address_collection: 'auto' | 'required';
  shipping_allowed_countries: string[] | null;
  phone_number_collection: boolean;
  submit_type: 'auto' | 'pay' | 'book' | 'donate';
  metadata: Record<string, string>;
  expires_at: number;
  created: number;
  /** The Payment Link the session was made from (a visit to its URL), else null. */
  payment_link_id: string | null;
  /**
   * A session completed while its payment was still processing with a delayed-notification method
   * (src/checkout/delayed-notification.ts): `pending` until the payment ends, then `succeeded` or `failed` (the
   * `checkout.session.async_payment_*` event was sent); null for every other session.
   */
  async_payment: 'pending' | 'succeeded' | 'failed' | null;
}

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

/** What the shopper entered on the page. */
export interface CustomerDetails {
  email: string | null;
  name: string | null;
  phone: string | null;
  address: Address | null;
}

export interface ShippingDetails {
  name: string;
  address: Address;
}

/** What the session's PaymentIntent is created with (Stripe's `payment_intent_data`, its Connect parameters included). */
export interface PaymentIntentData extends SessionConnectData {
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  description?: string;
  metadata?: Record<string, string>;
  setup_future_usage?: 'on_session' | 'off_session';
  statement_descriptor?: string;
  statement_descriptor_suffix?: string;
  receipt_email?: string;
}

export type NewCheckoutSession = Omit<CheckoutSessionRow, 'seq' | 'account_id' | 'livemode' | 'status' | 'payment_status' | 'customer_details' | 'shipping_details' | 'payment_intent_id' | 'setup_intent_id' | 'async_payment'>;

/** Stripe's `setup_intent_data` of a setup-mode session. */
export interface SetupIntentData {
  description?: string;
  metadata?: Record<string, string>;
}

/** A `checkout_line_items` row. */
export interface LineItemRow {
  id: string;
  session_id: string;
  position: number;
  price_id: string;
  quantity: number;
  description: string;
  currency: string;
  unit_amount: number;
  amount_subtotal: number;
  amount_total: number;
}

export async function insertCheckoutSession(db: Queryable, scope: Scope, session: NewCheckoutSession): Promise<CheckoutSessionRow> {
  const result = await db.query<CheckoutSessionRow>(
    `INSERT INTO checkout_sessions (id, account_id, livemode, mode, status, payment_status, ui_mode, currency, amount_subtotal, amount_total,
       success_url, cancel_url, client_reference_id, customer_id, customer_email, customer_creation, payment_intent_data, payment_method_types,
       locale, billing_address_collection, shipping_allowed_countries, phone_number_collection, submit_type, metadata, expires_at, created, payment_link_id,
       client_secret, return_url, redirect_on_completion, setup_intent_data)
     VALUES ($1, $2, $3, $4, 'open', $29, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $30)
     RETURNING *`,
    [
      session.id, scope.accountId, scope.livemode, session.mode, session.ui_mode, session.currency, session.amount_subtotal, session.amount_total,
      session.success_url, session.cancel_url, session.client_reference_id, session.customer_id, session.customer_email, session.customer_creation,
      JSON.stringify(session.payment_intent_data), session.payment_method_types, session.locale, session.billing_address_collection,
      session.shipping_allowed_countries, session.phone_number_collection, session.submit_type, JSON.stringify(session.metadata), session.expires_at, session.created,
      session.payment_link_id, session.client_secret, session.return_url, session.redirect_on_completion,
      session.mode === 'setup' ? 'no_payment_required' : 'unpaid', session.setup_intent_data === null ? null : JSON.stringify(session.setup_intent_data),
    ],
  );
  return result.rows[0];
}

export async function insertLineItems(db: Queryable, items: readonly LineItemRow[]): Promise<void> {
  if (items.length === 0) return;
  await db.query(
    `INSERT INTO checkout_line_items (id, session_id, position, price_id, quantity, description, currency, unit_amount, amount_subtotal, amount_total)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[])`,
    [
      items.map((item) => item.id), items.map((item) => item.session_id), items.map((item) => item.position), items.map((item) => item.price_id),
      items.map((item) => item.quantity), items.map((item) => item.description), items.map((item) => item.currency), items.map((item) => item.unit_amount),
      items.map((item) => item.amount_subtotal), items.map((item) => item.amount_total),
    ],
  );
}

/** A session of the account and mode; `forUpdate` locks it (the page's payment and the expiry take turns on it). */
export async function findCheckoutSession(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<CheckoutSessionRow | undefined> {
  const result = await db.query<CheckoutSessionRow>(
    `SELECT * FROM checkout_sessions WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** A session by id alone: the hosted page's address names the session, and the page learns its account from it. */
export async function findCheckoutSessionById(db: Queryable, id: string): Promise<CheckoutSessionRow | undefined> {
  const result = await db.query<CheckoutSessionRow>('SELECT * FROM checkout_sessions WHERE id = $1', [id]);
  return result.rows[0];
}

export async function findCheckoutSessionByPaymentIntent(db: Queryable, scope: Scope, paymentIntentId: string): Promise<CheckoutSessionRow | undefined> {
  const result = await db.query<CheckoutSessionRow>(
    'SELECT * FROM checkout_sessions WHERE payment_intent_id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)',
    [paymentIntentId, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function lineItemsOf(db: Queryable, sessionId: string): Promise<LineItemRow[]> {
  const result = await db.query<LineItemRow>('SELECT * FROM checkout_line_items WHERE session_id = $1 ORDER BY position', [sessionId]);
  return result.rows;
}

/**
 * The session's PaymentIntent, set once (the first payment attempt on the page makes it), and only while the session
 * is open: a session expired meanwhile (by the API, or because its Payment Link reached its limit) keeps none, so
 * the page cancels the intent it made instead of confirming it.
 */
export async function setSessionPaymentIntent(db: Queryable, id: string, paymentIntentId: string): Promise<void> {
  await db.query('UPDATE checkout_sessions SET payment_intent_id = $2 WHERE id = $1 AND payment_intent_id IS NULL AND status = $3', [id, paymentIntentId, 'open']);
}

/** Records the SetupIntent the page made for an open setup-mode session, unless one is recorded already. */
export async function setSessionSetupIntent(db: Queryable, id: string, setupIntentId: string): Promise<void> {
  await db.query('UPDATE checkout_sessions SET setup_intent_id = $2 WHERE id = $1 AND setup_intent_id IS NULL AND status = $3', [id, setupIntentId, 'open']);
}

/** What the shopper entered, kept on the session for its answer (customer_details, shipping_details). */
export async function setSessionDetails(db: Queryable, id: string, customerId: string | null, details: CustomerDetails, shipping: ShippingDetails | null): Promise<void> {
  await db.query(
    'UPDATE checkout_sessions SET customer_details = $2, shipping_details = $3, customer_id = coalesce(customer_id, $4) WHERE id = $1 AND status = $5',
    [id, JSON.stringify(details), shipping === null ? null : JSON.stringify(shipping), customerId, 'open'],
  );
}

/** Ends an open session (compare-and-set on `open`): answers the row when this call ended it, undefined when it was no longer open. */
export async function endSession(
  db: Queryable,
  id: string,
  status: 'complete' | 'expired',
  paymentStatus: CheckoutSessionRow['payment_status'],
  asyncPayment: 'pending' | null = null,
): Promise<CheckoutSessionRow | undefined> {
  const result = await db.query<CheckoutSessionRow>(
    'UPDATE checkout_sessions SET status = $2, payment_status = $3, async_payment = $5 WHERE id = $1 AND status = $4 RETURNING *',
    [id, status, paymentStatus, 'open', asyncPayment],
  );
  return result.rows[0];
}

/**
 * A completed session's delayed payment ended: `succeeded` (payment_status `paid`, or still `unpaid` for an
 * authorization awaiting its capture) or `failed`. A compare-and-set on `pending`, so the outcome is recorded once.
 */
export async function endAsyncPayment(
  db: Queryable,
  id: string,
  outcome: 'succeeded' | 'failed',
  paymentStatus: CheckoutSessionRow['payment_status'],
): Promise<CheckoutSessionRow | undefined> {
  const result = await db.query<CheckoutSessionRow>(
    "UPDATE checkout_sessions SET async_payment = $2, payment_status = $3 WHERE id = $1 AND async_payment = 'pending' RETURNING *",
    [id, outcome, paymentStatus],
  );
  return result.rows[0];
}

/**
 * What the sweep looks at, oldest first: open sessions whose PaymentIntent has succeeded or is authorized (left open
 * by a crash between the payment and the session's completion), or is processing with a delayed-notification method
 * (the shopper did not come back from the provider), and open setup sessions whose SetupIntent has succeeded;
 * completed sessions awaiting a delayed payment whose intent is
 * no longer processing; open sessions past their expiry.
 */
export async function sessionsToSweep(
  db: Queryable,
  nowSeconds: number,
  limit: number,
  delayedTypes: readonly string[],
): Promise<{ paid: CheckoutSessionRow[]; asyncEnded: CheckoutSessionRow[]; due: CheckoutSessionRow[] }> {
  const paid = await db.query<CheckoutSessionRow>(
    `SELECT s.* FROM checkout_sessions s JOIN payment_intents p ON p.id = s.payment_intent_id
      WHERE s.status = 'open' AND s.payment_intent_id IS NOT NULL
        AND (p.status IN ('succeeded', 'requires_capture')
          OR (p.status = 'processing' AND EXISTS (SELECT 1 FROM payment_methods m WHERE m.id = p.payment_method_id AND m.type = ANY($2::text[])))
          OR (p.status = 'requires_action' AND p.next_action->>'type' = 'boleto_display_details'))
    UNION ALL
    SELECT s.* FROM checkout_sessions s JOIN setup_intents i ON i.id = s.setup_intent_id
      WHERE s.status = 'open' AND s.setup_intent_id IS NOT NULL AND i.status = 'succeeded'
      ORDER BY seq LIMIT $1`,
    [limit, delayedTypes],
  );
  const asyncEnded = await db.query<CheckoutSessionRow>(
    `SELECT s.* FROM checkout_sessions s JOIN payment_intents p ON p.id = s.payment_intent_id
      WHERE s.async_payment = 'pending' AND p.status NOT IN ('processing', 'requires_action') ORDER BY s.seq LIMIT $1`,
    [limit],
  );
  const due = await db.query<CheckoutSessionRow>("SELECT * FROM checkout_sessions WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2", [nowSeconds, limit]);
  return { paid: paid.rows, asyncEnded: asyncEnded.rows, due: due.rows };
}

/**
 * Expires the open sessions of a Payment Link on which no payment has started (no PaymentIntent yet), when the link
 * has reached its completion limit; in the caller's transaction. Answers the sessions it expired.
 */
export async function expireUnpaidSessionsOfLink(db: Queryable, paymentLinkId: string): Promise<CheckoutSessionRow[]> {
  const result = await db.query<CheckoutSessionRow>(
    `UPDATE checkout_sessions SET status = 'expired' WHERE payment_link_id = $1 AND status = 'open' AND payment_intent_id IS NULL RETURNING *`,
    [paymentLinkId],
  );
  return result.rows;
}

/** A Payment Link's open sessions on which a payment has started (they have a PaymentIntent). */
export async function openPayingSessionsOfLink(db: Queryable, paymentLinkId: string): Promise<CheckoutSessionRow[]> {
  const result = await db.query<CheckoutSessionRow>(
    `SELECT * FROM checkout_sessions WHERE payment_link_id = $1 AND status = 'open' AND payment_intent_id IS NOT NULL ORDER BY seq`,
    [paymentLinkId],
  );
  return result.rows;
}

/**
 * Open sessions of Payment Links that have reached their completion limit: the completion that reached it closes them
 * right after its commit, so these are what a crash in between left payable (the sweep closes them).
 */
export async function openSessionsOfFullLinks(db: Queryable, limit: number): Promise<CheckoutSessionRow[]> {
  const result = await db.query<CheckoutSessionRow>(
    `SELECT s.* FROM checkout_sessions s JOIN payment_links l ON l.id = s.payment_link_id
      WHERE s.status = 'open' AND l.completed_sessions_limit IS NOT NULL AND l.completed_sessions_count >= l.completed_sessions_limit
      ORDER BY s.seq LIMIT $1`,
    [limit],
  );
  return result.rows;
}

export interface CheckoutSessionListFilters {
  status?: string;
  customer?: string;
  payment_intent?: string;
  payment_link?: string;
}

export function listCheckoutSessions(db: Queryable, scope: Scope, page: PageRequest, filters: CheckoutSessionListFilters): Promise<Page<CheckoutSessionRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.status !== undefined) conditions.push({ sql: 'status = $?', value: filters.status });
  if (filters.customer !== undefined) conditions.push({ sql: 'customer_id = $?', value: filters.customer });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  if (filters.payment_link !== undefined) conditions.push({ sql: 'payment_link_id = $?', value: filters.payment_link });
  return listPage<CheckoutSessionRow>(db, { table: 'checkout_sessions', objectName: 'checkout.session', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
