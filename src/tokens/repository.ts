import { prepared, type Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';

/** A card token: one card PaymentMethod (`card_...`, its number encrypted there), usable once. */
export interface TokenRow {
  id: string;
  account_id: string;
  livemode: boolean;
  type: 'card';
  payment_method_id: string;
  client_ip: string | null;
  used: boolean;
  created: number;
}

export async function insertToken(db: Queryable, scope: Scope, row: Omit<TokenRow, 'account_id' | 'livemode'>): Promise<TokenRow> {
  const result = await db.query<TokenRow>(prepared(
    `INSERT INTO tokens (id, account_id, livemode, type, payment_method_id, client_ip, used, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [row.id, scope.accountId, scope.livemode, row.type, row.payment_method_id, row.client_ip, row.used, row.created],
  ));
  return result.rows[0];
}

export async function findToken(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<TokenRow | undefined> {
  const result = await db.query<TokenRow>(
    `SELECT * FROM tokens WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** Marks a token used, only if it was not: undefined when another use got there first. */
export async function markTokenUsed(db: Queryable, scope: Scope, id: string): Promise<TokenRow | undefined> {
  const result = await db.query<TokenRow>(
    'UPDATE tokens SET used = true WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND NOT used RETURNING *',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}
