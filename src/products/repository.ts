import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';

/** A `products` row. */
export interface ProductRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  name: string;
  active: boolean;
  description: string | null;
  images: string[];
  marketing_features: { name: string }[];
  metadata: Record<string, string>;
  url: string | null;
  statement_descriptor: string | null;
  unit_label: string | null;
  shippable: boolean | null;
  tax_code: string | null;
  default_price_id: string | null;
  created: number;
  updated: number;
}

export type ProductFields = Pick<ProductRow,
  'name' | 'active' | 'description' | 'images' | 'marketing_features' | 'metadata' | 'url' | 'statement_descriptor' | 'unit_label' | 'shippable' | 'tax_code' | 'default_price_id'>;

const fieldValues = (fields: ProductFields) => [
  fields.name, fields.active, fields.description, JSON.stringify(fields.images), JSON.stringify(fields.marketing_features), JSON.stringify(fields.metadata),
  fields.url, fields.statement_descriptor, fields.unit_label, fields.shippable, fields.tax_code, fields.default_price_id,
];

/**
 * Inserts a product; undefined when the account and mode already have a product with this id (a caller-chosen id
 * taken before, or by a concurrent request: ON CONFLICT waits for it rather than failing the transaction).
 */
export async function insertProduct(db: Queryable, scope: Scope, id: string, fields: ProductFields, created: number): Promise<ProductRow | undefined> {
  const result = await db.query<ProductRow>(
    `INSERT INTO products (id, account_id, livemode, name, active, description, images, marketing_features, metadata, url, statement_descriptor, unit_label, shippable, tax_code, default_price_id, created, updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
     ON CONFLICT (account_id, livemode, id) DO NOTHING RETURNING *`,
    [id, scope.accountId, scope.livemode, ...fieldValues(fields), created],
  );
  return result.rows[0];
}

/**
 * A product of the account and mode. `lock: 'update'` for a change of the product itself; `'key share'` for a price
 * about to reference it, which a concurrent delete then waits for (or, having deleted it first, makes it not found).
 */
export async function findProduct(db: Queryable, scope: Scope, id: string, options: { lock?: 'update' | 'key share' } = {}): Promise<ProductRow | undefined> {
  const lock = options.lock === 'update' ? 'FOR UPDATE' : options.lock === 'key share' ? 'FOR KEY SHARE' : '';
  const result = await db.query<ProductRow>(
    `SELECT * FROM products WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${lock}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updateProduct(db: Queryable, scope: Scope, id: string, fields: ProductFields, updated: number): Promise<ProductRow> {
  const result = await db.query<ProductRow>(
    `UPDATE products SET name = $4, active = $5, description = $6, images = $7, marketing_features = $8, metadata = $9, url = $10,
       statement_descriptor = $11, unit_label = $12, shippable = $13, tax_code = $14, default_price_id = $15, updated = $16
     WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *`,
    [id, scope.accountId, scope.livemode, ...fieldValues(fields), updated],
  );
  return result.rows[0];
}

/** Deletes a product (the caller has checked it has no prices; the prices' foreign key would refuse it otherwise). */
export async function deleteProductRow(db: Queryable, scope: Scope, id: string): Promise<void> {
  await db.query('DELETE FROM products WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
}

export interface ProductListFilters {
  active?: boolean;
  shippable?: boolean;
  url?: string;
  ids?: string[];
}

export function listProducts(db: Queryable, scope: Scope, page: PageRequest, filters: ProductListFilters): Promise<Page<ProductRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.active !== undefined) conditions.push({ sql: 'active = $?', value: filters.active });
  if (filters.shippable !== undefined) conditions.push({ sql: 'shippable = $?', value: filters.shippable });
  if (filters.url !== undefined) conditions.push({ sql: 'url = $?', value: filters.url });
  if (filters.ids !== undefined) conditions.push({ sql: 'id = ANY($?::text[])', value: filters.ids });
  return listPage<ProductRow>(db, { table: 'products', objectName: 'product', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
