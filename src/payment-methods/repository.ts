import type { Queryable } from '../platform/db.ts';
import { jsonRowsInsert, queryOf, rowsIn, type PartOptions, type Statement } from '../platform/statements.ts';
import type { Scope } from '../platform/scope.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Address } from '../customers/repository.ts';
import type { CardBrand, CardFunding } from './card-numbers.ts';
import { methodTypeNames, type LocalMethodTypeName, type MethodTypeName } from './method-types.ts';

export interface BillingDetails {
  address: Required<Address> | null;
  email: string | null;
  name: string | null;
  phone: string | null;
}

/** What Payrail keeps of a card besides the encrypted number. */
export interface StoredCard {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: CardFunding;
  country: string | null;
  cvc_provided: boolean;
}

/**
 * What PayPal tells about the payer, as Stripe's `payment_method.paypal` hash (stored in the `wallet` column). Each
 * field is null until PayPal reports it, when a payment with the PaymentMethod is authorized.
 */
export interface StoredPayPal {
  /** The payer's country (ISO 3166-1 alpha-2), as PayPal reports it. */
  country: string | null;
  payer_email: string | null;
  /** PayPal's PayerID: the one stable identifier of the PayPal account. */
  payer_id: string | null;
}

/** The payment method types Payrail stores: every type of the table in method-types.ts. */
export const paymentMethodTypes: readonly MethodTypeName[] = methodTypeNames;
export type PaymentMethodType = MethodTypeName;

interface PaymentMethodRowBase {
  id: string;
  account_id: string;
  livemode: boolean;
  customer_id: string | null;
  billing_details: BillingDetails;
  metadata: Record<string, string>;
  created: number;
  allow_redisplay?: string;
}

/** A card: the number encrypted, the readable facts in `card`. */
export interface CardPaymentMethodRow extends PaymentMethodRowBase {
  type: 'card';
  card: StoredCard;
  card_number_encrypted: Buffer;
  wallet: null;
  /**
   * The security code, encrypted, while it is kept (payment_method_security_codes: until the first authorization, at
   * most an hour); read by findPaymentMethod only, for a connector that needs it. Null or absent otherwise.
   */
  security_code_encrypted?: Buffer | null;
}

/** A PayPal wallet: no card data at all (the buyer pays on PayPal); `wallet` is what PayPal told about the payer. */
export interface PayPalPaymentMethodRow extends PaymentMethodRowBase {
  type: 'paypal';
  card: null;
  card_number_encrypted: null;
  wallet: StoredPayPal | null;
}

/**
 * A local payment method (iDEAL, Bancontact, BLIK, Klarna, ...: method-types.ts): no card data; `wallet` holds the
 * type's own hash as Stripe shows it (`ideal: { bank, bic }`, `klarna: { dob }`), validated by local-methods.ts.
 */
export interface LocalPaymentMethodRow extends PaymentMethodRowBase {
  type: LocalMethodTypeName;
  card: null;
  card_number_encrypted: null;
  wallet: Record<string, unknown>;
  /** A sepa_debit PaymentMethod's IBAN, encrypted (secretBox, the id as associated data); null or absent otherwise. */
  bank_account_encrypted?: Buffer | null;
}

/** A stored PaymentMethod, one variant per type: narrow on `type` before reading card or wallet data. */
export type PaymentMethodRow = CardPaymentMethodRow | PayPalPaymentMethodRow | LocalPaymentMethodRow;

/** `Omit` applied to each variant of a union, so the result stays discriminated by `type`. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A PaymentMethod row before it is written (the scope supplies the account and mode). */
export type NewPaymentMethodRow = DistributiveOmit<PaymentMethodRow, 'account_id' | 'livemode'>;

const paymentMethodInsertColumns = ['id', 'account_id', 'livemode', 'type', 'customer_id', 'billing_details', 'card', 'card_number_encrypted', 'wallet', 'metadata', 'created', 'bank_account_encrypted'];

export function paymentMethodInsertStatement(scope: Scope, row: NewPaymentMethodRow, options: PartOptions & { returning?: string } = {}): Statement {
  const stored = { id: row.id, account_id: scope.accountId, livemode: scope.livemode, type: row.type, customer_id: row.customer_id, billing_details: row.billing_details,
    card: row.card, card_number_encrypted: row.card_number_encrypted, wallet: row.wallet, metadata: row.metadata, created: row.created,
    bank_account_encrypted: row.type !== 'card' && row.type !== 'paypal' ? row.bank_account_encrypted ?? null : null };
  return jsonRowsInsert('payment_methods', paymentMethodInsertColumns, [stored], options);
}

/**
 * Records what a wallet provider told about the payer on a PayPal PaymentMethod (Stripe fills `paypal.payer_email`
 * and the rest at authorization), as a statement to run with the payment's outcome, only when the earlier part `onlyIfRowsIn` returned a row.
 * Values already known are kept where the provider told nothing new. The caller must not update the same row in
 * another part of the same statement (PostgreSQL applies only one of two updates of a row in one statement).
 */
export function paymentMethodWalletStatement(scope: Scope, id: string, wallet: StoredPayPal, onlyIfRowsIn: string): Statement {
  return {
    text: `UPDATE payment_methods SET wallet = jsonb_build_object(
             'country', COALESCE($4::text, wallet->>'country'),
             'payer_email', COALESCE($5::text, wallet->>'payer_email'),
             'payer_id', COALESCE($6::text, wallet->>'payer_id'))
           WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND type = 'paypal' AND ${rowsIn(onlyIfRowsIn)} RETURNING id`,
    values: [id, scope.accountId, scope.livemode, wallet.country, wallet.payer_email, wallet.payer_id],
  };
}

/**
 * Attaches a PaymentMethod to a customer once a payment with `setup_future_usage` succeeded, as a statement to run
 * with the payment's outcome, only when the earlier part `onlyIfRowsIn` returned a row and it is not attached yet. It also records the payer
 * (`wallet`, when the provider told it), merged as paymentMethodWalletStatement merges it: one statement changes a
 * row once, so this update carries both.
 */
export function paymentMethodAttachStatement(scope: Scope, id: string, customerId: string | null, wallet: StoredPayPal | null, onlyIfRowsIn: string): Statement {
  return {
    text: `UPDATE payment_methods SET customer_id = $4,
             wallet = CASE WHEN NOT $5::boolean THEN wallet ELSE jsonb_build_object(
               'country', COALESCE($6::text, wallet->>'country'),
               'payer_email', COALESCE($7::text, wallet->>'payer_email'),
               'payer_id', COALESCE($8::text, wallet->>'payer_id')) END
           WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND customer_id IS NULL AND ${rowsIn(onlyIfRowsIn)} RETURNING id`,
    values: [id, scope.accountId, scope.livemode, customerId, wallet !== null, wallet?.country ?? null, wallet?.payer_email ?? null, wallet?.payer_id ?? null],
  };
}

export async function insertPaymentMethod(db: Queryable, scope: Scope, row: NewPaymentMethodRow): Promise<PaymentMethodRow> {
  const statement = paymentMethodInsertStatement(scope, row, { returning: 'RETURNING *' });
  const result = await db.query<PaymentMethodRow>(queryOf(statement));
  return result.rows[0];
}

/** Detaches every PaymentMethod of a customer (as Stripe does when the customer is deleted). */
export async function detachCustomerPaymentMethods(db: Queryable, scope: Scope, customerId: string): Promise<void> {
  await db.query('UPDATE payment_methods SET customer_id = NULL WHERE customer_id = $1 AND account_id = $2 AND livemode = $3', [customerId, scope.accountId, scope.livemode]);
}

export async function findPaymentMethod(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PaymentMethodRow | undefined> {
  const result = await db.query<PaymentMethodRow>(
    // A card's security code, while it is kept, comes with the row (for a connector call that needs it).
    `SELECT p.*, (SELECT s.security_code_encrypted FROM payment_method_security_codes s WHERE s.payment_method_id = p.id) AS security_code_encrypted
       FROM payment_methods p WHERE p.id = $1 AND (p.account_id, p.livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE OF p' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function savePaymentMethod(db: Queryable, scope: Scope, row: PaymentMethodRow): Promise<PaymentMethodRow> {
  const result = await db.query<PaymentMethodRow>(
    `UPDATE payment_methods SET customer_id = $4, billing_details = $5, card = $6, wallet = $7, metadata = $8
     WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *`,
    [row.id, scope.accountId, scope.livemode, row.customer_id, row.billing_details, row.card, row.wallet, row.metadata],
  );
  return result.rows[0];
}

/** A customer's PaymentMethods, or (customerId null) every PaymentMethod of the account and mode. */
export async function listPaymentMethods(db: Queryable, scope: Scope, page: PageRequest, customerId: string | null, type?: PaymentMethodType): Promise<Page<PaymentMethodRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (customerId !== null) conditions.push({ sql: 'customer_id = $?', value: customerId });
  if (type !== undefined) conditions.push({ sql: 'type = $?', value: type });
  return listPage<PaymentMethodRow>(
    db,
    { table: 'payment_methods', objectName: 'payment_method', accountId: scope.accountId, livemode: scope.livemode, conditions },
    page,
  );
}

/** A customer's legacy card sources (card PaymentMethods with a `card_` id), newest first. */
export async function listCardSources(db: Queryable, scope: Scope, page: PageRequest, customerId: string): Promise<Page<PaymentMethodRow>> {
  return listPage<PaymentMethodRow>(
    db,
    {
      table: 'payment_methods',
      objectName: 'card',
      accountId: scope.accountId,
      livemode: scope.livemode,
      fixedConditions: [`type = 'card'`, `starts_with(id, 'card_')`],
      conditions: [{ sql: 'customer_id = $?', value: customerId }],
    },
    page,
  );
}

/** The newest card source still attached to a customer, if any. */
export async function findLatestCardSource(db: Queryable, scope: Scope, customerId: string): Promise<PaymentMethodRow | undefined> {
  const result = await db.query<PaymentMethodRow>(
    `SELECT * FROM payment_methods WHERE account_id = $1 AND livemode = $2 AND customer_id = $3 AND type = 'card' AND starts_with(id, 'card_')
     ORDER BY seq DESC LIMIT 1`,
    [scope.accountId, scope.livemode, customerId],
  );
  return result.rows[0];
}

/**
 * Attaches a PaymentMethod to a customer unless it is attached already (a verified SetupIntent's card, as Stripe
 * attaches it): the row as attached, or undefined when it was attached (to this customer or another) before.
 */
export async function attachIfUnattached(db: Queryable, scope: Scope, id: string, customerId: string): Promise<PaymentMethodRow | undefined> {
  const result = await db.query<PaymentMethodRow>(
    `UPDATE payment_methods SET customer_id = $4 WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND customer_id IS NULL RETURNING *`,
    [id, scope.accountId, scope.livemode, customerId],
  );
  return result.rows[0];
}
