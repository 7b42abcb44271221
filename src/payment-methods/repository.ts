import { prepared, type Queryable } from '../platform/db.ts';
import type { Statement } from '../platform/statements.ts';
import type { Scope } from '../events/service.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Address } from '../customers/repository.ts';
import type { CardBrand, CardFunding } from './card-numbers.ts';

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

export interface PaymentMethodRow {
  id: string;
  account_id: string;
  livemode: boolean;
  type: 'card';
  customer_id: string | null;
  billing_details: BillingDetails;
  card: StoredCard;
  card_number_encrypted: Buffer;
  metadata: Record<string, string>;
  created: number;
  allow_redisplay?: string;
}

export function paymentMethodInsertStatement(scope: Scope, row: Omit<PaymentMethodRow, 'account_id' | 'livemode'>): Statement {
  return {
    text: `INSERT INTO payment_methods (id, account_id, livemode, type, customer_id, billing_details, card, card_number_encrypted, metadata, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    values: [row.id, scope.accountId, scope.livemode, row.type, row.customer_id, row.billing_details, row.card, row.card_number_encrypted, row.metadata, row.created],
  };
}

export async function insertPaymentMethod(db: Queryable, scope: Scope, row: Omit<PaymentMethodRow, 'account_id' | 'livemode'>): Promise<PaymentMethodRow> {
  const statement = paymentMethodInsertStatement(scope, row);
  const result = await db.query<PaymentMethodRow>(prepared(`${statement.text} RETURNING *`, statement.values));
  return result.rows[0];
}

export async function findPaymentMethod(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PaymentMethodRow | undefined> {
  const result = await db.query<PaymentMethodRow>(
    `SELECT * FROM payment_methods WHERE id = $1 AND account_id = $2 AND livemode = $3 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function savePaymentMethod(db: Queryable, scope: Scope, row: PaymentMethodRow): Promise<PaymentMethodRow> {
  const result = await db.query<PaymentMethodRow>(
    `UPDATE payment_methods SET customer_id = $4, billing_details = $5, card = $6, metadata = $7
     WHERE id = $1 AND account_id = $2 AND livemode = $3 RETURNING *`,
    [row.id, scope.accountId, scope.livemode, row.customer_id, row.billing_details, row.card, row.metadata],
  );
  return result.rows[0];
}

export async function listPaymentMethods(db: Queryable, scope: Scope, page: PageRequest, customerId: string): Promise<Page<PaymentMethodRow>> {
  return listPage<PaymentMethodRow>(
    db,
    { table: 'payment_methods', objectName: 'payment_method', accountId: scope.accountId, livemode: scope.livemode, conditions: [{ sql: 'customer_id = $?', value: customerId }] },
    page,
  );
}
