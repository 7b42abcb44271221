import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';

export const taxBehaviors = ['inclusive', 'exclusive', 'unspecified'] as const;
export type TaxBehavior = (typeof taxBehaviors)[number];

/** The price in one more currency (Stripe's `currency_options[<currency>]`), in that currency's minor unit. */
export interface CurrencyOption {
  unit_amount: number;
  tax_behavior: TaxBehavior;
}

/** A `prices` row. */
export interface PriceRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  product_id: string;
  active: boolean;
  currency: string;
  unit_amount: number;
  /** The other currencies, keyed by lower-case code; never the price's own currency. */
  currency_options: Record<string, CurrencyOption>;
  tax_behavior: TaxBehavior;
  lookup_key: string | null;
  nickname: string | null;
  metadata: Record<string, string>;
  created: number;
}

export type PriceFields = Pick<PriceRow, 'product_id' | 'active' | 'currency' | 'unit_amount' | 'currency_options' | 'tax_behavior' | 'lookup_key' | 'nickname' | 'metadata'>;

/** The unique index that keeps a lookup key on one price per account and mode. */
const lookupKeyIndex = 'prices_lookup_key';

function isLookupKeyConflict(error: unknown): boolean {
  const fields = error as { code?: unknown; constraint?: unknown };
  return fields?.code === '23505' && fields.constraint === lookupKeyIndex;
}

/**
 * Inserts a price; undefined when another price of the account and mode holds its lookup key (also one a concurrent
 * request inserted first: ON CONFLICT waits for it instead of failing the transaction).
 */
export async function insertPrice(db: Queryable, scope: Scope, id: string, fields: PriceFields, created: number): Promise<PriceRow | undefined> {
  const result = await db.query<PriceRow>(
    `INSERT INTO prices (id, account_id, livemode, product_id, active, currency, unit_amount, currency_options, tax_behavior, lookup_key, nickname, metadata, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (account_id, livemode, lookup_key) WHERE lookup_key IS NOT NULL DO NOTHING RETURNING *`,
    [id, scope.accountId, scope.livemode, fields.product_id, fields.active, fields.currency, fields.unit_amount, JSON.stringify(fields.currency_options),
      fields.tax_behavior, fields.lookup_key, fields.nickname, JSON.stringify(fields.metadata), created],
  );
  return result.rows[0];
}

export async function findPrice(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PriceRow | undefined> {
  const result = await db.query<PriceRow>(
    `SELECT * FROM prices WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** The price holding a lookup key, locked (its key may be transferred away). */
export async function findPriceByLookupKey(db: Queryable, scope: Scope, lookupKey: string): Promise<PriceRow | undefined> {
  const result = await db.query<PriceRow>(
    'SELECT * FROM prices WHERE account_id = $1 AND livemode = $2 AND lookup_key = $3 FOR UPDATE',
    [scope.accountId, scope.livemode, lookupKey],
  );
  return result.rows[0];
}

/**
 * Writes a price's changeable fields; undefined when its new lookup key is held by another price (a concurrent
 * request took it after the caller looked).
 */
export async function updatePrice(db: Queryable, scope: Scope, id: string, fields: PriceFields): Promise<PriceRow | undefined> {
  try {
    const result = await db.query<PriceRow>(
      `UPDATE prices SET active = $4, currency_options = $5, tax_behavior = $6, lookup_key = $7, nickname = $8, metadata = $9
       WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *`,
      [id, scope.accountId, scope.livemode, fields.active, JSON.stringify(fields.currency_options), fields.tax_behavior, fields.lookup_key, fields.nickname, JSON.stringify(fields.metadata)],
    );
    return result.rows[0];
  } catch (error) {
    if (isLookupKeyConflict(error)) return undefined;
    throw error;
  }
}

/** Takes the lookup key off a price (it moves to another price); returns the price as it then is. */
export async function clearLookupKey(db: Queryable, scope: Scope, id: string): Promise<PriceRow> {
  const result = await db.query<PriceRow>(
    'UPDATE prices SET lookup_key = NULL WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** Whether the product has any price (a product with prices cannot be deleted). */
export async function productHasPrices(db: Queryable, scope: Scope, productId: string): Promise<boolean> {
  const result = await db.query<{ found: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM prices WHERE account_id = $1 AND livemode = $2 AND product_id = $3) AS found',
    [scope.accountId, scope.livemode, productId],
  );
  return result.rows[0].found;
}

export interface PriceListFilters {
  active?: boolean;
  currency?: string;
  product?: string;
  /** Payrail's prices are all one-time: `recurring` finds none. */
  type?: 'one_time' | 'recurring';
  lookupKeys?: string[];
}

export function listPrices(db: Queryable, scope: Scope, page: PageRequest, filters: PriceListFilters): Promise<Page<PriceRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  const fixedConditions: string[] = [];
  if (filters.active !== undefined) conditions.push({ sql: 'active = $?', value: filters.active });
  if (filters.currency !== undefined) conditions.push({ sql: 'currency = $?', value: filters.currency });
  if (filters.product !== undefined) conditions.push({ sql: 'product_id = $?', value: filters.product });
  if (filters.lookupKeys !== undefined) conditions.push({ sql: 'lookup_key = ANY($?::text[])', value: filters.lookupKeys });
  if (filters.type === 'recurring') fixedConditions.push('false');
  return listPage<PriceRow>(db, { table: 'prices', objectName: 'price', accountId: scope.accountId, livemode: scope.livemode, conditions, fixedConditions }, page);
}
